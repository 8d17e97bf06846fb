"""Credentials: the `Credentials` a callback returns (or `set_credentials`
installs), the names of the library's credential sources, and the
trampoline that lets the library call a Python callable for keys.

The library calls the trampoline from whichever thread needs credentials
(one call at a time per client). That is always a thread that is inside a
library call and so has released the GIL; ctypes takes the GIL back for the
duration of the callback. Nothing may escape the trampoline: an exception
that left a ctypes callback would be printed and the C side would read a
zero status with NULL keys, so every failure becomes the non-zero status
and a message, which the library turns into a `CredentialsError`.
"""

from __future__ import annotations

import ctypes
import dataclasses
import datetime
import math
import threading
from typing import Any, Callable, Dict, Optional, Tuple, Union

from . import _abi
from ._abi import CredentialsSource
from ._convert import U64_MAX, cstr
from ._error_kinds import CredentialsError, InvalidArgumentError
from ._errors import take_error

#: When credentials expire: an aware `datetime.datetime`, or Unix seconds
#: (int or float); None for keys that never expire.
ExpiresAt = Union[None, datetime.datetime, int, float]


@dataclasses.dataclass(frozen=True)
class Credentials:
    """One set of keys: what a credentials callback returns, and what
    `Client.set_credentials` installs.

    Args:
        secret_id: SecretId (or a role's TmpSecretId).
        secret_key: SecretKey (or TmpSecretKey).
        session_token: the token of temporary credentials, or None.
        expires_at: when they stop working: an aware `datetime` (a naive
            one is refused, as its time zone would be a guess) or Unix
            seconds; None if they never expire. The library renews them
            ``refresh_margin`` before that (at most a fifth of their
            lifetime); fractions of a second are rounded down, so they are
            renewed early rather than late.

    The key and the token are left out of the repr.

    Example::

        def from_vault() -> cloud_infinite.Credentials:
            s = vault.read("ci")
            return cloud_infinite.Credentials(s["id"], s["key"], s["token"], expires_at=s["expires_unix"])
    """

    secret_id: str
    secret_key: str = dataclasses.field(repr=False)
    session_token: Optional[str] = dataclasses.field(default=None, repr=False)
    expires_at: ExpiresAt = None


#: The names `credentials=` takes, and the source each one means.
SOURCES: Dict[str, CredentialsSource] = {
    "keys": CredentialsSource.KEYS,
    "chain": CredentialsSource.DEFAULT_CHAIN,
    "environment": CredentialsSource.ENVIRONMENT,
    "profile": CredentialsSource.PROFILE_FILE,
    "cvm": CredentialsSource.CVM_ROLE,
    "oidc": CredentialsSource.TKE_OIDC,
}

#: A callable that returns the keys to sign with.
CredentialsCallback = Callable[[], Credentials]
#: What `credentials=` takes: a source's name, a `CredentialsSource`, or a callback.
CredentialsOption = Union[None, str, CredentialsSource, CredentialsCallback]


