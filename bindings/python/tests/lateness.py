"""How late a 10 ms ticker runs while a coroutine runs: the event loop's
responsiveness, measured as bindings/node/test/lateness.js does (each tick's
lateness is the time since the last tick minus the period)."""

from __future__ import annotations

import asyncio
import dataclasses
import statistics
import time
from typing import Any, Awaitable, List


@dataclasses.dataclass
class Lateness:
    """Every tick's lateness in seconds, the wall time, and the result."""

    late: List[float]
    elapsed: float
    result: Any

    @property
    def ticks(self) -> int:
        return len(self.late)

    @property
    def worst(self) -> float:
        return max(self.late, default=0.0)

    def quantile(self, q: float) -> float:
        if len(self.late) < 2:
            return self.worst
        return statistics.quantiles(self.late, n=100, method="inclusive")[round(q * 100) - 1]

    def summary(self) -> str:
        ms = 1000
        return (f"lateness p50 {self.quantile(0.50) * ms:.1f} ms, p99 {self.quantile(0.99) * ms:.1f} ms, "
                f"max {self.worst * ms:.1f} ms over {self.ticks} ticks; all done in {self.elapsed * ms:.0f} ms")


async def measure_lateness(work: Awaitable[Any], period: float = 0.010) -> Lateness:
    late: List[float] = []
    done = asyncio.Event()

    async def ticker() -> None:
        last = time.perf_counter()
        while not done.is_set():
            await asyncio.sleep(period)
            now = time.perf_counter()
            late.append(max(0.0, now - last - period))
            last = now

    ticking = asyncio.create_task(ticker())
    await asyncio.sleep(0)  # the ticker starts first
    started = time.perf_counter()
    try:
        result = await work
        elapsed = time.perf_counter() - started
        # Two more periods, so that a block at the very end is seen too.
        await asyncio.sleep(period * 2)
    finally:
        done.set()
        await ticking
    return Lateness(late, elapsed, result)
