"""`PageIterator`, every page of one query through the library's pager,
and `items`, every item of those pages."""

from __future__ import annotations

from ctypes import POINTER, byref
from typing import Any, Callable, Generic, Iterator, Optional, TypeVar

from . import _abi, _ffi
from ._cancel import CancelToken, interruptible, run
from ._credentials import check, clear
from ._handle import Handle

P = TypeVar("P")
_lib = _ffi.lib


def take(out: Any, convert: Callable[[Any], P]) -> P:
    """Converts the C result behind the pointer `out` and frees it, whatever happens."""
    try:
        return convert(out.contents)
    finally:
        _lib.ci_free(out)


#: What `PageIterator._next_now` returns after the last page (StopIteration
#: cannot cross a future).
END: Any = object()


class PageIterator(Handle, Generic[P]):
    """Every page of a query, fetched as you iterate (the library's pager
    follows ``page_number`` to the last page). Once the first page tells the
    total, the next pages are fetched ``concurrency`` at a time (see the
    ``iter_x_pages`` methods) and handed out in order.

    Made by the ``iter_x_pages`` methods of `Client`, which checked the query
    already. A failed page raises its `CIError` and ends the walk; so does a
    cancel (of the ``cancel=`` token, or Ctrl-C on the main thread, which
    raises KeyboardInterrupt). Close it (or use ``with``) to release it
    before its end, which also stops the pages fetched ahead; the garbage
    collector does so otherwise. It keeps working after its client is
    closed (it holds its own reference to the native client).

    Example::

        with client.iter_pic_bucket_pages(page_size=100, concurrency=4) as pages:
            for page in pages:
                print(page.page_number, len(page.buckets), page.total_count)
    """

    def __init__(self, pager: int, convert: Callable[[Any], P], keepalive: object = None,
                 token: Optional[CancelToken] = None, owns_token: bool = False) -> None:
        super().__init__()
        self._convert = convert
        #: The token the native pager carries: cancelled on Ctrl-C (and by
        #: `AsyncPageIterator` when its task is cancelled).
        self._token = token
        self._owns_token = owns_token
        # `keepalive`: the client's credentials callback, which this pager's
        # native client may call until the pager is freed.
        self._own(pager, keepalive)

    def _closed_error(self) -> Exception:
        # A closed or finished walk simply has no more pages.
        return StopIteration()

    def _free(self) -> None:
        super()._free()
        if self._owns_token and self._token is not None:
            self._token.close()

    def __iter__(self) -> "PageIterator[P]":
        return self

    def __next__(self) -> P:
        page = run(self._next_now, self._token if interruptible() else None)
        if page is END:
            raise StopIteration
        return page  # type: ignore[no-any-return]

    def _next_now(self) -> Any:
        """The next page in this thread (the blocking ``ci_pager_next``), or
        `END` after the last; closes the walk at its end or on an error."""
        try:
            pager = self._enter()
        except StopIteration:
            return END
        keepalive = self._keepalive  # read while counted in: close() drops it
        out = POINTER(_abi.ci_page)()
        clear(keepalive)
        try:
            error = _lib.ci_pager_next(pager, byref(out))
        finally:
            self._leave()
        if error or not out:
            # A failure ends the walk as well as the last page does.
            self.close()
            check(error, keepalive)
            return END
        return take(out, self._convert)


def items(pages: PageIterator[Any], attribute: str) -> Iterator[Any]:
    """Every item of every page: each page's tuple called `attribute`."""
    with pages:
        for page in pages:
            yield from getattr(page, attribute)
