'use strict';
/**
 * The client: options to `ci_client_options`, and the one generic call and
 * one generic pager every operation method of lib/operations.js goes
 * through.
 * @module cloud-infinite/lib/client
 * @private
 */

const { fns } = require('./native');
const { SCHEME, PROXY_MODE, PAGE_FORMAT } = require('./abi');
const { invalid, takeError } = require('./errors');
const { checkKeys, optString, isSet, optUint64 } = require('./values');
const { callAsync, callSync, jsCredentialsGate } = require('./call');
const { toQuery } = require('./query');
const { convertPage } = require('./results');
const { NativeHandle } = require('./handle');
const { PageIterator } = require('./pager');
const { CancelScope } = require('./abort');
const { Operations } = require('./operations');
const { CREDENTIAL_OPTION_KEYS, credentialOptions, toCredentialValues } = require('./credentials');

const CLIENT_OPTION_KEYS = [
  'fromEnv', 'secretId', 'secretKey', 'sessionToken', 'region', 'endpoint', 'connectTo', 'scheme',
  'connectTimeoutMs', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs', 'maxResponseBytes', 'userAgentSuffix', 'proxy',
  'caFile', ...CREDENTIAL_OPTION_KEYS,
];

/** The options every call takes. */
const CALL_OPTION_KEYS = ['signal'];
/** The options every page iterator takes. */
const PAGE_OPTION_KEYS = ['signal', 'concurrency'];

const SCHEMES = { https: SCHEME.HTTPS, http: SCHEME.HTTP };
const UINT32_MAX = 0xffffffff;

/**
 * Client options to a `ci_client_options`; numbers given are sent as given,
 * 0 included. With `credentials` a function, also its provider, which the
 * caller must attach to the client or release.
 * @returns {{ options: object, provider: import('./credentials').FunctionProvider | null }}
 */
function toClientOptions(options) {
  const o = checkKeys(options, CLIENT_OPTION_KEYS, 'client option');
  if (o.fromEnv !== undefined && typeof o.fromEnv !== 'boolean') throw invalid('fromEnv must be a boolean');
  let scheme = SCHEME.DEFAULT;
  if (o.scheme !== undefined && o.scheme !== null) {
    scheme = SCHEMES[o.scheme];
    if (!scheme) throw invalid(`scheme must be "https" or "http", not ${JSON.stringify(o.scheme)}`);
  }
  let proxyMode = PROXY_MODE.FROM_ENVIRONMENT;
  let proxyUrl = null;
  if (o.proxy === 'disabled') {
    proxyMode = PROXY_MODE.DISABLED;
  } else if (o.proxy && typeof o.proxy === 'object') {
    checkKeys(o.proxy, ['url'], 'proxy');
    proxyMode = PROXY_MODE.URL;
    proxyUrl = optString(o.proxy.url, 'proxy.url');
  } else if (o.proxy !== undefined && o.proxy !== null && o.proxy !== 'environment') {
    throw invalid('proxy must be "environment", "disabled" or { url: "http://host:port" }');
  }
  const fields = {
    from_env: o.fromEnv === true ? 1 : 0,
    secret_id: optString(o.secretId, 'secretId'),
    secret_key: optString(o.secretKey, 'secretKey'),
    session_token: optString(o.sessionToken, 'sessionToken'),
    region: optString(o.region, 'region'),
    endpoint: optString(o.endpoint, 'endpoint'),
    connect_to: optString(o.connectTo, 'connectTo'),
    scheme,
    has_connect_timeout_ms: isSet(o.connectTimeoutMs),
    connect_timeout_ms: optUint64(o.connectTimeoutMs, 'connectTimeoutMs'),
    has_timeout_ms: isSet(o.timeoutMs),
    timeout_ms: optUint64(o.timeoutMs, 'timeoutMs'),
    has_max_retries: isSet(o.maxRetries),
    max_retries: optUint64(o.maxRetries, 'maxRetries', UINT32_MAX),
    has_retry_base_delay_ms: isSet(o.retryBaseDelayMs),
    retry_base_delay_ms: optUint64(o.retryBaseDelayMs, 'retryBaseDelayMs'),
    has_max_response_bytes: isSet(o.maxResponseBytes),
    max_response_bytes: optUint64(o.maxResponseBytes, 'maxResponseBytes'),
    user_agent_suffix: optString(o.userAgentSuffix, 'userAgentSuffix'),
    proxy_mode: proxyMode,
    proxy_url: proxyUrl,
    ca_file: optString(o.caFile, 'caFile'),
  };
  // Last: it registers the callback of a function provider, and nothing may throw after that.
  const { fields: credentialFields, provider } = credentialOptions(o);
  return { options: { ...fields, ...credentialFields }, provider };
}

