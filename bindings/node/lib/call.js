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

/**
 * A counting gate: at most `limit` holders at once, the rest wait in line
 * (in JS, taking no thread).
 */
class Gate {
  #running = 0;
  #waiting = [];

  /** @param {number} limit */
  constructor(limit) {
    this.limit = limit;
  }

  /** Runs `start` now, or when a place frees up. */
  enter(start) {
    if (this.#running < this.limit) {
      this.#running++;
      start();
    } else {
      this.#waiting.push(start);
    }
  }

  /** Frees a place (or hands it straight to the next in line). */
  leave() {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#running--;
  }
}

// koffi refuses (throws) past max_async_calls queued calls, and each call
// it holds owns a 2 MiB stack; past this many of ours the rest wait here
// instead, so any number of concurrent calls works. libuv runs only
// UV_THREADPOOL_SIZE (default 4) of them at a time anyway.
const MAX_NATIVE_ASYNC = 64;
const native = new Gate(MAX_NATIVE_ASYNC);

/**
 * libuv's thread pool size, as libuv reads it when the pool starts
 * (`UV_THREADPOOL_SIZE`, default 4, at most 1024).
 */
function threadPoolSize() {
  const n = Number.parseInt(process.env.UV_THREADPOOL_SIZE ?? '', 10);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 1024) : 4;
}

let jsCredentials = null;

/**
 * The gate of calls on clients whose credentials come from a JS function.
 * Such a call can sit on a pool thread waiting for the function's Promise,
 * and the Promise may itself need a pool thread (`fs.promises`,
 * `dns.lookup` under `fetch`, `crypto`, zlib): if every pool thread waited,
 * it could never settle and every call would run into its timeout. So
 * these calls hold at most all but one of the pool's threads.
 * @returns {Gate}
 */
function jsCredentialsGate() {
  if (!jsCredentials) jsCredentials = new Gate(Math.max(1, threadPoolSize() - 1));
  return jsCredentials;
}

/**
 * Runs `fn(...args, out)` on libuv's thread pool; the returned `ci_error *`
 * becomes a rejection, the out-parameter goes through `convert` (also for
 * NULL, which a pager's last step gives) and is freed before the Promise
 * settles.
 * @template T
 * @param {Function} fn a koffi function whose last parameter is `_Out_ void **`
 * @param {unknown[]} args
 * @param {(ptr: bigint|null) => T} convert
 * @param {Gate|null} [gate] a gate the call also holds while it runs (see {@link jsCredentialsGate})
 * @returns {Promise<T>}
 */
function callAsync(fn, args, convert, gate = null) {
  return new Promise((resolve, reject) => {
    // The narrower gate first, so a call waiting for it holds no native place.
    const outer = gate ?? { enter: (start) => start(), leave() {} };
    outer.enter(() =>
      native.enter(() => {
        const out = [null];
        const done = (err, errPtr) => {
          native.leave();
          outer.leave();
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
          native.leave();
          outer.leave();
          reject(e);
        }
      }),
    );
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

module.exports = { callAsync, callSync, jsCredentialsGate, threadPoolSize };
