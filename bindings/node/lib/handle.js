'use strict';
/**
 * The lifetime of a native object owned by a JS object: one base for the
 * client and the pager, as wasmtime-py's `Managed` is.
 *
 * A handle counts the native calls in flight on it; `close()` marks it
 * closed at once (later calls are refused) and frees the native object
 * when the last call in flight ends, so a call never meets a freed
 * object. A handle whose owner is garbage-collected without `close()` is
 * closed by a finalizer. Calls that must not overlap (a pager's pages)
 * go through `serial()`, the handle's lock.
 * @module cloud-infinite/lib/handle
 * @private
 */

const { fns } = require('./native');
const { invalid } = require('./errors');

// The registry holds the handle, never the owner, so it cannot keep the
// owner alive.
const finalizer = new FinalizationRegistry((handle) => handle.close());

class NativeHandle {
  #ptr;
  #inflight = 0;
  #closed = false;
  #what;
  #tail = Promise.resolve();
  #onFree;
  /**
   * A gate (lib/call.js) every async call on this object also goes
   * through, or null: a client with a JS credentials function sets one.
   * @type {object|null}
   */
  gate = null;

  /**
   * @param {object} owner the JS object whose collection closes the handle
   * @param {bigint} ptr the native object, owned from now on
   * @param {string} what what it is, for the error after close ("Client")
   * @param {() => void} [onFree] runs right after the native object is
   *   freed: what must live exactly as long as it (a registered callback)
   */
  constructor(owner, ptr, what, onFree) {
    this.#ptr = ptr;
    this.#what = what;
    this.#onFree = onFree;
    finalizer.register(owner, this, this);
  }

  /** Whether `close()` was called (or the owner was collected). */
  get closed() {
    return this.#closed;
  }

  /** The error of a call on a closed handle. */
  closedError() {
    return invalid(`this ${this.#what} is closed: create a new ${this.#what} to make more calls`);
  }

  /**
   * The native pointer for one call, counted in flight until `release()`.
   * Throws the closed error once closed.
   * @returns {bigint}
   */
  acquire() {
    if (this.#closed) throw this.closedError();
    this.#inflight++;
    return this.#ptr;
  }

  /** Ends a call started by `acquire()`. */
  release() {
    this.#inflight--;
    this.#freeIfIdle();
  }

  /**
   * Runs `fn(ptr)` (which returns a Promise) with the pointer acquired,
   * after every earlier `serial` call of this handle settled; if the
   * handle is closed by then, gives `whenClosed()` instead.
   * @template T
   * @param {(ptr: bigint) => Promise<T>} fn
   * @param {() => T} whenClosed
   * @returns {Promise<T>}
   */
  serial(fn, whenClosed) {
    const run = this.#tail.then(async () => {
      if (this.#closed) return whenClosed();
      const ptr = this.acquire();
      try {
        return await fn(ptr);
      } finally {
        this.release();
      }
    });
    this.#tail = run.catch(() => {});
    return run;
  }

  /** Refuses later calls and frees the native object once no call uses it. Idempotent. */
  close() {
    if (this.#closed) return;
    this.#closed = true;
    finalizer.unregister(this);
    this.#freeIfIdle();
  }

  #freeIfIdle() {
    if (this.#closed && this.#inflight === 0 && this.#ptr) {
      fns.ci_free(this.#ptr);
      this.#ptr = 0n;
      if (this.#onFree) this.#onFree();
    }
  }
}

module.exports = { NativeHandle };
