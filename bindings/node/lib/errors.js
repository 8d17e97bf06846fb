'use strict';
/**
 * The one error type of the package, and the conversion of a `ci_error`
 * into it.
 * @module cloud-infinite/lib/errors
 * @private
 */

const { KIND } = require('./abi');

/**
 * The error kinds as constants, e.g. `ErrorKind.TIMEOUT === 'timeout'`:
 * the `ci_kind` names in lower case.
 * @readonly
 * @enum {string}
 */
const ErrorKind = Object.freeze(
  Object.fromEntries(Object.keys(KIND).filter((k) => k !== 'NONE').map((k) => [k, k.toLowerCase()])),
);

/** The `code` of an aborted call, as on Node's own AbortError. */
const ABORT_ERR = 'ABORT_ERR';

/** The kind name of each `ci_kind` number. */
const KIND_NAMES = Object.freeze(Object.fromEntries(Object.entries(KIND).map(([k, n]) => [n, k.toLowerCase()])));

/**
 * What every failure of this package is: a value with a kind, a message a
 * person can act on, and, when the service answered, its error code,
 * request id and HTTP status.
 *
 * A call ended by its AbortSignal (kind `cancelled`) also passes the
 * checks code written for Node's own AbortError: its `name` is
 * `'AbortError'`, its `code` is `'ABORT_ERR'`, and its `cause` is the
 * signal's `reason`; it stays a CIError.
 *
 * @example
 * try {
 *   await client.describeAiQueues('nosuchbucket-1250000000', undefined, { signal });
 * } catch (e) {
 *   if (e.name === 'AbortError') console.log('aborted:', e.cause);
 *   else if (e instanceof CIError && e.code === 'NoSuchBucket') console.log(e.requestId);
 * }
 */
class CIError extends Error {
  /**
   * @param {string} kind one of {@link ErrorKind}
   * @param {string} message
   * @param {{code?: string|null, requestId?: string|null, httpStatus?: number|null, resource?: string|null, traceId?: string|null, cause?: unknown}} [details]
   *   `cause` is set only when given (as `Error`'s own option)
   */
  constructor(kind, message, details = {}) {
    super(message, Object.hasOwn(details, 'cause') ? { cause: details.cause } : undefined);
    const aborted = kind === ErrorKind.CANCELLED;
    /**
     * `'CIError'`, or `'AbortError'` for kind `cancelled` (what
     * `err.name === 'AbortError'` checks look for). @type {string}
     */
    this.name = aborted ? 'AbortError' : 'CIError';
    /** One of {@link ErrorKind}. @type {string} */
    this.kind = kind;
    /**
     * What exactly went wrong, for code to test: the service's error code
     * (e.g. `SignatureDoesNotMatch`) when it answered with one;
     * `'ABORT_ERR'` for kind `cancelled`, as Node's own AbortError has
     * (no service answer can carry it: the call ended on this side);
     * else null. @type {string|null}
     */
    this.code = details.code ?? (aborted ? ABORT_ERR : null);
    /** The failed request's id, or null. @type {string|null} */
    this.requestId = details.requestId ?? null;
    /** The HTTP status of the service's answer, or null when there was none. @type {number|null} */
    this.httpStatus = details.httpStatus ?? null;
    /** The error body's `Resource`, or null. @type {string|null} */
    this.resource = details.resource ?? null;
    /** The error body's `TraceId`, or null. @type {string|null} */
    this.traceId = details.traceId ?? null;
  }
}

/**
 * Copies a live `ci_error` into a CIError and frees it, so no C memory
 * outlives the call that made it.
 * @param {object} fns the library's functions (lib/native.js)
 * @param {bigint} ptr
 * @returns {CIError}
 */
function takeError(fns, ptr) {
  try {
    const kindNumber = fns.ci_error_kind(ptr);
    const status = fns.ci_error_http_status(ptr);
    return new CIError(
      KIND_NAMES[kindNumber] || `unknown_kind_${kindNumber}`,
      fns.ci_error_message(ptr) || 'unknown error (the library gave no message)',
      {
        code: fns.ci_error_code(ptr),
        requestId: fns.ci_error_request_id(ptr),
        httpStatus: status === 0 ? null : status,
        resource: fns.ci_error_resource(ptr),
        traceId: fns.ci_error_trace_id(ptr),
      },
    );
  } finally {
    fns.ci_free(ptr);
  }
}

/**
 * The error of a call its AbortSignal ended: kind `cancelled`, name
 * `AbortError`, code `ABORT_ERR`, `cause` the signal's `reason`.
 * @param {unknown} reason the signal's `reason`
 * @param {string} [message] the core's message, when the core ended the call
 * @returns {CIError}
 */
function abortError(reason, message) {
  return new CIError(ErrorKind.CANCELLED, message || 'the call was aborted before it started: nothing was sent', {
    cause: reason,
  });
}

/** An `invalid_argument` CIError made by the binding (a value it cannot convert). */
function invalid(message) {
  return new CIError(ErrorKind.INVALID_ARGUMENT, message);
}

module.exports = { CIError, ErrorKind, ABORT_ERR, takeError, abortError, invalid };
