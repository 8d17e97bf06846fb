"""cloud_infinite: Tencent Cloud Infinite's DescribePicProcessBucket and
DescribeAiProcessQueues for Python, over the cloud-infinite C library.

This package only converts types: signing, requests, retries, XML and
paging are done by the native library (libcloud_infinite), which it loads
at import from ``CLOUD_INFINITE_LIB``, else the copy bundled in the wheel,
else the repository's ``target/`` build. The import fails with
`LibraryError` if that library does not match this package.

Example::

    import cloud_infinite

    with cloud_infinite.Client.from_env() as client:      # TENCENTCLOUD_* variables
        for bucket in client.iter_pic_buckets(page_size=100):
            print(bucket.region, bucket.name)
        page = client.describe_ai_queues("examplebucket-1250000000")
        print(page.total_count, [q.name for q in page.queues])
"""

from __future__ import annotations

from . import _ffi
from ._client import Client, PageIterator, Seconds, Strings, sign
from ._errors import (
    CIError,
    CITimeoutError,
    ClientClosedError,
    ErrorKind,
    InvalidArgumentError,
    NetworkError,
    NullArgumentError,
    PanicError,
    ParseError,
    ResponseTooLargeError,
    ServiceError,
    check as _check,
)
from ._ffi import ABI_VERSION, LibraryError
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

__version__ = "0.1.0"

__all__ = [
    "ABI_VERSION",
    "AiQueue",
    "AiQueuePage",
    "CIError",
    "CITimeoutError",
    "Client",
    "ClientClosedError",
    "ErrorKind",
    "InvalidArgumentError",
    "LibraryError",
    "NetworkError",
    "NotifyConfig",
    "NullArgumentError",
    "PageIterator",
    "PanicError",
    "ParseError",
    "PicBucket",
    "PicBucketPage",
    "QueueState",
    "ResponseTooLargeError",
    "Scheme",
    "Seconds",
    "ServiceError",
    "Signature",
    "Strings",
    "debug_panic",
    "library_path",
    "library_version",
    "live_objects",
    "sign",
]


def library_version() -> str:
    """The native library's version, e.g. ``"0.1.0"``."""
    return str(_ffi.text(_ffi.lib.ci_version()))


def library_path() -> str:
    """The file the native library was loaded from."""
    return str(_ffi.path_loaded)


def live_objects() -> int:
    """How many objects the native library has handed out and not freed
    (clients, pagers, results, errors): lets a test prove nothing leaks.
    Results are freed before each call returns, so a program that holds no
    Client or page iterator sees 0."""
    return int(_ffi.lib.ci_live_objects())


def debug_panic(message: str = "debug_panic") -> None:
    """Always raises `PanicError`, from a panic made inside the native
    library: proves that a bug there reaches Python as an exception and not
    as a crash."""
    _check(_ffi.lib.ci_debug_panic(message.encode("utf-8")))
