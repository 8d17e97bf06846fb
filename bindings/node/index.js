'use strict';
/**
 * cloud-infinite: Tencent Cloud Infinite's describe calls (the bucket lists
 * of media, image, AI, speech, document and file processing,
 * DescribeCIBuckets, and the queue lists of the same six services) for
 * Node.js, over the library's C ABI via koffi.
 *
 * Everything that is hard (signing, URLs, retries, XML, paging, the
 * environment) happens in the native core; this package converts JS values
 * to C and back, and runs the blocking calls on libuv's thread pool so the
 * event loop never waits for the network.
 *
 * @example
 * const { Client } = require('cloud-infinite');
 * const client = new Client({ fromEnv: true });
 * const page = await client.describeMediaBuckets({ pageSize: 100 });
 * console.log(page.totalCount, page.buckets.map((b) => b.name));
 * client.close();
 * @module cloud-infinite
 */

const native = require('./lib/native');
const { OPERATION } = require('./lib/abi');
const { CIError, ErrorKind, takeError } = require('./lib/errors');
const { optString } = require('./lib/values');
const { convertOperationInfos } = require('./lib/results');
const { Client } = require('./lib/client');
const { PageIterator } = require('./lib/pager');
const { sign } = require('./lib/sign');

const { fns } = native;

/**
 * The native library's version, e.g. `"0.1.0"`.
 * @returns {string}
 */
function version() {
  return fns.ci_version();
}

/**
 * Every describe call the loaded library offers (`ci_operations()`), in
 * `Operation` order: its number, API name, method, path, list element,
 * `snakeName`, shape, host level and parameter bits.
 * @returns {import('./lib/types').OperationInfo[]}
 */
function operations() {
  const len = [0];
  const ptr = fns.ci_operations(len);
  return convertOperationInfos(ptr, Number(len[0]));
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
 * For tests: makes the library panic on a worker thread; the Promise
 * rejects with a CIError of kind `panic`, proving a panic in the core
 * reaches JS as an error and not as a crash.
 * @param {string} [message]
 * @returns {Promise<never>}
 */
function debugPanic(message) {
  const m = optString(message, 'message');
  return new Promise((resolve, reject) => {
    fns.ci_debug_panic.async(m, (err, errPtr) => {
      if (err) reject(err);
      else if (errPtr) reject(takeError(fns, errPtr));
      else reject(new Error('ci_debug_panic returned no error'));
    });
  });
}

module.exports = {
  Client,
  CIError,
  ErrorKind,
  /** The describe calls by their `ci_operation` numbers, for `Client.describe` and `Client.pages`. */
  Operation: OPERATION,
  PageIterator,
  sign,
  version,
  operations,
  liveObjects,
  debugPanic,
  /** The C ABI version the loaded library implements (checked at load to be this package's). */
  abiVersion: native.abiVersion,
  /** The path of the native library that was loaded. */
  libraryPath: native.libraryPath,
};
