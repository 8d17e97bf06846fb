'use strict';
/**
 * cloud-infinite: Tencent Cloud Infinite (DescribePicProcessBucket,
 * DescribeAiProcessQueues) for Node.js, over the library's C ABI via koffi.
 *
 * Everything that is hard (signing, URLs, retries, XML, paging, the
 * environment) happens in the native core; this module converts JS values
 * to C and back, and runs the blocking calls on libuv's thread pool so the
 * event loop never waits for the network.
 *
 * @example
 * const { Client } = require('cloud-infinite');
 * const client = new Client({ fromEnv: true });
 * const page = await client.describePicBuckets({ pageSize: 100 });
 * console.log(page.totalCount, page.buckets.map((b) => b.name));
 * client.close();
 * @module cloud-infinite
 */

const native = require('./lib/native');

const { koffi, fns, types } = native;

/**
 * The kinds of error, by the numbers of the C enum `ci_kind`.
 * @type {Readonly<Record<number, string>>}
 */
const KIND_NAMES = Object.freeze({
  1: 'invalid_argument',
  2: 'null_argument',
  3: 'network',
  4: 'timeout',
  5: 'service',
  6: 'parse',
  7: 'response_too_large',
  8: 'panic',
});

/**
 * The error kinds as constants, e.g. `ErrorKind.TIMEOUT === 'timeout'`.
 * @readonly
 * @enum {string}
 */
const ErrorKind = Object.freeze({
  INVALID_ARGUMENT: 'invalid_argument',
  NULL_ARGUMENT: 'null_argument',
  NETWORK: 'network',
  TIMEOUT: 'timeout',
  SERVICE: 'service',
  PARSE: 'parse',
  RESPONSE_TOO_LARGE: 'response_too_large',
  PANIC: 'panic',
});

/**
 * What every failure of this package is: a value with a kind, a message a
 * person can act on, and, when the service answered, its error code,
 * request id and HTTP status.
 *
 * @example
 * try {
 *   await client.describeAiQueues('nosuchbucket-1250000000');
 * } catch (e) {
 *   if (e instanceof CIError && e.code === 'NoSuchBucket') console.log(e.requestId);
 * }
 */
