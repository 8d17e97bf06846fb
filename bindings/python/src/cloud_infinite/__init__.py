"""cloud_infinite: Tencent Cloud Infinite's describe calls for Python (the
bucket lists of media, image, AI, speech, document and file processing,
DescribeCIBuckets, and the queue lists of the same six services), over the
cloud-infinite C library (C ABI 3).

This package only converts types: signing, requests, retries, XML and
paging are done by the native library (libcloud_infinite), which it loads
at import from ``CLOUD_INFINITE_LIB``, else the copy bundled in the wheel,
else the repository's ``target/`` build. The import fails with
`LibraryError` if that library does not match this package.

Example::

    import cloud_infinite

    with cloud_infinite.Client.from_env() as client:      # TENCENTCLOUD_* variables
        for bucket in client.iter_media_buckets(page_size=100):
            print(bucket.region, bucket.name)
        page = client.describe_media_queues("examplebucket-1250000000", category="Transcoding")
        print(page.total_count, [q.name for q in page.queues])
"""

from __future__ import annotations

from ctypes import byref, c_size_t
from typing import Tuple

from . import _abi, _error_kinds, _ffi, _operations, _results
from ._abi import *  # noqa: F403 (generated: ABI_VERSION and the enums)
from ._async_calls import AsyncPageIterator
from ._async_client import DEFAULT_MAX_CONCURRENCY, AsyncClient
from ._cancel import CancelToken
from ._client import Client
from ._convert import Seconds, Strings
from ._credentials import Credentials, CredentialsCallback, CredentialsOption, ExpiresAt
from ._error_kinds import *  # noqa: F403 (generated: a CIError subclass per kind)
from ._errors import CIError, check as _check
from ._ffi import LibraryError
from ._handle import ClientClosedError
from ._operations import *  # noqa: F403 (generated: the query keyword arguments)
from ._pages import PageIterator
from ._results import *  # noqa: F403 (generated: pages and items)
from ._sign import Signature, sign

__version__ = "0.1.0"

__all__ = [
    "AsyncClient",
    "AsyncPageIterator",
    "CancelToken",
    "CIError",
    "Client",
    "ClientClosedError",
    "Credentials",
    "CredentialsCallback",
    "CredentialsOption",
    "DEFAULT_MAX_CONCURRENCY",
    "ExpiresAt",
    "LibraryError",
    "PageIterator",
    "Seconds",
    "Signature",
    "Strings",
    "debug_panic",
    "library_path",
    "library_version",
    "live_objects",
    "operations",
    "sign",
]
__all__ += _abi.__all__
__all__ += _error_kinds.__all__
__all__ += _operations.__all__
__all__ += _results.__all__


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


def operations() -> Tuple[OperationInfo, ...]:
    """Every describe call the library offers (``ci_operations()``), in
    `Operation` order. Each is three methods of `Client`, spelled from its
    ``snake_name``: ``describe_<snake_name>``, ``iter_<snake_name>`` and
    ``iter_<snake_name without its s>_pages``.

    Example::

        for op in cloud_infinite.operations():
            print(op.name, op.path, op.shape.name)
    """
    n = c_size_t()
    infos = _ffi.lib.ci_operations(byref(n))
    return tuple(_results.operation_info(infos[i]) for i in range(n.value))


def debug_panic(message: str = "debug_panic") -> None:
    """Always raises `PanicError`, from a panic made inside the native
    library: proves that a bug there reaches Python as an exception and not
    as a crash."""
    _check(_ffi.lib.ci_debug_panic(message.encode("utf-8")))
