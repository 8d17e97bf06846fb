"""`CancelToken`, a ``ci_cancel`` that ends the calls carrying it, and
`run`, which runs a blocking library call so that Ctrl-C can interrupt it.

Python runs signal handlers only on the main thread, and only between
bytecodes: a thread blocked inside a C call never sees Ctrl-C until the
call returns. So a call made on the main thread (with a Python SIGINT
handler installed) runs on a worker thread while the main thread waits in
a lock acquire, which signals do interrupt; on KeyboardInterrupt (or any
exception the handler raises) the call's token is cancelled, the worker's
call ends within ~10 ms, and only then is the exception raised, so that
nothing the call made is left behind. Calls on other threads, which cannot
receive signals, skip the hop.
"""

from __future__ import annotations

import concurrent.futures
import os
import signal
import threading
from typing import Callable, Optional, TypeVar

from . import _ffi
from ._error_kinds import InvalidArgumentError
from ._handle import Handle

T = TypeVar("T")
_lib = _ffi.lib


class CancelToken(Handle):
    """Cancels the calls that carry it, from any thread: pass it as
    ``cancel=`` to a method of `Client`. Each call carrying it then ends
    within about 10 ms with `CancelledError`, wherever it is (resolving,
    connecting, the TLS handshake, waiting for or reading the answer,
    sleeping before a retry), and its connection is closed, not pooled.

    A call that was just finishing returns its whole answer instead. Once
    cancelled a token stays cancelled: a later call carrying it fails at
    once, so make one token per call (or per page iterator, whose every page,
    those fetched ahead included, it ends). ``close()`` (or ``with``) frees it
    early; calls already carrying it keep their own reference.

    Example::

        token = cloud_infinite.CancelToken()
        threading.Timer(2.0, token.cancel).start()
        try:
            page = client.describe_media_buckets(cancel=token)
        except cloud_infinite.CancelledError:
            print("gave up")
    """

    def __init__(self) -> None:
        super().__init__()
        self._own(_lib.ci_cancel_new())

    def cancel(self) -> None:
        """Cancels every call carrying this token, now and later. Safe from
        any thread, at any time, and idempotent; does nothing once the token
        is closed."""
        try:
            pointer = self._enter()
        except InvalidArgumentError:
            return  # closed: nothing can carry it any more
        try:
            _lib.ci_cancel_cancel(pointer)
        finally:
            self._leave()

    @property
    def cancelled(self) -> bool:
        """Whether `cancel()` was called (False once the token is closed)."""
        try:
            pointer = self._enter()
        except InvalidArgumentError:
            return False
        try:
            return int(_lib.ci_cancel_is_cancelled(pointer)) == 1
        finally:
            self._leave()

    def close(self) -> None:
        """Frees the token; calls already carrying it are not affected.
        Idempotent."""
        super().close()

    def __repr__(self) -> str:
        state = "closed" if self.closed else "cancelled" if self.cancelled else "live"
        return f"<cloud_infinite.CancelToken {state}>"


def interruptible() -> bool:
    """Whether a blocking call made now can be interrupted by a signal
    handler: on the main thread with a Python SIGINT handler (the default
    one raises KeyboardInterrupt)."""
    if threading.current_thread() is not threading.main_thread():
        return False
    return callable(signal.getsignal(signal.SIGINT))


_hop_lock = threading.Lock()
_hop: Optional[concurrent.futures.ThreadPoolExecutor] = None
_hop_pid = 0


def _hop_executor() -> concurrent.futures.ThreadPoolExecutor:
    """The one worker thread that runs the main thread's calls: the main
    thread waits for each before the next, so one is enough. A forked child
    makes its own (the parent's thread does not exist in it, and an
    executor that believes it has an idle thread would never run the job)."""
    global _hop, _hop_pid
    with _hop_lock:
        if _hop is None or _hop_pid != os.getpid():
            _hop = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="cloud_infinite-interruptible")
            _hop_pid = os.getpid()
        return _hop


def _wait_out(future: "concurrent.futures.Future[T]") -> None:
    """Waits for `future`, through further Ctrl-C: the cancelled call ends
    within ~10 ms, and what it made must be freed before the caller goes on."""
    while True:
        try:
            concurrent.futures.wait([future])
            return
        except BaseException:  # noqa: BLE001 (a second Ctrl-C: still wait, then raise the first)
            continue


def run(job: Callable[[], T], token: Optional[CancelToken]) -> T:
    """Runs `job` (a call that carries `token`) here, or, when `token` is
    given, on the worker thread while this (main) thread waits
    interruptibly; on an exception from a signal handler, cancels `token`,
    waits for the job to end and raises that exception. The job converts
    and frees its own results, so a dropped one leaks nothing."""
    if token is None:
        return job()
    try:
        future = _hop_executor().submit(job)
    except RuntimeError:
        # The interpreter is shutting down (an atexit handler's call): no
        # new threads now, so the call runs here, uninterruptible.
        return job()
    try:
        return future.result()
    except BaseException:
        if not future.done():
            # Interrupted while the call runs (KeyboardInterrupt).
            token.cancel()
            _wait_out(future)
        raise
    finally:
        # The job's exception, raised here, holds this frame in its
        # traceback: no cycle through the future (which holds it) and the
        # job (which holds the call's objects) to wait for the collector.
        del future, job
