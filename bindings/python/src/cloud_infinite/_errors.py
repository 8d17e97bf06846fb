"""`CIError` and one subclass per error kind of the C ABI."""

from __future__ import annotations

import enum
from typing import Dict, Optional, Type, Union

from . import _ffi


class ErrorKind(enum.IntEnum):
    """What kind of failure a `CIError` reports (the C ABI's `ci_kind`; the
    numbers are stable)."""

    #: Bad input found before anything was sent (also a closed client).
    INVALID_ARGUMENT = _ffi.KIND_INVALID_ARGUMENT
    #: A required argument was None.
    NULL_ARGUMENT = _ffi.KIND_NULL_ARGUMENT
    #: The connection failed or broke (refused, reset, truncated, DNS, TLS).
    NETWORK = _ffi.KIND_NETWORK
    #: The connect timeout or the whole call's timeout ran out.
    TIMEOUT = _ffi.KIND_TIMEOUT
    #: The service answered with an error: see `code` and `http_status`.
    SERVICE = _ffi.KIND_SERVICE
    #: The service answered 2xx with a body that is not the expected XML.
    PARSE = _ffi.KIND_PARSE
    #: The answer was larger than the client's `max_response_bytes`.
    RESPONSE_TOO_LARGE = _ffi.KIND_RESPONSE_TOO_LARGE
    #: A bug inside the library, caught at its boundary instead of crashing.
    PANIC = _ffi.KIND_PANIC


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


class InvalidArgumentError(CIError, ValueError):
    """An argument was refused before anything was sent (a page size outside
    1..100, a bucket not of the ``BucketName-APPID`` form, a string that
    cannot be passed to C, a closed client...)."""

    default_kind = ErrorKind.INVALID_ARGUMENT


class ClientClosedError(InvalidArgumentError):
    """The `Client` was used after `close()` (or after its ``with`` block)."""


class NullArgumentError(CIError, TypeError):
    """A required argument was None (e.g. the bucket of `describe_ai_queues`)."""

    default_kind = ErrorKind.NULL_ARGUMENT


class NetworkError(CIError):
    """The connection failed or broke: refused, reset, truncated answer, DNS, TLS."""

    default_kind = ErrorKind.NETWORK


class CITimeoutError(CIError, TimeoutError):
    """The connect timeout or the call's timeout ran out (retries included).
    Also a built-in `TimeoutError`."""

    default_kind = ErrorKind.TIMEOUT

    # OSError (TimeoutError's base) has its own constructor and str(); this
    # class behaves as a CIError.
    def __init__(self, message: str, **fields: object) -> None:
        CIError.__init__(self, message, **fields)  # type: ignore[arg-type]

    __str__ = CIError.__str__


class ServiceError(CIError):
    """The service answered with an error: `code` (e.g. ``"NoSuchBucket"``),
    `http_status`, `request_id` say which. Retryable ones (5xx, throttling)
    were already retried `max_retries` times."""

    default_kind = ErrorKind.SERVICE


class ParseError(CIError):
    """The service answered 2xx with a body that is not the expected XML."""

    default_kind = ErrorKind.PARSE


class ResponseTooLargeError(CIError):
    """The answer was larger than the client's `max_response_bytes`."""

    default_kind = ErrorKind.RESPONSE_TOO_LARGE


class PanicError(CIError):
    """A bug inside the native library, caught at its boundary: please report it."""

    default_kind = ErrorKind.PANIC


_BY_KIND: Dict[int, Type[CIError]] = {
    cls.default_kind: cls
    for cls in (
        InvalidArgumentError,
        NullArgumentError,
        NetworkError,
        CITimeoutError,
        ServiceError,
        ParseError,
        ResponseTooLargeError,
        PanicError,
    )
}


def take_error(ptr: Optional[int]) -> CIError:
    """Copies a `ci_error *` into a `CIError` and frees it."""
    lib = _ffi.lib
    try:
        kind = lib.ci_error_kind(ptr)
        message = _ffi.text(lib.ci_error_message(ptr)) or "unknown error (the library gave no message)"
        status = lib.ci_error_http_status(ptr)
        fields = dict(
            kind=kind,
            code=_ffi.text(lib.ci_error_code(ptr)),
            request_id=_ffi.text(lib.ci_error_request_id(ptr)),
            http_status=status or None,
            resource=_ffi.text(lib.ci_error_resource(ptr)),
            trace_id=_ffi.text(lib.ci_error_trace_id(ptr)),
        )
    finally:
        lib.ci_free(ptr)
    return _BY_KIND.get(kind, CIError)(message, **fields)


def check(ptr: Optional[int]) -> None:
    """Raises the error a fallible C call returned, if any."""
    if ptr:
        raise take_error(ptr)
