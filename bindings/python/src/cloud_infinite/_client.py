"""`Client`, the page iterators and `sign`: Python values in, C structs to
the library, C results copied into dataclasses and freed at once.

Everything that is not a type conversion (signing, URLs, XML, paging,
retries, the environment) happens in the library.
"""

from __future__ import annotations

import ctypes
import datetime
import math
import os
import threading
import weakref
from ctypes import POINTER, byref, c_char_p, c_void_p
from typing import (
    Any,
    Callable,
    Dict,
    Generic,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

from . import _ffi
from ._errors import ClientClosedError, InvalidArgumentError, check
from ._types import (
    AiQueue,
    AiQueuePage,
    NotifyConfig,
    PicBucket,
    PicBucketPage,
    QueueState,
    Scheme,
    Signature,
)

_lib = _ffi.lib
_U64_MAX = 2**64 - 1
_U32_MAX = 2**32 - 1

#: A duration in seconds (int or float) or a `datetime.timedelta`.
Seconds = Union[int, float, datetime.timedelta]
#: One string or several (a lone string is one item, never its characters).
Strings = Union[str, Iterable[str]]

# --- conversions --------------------------------------------------------------

T = TypeVar("T")


def _constructor(cls: Type[T]) -> Callable[..., T]:
    """A constructor for the frozen dataclass `cls` that fills the instance's
    ``__dict__`` from keyword fields. The dataclass's own ``__init__`` sets
    each field through ``object.__setattr__``, which was most of the time
    spent converting a page (2.2 µs against 0.8 µs a queue). Every field
    must be given: the tests check the objects against ``cls(...)``."""
    new = object.__new__

    def make(**fields: Any) -> T:
        obj = new(cls)
        obj.__dict__.update(fields)
        return obj

    return make


_new_pic_bucket = _constructor(PicBucket)
_new_notify_config = _constructor(NotifyConfig)
_new_ai_queue = _constructor(AiQueue)


def _cstr(name: str, value: Optional[str]) -> Optional[bytes]:
    if value is None:
        return None  # NULL: "not set", or a NULL_ARGUMENT from the library if required
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        # A C string would silently end at the NUL.
        raise InvalidArgumentError(f"{name} contains a NUL character, which cannot be passed to the library")
    # surrogatepass: a lone surrogate becomes invalid UTF-8, which the
    # library refuses with a clear INVALID_ARGUMENT instead of us guessing.
    return value.encode("utf-8", "surrogatepass")


def _cstr_array(name: str, values: Optional[Strings]) -> Tuple[Any, int]:
    """A `const char *const *` and its length; (NULL, 0) when not set."""
    if values is None:
        return None, 0
    if isinstance(values, str):
        values = [values]
    try:
        items = list(values)
    except TypeError:
        raise InvalidArgumentError(f"{name} must be a str or a list of str, not {type(values).__name__}") from None
    if not items:
        return None, 0
    converted = [_cstr(f"{name}[{i}]", v) for i, v in enumerate(items)]
    # The array object owns references to the bytes, so they outlive the call.
    return (c_char_p * len(converted))(*converted), len(converted)


def _count(name: str, value: Optional[int], *, bits: int = 64) -> int:
    """A positive integer for a field where 0 means "not set" (None)."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be an int, not {type(value).__name__}")
    if not 1 <= value <= 2**bits - 1:
        # 0 cannot be passed: the C ABI reads it as "not set".
        raise InvalidArgumentError(f"{name} must be at least 1 (or None for the default), not {value}")
    return value


def _millis(name: str, value: Optional[Seconds]) -> int:
    """Seconds to whole milliseconds, rounded up so that 0.0001 s is not 0 ("not set")."""
    if value is None:
        return 0
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(f"{name} must be a number of seconds or a timedelta, not {type(value).__name__}")
    if not (value > 0 and math.isfinite(value)):
        raise InvalidArgumentError(f"{name} must be a positive number of seconds (or None for the default), not {value}")
    return min(math.ceil(value * 1000), _U64_MAX)


def _scheme(value: Union[None, str, Scheme]) -> int:
    if value is None:
        return _ffi.SCHEME_DEFAULT
    if isinstance(value, str):
        try:
            return Scheme[value.upper()]
        except KeyError:
            raise InvalidArgumentError(f'scheme must be "https" or "http", not {value!r}') from None
    if isinstance(value, int) and not isinstance(value, bool):
        return value  # the library refuses unknown numbers
    raise InvalidArgumentError(f"scheme must be a Scheme or a str, not {type(value).__name__}")


def _queue_state(value: Union[None, str, QueueState]) -> int:
    if value is None:
        return _ffi.QUEUE_STATE_ANY
    if isinstance(value, str):
        # The service's spelling; any other string is a typo worth reporting.
        by_name = {"Active": QueueState.ACTIVE, "Paused": QueueState.PAUSED}
        if value not in by_name:
            raise InvalidArgumentError(f'state must be "Active" or "Paused" (or a QueueState), not {value!r}')
        return by_name[value]
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= _U32_MAX:
            raise InvalidArgumentError(f"state {value} is not a QueueState")
        return value  # the library refuses unknown numbers
    raise InvalidArgumentError(f"state must be a QueueState or a str, not {type(value).__name__}")


def _paging(p: Any) -> Dict[str, Any]:
    """The fields both pages share, from either C page."""
    return {
        "request_id": _ffi.text(p.request_id),
        "total_count": p.total_count if p.has_total_count else None,
        "page_number": p.page_number if p.has_page_number else None,
        "page_size": p.page_size if p.has_page_size else None,
    }


def _bucket_page(p: _ffi.ci_pic_bucket_page) -> PicBucketPage:
    text = _ffi.text
    return PicBucketPage(
        **_paging(p),
        buckets=tuple(
            _new_pic_bucket(
                bucket_id=text(b.bucket_id),
                name=text(b.name),
                region=text(b.region),
                create_time=text(b.create_time),
            )
            for b in (p.buckets[i] for i in range(p.buckets_len))
        ),
    )


def _notify_config(ptr: Any) -> Optional[NotifyConfig]:
    if not ptr:
        return None
    n = ptr.contents
    text = _ffi.text
    return _new_notify_config(
        url=text(n.url),
        event=text(n.event),
        type=text(n.type),
        state=text(n.state),
        result_format=text(n.result_format),
        mq_mode=text(n.mq_mode),
        mq_region=text(n.mq_region),
        mq_name=text(n.mq_name),
    )


def _queue_page(p: _ffi.ci_ai_queue_page) -> AiQueuePage:
    text = _ffi.text
    return AiQueuePage(
        **_paging(p),
        queues=tuple(
            _new_ai_queue(
                queue_id=text(q.queue_id),
                name=text(q.name),
                state=text(q.state),
                notify_config=_notify_config(q.notify_config),
                max_size=q.max_size if q.has_max_size else None,
                max_concurrent=q.max_concurrent if q.has_max_concurrent else None,
                category=text(q.category),
                update_time=text(q.update_time),
                create_time=text(q.create_time),
            )
            for q in (p.queues[i] for i in range(p.queues_len))
        ),
        # The library never puts NULL in this array.
        non_exist_pids=tuple(text(p.non_exist_pids[i]) for i in range(p.non_exist_pids_len)),  # type: ignore[misc]
    )


def _take(out: Any, convert: Callable[[Any], T]) -> T:
    """Converts the C result behind `out` and frees it, whatever happens."""
    try:
        return convert(out.contents)
    finally:
        _lib.ci_free(ctypes.cast(out, c_void_p))


class _PicBucketQuery:
    """A `ci_pic_bucket_query` and the Python objects its pointers point into."""

    def __init__(
        self,
        regions: Optional[Strings],
        bucket_names: Optional[Strings],
        bucket_name_prefix: Optional[str],
        page_number: Optional[int],
        page_size: Optional[int],
        timeout: Optional[Seconds],
    ) -> None:
        q = _ffi.ci_pic_bucket_query()
        # The arrays are kept on self: the struct holds bare pointers into them.
        self._regions, q.regions_len = _cstr_array("regions", regions)
        self._names, q.bucket_names_len = _cstr_array("bucket_names", bucket_names)
        q.regions = ctypes.cast(self._regions, POINTER(c_char_p)) if self._regions is not None else None
        q.bucket_names = ctypes.cast(self._names, POINTER(c_char_p)) if self._names is not None else None
        q.bucket_name_prefix = _cstr("bucket_name_prefix", bucket_name_prefix)
        q.page_number = _count("page_number", page_number)
        q.page_size = _count("page_size", page_size)
        q.timeout_ms = _millis("timeout", timeout)
        self.struct = q


class _AiQueueQuery:
    """A `ci_ai_queue_query` and the Python objects its pointers point into."""

    def __init__(
        self,
        queue_ids: Optional[Strings],
        state: Union[None, str, QueueState],
        category: Optional[str],
        page_number: Optional[int],
        page_size: Optional[int],
        timeout: Optional[Seconds],
    ) -> None:
        q = _ffi.ci_ai_queue_query()
        self._ids, q.queue_ids_len = _cstr_array("queue_ids", queue_ids)
        q.queue_ids = ctypes.cast(self._ids, POINTER(c_char_p)) if self._ids is not None else None
        q.state = _queue_state(state)
        q.category = _cstr("category", category)
        q.page_number = _count("page_number", page_number)
        q.page_size = _count("page_size", page_size)
        q.timeout_ms = _millis("timeout", timeout)
        self.struct = q


# --- page iterators -----------------------------------------------------------

P = TypeVar("P", PicBucketPage, AiQueuePage)


class PageIterator(Generic[P]):
    """Every page of a query, fetched one at a time as you iterate (the
    library's pager follows ``page_number`` until the last page).

    Made by `Client.iter_pic_bucket_pages` and `Client.iter_ai_queue_pages`.
    The query was already checked when it was made. A failed page raises
    its `CIError` and ends the walk. Close it (or use ``with``) to release
    it before its end; the garbage collector does so otherwise. It keeps
    working after its client is closed (it holds its own reference).
    Do not advance one iterator from two threads.

    Example::

        with client.iter_pic_bucket_pages(page_size=100) as pages:
            for page in pages:
                print(page.page_number, len(page.buckets), page.total_count)
    """

    def __init__(self, handle: int, next_fn: Any, page_type: Any, convert: Callable[[Any], P]) -> None:
        self._handle: Optional[int] = handle
        self._next_fn = next_fn
        self._page_type = page_type
        self._convert: Callable[[Any], P] = convert
        # Serialises next() and close(): close() must never free the pager
        # under a call that is using it.
        self._lock = threading.Lock()
        self._finalizer: Callable[[], object] = weakref.finalize(self, _lib.ci_free, handle)

    def __iter__(self) -> "PageIterator[P]":
        return self

    def __next__(self) -> P:
        with self._lock:
            if self._handle is None:
                raise StopIteration
            out = POINTER(self._page_type)()
            error = self._next_fn(self._handle, byref(out))
            if error or not out:
                # A failure ends the walk as well as the last page does.
                self._release()
                check(error)
                raise StopIteration
            return _take(out, self._convert)

    def _release(self) -> None:
        self._handle = None
        self._finalizer()

    def close(self) -> None:
        """Releases the pager; iterating further yields nothing. Idempotent."""
        with self._lock:
            self._release()

    def __enter__(self) -> "PageIterator[P]":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _items(pages: PageIterator[Any], attribute: str) -> Iterator[Any]:
    with pages:
        for page in pages:
            yield from getattr(page, attribute)


# --- the client ---------------------------------------------------------------


class Client:
    """A Cloud Infinite client. Thread-safe: share one between threads (calls
    run in parallel, outside the GIL, over one connection pool).

    Every option is keyword-only and optional; None means the library's
    default (or, with ``from_env=True``, the environment's value).

    Args:
        secret_id: SecretId. Required here or from the environment.
        secret_key: SecretKey. Required here or from the environment.
        region: e.g. ``"ap-guangzhou"``. Required here or from the environment.
        session_token: the token of temporary credentials.
        endpoint: a host (``host[:port]``) replacing ``ci.<region>.myqcloud.com``;
            bucket calls go to ``<bucket>.<endpoint>``.
        connect_to: dial this ``host:port`` for every request while Host, path
            and signature stay what production gets (like curl's
            ``--connect-to``); no proxy is then used.
        scheme: ``"https"`` (default) or ``"http"``, or a `Scheme`.
        timeout: seconds (or a timedelta) for a whole call, retries
            included (default 30).
        connect_timeout: seconds (or a timedelta) to connect (default 5).
        max_retries: retries of connection failures, 5xx and throttling
            (default 3; 0 for none).
        retry_base_delay: seconds before the first retry, doubled each
            retry, with jitter (default 0.1).
        max_response_bytes: the largest answer accepted (default 16 MiB).
        user_agent_suffix: appended to the ``cloud-infinite/<version>`` User-Agent.
        proxy: None (default) for a proxy from ``HTTPS_PROXY``/``HTTP_PROXY``/
            ``ALL_PROXY`` (honouring ``NO_PROXY``), False for none, or a URL
            such as ``"http://proxy:3128"``.
        ca_file: a PEM file of CA certificates to trust for HTTPS instead of
            the built-in Mozilla roots (a private CA). Certificates are
            always verified.
        from_env: fill what is not given from ``TENCENTCLOUD_SECRET_ID``,
            ``TENCENTCLOUD_SECRET_KEY``, ``TENCENTCLOUD_SESSION_TOKEN`` (or
            ``TENCENTCLOUD_SECURITY_TOKEN``) and ``TENCENTCLOUD_REGION``
            (the library reads them, now).

    Raises:
        InvalidArgumentError: missing credentials or region, a bad region,
            endpoint, proxy URL or option value. Nothing is sent.

    Example::

        with Client(secret_id="AKID...", secret_key="...", region="ap-guangzhou") as client:
            for bucket in client.iter_pic_buckets():
                print(bucket.name, bucket.region)
    """

    def __init__(
        self,
        *,
        secret_id: Optional[str] = None,
        secret_key: Optional[str] = None,
        region: Optional[str] = None,
        session_token: Optional[str] = None,
        endpoint: Optional[str] = None,
        connect_to: Optional[str] = None,
        scheme: Union[None, str, Scheme] = None,
        timeout: Optional[Seconds] = None,
        connect_timeout: Optional[Seconds] = None,
        max_retries: Optional[int] = None,
        retry_base_delay: Optional[Seconds] = None,
        max_response_bytes: Optional[int] = None,
        user_agent_suffix: Optional[str] = None,
        proxy: Union[None, bool, str] = None,
        ca_file: Union[None, str, "os.PathLike[str]"] = None,
        from_env: bool = False,
    ) -> None:
        # Set first so that close() and the finalizer work on a half-made client.
        self._lock = threading.Lock()
        self._handle: Optional[int] = None
        self._in_flight = 0
        self._closing = True

        o = _ffi.ci_client_options()
        o.from_env = 1 if from_env else 0
        o.secret_id = _cstr("secret_id", secret_id)
        o.secret_key = _cstr("secret_key", secret_key)
        o.session_token = _cstr("session_token", session_token)
        o.region = _cstr("region", region)
        o.endpoint = _cstr("endpoint", endpoint)
        o.connect_to = _cstr("connect_to", connect_to)
        o.scheme = _scheme(scheme)
        o.timeout_ms = _millis("timeout", timeout)
        o.connect_timeout_ms = _millis("connect_timeout", connect_timeout)
        if max_retries is not None:
            if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= _U32_MAX:
                raise InvalidArgumentError(f"max_retries must be an int from 0 to {_U32_MAX}, not {max_retries!r}")
            o.has_max_retries = 1
            o.max_retries = max_retries
        o.retry_base_delay_ms = _millis("retry_base_delay", retry_base_delay)
        o.max_response_bytes = _count("max_response_bytes", max_response_bytes)
        o.user_agent_suffix = _cstr("user_agent_suffix", user_agent_suffix)
        o.ca_file = _cstr("ca_file", None if ca_file is None else os.fspath(ca_file))
        if proxy is None:
            o.proxy_mode = _ffi.PROXY_MODE_FROM_ENVIRONMENT
        elif proxy is False:
            o.proxy_mode = _ffi.PROXY_MODE_DISABLED
        elif isinstance(proxy, str):
            o.proxy_mode = _ffi.PROXY_MODE_URL
            o.proxy_url = _cstr("proxy", proxy)
        else:
            raise InvalidArgumentError(f"proxy must be None (from the environment), False (none) or a URL, not {proxy!r}")

        handle = c_void_p()
        check(_lib.ci_client_new(byref(o), byref(handle)))
        self._handle = handle.value
        self._closing = False
        # The safety net for a client that is dropped without close().
        self._finalizer = weakref.finalize(self, _lib.ci_free, self._handle)

    @classmethod
    def from_env(cls, **overrides: Any) -> "Client":
        """A client configured from the ``TENCENTCLOUD_*`` environment
        variables; keyword arguments (any of `Client`'s) win over them.

        Example::

            client = Client.from_env(timeout=10)   # TENCENTCLOUD_SECRET_ID, ..._SECRET_KEY, ..._REGION
        """
        overrides.setdefault("from_env", True)
        return cls(**overrides)

    # Calls count themselves in and out so that close() in one thread never
    # frees the handle while another thread is passing it to the library.
    def _enter(self) -> int:
        with self._lock:
            if self._closing or self._handle is None:
                raise ClientClosedError(
                    "this Client is closed (close() was called or its `with` block ended): make a new Client"
                )
            self._in_flight += 1
            return self._handle

    def _leave(self) -> None:
        with self._lock:
            self._in_flight -= 1
            free = self._closing and self._in_flight == 0
        if free:
            self._finalizer()

    def close(self) -> None:
        """Releases the client. Calls already running in other threads finish
        normally; later calls raise `ClientClosedError`. Page iterators
        already made keep working. Idempotent."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            free = self._in_flight == 0
        if free:
            self._finalizer()

    @property
    def closed(self) -> bool:
        """Whether `close()` was called."""
        return self._closing

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        # Never the credentials: they live only inside the library.
        return f"<cloud_infinite.Client {'closed' if self._closing else 'open'}>"

    def __reduce__(self) -> Any:
        raise TypeError("a cloud_infinite.Client cannot be pickled or copied: make one per process")

    def describe_pic_buckets(
        self,
        *,
        regions: Optional[Strings] = None,
        bucket_names: Optional[Strings] = None,
        bucket_name_prefix: Optional[str] = None,
        page_number: Optional[int] = None,
        page_size: Optional[int] = None,
        timeout: Optional[Seconds] = None,
    ) -> PicBucketPage:
        """DescribePicProcessBucket: one page of the account's image-processing buckets.

        Args:
            regions: only buckets in these regions (a str or a list of them).
            bucket_names: only these buckets (exact ``BucketName-APPID`` names).
            bucket_name_prefix: only buckets whose name starts with this.
            page_number: the page, from 1 (default 1).
            page_size: 1 to 100 (the service's default is 10).
            timeout: seconds for this call, retries included (default: the client's).

        Raises:
            CIError: a subclass per kind, e.g. `InvalidArgumentError` for a
                page size outside 1..100, `ServiceError` for a 4xx/5xx answer.

        Example::

            page = client.describe_pic_buckets(regions=["ap-shanghai"], page_size=100)
            print(page.total_count, [b.name for b in page.buckets])
        """
        query = _PicBucketQuery(regions, bucket_names, bucket_name_prefix, page_number, page_size, timeout)
        out = POINTER(_ffi.ci_pic_bucket_page)()
        handle = self._enter()
        try:
            error = _lib.ci_describe_pic_buckets(handle, byref(query.struct), byref(out))
        finally:
            self._leave()
        check(error)
        return _take(out, _bucket_page)

    def describe_ai_queues(
        self,
        bucket: str,
        *,
        queue_ids: Optional[Strings] = None,
        state: Union[None, str, QueueState] = None,
        category: Optional[str] = None,
        page_number: Optional[int] = None,
        page_size: Optional[int] = None,
        timeout: Optional[Seconds] = None,
    ) -> AiQueuePage:
        """DescribeAiProcessQueues: one page of a bucket's AI-processing queues.

        Args:
            bucket: ``BucketName-APPID``, e.g. ``"examplebucket-1250000000"``.
            queue_ids: only these queues; the page then has no paging fields
                and lists unknown ids in `AiQueuePage.non_exist_pids`.
            state: ``"Active"``, ``"Paused"`` or a `QueueState` (default: any).
            category: e.g. ``"AIProcess"``.
            page_number: the page, from 1.
            page_size: 1 to 100.
            timeout: seconds for this call, retries included (default: the client's).

        Raises:
            CIError: as `describe_pic_buckets`; `ServiceError` with code
                ``"NoSuchBucket"`` for an unknown bucket, `NullArgumentError`
                for a None bucket.

        Example::

            page = client.describe_ai_queues("examplebucket-1250000000", state="Active")
            for q in page.queues:
                print(q.queue_id, q.name, q.notify_config and q.notify_config.url)
        """
        c_bucket = _cstr("bucket", bucket)
        query = _AiQueueQuery(queue_ids, state, category, page_number, page_size, timeout)
        out = POINTER(_ffi.ci_ai_queue_page)()
        handle = self._enter()
        try:
            error = _lib.ci_describe_ai_queues(handle, c_bucket, byref(query.struct), byref(out))
        finally:
            self._leave()
        check(error)
        return _take(out, _queue_page)

    def iter_pic_bucket_pages(
        self,
        *,
        regions: Optional[Strings] = None,
        bucket_names: Optional[Strings] = None,
        bucket_name_prefix: Optional[str] = None,
        page_number: Optional[int] = None,
        page_size: Optional[int] = None,
        timeout: Optional[Seconds] = None,
    ) -> PageIterator[PicBucketPage]:
        """Every page of a `describe_pic_buckets` query, from `page_number`
        (default 1) to the last; `timeout` applies to each page. The query
        is checked now (an `InvalidArgumentError` is raised here); pages are
        fetched as you iterate."""
        query = _PicBucketQuery(regions, bucket_names, bucket_name_prefix, page_number, page_size, timeout)
        pager = c_void_p()
        handle = self._enter()
        try:
            error = _lib.ci_pic_bucket_pager_new(handle, byref(query.struct), byref(pager))
        finally:
            self._leave()
        check(error)
        return PageIterator(pager.value, _lib.ci_pic_bucket_pager_next, _ffi.ci_pic_bucket_page, _bucket_page)  # type: ignore[arg-type]

    def iter_pic_buckets(self, **query: Any) -> Iterator[PicBucket]:
        """Every bucket of every page; takes `iter_pic_bucket_pages`'s arguments.

        Example::

            names = [b.name for b in client.iter_pic_buckets(page_size=100)]
        """
        return _items(self.iter_pic_bucket_pages(**query), "buckets")

    def iter_ai_queue_pages(
        self,
        bucket: str,
        *,
        queue_ids: Optional[Strings] = None,
        state: Union[None, str, QueueState] = None,
        category: Optional[str] = None,
        page_number: Optional[int] = None,
        page_size: Optional[int] = None,
        timeout: Optional[Seconds] = None,
    ) -> PageIterator[AiQueuePage]:
        """Every page of a `describe_ai_queues` query (a single page with
        `queue_ids`); `timeout` applies to each page. The query is checked now."""
        c_bucket = _cstr("bucket", bucket)
        query = _AiQueueQuery(queue_ids, state, category, page_number, page_size, timeout)
        pager = c_void_p()
        handle = self._enter()
        try:
            error = _lib.ci_ai_queue_pager_new(handle, c_bucket, byref(query.struct), byref(pager))
        finally:
            self._leave()
        check(error)
        return PageIterator(pager.value, _lib.ci_ai_queue_pager_next, _ffi.ci_ai_queue_page, _queue_page)  # type: ignore[arg-type]

    def iter_ai_queues(self, bucket: str, **query: Any) -> Iterator[AiQueue]:
        """Every queue of every page; takes `iter_ai_queue_pages`'s arguments.

        Example::

            active = [q.name for q in client.iter_ai_queues("examplebucket-1250000000", state="Active")]
        """
        return _items(self.iter_ai_queue_pages(bucket, **query), "queues")


# --- the signer ---------------------------------------------------------------

Pairs = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


def _kv_array(name: str, pairs: Optional[Pairs]) -> Tuple[Any, int]:
    if pairs is None:
        return None, 0
    items: List[Tuple[Any, Any]] = list(pairs.items() if isinstance(pairs, Mapping) else pairs)
    if not items:
        return None, 0
    array = (_ffi.ci_kv * len(items))()
    for i, item in enumerate(items):
        try:
            key, value = item
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"{name}[{i}] must be a (name, value) pair, not {item!r}") from None
        array[i].name = _cstr(f"{name}[{i}] name", key)
        array[i].value = _cstr(f"{name}[{i}] value", value)
    return array, len(items)


def _unix_time(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= _U64_MAX:
        raise InvalidArgumentError(f"{name} must be a Unix time in whole seconds (an int >= 0), not {value!r}")
    return value


def sign(
    *,
    secret_id: str,
    secret_key: str,
    method: str,
    path: str,
    params: Optional[Pairs] = None,
    headers: Optional[Pairs] = None,
    start_time: int,
    end_time: int,
) -> Signature:
    """Signs a request (``q-sign-algorithm=sha1``) exactly as Tencent's SDKs
    do, for calls this package does not wrap. Nothing is sent.

    Args:
        secret_id, secret_key: the credentials.
        method: e.g. ``"GET"``.
        path: e.g. ``"/picbucket"``, used as given.
        params: the query parameters, raw (not yet encoded): a mapping or
            (name, value) pairs. All are signed.
        headers: the request's headers; those Tencent's SDKs sign are signed
            (``host``, content and conditional headers, ``x-cos-*``, ``x-ci-*``...).
        start_time, end_time: the validity window, Unix seconds.

    Raises:
        NullArgumentError: a required string is None.
        InvalidArgumentError: ``end_time < start_time``, a bad string.

    Example::

        import time
        now = int(time.time())
        sig = sign(secret_id="AKID...", secret_key="...", method="GET", path="/picbucket",
                   headers={"host": "ci.ap-guangzhou.myqcloud.com"},
                   start_time=now, end_time=now + 600)
        request.headers["Authorization"] = sig.authorization
    """
    r = _ffi.ci_sign_request()
    r.secret_id = _cstr("secret_id", secret_id)
    r.secret_key = _cstr("secret_key", secret_key)
    r.method = _cstr("method", method)
    r.path = _cstr("path", path)
    param_array, r.params_len = _kv_array("params", params)
    header_array, r.headers_len = _kv_array("headers", headers)
    r.params = ctypes.cast(param_array, POINTER(_ffi.ci_kv)) if param_array is not None else None
    r.headers = ctypes.cast(header_array, POINTER(_ffi.ci_kv)) if header_array is not None else None
    r.start_time = _unix_time("start_time", start_time)
    r.end_time = _unix_time("end_time", end_time)
    out = POINTER(_ffi.ci_signature)()
    check(_lib.ci_sign(byref(r), byref(out)))

    def convert(s: _ffi.ci_signature) -> Signature:
        return Signature(
            authorization=_ffi.text(s.authorization),  # type: ignore[arg-type]
            signature=_ffi.text(s.signature),  # type: ignore[arg-type]
            header_list=_ffi.text(s.header_list),  # type: ignore[arg-type]
            param_list=_ffi.text(s.param_list),  # type: ignore[arg-type]
            http_string=_ffi.text(s.http_string),  # type: ignore[arg-type]
            string_to_sign=_ffi.text(s.string_to_sign),  # type: ignore[arg-type]
        )

    return _take(out, convert)
