'use strict';
/**
 * An AbortSignal tied to a `ci_cancel`: the `signal` option of every call
 * and every page iterator.
 * @module cloud-infinite/lib/abort
 * @private
 */

const { fns } = require('./native');
const { abortError, invalid } = require('./errors');

/** Whether `value` can serve as an AbortSignal (Node's, or any EventTarget-like one). */
function isSignal(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    typeof value.aborted === 'boolean' &&
    typeof value.addEventListener === 'function' &&
    typeof value.removeEventListener === 'function'
  );
}

/**
 * One call's (or one pager's) link to its AbortSignal. `arm()` makes the
 * `ci_cancel` the call carries and listens for the abort, which cancels
 * the handle and then runs the hooks (a call still waiting for a place in
 * line withdraws; a pager closes). `dispose()` removes the listener and
 * frees the handle, so a long-lived signal used for many calls keeps
 * nothing of them. Nothing here refers to the iterator or the Promise
 * that owns the scope, so a signal never keeps them alive.
 */
class CancelScope {
  #signal;
  #ptr = null;
  #hooks = new Set();
  #reported = false;
  #listener = () => this.#abort();

  /**
   * @param {object} signal an AbortSignal
   * @private
   */
  constructor(signal) {
    this.#signal = signal;
  }

  /**
   * The scope of the `signal` option, or null when there is none.
   * @param {unknown} signal
   * @returns {CancelScope|null}
   */
  static of(signal) {
    if (signal === undefined || signal === null) return null;
    if (!isSignal(signal)) throw invalid('signal must be an AbortSignal (e.g. new AbortController().signal)');
    return new CancelScope(signal);
  }

  /** Whether the signal has fired. @type {boolean} */
  get aborted() {
    return this.#signal.aborted;
  }

  /**
   * The abort error, with the signal's reason as its cause.
   * @param {string} [message] the core's message, when the core ended the call
   */
  error(message) {
    return abortError(this.#signal.reason, message);
  }

  /**
   * The abort error the first time it is asked for after the signal
   * fired, null otherwise (or when it was already reported): how a page
   * iterator reports an abort exactly once.
   * @returns {import('./errors').CIError|null}
   */
  takeError() {
    if (!this.aborted || this.#reported) return null;
    this.#reported = true;
    return this.error();
  }

  /** Marks the abort as reported (a step rejected with it). */
  reported() {
    this.#reported = true;
  }

  /**
   * Makes the `ci_cancel` for `ci_query.cancel` and starts listening.
   * Call only when the signal has not fired (check {@link CancelScope#aborted}).
   * @returns {object} the `ci_cancel *`, owned by the scope until `dispose()`
   */
  arm() {
    this.#ptr = fns.ci_cancel_new();
    this.#signal.addEventListener('abort', this.#listener, { once: true });
    return this.#ptr;
  }

  /**
   * Runs `hook` when the signal fires (after the handle is cancelled).
   * @param {() => void} hook
   * @returns {() => void} removes the hook
   */
  onAbort(hook) {
    this.#hooks.add(hook);
    return () => this.#hooks.delete(hook);
  }

  /** Stops listening and frees the handle (a call still running keeps its own reference). Idempotent. */
  dispose() {
    this.#signal.removeEventListener('abort', this.#listener);
    this.#hooks.clear();
    if (this.#ptr) {
      fns.ci_free(this.#ptr);
      this.#ptr = null;
    }
  }

  #abort() {
    if (this.#ptr) fns.ci_cancel_cancel(this.#ptr);
    for (const hook of [...this.#hooks]) hook();
  }
}

module.exports = { CancelScope, isSignal };
