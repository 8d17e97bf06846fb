'use strict';
/**
 * Running the library's blocking calls off the event loop (koffi's
 * `.async`, on libuv's thread pool), and its quick ones in place. Either
 * way a returned `ci_error *` becomes a CIError and the result is
 * converted and freed before the caller sees it.
 * @module cloud-infinite/lib/call
 * @private
 */

const { fns } = require('./native');
const { takeError } = require('./errors');

// koffi refuses (throws) past max_async_calls queued calls, and each call
// it holds owns a 2 MiB stack; past this many of ours the rest wait here
// instead, so any number of concurrent calls works. libuv runs only
// UV_THREADPOOL_SIZE (default 4) of them at a time anyway.
const MAX_NATIVE_ASYNC = 64;
let nativeAsync = 0;
const waiting = [];

/**
 * Runs `fn(...args, out)` on libuv's thread pool; the returned `ci_error *`
 * becomes a rejection, the out-parameter goes through `convert` (also for
 * NULL, which a pager's last step gives) and is freed before the Promise
 * settles.
 * @template T
 * @param {Function} fn a koffi function whose last parameter is `_Out_ void **`
 * @param {unknown[]} args
 * @param {(ptr: bigint|null) => T} convert
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
          reject(takeError(fns, errPtr));
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

/**
 * Runs `fn(...args, out)` here and now (for calls that never block) and
 * returns the out-parameter, which the caller then owns.
 */
function callSync(fn, args) {
  const out = [null];
  const errPtr = fn(...args, out);
  if (errPtr) throw takeError(fns, errPtr);
  return out[0];
}

module.exports = { callAsync, callSync };
