"""The generic describe call and pager for asyncio: every method of
`AsyncOperations` (generated) awaits them. The blocking library calls run
on the client's own thread pool, never on the event loop; a cancelled
task cancels its call in the library (its ``ci_cancel``), waits, without
blocking the loop, for the worker to return, and only then raises
`asyncio.CancelledError`, so nothing the call made outlives it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from types import TracebackType
from typing import Any, AsyncIterator, Callable, Generic, Mapping, Optional, Type, TypeVar

from . import _abi
from ._calls import Query, _method, describe_now, new_pager
from ._cancel import CancelToken
from ._convert import cstr
from ._errors import CIError
from ._handle import ClientClosedError, Handle
from ._pages import END, PageIterator

P = TypeVar("P")
T = TypeVar("T")


async def _finished(future: "concurrent.futures.Future[Any]") -> None:
    """Waits, without blocking the loop, until `future` is done, through
    further cancels of this task (the cancelled call ends within ~10 ms)."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def settle() -> None:
        if not done.done():
            done.set_result(None)

    def wake(_: object) -> None:
        try:
            loop.call_soon_threadsafe(settle)
        except RuntimeError:
            pass  # the loop is closed: nobody is waiting any more

    future.add_done_callback(wake)
    while not done.done():
        try:
            await asyncio.shield(done)
        except asyncio.CancelledError:
            continue


async def run_async(executor: concurrent.futures.Executor, job: Callable[[], T], token: CancelToken) -> T:
    """Runs `job` (a blocking call carrying `token`) on `executor`; if the
    awaiting task is cancelled, cancels `token`, waits for the job to end
    (it converts and frees its own results) and re-raises."""
    try:
        future = executor.submit(job)
    except RuntimeError:  # shut down by AsyncClient.aclose()
        raise ClientClosedError("this AsyncClient is closed (aclose() was called or its `async with` block ended): make a new one") from None
    try:
        return await asyncio.wrap_future(future)
    except asyncio.CancelledError as cancelled:
        token.cancel()
        if not future.cancel():  # not queued any more: running or done
            await _finished(future)
            failure = future.exception()
            if isinstance(failure, CIError):
                # The library's side of it (`CancelledError`, kind
                # "cancelled", when the call was in flight). The task's own
                # exception is raised, unchanged: asyncio.timeout() and
                # wait_for() recognise it by its exact type.
                cancelled.__cause__ = failure
        raise
    finally:
        # No cycle through this frame (see `_cancel.run`).
        del future, job


class AsyncPageIterator(Generic[P]):
    """Every page of a query for ``async for``, fetched as you iterate on the
    client's thread pool, like `PageIterator` (the same ``concurrency``,
    pages in order, a failed page raises its `CIError` and ends the walk).

    Cancelling the task awaiting a page cancels every page in flight (those
    fetched ahead included) and closes the iterator. ``await aclose()`` (or
    ``async with``) releases it before its end; the garbage collector does so
    otherwise. Its pages are fetched on its client's pool: once the client is
    closed, the next page raises `ClientClosedError`.

    Example::

        async with client.iter_pic_bucket_pages(page_size=100) as pages:
            async for page in pages:
                print(page.page_number, len(page.buckets))
    """

    def __init__(self, pages: PageIterator[P], executor: concurrent.futures.Executor) -> None:
        self._pages = pages
        self._executor = executor

    def __aiter__(self) -> "AsyncPageIterator[P]":
        return self

    async def __anext__(self) -> P:
        token = self._pages._token
        assert token is not None  # new_pager gives every pager one
        try:
            page = await run_async(self._executor, self._pages._next_now, token)
        except asyncio.CancelledError:
            # The token stays cancelled: the walk cannot go on.
            self._pages.close()
            raise
        if page is END:
            raise StopAsyncIteration
        return page  # type: ignore[no-any-return]

    async def aclose(self) -> None:
        """Stops the pages in flight and releases the pager (once a page
        being fetched has ended). Idempotent."""
        if not self._pages.closed and self._pages._token is not None:
            self._pages._token.cancel()
        self._pages.close()

    @property
    def closed(self) -> bool:
        """Whether the walk is over: finished, failed, cancelled or closed."""
        return self._pages.closed

    async def __aenter__(self) -> "AsyncPageIterator[P]":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        tb: Optional[TracebackType]) -> None:
        await self.aclose()

    def __reduce__(self) -> Any:
        raise TypeError("a cloud_infinite.AsyncPageIterator cannot be pickled or copied: make a new one")


async def async_items(pages: AsyncPageIterator[Any], attribute: str) -> AsyncIterator[Any]:
    """Every item of every page: each page's tuple called `attribute`."""
    async with pages:
        async for page in pages:
            for item in getattr(page, attribute):
                yield item


class AsyncCalls(Handle):
    """An async client's generic describe call and pager: the methods of
    `AsyncOperations` name the operation, this does the rest on `_executor`."""

    _executor: concurrent.futures.ThreadPoolExecutor

    async def _describe(self, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any],
                        convert: Callable[[Any], P]) -> P:
        """One page of `operation`, converted by `convert`, on the pool."""
        c_bucket = cstr("bucket", bucket)
        q = Query(_method(operation, "describe"), query)
        token = CancelToken()
        try:
            return await run_async(self._executor, lambda: describe_now(self, operation, c_bucket, q, convert, token), token)
        finally:
            token.close()

    def _pages(self, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any],
               convert: Callable[[Any], P], concurrency: Optional[int] = None) -> AsyncPageIterator[P]:
        """Every page of `operation`, each converted by `convert`; the query
        is checked now (``ci_pager_new`` sends nothing, so it runs here)."""
        return AsyncPageIterator(new_pager(self, operation, bucket, query, convert, concurrency, None), self._executor)
