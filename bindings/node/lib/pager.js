'use strict';
/**
 * The async iterator over every page of a query, on a `ci_pager`.
 * @module cloud-infinite/lib/pager
 * @private
 */

const { fns } = require('./native');
const { callAsync } = require('./call');
const { convertPage } = require('./results');
const { NativeHandle } = require('./handle');

/** The end of a walk, as an iterator result. */
const DONE = Object.freeze({ value: undefined, done: true });

/**
 * Walks every page of a query: an async iterator of pages, in order; the
 * core decides when the walk is over, and fetches pages ahead in parallel
 * once it knows the total (the `concurrency` option). Breaking out of a
 * `for await` loop (or calling `return()`) releases it at once, which
 * cancels the pages fetched ahead; one that is dropped is released when it
 * is garbage-collected. An abort of its `signal` releases it too, and the
 * next step rejects with the abort error.
 * @template T
 */
class PageIterator {
  #client;
  #pager;
  #scope;

  /**
   * @param {NativeHandle} client the client's handle: a closed client ends the walk
   * @param {object|null} pagerPtr a new `ci_pager *`, owned from now on; null
   *   when the signal had already fired (the first step rejects)
   * @param {import('./abort').CancelScope|null} [scope] the `signal` option's
   *   scope, armed (its `ci_cancel` is in the pager) unless `pagerPtr` is
   *   null; disposed with the pager
   * @private
   */
  constructor(client, pagerPtr, scope = null) {
    this.#client = client;
    this.#scope = scope;
    const pager = new NativeHandle(this, pagerPtr, 'page iterator', scope ? () => scope.dispose() : undefined);
    this.#pager = pager;
    // The hook holds the handle, never the iterator: a long-lived signal
    // must not keep a dropped iterator from being collected.
    if (scope) scope.onAbort(() => pager.close());
    if (!pagerPtr) pager.close();
  }

  /** @returns {PageIterator<T>} */
  [Symbol.asyncIterator]() {
    return this;
  }

  /**
   * The next page, or `{ done: true }` after the last one. Called again
   * before the last one settled, it still gives the pages in order.
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  next() {
    // A walk that ended (or was stopped) while this step waited its turn is over.
    return this.#pager.serial((ptr) => this.#step(ptr), () => this.#ended());
  }

  /**
   * Stops the walk and releases the pager.
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  async return() {
    this.#pager.close();
    return DONE;
  }

  /** A step after the walk ended: the abort error once (if the signal ended it), then the end. */
  #ended() {
    const e = this.#scope ? this.#scope.takeError() : null;
    if (e) throw e;
    return DONE;
  }

  async #step(ptr) {
    if (this.#client.closed) {
      this.#pager.close();
      throw this.#client.closedError();
    }
    let page;
    try {
      page = await callAsync(fns.ci_pager_next, [ptr], (p) => (p ? convertPage(p) : null), this.#client.gate, this.#scope);
    } catch (e) {
      if (e.name === 'AbortError' && this.#scope) this.#scope.reported();
      this.#pager.close();
      throw e;
    }
    if (page === null) {
      this.#pager.close();
      return DONE;
    }
    return { value: page, done: false };
  }
}

module.exports = { PageIterator };
