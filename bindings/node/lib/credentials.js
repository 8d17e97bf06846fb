'use strict';
/**
 * Where a client's keys come from: the `credentials` option and its
 * companions as `ci_client_options` fields, credentials as a
 * `ci_credential_values`, and the function provider (a JS function that
 * returns the credentials or a Promise of them) registered as the
 * library's `ci_credentials_callback`.
 *
 * How the function runs: the library calls the callback on the worker
 * thread of the call that needs keys (a koffi `.async` call on libuv's
 * pool). koffi relays it to the JS thread and the worker waits for the JS
 * function to return, so the JS side never runs off its thread. Plain
 * values are written into `*out` at once (return 0). A Promise cannot be
 * waited for there: the callback answers `CREDENTIALS_PENDING` and, when
 * the Promise settles, hands the keys over with `ci_client_set_credentials`
 * (or the failure with `ci_client_fail_credentials`) from the JS thread;
 * meanwhile the worker waits inside the library, within the call's
 * timeout, and the event loop runs on.
 * @module cloud-infinite/lib/credentials
 * @private
 */

const { fns, koffi, types } = require('./native');
const { CREDENTIALS_SOURCE, CREDENTIALS_PENDING } = require('./abi');
const { invalid, takeError } = require('./errors');
const { checkKeys, optString, isSet, optUint64, given } = require('./values');

/** The `credentials` option's names for the library's sources. */
const SOURCES = Object.freeze({
  chain: CREDENTIALS_SOURCE.DEFAULT_CHAIN,
  environment: CREDENTIALS_SOURCE.ENVIRONMENT,
  profile: CREDENTIALS_SOURCE.PROFILE_FILE,
  cvm: CREDENTIALS_SOURCE.CVM_ROLE,
  oidc: CREDENTIALS_SOURCE.TKE_OIDC,
});

/** The option keys this module reads (the client checks the whole set). */
const CREDENTIAL_OPTION_KEYS = ['credentials', 'profileName', 'cvmRole', 'metadataEndpoint', 'stsEndpoint', 'refreshMarginMs'];

const CREDENTIAL_KEYS = ['secretId', 'secretKey', 'sessionToken', 'expiresAt'];

// Unix seconds of the year 5000: a larger `expiresAt` number is almost
// surely milliseconds (`Date.now()`), which would never expire.
const MAX_EXPIRES_AT = 95617584000;

/**
 * `{ secretId, secretKey, sessionToken?, expiresAt? }` as a
 * `ci_credential_values`. `expiresAt` is a Date or Unix seconds; omitted
 * (or null) for keys that never expire. The library checks the keys
 * themselves (non-empty, printable ASCII).
 * @param {unknown} value
 * @param {string} what the value's name in an error
 */
function toCredentialValues(value, what) {
  if (!given(value) || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(`${what} must be an object { secretId, secretKey, sessionToken?, expiresAt? }, not ${value === null ? 'null' : typeof value}`);
  }
  const v = checkKeys(value, CREDENTIAL_KEYS, what);
  let expires = 0;
  if (v.expiresAt instanceof Date) {
    const ms = v.expiresAt.getTime();
    if (!Number.isFinite(ms) || ms < 0) throw invalid(`${what}.expiresAt is an invalid Date`);
    expires = Math.floor(ms / 1000);
  } else if (given(v.expiresAt)) {
    expires = optUint64(v.expiresAt, `${what}.expiresAt (Unix seconds, or a Date)`);
    if (expires > MAX_EXPIRES_AT) throw invalid(`${what}.expiresAt ${expires} looks like milliseconds: give Unix seconds or a Date`);
  }
  return {
    secret_id: requiredString(v.secretId, `${what}.secretId`),
    secret_key: requiredString(v.secretKey, `${what}.secretKey`),
    session_token: optString(v.sessionToken, `${what}.sessionToken`),
    expires_at_unix: expires,
  };
}

function requiredString(value, what) {
  if (!given(value)) throw invalid(`${what} is required`);
  return optString(value, what);
}

