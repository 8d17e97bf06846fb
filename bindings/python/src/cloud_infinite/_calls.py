"""The one generic describe call and the one generic pager: every method of
`Operations` (generated) calls them with its operation, its bucket and its
keyword arguments, which fill one `ci_query` as `_abi.QUERY_FIELDS` says,
and its call options (``cancel``, ``concurrency``), which fill the rest.
Every query asks its pages as one packed JSON text (``page_format``), which
the converters of `_results` read in one ``json.loads``.
`describe_now` and `new_pager` are shared with `_async_calls`.
"""

from __future__ import annotations

import enum
from ctypes import POINTER, byref, c_char_p, c_void_p, cast
from typing import Any, Callable, List, Mapping, Optional, TypeVar

from . import _abi, _ffi
from ._convert import U32_MAX, cstr, cstr_array, millis, number
from ._error_kinds import InvalidArgumentError
from ._credentials import check, clear
from ._cancel import CancelToken, interruptible, run
from ._handle import Handle
from ._pages import PageIterator, take

P = TypeVar("P")
_lib = _ffi.lib


def _enum(name: str, value: Any, names: Mapping[str, int]) -> int:
    if isinstance(value, str):
        # The service's spelling; any other string is a typo worth reporting.
        if value not in names:
            spelled = " or ".join(f'"{n}"' for n in names)
            raise InvalidArgumentError(f"{name} must be {spelled}, not {value!r}")
        return names[value]
    if isinstance(value, int) and not isinstance(value, bool):
        if not 0 <= value <= U32_MAX:
            raise InvalidArgumentError(f"{name} {value} is out of range")
        return value  # the library refuses numbers it does not know
    raise InvalidArgumentError(f"{name} must be a str or an enum member, not {type(value).__name__}")


class Query:
    """A `ci_query` filled from a call's keyword arguments, and the Python
    objects its pointers point into (kept alive with it). It asks for the
    packed JSON page (``CI_PAGE_FORMAT_JSON``): reading one text costs far
    less than reading the C item arrays field by field through ctypes."""

    def __init__(self, method: str, values: Mapping[str, Any]) -> None:
        q = _abi.ci_query()
        q.page_format = _abi.PageFormat.JSON
        self._arrays: List[Any] = []
        for key, value in values.items():
            spec = _abi.QUERY_FIELDS.get(key)
            if spec is None:
                raise TypeError(f"{method}() got an unexpected keyword argument {key!r}")
            if value is None:
                continue  # not set
            field, how = spec.field, spec.how
            if how == "strings":
                array, length = cstr_array(key, value)
                self._arrays.append(array)
                setattr(q, field, None if array is None else cast(array, POINTER(c_char_p)))
                setattr(q, f"{field}_len", length)
            elif how == "text":
                setattr(q, field, cstr(key, value))
            elif how == "enum":
                setattr(q, field, _enum(key, value, spec.names or {}))
            else:
                has, n = number(key, value) if how == "count" else millis(key, value)
                setattr(q, f"has_{field}", has)
                setattr(q, field, n)
        self.struct = q


def _set_concurrency(q: _abi.ci_query, concurrency: Optional[int]) -> None:
    """Sets a pager's ``concurrency`` (None: the library's default)."""
    q.has_concurrency, q.concurrency = number("concurrency", concurrency, U32_MAX)


def _token(cancel: Optional[CancelToken]) -> Optional[CancelToken]:
    if cancel is not None and not isinstance(cancel, CancelToken):
        raise InvalidArgumentError(f"cancel must be a cloud_infinite.CancelToken or None, not {type(cancel).__name__}")
    return cancel


def describe_now(client: Handle, operation: _abi.Operation, c_bucket: Optional[bytes], q: Query,
                 convert: Callable[[Any], P], token: Optional[CancelToken]) -> P:
    """One page of `operation`, in this thread: the blocking ``ci_describe``
    carrying `token`, its error raised, its page converted and freed."""
    out = POINTER(_abi.ci_page)()
    handle = client._enter()
    keepalive = client._keepalive  # read while counted in: close() drops it
    clear(keepalive)
    try:
        cancel = token._enter() if token is not None else None
        try:
            q.struct.cancel = cancel
            error = _lib.ci_describe(handle, operation, c_bucket, byref(q.struct), byref(out))
        finally:
            if token is not None:
                token._leave()
    finally:
        client._leave()
    check(error, keepalive)
    return take(out, convert)


def new_pager(client: Handle, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any],
              convert: Callable[[Any], P], concurrency: Optional[int], cancel: Optional[CancelToken]) -> PageIterator[P]:
    """A `PageIterator` over every page of `operation`; the query is checked
    now (``ci_pager_new`` sends nothing). Without `cancel`, the pager gets a
    token of its own, which Ctrl-C or a cancelled task cancels."""
    c_bucket = cstr("bucket", bucket)
    q = Query(_method(operation, "iter"), query)
    _set_concurrency(q.struct, concurrency)
    given = _token(cancel)
    token = given if given is not None else CancelToken()
    pager = c_void_p()
    try:
        handle = client._enter()
        keepalive = client._keepalive  # read while counted in: close() drops it
        try:
            q.struct.cancel = token._enter()
            try:
                error = _lib.ci_pager_new(handle, operation, c_bucket, byref(q.struct), byref(pager))
            finally:
                token._leave()
        finally:
            client._leave()
        check(error, keepalive)
    except BaseException:
        if given is None:
            token.close()
        raise
    # The pager holds its own references to the native client, whose
    # credentials callback it may call after this client is closed, and to
    # the native token.
    return PageIterator(pager.value, convert, keepalive, token, owns_token=given is None)  # type: ignore[arg-type]


class Calls(Handle):
    """A client's generic describe call and pager: the methods of
    `Operations` name the operation, this does the rest."""

    def _describe(self, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any],
                  convert: Callable[[Any], P], cancel: Optional[CancelToken] = None) -> P:
        """One page of `operation`, converted by `convert`; interruptible by
        Ctrl-C on the main thread (see `_cancel`)."""
        c_bucket = cstr("bucket", bucket)
        q = Query(_method(operation, "describe"), query)
        given = _token(cancel)
        if not interruptible():
            return describe_now(self, operation, c_bucket, q, convert, given)
        token = given if given is not None else CancelToken()
        try:
            return run(lambda: describe_now(self, operation, c_bucket, q, convert, token), token)
        finally:
            if given is None:
                token.close()

    def _pages(self, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any],
               convert: Callable[[Any], P], concurrency: Optional[int] = None,
               cancel: Optional[CancelToken] = None) -> PageIterator[P]:
        """Every page of `operation`, each converted by `convert`; the query is checked now."""
        return new_pager(self, operation, bucket, query, convert, concurrency, cancel)


def _method(operation: enum.IntEnum, verb: str) -> str:
    """The method a TypeError names: ``describe_media_buckets``."""
    return f"{verb}_{operation.name.lower()}"