/**
 * The `ci_query` of a call or a pager: the query's fields (all unset for
 * none), with pages handed over as packed JSON (`CI_PAGE_FORMAT_JSON`),
 * which lib/results.js reads in one crossing. A fresh object the caller
 * may add call options to.
 * @param {object|undefined|null} query
 * @returns {object}
 */
function callQuery(query) {
  const q = toQuery(query ?? {});
  q.page_format = PAGE_FORMAT.JSON;
  return q;
}

/** An operation argument: a `ci_operation` number (the core rejects unknown ones). */
function operationArg(operation) {
  if (!Number.isInteger(operation) || operation < 0 || operation > UINT32_MAX) {
    throw invalid(`operation must be one of Operation's numbers, not ${String(operation)}`);
  }
  return operation;
}

/** A bucket argument: a string, or null/undefined passed on as NULL for the core to judge. */
function bucketArg(bucket) {
  return bucket === undefined || bucket === null ? null : optString(bucket, 'bucket');
}

/**
 * A Cloud Infinite client. One client serves any number of concurrent
 * calls (the core shares one connection pool); each call runs on libuv's
 * thread pool and returns a Promise, so the event loop never blocks.
 * Every describe call of the library is a method (lib/operations.js).
 *
 * @example
 * const client = new Client({
 *   secretId: 'AKID...', secretKey: '...', region: 'ap-guangzhou',
 * });
 * for await (const page of client.mediaBucketPages({ pageSize: 100 })) {
 *   for (const b of page.buckets) console.log(b.name, b.region);
 * }
 * // Every call takes { signal }, every page iterator { signal, concurrency }:
 * const signal = AbortSignal.timeout(2000);
 * try {
 *   await client.describeAiQueues('examplebucket-1250000000', { pageSize: 10 }, { signal });
 *   for await (const page of client.picBucketPages({}, { signal, concurrency: 16 })) console.log(page.buckets.length);
 * } catch (e) {
 *   if (e.name !== 'AbortError') throw e; // a CIError of kind 'cancelled', code 'ABORT_ERR', cause signal.reason
 * }
 * client.close();
 */
class Client extends Operations {
  #handle;

  /**
   * Makes a client; nothing is sent yet. Throws a CIError of kind
   * `invalid_argument` (or `null_argument`) when the options are unusable,
   * e.g. no credentials.
   * @param {import('../index').ClientOptions} [options]
   */
  constructor(options = {}) {
    super();
    const { options: c, provider } = toClientOptions(options);
    let ptr;
    try {
      ptr = callSync(fns.ci_client_new, [c]);
    } catch (e) {
      if (provider) provider.release();
      throw e;
    }
    if (provider) provider.attach(ptr);
    // The callback lives exactly as long as the native client: released
    // after close() once the last call ended (or when collected).
    this.#handle = new NativeHandle(this, ptr, 'Client', provider ? () => provider.release() : undefined);
    if (provider) this.#handle.gate = jsCredentialsGate();
  }

  /**
   * A client configured from the environment (`TENCENTCLOUD_REGION`, and
   * the keys from `TENCENTCLOUD_SECRET_ID`... unless `credentials` names
   * another source): `new Client({ ...options, fromEnv: true })`.
   * `Client.fromEnv({ credentials: 'chain' })` takes the keys from
   * Tencent's default chain (environment, profile file, CVM role, TKE OIDC).
   * @param {import('../index').ClientOptions} [options]
   * @returns {Client}
   */
  static fromEnv(options = {}) {
    if (options === null || typeof options !== 'object') throw invalid('Client.fromEnv options must be an object');
    return new Client({ ...options, fromEnv: true });
  }

  /**
   * Replaces the client's credentials at once (rotation by hand): calls
   * already signed keep theirs, the next attempts use these. With a
   * provider, these serve until they near `expiresAt`, then the provider
   * is asked again. Throws a CIError (`invalid_argument`) for keys that
   * cannot sign, or on a closed client.
   * @param {import('../index').Credentials} credentials
   */
  setCredentials(credentials) {
    const values = toCredentialValues(credentials, 'credentials');
    const h = this.#handle;
    const ptr = h.acquire();
    try {
      const err = fns.ci_client_set_credentials(ptr, values);
      if (err) throw takeError(fns, err);
    } finally {
      h.release();
    }
  }