/**
 * The `ci_client_options` fields of the credential options, and the
 * function provider when `credentials` is a function (the caller attaches
 * it to the client it makes, or releases it if making the client fails).
 * Fields for another source are passed on for the library to refuse.
 * @param {object} o the client options (keys already checked)
 * @returns {{ fields: object, provider: FunctionProvider | null }}
 */
function credentialOptions(o) {
  let source = CREDENTIALS_SOURCE.KEYS;
  let provider = null;
  if (typeof o.credentials === 'function') {
    source = CREDENTIALS_SOURCE.CALLBACK;
  } else if (given(o.credentials)) {
    source = typeof o.credentials === 'string' && Object.hasOwn(SOURCES, o.credentials) ? SOURCES[o.credentials] : undefined;
    if (source === undefined) {
      const names = Object.keys(SOURCES).map((k) => JSON.stringify(k)).join(', ');
      throw invalid(`credentials must be ${names} or a function returning the credentials (omit it for secretId/secretKey), not ${JSON.stringify(o.credentials)}`);
    }
  }
  const fields = {
    credentials: source,
    credentials_callback: null,
    credentials_user_data: null,
    profile_name: optString(o.profileName, 'profileName'),
    cvm_role: optString(o.cvmRole, 'cvmRole'),
    metadata_endpoint: optString(o.metadataEndpoint, 'metadataEndpoint'),
    sts_endpoint: optString(o.stsEndpoint, 'stsEndpoint'),
    has_refresh_margin_ms: isSet(o.refreshMarginMs),
    refresh_margin_ms: optUint64(o.refreshMarginMs, 'refreshMarginMs'),
  };
  // Last, after every check that can throw: a registered callback that
  // nobody releases would hold a koffi slot for good.
  if (source === CREDENTIALS_SOURCE.CALLBACK) {
    provider = new FunctionProvider(o.credentials);
    fields.credentials_callback = provider.pointer;
  }
  return { fields, provider };
}

/** A thrown value as the text a person reads in the call's CIError. */
function describeFailure(e) {
  if (e instanceof Error) {
    const text = e.message || String(e);
    return e.name && e.name !== 'Error' && e.name !== 'CIError' ? `${e.name}: ${text}` : text;
  }
  if (e === undefined) return 'the Promise rejected without a reason';
  return `threw ${typeof e === 'string' ? JSON.stringify(e) : String(e)}`;
}

/** A C string cannot hold NUL: the message would end there unseen. */
function cText(s) {
  return s.replace(/\0/g, ' ');
}

/**
 * A JS function as a client's credentials provider: registered with koffi
 * for the client's whole life (the library may call it whenever a call
 * needs keys) and released once the native client is freed.
 *
 * It never refers to the Client object, so a forgotten client can still be
 * collected and finalized (koffi keeps registered functions alive).
 */
class FunctionProvider {
  #fn;
  /** The registered callback (a koffi function pointer). */
  pointer;
  #client = 0n;
  #live = true;
  /** Increments per call of the function: only the latest may fail a wait. */
  #seq = 0;
  /** Native memory holding the strings last written into `*out`. */
  #strings = null;

