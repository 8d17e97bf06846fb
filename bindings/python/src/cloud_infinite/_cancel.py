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
receive signals, skip the hop; so do a call made on the main thread while
the worker runs its outer call (from a signal handler: it runs inline,
uninterruptible) and a call once no thread can start (interpreter shutdown).
A forked child makes its own worker.

The hop costs two thread switches per call: ~5 us for a trivial job pinned
to one CPU (a ThreadPoolExecutor's queue, future and condition took ~12 us),
~20 us on a 100-item call against the emulator (it was ~45 us).
"""

from __future__ import annotations

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


class _Worker:
    """The one thread that runs the main thread's calls (the main thread
    waits for each before the next, so one is enough), handed each job
    through plain locks used as binary semaphores: `_go`, which the worker
    waits on, and a lock made per call, which the main thread waits on. A
    ``concurrent.futures`` executor did the same through a queue, a future
    and its condition, at several times the cost per call."""

    def __init__(self) -> None:
        self._go = threading.Lock()
        self._go.acquire()
        # Set by the main thread before it releases `_go`, cleared by the worker.
        self.job: Optional[Callable[[], object]] = None
        self.done: Optional[threading.Lock] = None
        # Set by the worker before it releases `done`, read and cleared by the main thread.
        self.result: object = None
        self.error: Optional[BaseException] = None
        self.finished = False
        # Whether a main-thread call is using the worker (a signal handler's
        # call meanwhile runs inline, as waiting for the worker would never end).
        self.busy = False
        thread = threading.Thread(target=self._serve, name="cloud_infinite-interruptible", daemon=True)
        thread.start()  # RuntimeError at interpreter shutdown (3.12+)

    def _serve(self) -> None:
        go = self._go
        while True:
            go.acquire()
            job, done = self.job, self.done
            self.job = self.done = None
            try:
                self.result = job()  # type: ignore[misc]
            except BaseException as e:  # noqa: BLE001 (raised on the main thread)
                self.error = e
            # The job (and what it holds) must not outlive the call here, nor
            # this frame be the one that keeps `error` alive.
            job = None
            self.finished = True
            done.release()  # type: ignore[union-attr]
            done = None


_worker: Optional[_Worker] = None
_worker_lock = threading.Lock()


def _forget_worker() -> None:
    # A forked child has only the thread that forked: the parent's worker
    # does not exist in it, so it makes its own on its first call.
    global _worker, _worker_lock
    _worker = None
    _worker_lock = threading.Lock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_worker)


def _get_worker() -> Optional[_Worker]:
    """The worker, made on first use; None when no thread can start (the
    interpreter is shutting down: an atexit handler's call)."""
    global _worker
    worker = _worker
    if worker is not None:
        return worker
    with _worker_lock:
        if _worker is None:
            try:
                _worker = _Worker()
            except RuntimeError:
                return None
        return _worker


def _wait_out(worker: _Worker, done: threading.Lock) -> None:
    """Waits for the worker's job to end, through further Ctrl-C: the
    cancelled call ends within ~10 ms, and what it made must be freed before
    the caller goes on."""
    while not worker.finished:
        try:
            done.acquire()
        except BaseException:  # noqa: BLE001 (a second Ctrl-C: still wait, then raise the first)
            continue


def run(job: Callable[[], T], token: Optional[CancelToken]) -> T:
    """Runs `job` (a call that carries `token`) here, or, when `token` is
    given, on the worker thread while this (main) thread waits
    interruptibly; on an exception from a signal handler, cancels `token`,
    waits for the job to end and raises that exception. The job converts
    and frees its own results, so a dropped one leaks nothing. With a
    token, only the main thread calls it (`interruptible()`): the worker
    serves one thread."""
    if token is None:
        return job()
    worker = _get_worker()
    if worker is None or worker.busy:
        # No new threads at interpreter shutdown; or a call made by a signal
        # handler (or anything else run on this thread) while the worker runs
        # this thread's outer call: it runs here, uninterruptible.
        return job()
    done = threading.Lock()
    done.acquire()
    # No call from here to the release below (CPython 3.11+ runs signal
    # handlers after calls, at loop jumps and at function entry), so a
    # handler's exception comes before this point (nothing handed over) or
    # after the release (caught below).
    worker.busy = True
    worker.finished = False
    worker.job, worker.done = job, done
    del job
    try:
        worker._go.release()
        try:
            done.acquire()
        except BaseException:
            # A signal handler's exception (KeyboardInterrupt), raised while
            # the call runs, or just after it ended (then `finished` is set).
            if not worker.finished:
                token.cancel()
                _wait_out(worker, done)
            raise
        error = worker.error
        if error is not None:
            raise error
        return worker.result  # type: ignore[return-value]
    finally:
        # The job's exception, raised here, holds this frame in its
        # traceback: the worker keeps neither it nor the result.
        worker.result = worker.error = None
        worker.busy = False
        error = None
