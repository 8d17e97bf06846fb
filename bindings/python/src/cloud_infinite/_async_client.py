"""`AsyncClient`: `Client` for asyncio. The same options (`Configured`),
the same calls awaited (`AsyncOperations`, generated, over the generic
`AsyncCalls`), and a thread pool of its own for the blocking library calls.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from types import TracebackType
from typing import Any, Optional, Type

from ._async_operations import AsyncOperations
from ._client import Configured
from ._error_kinds import InvalidArgumentError

#: `AsyncClient`'s default ``max_concurrency``. A call blocks its thread
#: inside the library for a whole round trip with the GIL released, so the
#: pool bounds how many calls are in flight, not CPU use: a pool the size of
#: the loop's default executor (min(32, CPUs + 4)) would queue a burst of
#: 100 calls into rounds of a few each. Threads are started only when every
#: one is busy, so the bound costs nothing until used, and it still stops a
#: gather of 10,000 calls from starting 10,000 threads.
DEFAULT_MAX_CONCURRENCY = 128


class AsyncClient(Configured, AsyncOperations):
    """A Cloud Infinite client for asyncio: every method of `Client`,
    awaited, on this client's own thread pool, so the event loop never
    blocks on the network.

    Takes every keyword option of `Client` (same names, same defaults), and:

    Args:
        max_concurrency: how many library calls (describe calls and pages)
            run at once, each on a thread of the client's pool; more wait
            their turn. Default `DEFAULT_MAX_CONCURRENCY` (128).

    ``await client.describe_x(...)`` for one page, ``async for`` over
    ``client.iter_x_pages(...)`` for every page and over ``client.iter_x(...)``
    for every item; the iterators take ``concurrency=`` as `Client`'s do.
    Cancelling the task awaiting a call (``task.cancel()``,
    ``asyncio.wait_for``, ``asyncio.timeout``) cancels the call in the
    library: its connection is closed, and `asyncio.CancelledError` is raised
    once the call has ended (within ~10 ms) and everything it made is freed.

    Raises:
        InvalidArgumentError: what `Client` raises, or a ``max_concurrency``
            that is not a positive int.

    Example::

        async with AsyncClient(secret_id="AKID...", secret_key="...", region="ap-guangzhou") as client:
            page = await client.describe_media_buckets(page_size=100)
            async for queue in client.iter_ai_queues("examplebucket-1250000000"):
                print(queue.name)
    """

    def __init__(self, *, max_concurrency: Optional[int] = None, **options: Any) -> None:
        if max_concurrency is None:
            max_concurrency = DEFAULT_MAX_CONCURRENCY
        if isinstance(max_concurrency, bool) or not isinstance(max_concurrency, int) or max_concurrency < 1:
            raise InvalidArgumentError(f"max_concurrency must be a positive int, not {max_concurrency!r}")
        # Made before the native client, so that a failed constructor leaves
        # nothing to free but threads never started.
        self._executor = concurrent.futures.ThreadPoolExecutor(
            max_workers=max_concurrency, thread_name_prefix="cloud_infinite-async"
        )
        #: How many library calls this client runs at once (its pool's size).
        self.max_concurrency = max_concurrency
        super().__init__(**options)

    async def aclose(self) -> None:
        """Releases the client and its threads, once the calls already
        running have finished (awaited without blocking the loop); later
        calls raise `ClientClosedError`, and so do the next pages of its page
        iterators (they run on its pool). Idempotent."""
        self.close()
        await asyncio.get_running_loop().run_in_executor(None, self._executor.shutdown)

    def close(self) -> None:
        """Releases the client without waiting: calls already running finish
        normally, then its threads end. Prefer ``await aclose()``."""
        super().close()
        self._executor.shutdown(wait=False)

    async def __aenter__(self) -> "AsyncClient":
        return self

    async def __aexit__(self, exc_type: Optional[Type[BaseException]], exc: Optional[BaseException],
                        tb: Optional[TracebackType]) -> None:
        await self.aclose()
