"""Python values to C values, refusing what C cannot represent (a NUL in a
string, a number out of range) instead of truncating or wrapping it. What
the library checks itself (page sizes, regions, zeros it refuses) is left
to the library.
"""

from __future__ import annotations

import datetime
import math
from ctypes import c_char_p
from typing import Any, Iterable, Optional, Tuple, Union

from ._error_kinds import InvalidArgumentError

#: A duration in seconds (int or float) or a `datetime.timedelta`.
Seconds = Union[int, float, datetime.timedelta]
#: One string or several (a lone string is one item, never its characters).
Strings = Union[str, Iterable[str]]

U32_MAX = 2**32 - 1
U64_MAX = 2**64 - 1


def cstr(name: str, value: Optional[str]) -> Optional[bytes]:
    """A `const char *`: None is NULL ("not set", or the library's NULL_ARGUMENT where required)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise InvalidArgumentError(f"{name} must be a str, not {type(value).__name__}")
    if "\0" in value:
        # A C string would silently end at the NUL.
        raise InvalidArgumentError(f"{name} contains a NUL character, which cannot be passed to the library")
    # surrogatepass: a lone surrogate becomes invalid UTF-8, which the
    # library refuses with a clear INVALID_ARGUMENT instead of us guessing.
    return value.encode("utf-8", "surrogatepass")


def cstr_array(name: str, values: Optional[Strings]) -> Tuple[Any, int]:
    """A `const char *const *` and its length; (NULL, 0) when not set. The
    array holds references to its bytes, so keep it for as long as the call."""
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
    converted = [cstr(f"{name}[{i}]", v) for i, v in enumerate(items)]
    return (c_char_p * len(converted))(*converted), len(converted)


def number(name: str, value: Optional[int], maximum: int = U64_MAX) -> Tuple[int, int]:
    """An optional number as its (`has_` flag, value): 0 is sent as 0 (the
    library refuses it where it cannot work), None is not sent."""
    if value is None:
        return 0, 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidArgumentError(f"{name} must be an int, not {type(value).__name__}")
    if not 0 <= value <= maximum:
        raise InvalidArgumentError(f"{name} must be from 0 to {maximum}, not {value}")
    return 1, value


def millis(name: str, value: Optional[Seconds]) -> Tuple[int, int]:
    """Seconds as (`has_` flag, whole milliseconds), rounded up so that
    0.0001 s is 1 ms, not the 0 the library refuses; 0 stays 0."""
    if value is None:
        return 0, 0
    if isinstance(value, datetime.timedelta):
        value = value.total_seconds()
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidArgumentError(f"{name} must be a number of seconds or a timedelta, not {type(value).__name__}")
    if not (value >= 0 and math.isfinite(value)):
        raise InvalidArgumentError(f"{name} must be a number of seconds from 0 (or None for the default), not {value}")
    return 1, min(math.ceil(value * 1000), U64_MAX)