class CIError extends Error {
  /**
   * @param {string} kind one of {@link ErrorKind}
   * @param {string} message
   * @param {{code?: string|null, requestId?: string|null, httpStatus?: number|null, resource?: string|null, traceId?: string|null}} [details]
   */
  constructor(kind, message, details = {}) {
    super(message);
    /** @type {string} */
    this.name = 'CIError';
    /** One of {@link ErrorKind}. @type {string} */
    this.kind = kind;
    /** The service's error code (e.g. `SignatureDoesNotMatch`), or null. @type {string|null} */
    this.code = details.code ?? null;
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
 * Copies a `ci_error` into a CIError and frees it, so no C memory outlives
 * the call that made it.
 * @param {bigint} ptr
 * @returns {CIError}
 */
function takeError(ptr) {
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

/** @param {string} message */
function invalid(message) {
  return new CIError(ErrorKind.INVALID_ARGUMENT, message);
}

// ---------------------------------------------------------------------------
// JS -> C conversions. They only check what a conversion needs (the JS type,
// an integer range, no NUL inside a string); every rule of the service is
// the core's to check.

/** @param {unknown} value @param {string} what */
function optString(value, what) {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw invalid(`${what} must be a string, not ${typeof value}`);
  // A C string ends at the first NUL: the rest would be dropped unseen.
  if (value.includes('\0')) throw invalid(`${what} must not contain a NUL character`);
  return value;
}

/**
 * A uint64 field where the C struct reads 0 as "not set": undefined maps to
 * 0, and an explicit value must be at least `min` so that it cannot be
 * mistaken for "not set".
 */
function optUint(value, what, min = 1) {
  if (value === undefined || value === null) return 0;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw invalid(`${what} must be an integer of at least ${min} (omit it for the default), not ${String(value)}`);
  }
  return value;
}

/** @returns {[string[]|null, number]} */
function optStringList(value, what) {
  if (value === undefined || value === null) return [null, 0];
  if (!Array.isArray(value)) throw invalid(`${what} must be an array of strings`);
  const list = value.map((item, i) => {
    if (typeof item !== 'string') throw invalid(`${what}[${i}] must be a string, not ${typeof item}`);
    return optString(item, `${what}[${i}]`);
  });
  return list.length ? [list, list.length] : [null, 0];
}

/** @param {object|undefined} obj @param {string[]} allowed @param {string} what */
function checkKeys(obj, allowed, what) {
  if (obj === undefined || obj === null) return {};
  if (typeof obj !== 'object' || Array.isArray(obj)) throw invalid(`${what} must be an object`);
  for (const key of Object.keys(obj)) {
    // A misspelt option would otherwise be ignored without a word.
    if (!allowed.includes(key)) throw invalid(`unknown ${what} field "${key}"; known: ${allowed.join(', ')}`);
  }
  return obj;
}

const CLIENT_OPTION_KEYS = [
  'fromEnv', 'secretId', 'secretKey', 'sessionToken', 'region', 'endpoint', 'connectTo', 'scheme',
  'connectTimeoutMs', 'timeoutMs', 'maxRetries', 'retryBaseDelayMs', 'maxResponseBytes', 'userAgentSuffix', 'proxy',
  'caFile',
];

const SCHEMES = { https: 1, http: 2 };

function toNativeOptions(options) {
  const o = checkKeys(options, CLIENT_OPTION_KEYS, 'client option');
  if (o.fromEnv !== undefined && typeof o.fromEnv !== 'boolean') throw invalid('fromEnv must be a boolean');
  let scheme = 0;
  if (o.scheme !== undefined && o.scheme !== null) {
    scheme = SCHEMES[o.scheme];
    if (!scheme) throw invalid(`scheme must be "https" or "http", not ${JSON.stringify(o.scheme)}`);
  }
  let proxyMode = 0;
  let proxyUrl = null;
  if (o.proxy === 'disabled') {
    proxyMode = 1;
  } else if (o.proxy && typeof o.proxy === 'object') {
    checkKeys(o.proxy, ['url'], 'proxy');
    proxyMode = 2;
    proxyUrl = optString(o.proxy.url, 'proxy.url');
  } else if (o.proxy !== undefined && o.proxy !== null && o.proxy !== 'environment') {
    throw invalid('proxy must be "environment", "disabled" or { url: "http://host:port" }');
  }
  let hasMaxRetries = 0;
  let maxRetries = 0;
  if (o.maxRetries !== undefined && o.maxRetries !== null) {
    if (!Number.isInteger(o.maxRetries) || o.maxRetries < 0 || o.maxRetries > 0xffffffff) {
      throw invalid(`maxRetries must be an integer of at least 0, not ${String(o.maxRetries)}`);
    }
    hasMaxRetries = 1;
    maxRetries = o.maxRetries;
  }
  return {
    from_env: o.fromEnv === true ? 1 : 0,
    secret_id: optString(o.secretId, 'secretId'),
    secret_key: optString(o.secretKey, 'secretKey'),
    session_token: optString(o.sessionToken, 'sessionToken'),
    region: optString(o.region, 'region'),
    endpoint: optString(o.endpoint, 'endpoint'),
    connect_to: optString(o.connectTo, 'connectTo'),
    scheme,
    connect_timeout_ms: optUint(o.connectTimeoutMs, 'connectTimeoutMs'),
    timeout_ms: optUint(o.timeoutMs, 'timeoutMs'),
    has_max_retries: hasMaxRetries,
    max_retries: maxRetries,
    retry_base_delay_ms: optUint(o.retryBaseDelayMs, 'retryBaseDelayMs'),
    max_response_bytes: optUint(o.maxResponseBytes, 'maxResponseBytes'),
    user_agent_suffix: optString(o.userAgentSuffix, 'userAgentSuffix'),
    proxy_mode: proxyMode,
    proxy_url: proxyUrl,
    ca_file: optString(o.caFile, 'caFile'),
  };
}

const PIC_QUERY_KEYS = ['regions', 'bucketNames', 'bucketNamePrefix', 'pageNumber', 'pageSize', 'timeoutMs'];

function toNativePicQuery(query) {
  const q = checkKeys(query, PIC_QUERY_KEYS, 'describePicBuckets query');
  const [regions, regionsLen] = optStringList(q.regions, 'regions');
  const [names, namesLen] = optStringList(q.bucketNames, 'bucketNames');
  return {
    regions,
    regions_len: regionsLen,
    bucket_names: names,
    bucket_names_len: namesLen,
    bucket_name_prefix: optString(q.bucketNamePrefix, 'bucketNamePrefix'),
    page_number: optUint(q.pageNumber, 'pageNumber'),
    page_size: optUint(q.pageSize, 'pageSize'),
    timeout_ms: optUint(q.timeoutMs, 'timeoutMs'),
  };
}

const AI_QUERY_KEYS = ['queueIds', 'state', 'category', 'pageNumber', 'pageSize', 'timeoutMs'];
const QUEUE_STATES = { Active: 1, Paused: 2 };

function toNativeAiQuery(query) {
  const q = checkKeys(query, AI_QUERY_KEYS, 'describeAiQueues query');
  const [ids, idsLen] = optStringList(q.queueIds, 'queueIds');
  let state = 0;
  if (q.state !== undefined && q.state !== null) {
    state = QUEUE_STATES[q.state];
    if (!state) throw invalid(`state must be "Active" or "Paused" (omit it for every state), not ${JSON.stringify(q.state)}`);
  }
  return {
    queue_ids: ids,
    queue_ids_len: idsLen,
    state,
    category: optString(q.category, 'category'),
    page_number: optUint(q.pageNumber, 'pageNumber'),
    page_size: optUint(q.pageSize, 'pageSize'),
    timeout_ms: optUint(q.timeoutMs, 'timeoutMs'),
  };
}

/** A bucket argument: a string, or null/undefined passed on as NULL for the core to report. */
function bucketArg(bucket) {
  if (bucket === undefined || bucket === null) return null;
  return optString(bucket, 'bucket');
}

// ---------------------------------------------------------------------------
// C -> JS conversions: everything is copied into plain objects at once.

/** uint64 -> Number. The values here (counts, sizes) stay far below 2^53. */
function num(hasValue, value) {
  return hasValue ? Number(value) : null;
}

/** The fields both pages share, from either decoded C page. */
function paging(p) {
  return {
    requestId: p.request_id,
    totalCount: num(p.has_total_count, p.total_count),
    pageNumber: num(p.has_page_number, p.page_number),
    pageSize: num(p.has_page_size, p.page_size),
  };
}

/** @param {bigint} ptr a live `ci_pic_bucket_page *` */
function convertPicBucketPage(ptr) {
  const p = koffi.decode(ptr, types.PicBucketPage);
  const buckets = p.buckets_len ? koffi.decode(p.buckets, types.PicBucket, Number(p.buckets_len)) : [];
  return {
    ...paging(p),
    buckets: buckets.map((b) => ({
      bucketId: b.bucket_id,
      name: b.name,
      region: b.region,
      createTime: b.create_time,
    })),
  };
}

function convertNotifyConfig(ptr) {
  if (!ptr) return null;
  const n = koffi.decode(ptr, types.NotifyConfig);
  return {
    url: n.url,
    event: n.event,
    type: n.type,
    state: n.state,
    resultFormat: n.result_format,
    mqMode: n.mq_mode,
    mqRegion: n.mq_region,
    mqName: n.mq_name,
  };
}

/** @param {bigint} ptr a live `ci_ai_queue_page *` */
function convertAiQueuePage(ptr) {
  const p = koffi.decode(ptr, types.AiQueuePage);
  const queues = p.queues_len ? koffi.decode(p.queues, types.AiQueue, Number(p.queues_len)) : [];
  const missing = p.non_exist_pids_len ? koffi.decode(p.non_exist_pids, 'const char *', Number(p.non_exist_pids_len)) : [];
  return {
    ...paging(p),
    queues: queues.map((q) => ({
      queueId: q.queue_id,
      name: q.name,
      state: q.state,
      notifyConfig: convertNotifyConfig(q.notify_config),
      maxSize: num(q.has_max_size, q.max_size),
      maxConcurrent: num(q.has_max_concurrent, q.max_concurrent),
      category: q.category,
      updateTime: q.update_time,
      createTime: q.create_time,
    })),
    nonExistPids: Array.from(missing),
  };
}

// ---------------------------------------------------------------------------
// Running blocking calls off the event loop.

// koffi refuses (throws) past max_async_calls queued calls, and each call
// it holds owns a 2 MiB stack; past this many of ours the rest wait here
// instead, so any number of concurrent calls works. libuv runs only
// UV_THREADPOOL_SIZE (default 4) of them at a time anyway.
const MAX_NATIVE_ASYNC = 64;
let nativeAsync = 0;
const waiting = [];

/**
 * Runs `fn(...args, out)` on libuv's thread pool; the returned `ci_error *`
 * becomes a rejection, the out-parameter goes through `convert` and is
 * freed before the Promise settles.
 * @template T
 * @param {Function} fn a koffi function whose last parameter is `_Out_ void **`
 * @param {unknown[]} args
 * @param {(ptr: bigint) => T} convert
 * @returns {Promise<T>}
 */
function callAsync(fn, args, convert) {
  return new Promise((resolve, reject) => {
    const start = () => {
      nativeAsync++;
      const out = [null];
      const done = (err, errPtr) => {
        nativeAsync--;
        if (waiting.length) waiting.shift()();
        if (err) {
          reject(err);
          return;
        }
        if (errPtr) {
          reject(takeError(errPtr));
          return;
        }
        const ptr = out[0];
        let value;
        try {
          value = convert(ptr);
        } catch (e) {
          reject(e);
          return;
        } finally {
          if (ptr) fns.ci_free(ptr);
        }
        resolve(value);
      };
      try {
        fn.async(...args, out, done);
      } catch (e) {
        nativeAsync--;
        reject(e);
      }
    };
    if (nativeAsync < MAX_NATIVE_ASYNC) start();
    else waiting.push(start);
  });
}

/** Runs `fn(...args, out)` here and now (for calls that never block). */
function callSync(fn, args) {
  const out = [null];
  const errPtr = fn(...args, out);
  if (errPtr) throw takeError(errPtr);
  return out[0];
}

// ---------------------------------------------------------------------------
// Safety nets: a handle whose JS owner was collected without close().

const clientRegistry = new FinalizationRegistry((handle) => releaseClient(handle));
const pagerRegistry = new FinalizationRegistry((handle) => {
  if (handle.ptr) fns.ci_free(handle.ptr);
  handle.ptr = 0n;
});

/** Frees the native client once it is closed and no call uses it any more. */
function releaseClient(handle) {
  if (handle.ptr && handle.inflight === 0) {
    fns.ci_free(handle.ptr);
    handle.ptr = 0n;
  }
}

function closedError() {
  return invalid('this Client is closed: create a new Client to make more calls');
}

/**
 * Walks every page of a query: an async iterator of pages, one request per
 * page, in order. Breaking out of a `for await` loop (or calling
 * `return()`) releases it at once; one that is dropped is released when it
 * is garbage-collected.
 * @template T
 */
class PageIterator {
  #client;
  #handle;
  #next;
  #convert;
  #tail = Promise.resolve();

  /** @private */
  constructor(clientHandle, pagerPtr, nextFn, convert) {
    this.#client = clientHandle;
    this.#handle = { ptr: pagerPtr };
    this.#next = nextFn;
    this.#convert = convert;
    pagerRegistry.register(this, this.#handle, this.#handle);
  }

  /** @returns {PageIterator<T>} */
  [Symbol.asyncIterator]() {
    return this;
  }

  /**
   * The next page, or `{ done: true }` after the last one.
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  next() {
    // A pager is advanced one call at a time, so that pages come in order
    // even when next() is called again before the last one settled.
    const step = this.#tail.then(() => this.#step());
    this.#tail = step.catch(() => {});
    return step;
  }

  /**
   * Stops the walk and releases the pager.
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  async return() {
    this.#release();
    return { value: undefined, done: true };
  }

  async #step() {
    if (!this.#handle.ptr) return { value: undefined, done: true };
    if (this.#client.closed) {
      this.#release();
      throw closedError();
    }
    let page;
    try {
      page = await callAsync(this.#next, [this.#handle.ptr], (ptr) => (ptr ? this.#convert(ptr) : null));
    } catch (e) {
      this.#release();
      throw e;
    }
    if (page === null) {
      this.#release();
      return { value: undefined, done: true };
    }
    return { value: page, done: false };
  }

  #release() {
    if (this.#handle.ptr) {
      pagerRegistry.unregister(this.#handle);
      fns.ci_free(this.#handle.ptr);
      this.#handle.ptr = 0n;
    }
  }
}

/**
 * A Cloud Infinite client. One client serves any number of concurrent
 * calls (the core shares one connection pool); each call runs on libuv's
 * thread pool and returns a Promise, so the event loop never blocks.
 *
 * @example
 * const client = new Client({
 *   secretId: 'AKID...', secretKey: '...', region: 'ap-guangzhou',
 * });
 * for await (const page of client.picBucketPages({ pageSize: 100 })) {
 *   for (const b of page.buckets) console.log(b.name, b.region);
 * }
 * client.close();
 */
class Client {
  /** `{ ptr, inflight, closed }`: shared with the finalizer, never pointing back at the Client. */
  #handle;

  /**
   * Makes a client; nothing is sent yet. Throws a CIError of kind
   * `invalid_argument` (or `null_argument`) when the options are unusable,
   * e.g. no credentials.
   * @param {import('./index').ClientOptions} [options]
   */
  constructor(options = {}) {
    const ptr = callSync(fns.ci_client_new, [toNativeOptions(options)]);
    this.#handle = { ptr, inflight: 0, closed: false };
    clientRegistry.register(this, this.#handle, this.#handle);
  }

  /** Whether {@link Client#close} was called. @type {boolean} */
  get closed() {
    return this.#handle.closed;
  }

  /**
   * DescribePicProcessBucket: one page of the account's image-processing
   * buckets.
   * @param {import('./index').PicBucketQuery} [query]
   * @returns {Promise<import('./index').PicBucketPage>}
   * @example
   * const page = await client.describePicBuckets({ regions: ['ap-shanghai'], pageSize: 50 });
   */
  async describePicBuckets(query) {
    const q = toNativePicQuery(query);
    return this.#call(fns.ci_describe_pic_buckets, [q], convertPicBucketPage);
  }

  /**
   * DescribeAiProcessQueues: one page of a bucket's AI queues. With
   * `queueIds` the service sends no paging fields: `totalCount`,
   * `pageNumber` and `pageSize` are then null, and unknown ids are listed
   * in `nonExistPids`.
   * @param {string} bucket `BucketName-APPID`, e.g. `examplebucket-1250000000`
   * @param {import('./index').AiQueueQuery} [query]
   * @returns {Promise<import('./index').AiQueuePage>}
   * @example
   * const page = await client.describeAiQueues('examplebucket-1250000000', { state: 'Active' });
   */
  async describeAiQueues(bucket, query) {
    const b = bucketArg(bucket);
    const q = toNativeAiQuery(query);
    return this.#call(fns.ci_describe_ai_queues, [b, q], convertAiQueuePage);
  }

  /**
   * Every page of a DescribePicProcessBucket query, from its `pageNumber`
   * (default 1) to the last: the core decides when the walk is over.
   * Throws at once when the query is unusable.
   * @param {import('./index').PicBucketQuery} [query]
   * @returns {PageIterator<import('./index').PicBucketPage>}
   * @example
   * for await (const page of client.picBucketPages({ pageSize: 100 })) console.log(page.buckets.length);
   */
  picBucketPages(query) {
    const q = toNativePicQuery(query);
    const pager = this.#callSync(fns.ci_pic_bucket_pager_new, [q]);
    return new PageIterator(this.#handle, pager, fns.ci_pic_bucket_pager_next, convertPicBucketPage);
  }

  /**
   * Every page of a bucket's AI queues (a single page with `queueIds`).
   * @param {string} bucket `BucketName-APPID`
   * @param {import('./index').AiQueueQuery} [query]
   * @returns {PageIterator<import('./index').AiQueuePage>}
   * @example
   * for await (const page of client.aiQueuePages('examplebucket-1250000000')) console.log(page.queues.length);
   */
  aiQueuePages(bucket, query) {
    const b = bucketArg(bucket);
    const q = toNativeAiQuery(query);
    const pager = this.#callSync(fns.ci_ai_queue_pager_new, [b, q]);
    return new PageIterator(this.#handle, pager, fns.ci_ai_queue_pager_next, convertAiQueuePage);
  }

  /**
   * Closes the client: later calls reject with a CIError of kind
   * `invalid_argument`. Calls already running finish normally; the native
   * client is released when the last of them ends. Idempotent.
   */
  close() {
    const h = this.#handle;
    if (h.closed) return;
    h.closed = true;
    clientRegistry.unregister(h);
    releaseClient(h);
  }

  #callSync(fn, args) {
    if (this.#handle.closed) throw closedError();
    return callSync(fn, [this.#handle.ptr, ...args]);
  }

  async #call(fn, args, convert) {
    const h = this.#handle;
    if (h.closed) throw closedError();
    // The count keeps the native client alive until this call is over
    // (close() defers the free), so a queued call never meets a freed one.
    h.inflight++;
    try {
      return await callAsync(fn, [h.ptr, ...args], convert);
    } finally {
      h.inflight--;
      if (h.closed) releaseClient(h);
    }
  }
}

// ---------------------------------------------------------------------------
// The signer.

function kvList(value, what) {
  if (value === undefined || value === null) return [];
  let entries;
  if (value instanceof Map || Array.isArray(value)) entries = Array.from(value);
  else if (typeof value === 'object') entries = Object.entries(value);
  else throw invalid(`${what} must be an object, a Map or an array of [name, value] pairs`);
  return entries.map((entry, i) => {
    if (!Array.isArray(entry) || entry.length !== 2) throw invalid(`${what}[${i}] must be a [name, value] pair`);
    const [name, raw] = entry;
    const text = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
    if (typeof text !== 'string') throw invalid(`${what} value of "${name}" must be a string`);
    return { name: optString(name, `${what} name`), value: optString(text, `${what} "${name}"`) };
  });
}

function unixSeconds(value, what) {
  if (value instanceof Date) value = Math.floor(value.getTime() / 1000);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalid(`${what} must be Unix seconds (a non-negative integer) or a Date`);
  }
  return value;
}

/**
 * Signs any request with `q-sign-algorithm=sha1` exactly as Tencent's SDKs
 * do (the core computes it; nothing is sent). Use it for calls this
 * package does not wrap.
 * @param {import('./index').SignRequest} request
 * @returns {import('./index').Signature}
 * @example
 * const now = Math.floor(Date.now() / 1000);
 * const { authorization } = sign({
 *   secretId, secretKey, method: 'GET', path: '/picbucket',
 *   headers: { host: 'ci.ap-guangzhou.myqcloud.com' }, startTime: now, endTime: now + 600,
 * });
 */
function sign(request) {
  if (request === undefined || request === null) throw invalid('sign needs a request object');
  const r = checkKeys(request, ['secretId', 'secretKey', 'method', 'path', 'params', 'headers', 'startTime', 'endTime'], 'sign request');
  const params = kvList(r.params, 'params');
  const headers = kvList(r.headers, 'headers');
  const nativeRequest = {
    secret_id: optString(r.secretId, 'secretId'),
    secret_key: optString(r.secretKey, 'secretKey'),
    method: optString(r.method, 'method'),
    path: optString(r.path, 'path'),
    params: params.length ? params : null,
    params_len: params.length,
    headers: headers.length ? headers : null,
    headers_len: headers.length,
    start_time: unixSeconds(r.startTime, 'startTime'),
    end_time: unixSeconds(r.endTime, 'endTime'),
  };
  const ptr = callSync(fns.ci_sign, [nativeRequest]);
  try {
    const s = koffi.decode(ptr, types.Signature);
    return {
      authorization: s.authorization,
      signature: s.signature,
      headerList: s.header_list,
      paramList: s.param_list,
      httpString: s.http_string,
      stringToSign: s.string_to_sign,
    };
  } finally {
    fns.ci_free(ptr);
  }
}

/**
 * The native library's version, e.g. `"0.1.0"`.
 * @returns {string}
 */
function version() {
  return fns.ci_version();
}

/**
 * Objects the native library has handed out and not yet freed: lets a test
 * prove that this package frees everything it receives.
 * @returns {number}
 */
function liveObjects() {
  return Number(fns.ci_live_objects());
}

/**
 * For tests: makes the library panic on a worker thread and resolves never;
 * it rejects with a CIError of kind `panic`, proving a panic in the core
 * reaches JS as an error and not as a crash.
 * @param {string} [message]
 * @returns {Promise<never>}
 */
function debugPanic(message) {
  const m = optString(message, 'message');
  return new Promise((resolve, reject) => {
    fns.ci_debug_panic.async(m, (err, errPtr) => {
      if (err) reject(err);
      else if (errPtr) reject(takeError(errPtr));
      else reject(new Error('ci_debug_panic returned no error'));
    });
  });
}

module.exports = {
  Client,
  CIError,
  ErrorKind,
  PageIterator,
  sign,
  version,
  liveObjects,
  debugPanic,
  /** The C ABI version the loaded library implements (checked to be 1 at load). */
  abiVersion: native.abiVersion,
  /** The path of the native library that was loaded. */
  libraryPath: native.libraryPath,
};