  /** @param {Function} fn returns the credentials or a Promise of them */
  constructor(fn) {
    this.#fn = fn;
    this.pointer = koffi.register(this.#callback.bind(this), types.ci_credentials_callback);
  }

  /** The native client the keys are for (known once `ci_client_new` returned). */
  attach(clientPtr) {
    this.#client = clientPtr;
  }

  /**
   * Unregisters the callback and frees its memory; settling Promises are
   * ignored from now on. Called after the native client was freed, so the
   * library can no longer call it. Idempotent.
   */
  release() {
    if (!this.#live) return;
    this.#live = false;
    this.#client = 0n;
    koffi.unregister(this.pointer);
    this.#freeStrings();
  }

  /**
   * The `ci_credentials_callback`. Runs on the JS thread while the calling
   * worker waits, and must never throw: koffi would pass the exception to
   * the process as uncaught and give the library 0 ("success", with no keys).
   */
  #callback(_userData, out, message, messageLen) {
    try {
      const seq = ++this.#seq;
      let result;
      try {
        // Called bare, as a plain function: `this` is not the provider.
        result = Reflect.apply(this.#fn, undefined, []);
      } catch (e) {
        return this.#failNow(message, messageLen, e);
      }
      if (result !== null && (typeof result === 'object' || typeof result === 'function') && typeof result.then === 'function') {
        this.#whenSettled(result, seq);
        return CREDENTIALS_PENDING;
      }
      this.#writeOut(out, toCredentialValues(result, 'the credentials function\'s result'));
      return 0;
    } catch (e) {
      return this.#failNow(message, messageLen, e);
    }
  }

  /** Hands a Promise's credentials (or its failure) to the waiting call. */
  #whenSettled(thenable, seq) {
    Promise.resolve(thenable).then(
      (value) => {
        if (!this.#live) return;
        let values;
        try {
          values = toCredentialValues(value, 'the credentials function\'s result');
        } catch (e) {
          this.#failLater(e, seq);
          return;
        }
        const err = fns.ci_client_set_credentials(this.#client, values);
        // Keys the library refuses (empty, not printable ASCII) fail the wait.
        if (err) this.#failLater(takeError(fns, err), seq);
      },
      (e) => this.#failLater(e, seq),
    );
  }

  /**
   * Fails the waiting call with `e`. An older Promise that settles after
   * its call gave up (the call's timeout) must not fail the next wait;
   * an older one's keys are still keys, and are taken above.
   */
  #failLater(e, seq) {
    if (!this.#live || seq !== this.#seq) return;
    const err = fns.ci_client_fail_credentials(this.#client, cText(describeFailure(e)));
    if (err) takeError(fns, err); // not a live client any more: nobody waits
  }

  /** Writes `e` into the library's message buffer and answers failure (1). */
  #failNow(message, messageLen, e) {
    try {
      const len = Number(messageLen);
      if (message && len > 0) {
        let bytes = Buffer.from(cText(describeFailure(e)), 'utf8');
        if (bytes.length > len - 1) {
          // Cut at a character boundary so the library gets valid UTF-8.
          let end = len - 1;
          while (end > 0 && (bytes[end] & 0xc0) === 0x80) end--;
          bytes = bytes.subarray(0, end);
        }
        const view = new Uint8Array(koffi.view(message, len));
        view.set(bytes);
        view[bytes.length] = 0;
      }
    } catch {
      // The library still fails the call ("status 1, no message"), without our text.
    }
    return 1;
  }

  /**
   * Fills `*out` with strings in native memory this provider owns: the
   * library copies them before the callback returns, and the next fetch
   * (never two at once for one client) or the release frees them.
   */
  #writeOut(out, values) {
    const parts = [values.secret_id, values.secret_key, values.session_token].map((s) => (s === null ? null : Buffer.from(`${s}\0`, 'utf8')));
    const size = parts.reduce((n, p) => n + (p ? p.length : 0), 0);
    this.#freeStrings();
    this.#strings = koffi.alloc('uint8_t', size);
    const view = new Uint8Array(koffi.view(this.#strings, size));
    const base = BigInt(koffi.address(this.#strings));
    const fields = ['secret_id', 'secret_key', 'session_token'];
    let at = 0;
    parts.forEach((p, i) => {
      const offset = koffi.offsetof(types.ci_credential_values, fields[i]);
      if (p) {
        view.set(p, at);
        koffi.encode(out, offset, 'void *', base + BigInt(at));
        at += p.length;
      } else {
        koffi.encode(out, offset, 'void *', null);
      }
    });
    koffi.encode(out, koffi.offsetof(types.ci_credential_values, 'expires_at_unix'), 'uint64_t', values.expires_at_unix);
  }

  #freeStrings() {
    if (this.#strings !== null) {
      koffi.free(this.#strings);
      this.#strings = null;
    }
  }
}

module.exports = { CREDENTIAL_OPTION_KEYS, credentialOptions, toCredentialValues, FunctionProvider };
