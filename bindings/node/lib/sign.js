'use strict';
/**
 * The signer: any request signed by the core exactly as Tencent's SDKs do.
 * @module cloud-infinite/lib/sign
 * @private
 */

const { fns } = require('./native');
const { invalid } = require('./errors');
const { checkKeys, optString } = require('./values');
const { callSync } = require('./call');
const { convertSignature } = require('./results');

const SIGN_KEYS = ['secretId', 'secretKey', 'method', 'path', 'params', 'headers', 'startTime', 'endTime'];

/** Params or headers (an object, a Map or [name, value] pairs) to `ci_kv` entries. */
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
 * @param {import('../index').SignRequest} request
 * @returns {import('./types').Signature}
 * @example
 * const now = Math.floor(Date.now() / 1000);
 * const { authorization } = sign({
 *   secretId, secretKey, method: 'GET', path: '/picbucket',
 *   headers: { host: 'ci.ap-guangzhou.myqcloud.com' }, startTime: now, endTime: now + 600,
 * });
 */
function sign(request) {
  if (request === undefined || request === null) throw invalid('sign needs a request object');
  const r = checkKeys(request, SIGN_KEYS, 'sign request');
  const params = kvList(r.params, 'params');
  const headers = kvList(r.headers, 'headers');
  const ptr = callSync(fns.ci_sign, [
    {
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
    },
  ]);
  try {
    return convertSignature(ptr);
  } finally {
    fns.ci_free(ptr);
  }
}

module.exports = { sign };
