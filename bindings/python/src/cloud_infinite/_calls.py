"""The one generic describe call and the one generic pager: every method of
`Operations` (generated) calls them with its operation, its bucket and its
keyword arguments, which fill one `ci_query` as `_abi.QUERY_FIELDS` says.
"""

from __future__ import annotations

import enum
from ctypes import POINTER, byref, c_char_p, c_void_p, cast
from typing import Any, Callable, List, Mapping, Optional, TypeVar

from . import _abi, _ffi
from ._convert import U32_MAX, cstr, cstr_array, millis, number
from ._error_kinds import InvalidArgumentError
from ._credentials import check, clear
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
    objects its pointers point into (kept alive with it)."""

    def __init__(self, method: str, values: Mapping[str, Any]) -> None:
        q = _abi.ci_query()
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


class Calls(Handle):
    """A client's generic describe call and pager: the methods of
    `Operations` name the operation, this does the rest."""

    def _describe(self, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any], convert: Callable[[Any], P]) -> P:
        """One page of `operation`, converted by `convert`."""
        c_bucket = cstr("bucket", bucket)
        q = Query(_method(operation, "describe"), query)
        out = POINTER(_abi.ci_page)()
        client = self._enter()
        keepalive = self._keepalive  # read while counted in: close() drops it
        clear(keepalive)
        try:
            error = _lib.ci_describe(client, operation, c_bucket, byref(q.struct), byref(out))
        finally:
            self._leave()
        check(error, keepalive)
        return take(out, convert)

    def _pages(self, operation: _abi.Operation, bucket: Optional[str], query: Mapping[str, Any], convert: Callable[[Any], P]) -> PageIterator[P]:
        """Every page of `operation`, each converted by `convert`; the query is checked now."""
        c_bucket = cstr("bucket", bucket)
        q = Query(_method(operation, "iter"), query)
        pager = c_void_p()
        client = self._enter()
        keepalive = self._keepalive  # read while counted in: close() drops it
        try:
            error = _lib.ci_pager_new(client, operation, c_bucket, byref(q.struct), byref(pager))
        finally:
            self._leave()
        check(error, keepalive)
        # The pager holds its own reference to the native client, whose
        # credentials callback it may call after this client is closed.
        return PageIterator(pager.value, convert, keepalive)  # type: ignore[arg-type]


def _method(operation: enum.IntEnum, verb: str) -> str:
    """The method a TypeError names: ``describe_media_buckets``."""
    return f"{verb}_{operation.name.lower()}"