def expires_unix(value: ExpiresAt) -> int:
    """`expires_at` as the C ABI's whole Unix seconds (0: never), rounded
    down so that keys are renewed early rather than late."""
    if value is None:
        return 0
    if isinstance(value, datetime.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise InvalidArgumentError(
                "expires_at is a naive datetime: give it a time zone (e.g. datetime.timezone.utc) or pass Unix seconds"
            )
        value = value.timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(
            f"expires_at must be an aware datetime, Unix seconds or None, not {type(value).__name__}"
        )
    if not (math.isfinite(value) and value > 0):
        raise InvalidArgumentError(f"expires_at must be Unix seconds after 1970, not {value}")
    # At least 1: 0 would mean "never expires" to the library.
    return min(max(1, math.floor(value)), U64_MAX)


def values(credentials: Credentials) -> Tuple[_abi.ci_credential_values, Tuple[Optional[bytes], ...]]:
    """A `ci_credential_values` for `credentials`, and the bytes its
    pointers point into (which must outlive every read of the struct)."""
    if not isinstance(credentials, Credentials):
        raise InvalidArgumentError(f"credentials must be a cloud_infinite.Credentials, not {type(credentials).__name__}")
    strings = (
        cstr("secret_id", credentials.secret_id),
        cstr("secret_key", credentials.secret_key),
        cstr("session_token", credentials.session_token),
    )
    v = _abi.ci_credential_values()
    v.secret_id, v.secret_key, v.session_token = strings
    v.expires_at_unix = expires_unix(credentials.expires_at)
    return v, strings


def source(value: Any) -> CredentialsSource:
    """The `CredentialsSource` a `credentials=` name or member means (not a callable)."""
    if isinstance(value, CredentialsSource):
        if value is CredentialsSource.CALLBACK:
            raise InvalidArgumentError("credentials=CredentialsSource.CALLBACK needs the callback itself: pass the callable as credentials")
        return value
    if isinstance(value, Credentials):
        raise InvalidArgumentError(
            "credentials takes a source, not keys: pass fixed keys as secret_id/secret_key/session_token, "
            "or a callable that returns the Credentials"
        )
    if isinstance(value, str):
        found = SOURCES.get(value.lower())
        if found is None:
            names = ", ".join(f'"{n}"' for n in SOURCES)
            raise InvalidArgumentError(f"credentials must be one of {names} or a callable, not {value!r}")
        return found
    raise InvalidArgumentError(
        f"credentials must be a source's name (str), a CredentialsSource or a callable returning Credentials, not {type(value).__name__}"
    )


def write_message(buffer: Any, size: int, text: str) -> None:
    """Writes `text` into the C buffer `buffer` of `size` bytes as UTF-8,
    NUL-terminated, cut at a character boundary if it does not fit."""
    if size <= 0 or not buffer:
        return
    data = text.encode("utf-8", "replace")[: size - 1]
    # A cut in the middle of a character would leave invalid UTF-8.
    data = data.decode("utf-8", "ignore").encode("utf-8")
    ctypes.memmove(buffer, data, len(data))
    buffer[len(data)] = b"\0"


class CallbackProvider:
    """A Python callable behind the C ABI's `ci_credentials_callback`.

    The client keeps this object, and so the ctypes function pointer the
    library holds, until the native client (and every page iterator, which
    holds its own reference to it) is freed: the library may call it until
    then.
    """

    def __init__(self, function: CredentialsCallback) -> None:
        self.function = function
        #: The answer's bytes, kept until the next call: the library copies
        #: them only after the trampoline has returned.
        self._answer: Tuple[Optional[bytes], ...] = ()
        #: The exception the callable raised in this thread, for the
        #: `CredentialsError` the same thread's call then raises.
        self._failed = threading.local()
        #: What the library calls (the C function pointer).
        self.c_function = _abi.ci_credentials_callback(self._trampoline)

    def _trampoline(self, _user_data: Any, out: Any, message: Any, message_len: int) -> int:
        try:
            found = self.function()
            if not isinstance(found, Credentials):
                raise InvalidArgumentError(
                    f"it returned {type(found).__name__}, not a cloud_infinite.Credentials"
                )
            struct, self._answer = values(found)
            out[0] = struct
            return 0
        except BaseException as e:  # noqa: BLE001 (nothing may escape into C)
            self._failed.error = e
            try:
                write_message(message, message_len, f"{type(e).__name__}: {e}")
            except BaseException:  # noqa: BLE001
                pass  # the library then says only "status 1, no message"
            return 1

    def clear(self) -> None:
        """Forgets this thread's last failure (before a new call)."""
        self._failed.error = None

    def reraise(self, error: BaseException) -> BaseException:
        """`error` from a call in this thread, with the callable's own
        exception as its cause when that is what failed. A KeyboardInterrupt
        or SystemExit from the callable is raised itself."""
        failed: Optional[BaseException] = getattr(self._failed, "error", None)
        self._failed.error = None
        if failed is None or not isinstance(error, CredentialsError):
            return error
        if not isinstance(failed, Exception):
            failed.__context__ = error
            return failed
        error.__cause__ = failed
        return error


def clear(keepalive: object) -> None:
    """Before a call: forgets a failure of `keepalive`'s callback (if it is
    a `CallbackProvider`) left in this thread by an earlier call that
    succeeded anyway (the library kept keys that still worked)."""
    if isinstance(keepalive, CallbackProvider):
        keepalive.clear()


def check(error: Optional[int], keepalive: object) -> None:
    """Raises the error a call returned, if any, with the callback's own
    exception as its cause when the callback is what failed."""
    if not error:
        return
    raised = take_error(error)
    if isinstance(keepalive, CallbackProvider):
        raise keepalive.reraise(raised)
    raise raised
