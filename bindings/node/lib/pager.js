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
 * Walks every page of a query: an async iterator of pages, one request per
 * page, in order; the core decides when the walk is over. Breaking out of
 * a `for await` loop (or calling `return()`) releases it at once; one that
 * is dropped is released when it is garbage-collected.
 * @template T
 */
class PageIterator {
  #client;
  #pager;

  /**
   * @param {NativeHandle} client the client's handle: a closed client ends the walk
   * @param {bigint} pagerPtr a new `ci_pager *`, owned from now on
   * @private
   */
  constructor(client, pagerPtr) {
    this.#client = client;
    this.#pager = new NativeHandle(this, pagerPtr, 'page iterator');
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
    return this.#pager.serial((ptr) => this.#step(ptr), () => DONE);
  }

  /**
   * Stops the walk and releases the pager.
   * @returns {Promise<IteratorResult<T, undefined>>}
   */
  async return() {
    this.#pager.close();
    return DONE;
  }

  async #step(ptr) {
    if (this.#client.closed) {
      this.#pager.close();
      throw this.#client.closedError();
    }
    let page;
    try {
      page = await callAsync(fns.ci_pager_next, [ptr], (p) => (p ? convertPage(p) : null), this.#client.gate);
    } catch (e) {
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
