"""`sign`: the library's signer for requests this package does not make."""

from __future__ import annotations

from ctypes import POINTER, byref, cast
from dataclasses import dataclass, field
from typing import Any, Iterable, List, Mapping, Optional, Tuple, Union

from . import _abi
from ._convert import U64_MAX, cstr
from ._error_kinds import InvalidArgumentError
from ._errors import check
from ._ffi import lib as _lib, text
from ._pages import take


@dataclass(frozen=True)
class Signature:
    """A request signature made by `sign`, with the intermediate strings
    (useful to compare with what a server says it expected)."""

    # Left out of repr() so that logging a Signature never logs a usable
    # Authorization.
    #: The ``Authorization`` header value.
    authorization: str = field(repr=False)
    #: ``q-signature``: 40 lowercase hex digits.
    signature: str = field(repr=False)
    #: ``q-header-list``: the signed header names, ``;``-separated.
    header_list: str
    #: ``q-url-param-list``: the signed parameter names, ``;``-separated.
    param_list: str
    #: The canonical request that was hashed (``HttpString``).
    http_string: str
    #: ``StringToSign``.
    string_to_sign: str


Pairs = Union[Mapping[str, str], Iterable[Tuple[str, str]]]


def _kv_array(name: str, pairs: Optional[Pairs]) -> Tuple[Any, int]:
    if pairs is None:
        return None, 0
    items: List[Tuple[Any, Any]] = list(pairs.items() if isinstance(pairs, Mapping) else pairs)
    if not items:
        return None, 0
    array = (_abi.ci_kv * len(items))()
    for i, item in enumerate(items):
        try:
            key, value = item
        except (TypeError, ValueError):
            raise InvalidArgumentError(f"{name}[{i}] must be a (name, value) pair, not {item!r}") from None
        array[i].name = cstr(f"{name}[{i}] name", key)
        array[i].value = cstr(f"{name}[{i}] value", value)
    return array, len(items)


def _unix_time(name: str, value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= U64_MAX:
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
    r = _abi.ci_sign_request()
    r.secret_id = cstr("secret_id", secret_id)
    r.secret_key = cstr("secret_key", secret_key)
    r.method = cstr("method", method)
    r.path = cstr("path", path)
    param_array, r.params_len = _kv_array("params", params)
    header_array, r.headers_len = _kv_array("headers", headers)
    r.params = cast(param_array, POINTER(_abi.ci_kv)) if param_array is not None else None
    r.headers = cast(header_array, POINTER(_abi.ci_kv)) if header_array is not None else None
    r.start_time = _unix_time("start_time", start_time)
    r.end_time = _unix_time("end_time", end_time)
    out = POINTER(_abi.ci_signature)()
    check(_lib.ci_sign(byref(r), byref(out)))

    def convert(s: _abi.ci_signature) -> Signature:
        return Signature(
            authorization=text(s.authorization),  # type: ignore[arg-type]
            signature=text(s.signature),  # type: ignore[arg-type]
            header_list=text(s.header_list),  # type: ignore[arg-type]
            param_list=text(s.param_list),  # type: ignore[arg-type]
            http_string=text(s.http_string),  # type: ignore[arg-type]
            string_to_sign=text(s.string_to_sign),  # type: ignore[arg-type]
        )

    return take(out, convert)
