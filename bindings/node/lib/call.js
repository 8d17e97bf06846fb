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
const { takeError, ErrorKind } = require('./errors');

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

  /**
   * Runs `start` now, or when a place frees up.
   * @param {() => void} start
   * @returns {() => boolean} takes `start` out of the line if it is still
   *   waiting (true), else does nothing (false: it started)
   */
  enter(start) {
    if (this.#running < this.limit) {
      this.#running++;
      start();
      return () => false;
    }
    this.#waiting.push(start);
    return () => {
      const i = this.#waiting.indexOf(start);
      if (i < 0) return false;
      this.#waiting.splice(i, 1);
      return true;
    };
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
// UV_THREADPOOL_SIZE (default 4) of them at a time anyway, so no more than
// that many are handed over: a call waiting here can still leave the line
// at once when its AbortSignal fires, where one queued inside libuv would
// wait for a thread (behind calls that may hang until their timeout).
const MAX_NATIVE_ASYNC = 64;
const native = new Gate(Math.min(MAX_NATIVE_ASYNC, threadPoolSize()));

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

/** A gate that never makes anyone wait. */
const OPEN = { enter: (start) => (start(), () => false), leave() {} };

/**
 * Runs `fn(...args, out)` on libuv's thread pool; the returned `ci_error *`
 * becomes a rejection, the out-parameter goes through `convert` (also for
 * NULL, which a pager's last step gives) and is freed before the Promise
 * settles.
 *
 * With `scope` (lib/abort.js: its `ci_cancel` is already in `args`), an
 * abort while the call still waits in line rejects at once and the call
 * never reaches C; once it runs, the core ends it and its `cancelled`
 * error becomes the abort error. The Promise settles only after C
 * returned, so nothing of the call is left behind when it does.
 * @template T
 * @param {Function} fn a koffi function whose last parameter is `_Out_ void **`
 * @param {unknown[]} args
 * @param {(ptr: bigint|null) => T} convert
 * @param {Gate|null} [gate] a gate the call also holds while it runs (see {@link jsCredentialsGate})
 * @param {import('./abort').CancelScope|null} [scope]
 * @returns {Promise<T>}
 */
function callAsync(fn, args, convert, gate = null, scope = null) {
  return new Promise((resolve, reject) => {
    // The narrower gate first, so a call waiting for it holds no native place.
    const outer = gate ?? OPEN;
    let withdrawNative = () => false;
    let started = false;
    const unhook = scope
      ? scope.onAbort(() => {
          if (started) return; // the core ends it (its handle is cancelled)
          if (withdrawNative()) outer.leave();
          else if (!withdrawOuter()) return;
          reject(scope.error());
        })
      : () => {};
    const run = () => {
      started = true;
      unhook();
      const out = [null];
      const done = (err, errPtr) => {
        native.leave();
        outer.leave();
        if (err) {
          reject(err);
          return;
        }
        if (errPtr) {
          const e = takeError(fns, errPtr);
          reject(scope && e.kind === ErrorKind.CANCELLED ? scope.error(e.message) : e);
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
    };
    const withdrawOuter = outer.enter(() => {
      withdrawNative = native.enter(run);
    });
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
