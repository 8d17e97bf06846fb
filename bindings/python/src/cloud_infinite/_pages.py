"""`PageIterator`, every page of one query through the library's pager,
and `items`, every item of those pages."""

from __future__ import annotations

from ctypes import POINTER, byref
from typing import Any, Callable, Generic, Iterator, TypeVar

from . import _abi, _ffi
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


class PageIterator(Handle, Generic[P]):
    """Every page of a query, fetched one at a time as you iterate (the
    library's pager follows ``page_number`` to the last page).

    Made by the ``iter_x_pages`` methods of `Client`, which checked the query
    already. A failed page raises its `CIError` and ends the walk. Close it
    (or use ``with``) to release it before its end; the garbage collector
    does so otherwise. It keeps working after its client is closed (it holds
    its own reference to the native client).

    Example::

        with client.iter_pic_bucket_pages(page_size=100) as pages:
            for page in pages:
                print(page.page_number, len(page.buckets), page.total_count)
    """

    def __init__(self, pager: int, convert: Callable[[Any], P], keepalive: object = None) -> None:
        super().__init__()
        self._convert = convert
        # `keepalive`: the client's credentials callback, which this pager's
        # native client may call until the pager is freed.
        self._own(pager, keepalive)

    def _closed_error(self) -> Exception:
        # A closed or finished walk simply has no more pages.
        return StopIteration()

    def __iter__(self) -> "PageIterator[P]":
        return self

    def __next__(self) -> P:
        pager = self._enter()
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
            raise StopIteration
        return take(out, self._convert)


def items(pages: PageIterator[Any], attribute: str) -> Iterator[Any]:
    """Every item of every page: each page's tuple called `attribute`."""
    with pages:
        for page in pages:
            yield from getattr(page, attribute)
