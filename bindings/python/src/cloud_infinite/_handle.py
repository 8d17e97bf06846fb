"""`Handle`, the one lifetime protocol of every object that owns a native
one (a client, a pager): calls count themselves in and out, so that
`close()` in one thread never frees the native object while another thread
is passing it to the library; the last call out frees it, and a finalizer
frees it when the Python object is dropped unclosed.
"""

from __future__ import annotations

import threading
import weakref
from typing import Any, Callable, Optional, TypeVar

from . import _ffi
from ._error_kinds import InvalidArgumentError

H = TypeVar("H", bound="Handle")


def _release(pointer: Optional[int], keepalive: object) -> None:
    """Frees `pointer`. `keepalive` is only held: the finalizer owns it
    until the native object is gone, even after the Python one is."""
    _ffi.lib.ci_free(pointer)
    del keepalive


class ClientClosedError(InvalidArgumentError):
    """The `Client` was used after `close()` (or after its ``with`` block)."""


class Handle:
    """Owns one native object, released with ``ci_free`` exactly once."""

    def __init__(self) -> None:
        # Closed until `_own` is given a pointer, so that close() and the
        # finalizer work on an object whose construction failed.
        self._lock = threading.Lock()
        self._pointer: Optional[int] = None
        self._in_flight = 0
        self._closing = True
        self._finalizer: Optional[Callable[[], Any]] = None
        self._keepalive: object = None

    def _own(self, pointer: Optional[int], keepalive: object = None) -> None:
        """Takes ownership of `pointer`, fresh from the library. `keepalive`
        (a credentials callback's ctypes function, which the native object
        may call until it is freed) is referenced until then."""
        self._pointer = pointer
        self._closing = False
        self._keepalive = keepalive
        self._finalizer = weakref.finalize(self, _release, pointer, keepalive)

    def _closed_error(self) -> Exception:
        """What a call on a closed object raises."""
        return ClientClosedError(
            f"this {type(self).__name__} is closed (close() was called or its `with` block ended): make a new one"
        )

    def _enter(self) -> int:
        """Counts a call in and returns the pointer it may use until `_leave`."""
        with self._lock:
            if self._closing or self._pointer is None:
                raise self._closed_error()
            self._in_flight += 1
            return self._pointer

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            free = self._closing and self._in_flight == 0
        if free:
            self._free()

    def _free(self) -> None:
        if self._finalizer is not None:
            self._finalizer()
        # The native object is gone, and nothing can call the callback any more.
        self._keepalive = None

    def close(self) -> None:
        """Releases the native object once the calls already running in
        other threads have finished (they finish normally); later calls fail.
        Idempotent."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            free = self._in_flight == 0
        if free:
            self._free()

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closing

    def __enter__(self: H) -> H:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> Any:
        # A native object belongs to one process and one owner.
        raise TypeError(f"a cloud_infinite.{type(self).__name__} cannot be pickled or copied: make a new one")
