"""`CIError`, the base of every error of the package, and the conversion of
a C `ci_error` into the `CIError` subclass of its kind (generated, one per
kind, in `_error_kinds`).
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Type, Union

from . import _ffi
from ._abi import ErrorKind

#: The class of each kind, filled as `_error_kinds` defines them.
_BY_KIND: Dict[int, Type["CIError"]] = {}


class CIError(Exception):
    """An error from cloud_infinite. Catch this to catch them all, or one of
    its subclasses (one per `ErrorKind`) to catch one kind.

    Attributes:
        kind: the `ErrorKind` (a plain int if the library is newer than this
            package and reports a kind it does not know).
        message: what went wrong, for a person.
        code: the service's error code, e.g. ``"SignatureDoesNotMatch"``, or None.
        request_id: the failed request's id (quote it to Tencent support), or None.
        http_status: the HTTP status of the service's answer, or None when
            there was no answer.
        resource: the error body's ``Resource``, or None.
        trace_id: the error body's ``TraceId``, or None.

    Example::

        try:
            client.describe_ai_queues("examplebucket-1250000000")
        except cloud_infinite.ServiceError as e:
            if e.code == "NoSuchBucket": ...
            print(e.http_status, e.request_id)
    """

    #: The kind every instance of this class has (None on the base class).
    default_kind: Optional[ErrorKind] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # The class of each kind (generated in _error_kinds) registers
        # itself: take_error raises it for that kind. A subclass that keeps
        # its parent's kind (ClientClosedError) does not replace the parent.
        super().__init_subclass__(**kwargs)
        kind = cls.__dict__.get("default_kind")
        if kind is not None:
            _BY_KIND.setdefault(int(kind), cls)

    def __init__(
        self,
        message: str,
        *,
        kind: Optional[int] = None,
        code: Optional[str] = None,
        request_id: Optional[str] = None,
        http_status: Optional[int] = None,
        resource: Optional[str] = None,
        trace_id: Optional[str] = None,
    ) -> None:
        super().__init__(message)
        if kind is None:
            kind = self.default_kind
        self.kind: Union[ErrorKind, int, None]
        try:
            self.kind = ErrorKind(kind) if kind is not None else None
        except ValueError:
            self.kind = kind
        self.message = message
        self.code = code
        self.request_id = request_id
        self.http_status = http_status
        self.resource = resource
        self.trace_id = trace_id

    def __str__(self) -> str:
        details = []
        if self.code:
            details.append(f"code {self.code}")
        if self.http_status:
            details.append(f"HTTP {self.http_status}")
        if self.request_id:
            details.append(f"request id {self.request_id}")
        return f"{self.message} ({', '.join(details)})" if details else self.message

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(kind={self.kind!r}, message={self.message!r}, code={self.code!r}, "
            f"request_id={self.request_id!r}, http_status={self.http_status!r})"
        )

    def __reduce__(self):  # type: ignore[no-untyped-def]
        # Keyword-only fields would be lost by Exception's default pickling.
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: Type[CIError], message: str, state: Dict[str, object]) -> CIError:
    error = cls(message)
    error.__dict__.update(state)
    return error


def take_error(ptr: Optional[int]) -> CIError:
    """Copies a `ci_error *` into the `CIError` subclass of its kind and frees it."""
    lib = _ffi.lib
    text = _ffi.text
    try:
        kind = lib.ci_error_kind(ptr)
        message = text(lib.ci_error_message(ptr)) or "unknown error (the library gave no message)"
        status = lib.ci_error_http_status(ptr)
        fields = dict(
            kind=kind,
            code=text(lib.ci_error_code(ptr)),
            request_id=text(lib.ci_error_request_id(ptr)),
            http_status=status or None,
            resource=text(lib.ci_error_resource(ptr)),
            trace_id=text(lib.ci_error_trace_id(ptr)),
        )
    finally:
        lib.ci_free(ptr)
    # A kind newer than this package is still a CIError, with its number.
    return _BY_KIND.get(kind, CIError)(message, **fields)


def check(ptr: Optional[int]) -> None:
    """Raises the error a fallible C call returned, if any."""
    if ptr:
        raise take_error(ptr)