  /**
   * How many times the client's credentials provider has been asked for
   * keys: the refreshes (0 with fixed keys). Throws on a closed client.
   * @returns {number}
   */
  credentialFetches() {
    const h = this.#handle;
    const ptr = h.acquire();
    try {
      return Number(fns.ci_client_credential_fetches(ptr));
    } finally {
      h.release();
    }
  }

  /** Whether {@link Client#close} was called. @type {boolean} */
  get closed() {
    return this.#handle.closed;
  }

  /**
   * Any describe call: one page of `operation`. The named methods
   * (`describeMediaBuckets`...) are this with their operation.
   *
   * With `options.signal`, aborting the signal cancels the call in the
   * core (its connection is closed) and the Promise rejects with a CIError
   * of kind `cancelled`, name `AbortError`, code `ABORT_ERR` and the
   * signal's `reason` as `cause`; a signal already aborted rejects at once
   * and sends nothing. An abort that comes after the answer is in changes
   * nothing: the Promise resolves with the whole page.
   * @param {number} operation one of {@link Operation}'s numbers
   * @param {string|null} bucket `BucketName-APPID` for a queue call, null for a bucket call
   * @param {object} [query] the call's query
   * @param {import('../index').CallOptions} [options] `signal`: an AbortSignal that cancels the call
   * @returns {Promise<object>} the page of the operation's shape
   */
  async describe(operation, bucket, query, options) {
    const o = checkKeys(options, CALL_OPTION_KEYS, 'call option');
    const args = [operationArg(operation), bucketArg(bucket), callQuery(query)];
    const scope = CancelScope.of(o.signal);
    const h = this.#handle;
    const ptr = h.acquire();
    try {
      if (!scope) return await callAsync(fns.ci_describe, [ptr, ...args], convertPage, h.gate);
      if (scope.aborted) throw scope.error();
      args[2].cancel = scope.arm();
      try {
        return await callAsync(fns.ci_describe, [ptr, ...args], convertPage, h.gate, scope);
      } finally {
        scope.dispose();
      }
    } finally {
      h.release();
    }
  }

  /**
   * Every page of any describe call (see {@link Client#describe}); the
   * named methods (`mediaBucketPages`...) are this with their operation.
   * Throws at once when the arguments are unusable.
   *
   * Once the first page tells the total, the core fetches up to
   * `options.concurrency` next pages at once (default 10, at most 64;
   * SlowDown and 429 answers lower it) and the iterator still gives them
   * in order. `options.signal` ends the walk: the page awaited (and every
   * page fetched ahead) is cancelled, `next()` rejects once with the abort
   * error (as {@link Client#describe}'s) and then reports the end; with
   * a signal already aborted, the first `next()` rejects and nothing is
   * sent.
   * @param {number} operation
   * @param {string|null} bucket
   * @param {object} [query]
   * @param {import('../index').PageOptions} [options] `signal` and `concurrency`
   * @returns {PageIterator<object>}
   */
  pages(operation, bucket, query, options) {
    const o = checkKeys(options, PAGE_OPTION_KEYS, 'page option');
    const args = [operationArg(operation), bucketArg(bucket), callQuery(query)];
    const scope = CancelScope.of(o.signal);
    const h = this.#handle;
    const ptr = h.acquire();
    try {
      if (isSet(o.concurrency)) {
        args[2].has_concurrency = 1;
        args[2].concurrency = optUint64(o.concurrency, 'concurrency', UINT32_MAX);
      }
      if (!scope) return new PageIterator(h, callSync(fns.ci_pager_new, [ptr, ...args]));
      if (scope.aborted) return new PageIterator(h, null, scope);
      args[2].cancel = scope.arm();
      let pager;
      try {
        pager = callSync(fns.ci_pager_new, [ptr, ...args]);
      } catch (e) {
        scope.dispose();
        throw e;
      }
      return new PageIterator(h, pager, scope);
    } finally {
      h.release();
    }
  }

  /**
   * Closes the client: later calls reject with a CIError of kind
   * `invalid_argument`. Calls already running finish normally; the native
   * client is released when the last of them ends. Idempotent.
   */
  close() {
    this.#handle.close();
  }
}

module.exports = { Client };
