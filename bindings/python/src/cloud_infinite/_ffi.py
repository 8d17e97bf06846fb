"""The C ABI of libcloud_infinite, as ctypes sees it.

This module finds and loads the shared library, mirrors the `repr(C)` structs
of include/cloud_infinite.h and declares `argtypes`/`restype` for every
exported function. It checks, before binding anything else, that the library
speaks the ABI version these mirrors were written for and lays every struct
out with the same size, because a silent layout mismatch would read garbage
(or crash) instead of failing.

Nothing here knows about Python-level types; `_client` converts.
"""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import (
    c_uint8,
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_int,
    c_int32,
    c_size_t,
    c_uint16,
    c_uint32,
    c_uint64,
    c_void_p,
)
from pathlib import Path
from typing import List, Optional

#: The C ABI version (`CI_ABI_VERSION`) these mirrors were written for.
ABI_VERSION = 2

# Error kinds (`ci_kind`).
KIND_NONE = 0
KIND_INVALID_ARGUMENT = 1
KIND_NULL_ARGUMENT = 2
KIND_NETWORK = 3
KIND_TIMEOUT = 4
KIND_SERVICE = 5
KIND_PARSE = 6
KIND_RESPONSE_TOO_LARGE = 7
KIND_PANIC = 8

# `ci_scheme`, `ci_proxy_mode`, `ci_queue_state`.
SCHEME_DEFAULT = 0
SCHEME_HTTPS = 1
SCHEME_HTTP = 2
PROXY_MODE_FROM_ENVIRONMENT = 0
PROXY_MODE_DISABLED = 1
PROXY_MODE_URL = 2
QUEUE_STATE_ANY = 0
QUEUE_STATE_ACTIVE = 1
QUEUE_STATE_PAUSED = 2


class LibraryError(ImportError):
    """The native library could not be found, loaded, or does not match this
    package (another ABI version or struct layout). Raised by
    ``import cloud_infinite``; the message names the file and the fix."""


# --- struct mirrors, field for field as in include/cloud_infinite.h ---------

# The opaque handles stay c_void_p: Python never looks inside them.
_str_array = POINTER(c_char_p)


class ci_client_options(Structure):
    _fields_ = [
        ("from_env", c_uint8),
        ("secret_id", c_char_p),
        ("secret_key", c_char_p),
        ("session_token", c_char_p),
        ("region", c_char_p),
        ("endpoint", c_char_p),
        ("connect_to", c_char_p),
        ("scheme", c_uint32),
        ("connect_timeout_ms", c_uint64),
        ("timeout_ms", c_uint64),
        ("has_max_retries", c_uint8),
        ("max_retries", c_uint32),
        ("retry_base_delay_ms", c_uint64),
        ("max_response_bytes", c_uint64),
        ("user_agent_suffix", c_char_p),
        ("proxy_mode", c_uint32),
        ("proxy_url", c_char_p),
        ("ca_file", c_char_p),
    ]


class ci_pic_bucket_query(Structure):
    _fields_ = [
        ("regions", _str_array),
        ("regions_len", c_size_t),
        ("bucket_names", _str_array),
        ("bucket_names_len", c_size_t),
        ("bucket_name_prefix", c_char_p),
        ("page_number", c_uint64),
        ("page_size", c_uint64),
        ("timeout_ms", c_uint64),
    ]


class ci_ai_queue_query(Structure):
    _fields_ = [
        ("queue_ids", _str_array),
        ("queue_ids_len", c_size_t),
        ("state", c_uint32),
        ("category", c_char_p),
        ("page_number", c_uint64),
        ("page_size", c_uint64),
        ("timeout_ms", c_uint64),
    ]


class ci_pic_bucket(Structure):
    _fields_ = [
        ("bucket_id", c_char_p),
        ("name", c_char_p),
        ("region", c_char_p),
        ("create_time", c_char_p),
    ]


class ci_pic_bucket_page(Structure):
    _fields_ = [
        ("request_id", c_char_p),
        ("has_total_count", c_bool),
        ("total_count", c_uint64),
        ("has_page_number", c_bool),
        ("page_number", c_uint64),
        ("has_page_size", c_bool),
        ("page_size", c_uint64),
        ("buckets", POINTER(ci_pic_bucket)),
        ("buckets_len", c_size_t),
    ]


class ci_notify_config(Structure):
    _fields_ = [
        ("url", c_char_p),
        ("event", c_char_p),
        ("type", c_char_p),
        ("state", c_char_p),
        ("result_format", c_char_p),
        ("mq_mode", c_char_p),
        ("mq_region", c_char_p),
        ("mq_name", c_char_p),
    ]


class ci_ai_queue(Structure):
    _fields_ = [
        ("queue_id", c_char_p),
        ("name", c_char_p),
        ("state", c_char_p),
        ("notify_config", POINTER(ci_notify_config)),
        ("has_max_size", c_bool),
        ("max_size", c_uint64),
        ("has_max_concurrent", c_bool),
        ("max_concurrent", c_uint64),
        ("category", c_char_p),
        ("update_time", c_char_p),
        ("create_time", c_char_p),
    ]


class ci_ai_queue_page(Structure):
    _fields_ = [
        ("request_id", c_char_p),
        ("has_total_count", c_bool),
        ("total_count", c_uint64),
        ("has_page_number", c_bool),
        ("page_number", c_uint64),
        ("has_page_size", c_bool),
        ("page_size", c_uint64),
        ("queues", POINTER(ci_ai_queue)),
        ("queues_len", c_size_t),
        ("non_exist_pids", _str_array),
        ("non_exist_pids_len", c_size_t),
    ]


class ci_kv(Structure):
    _fields_ = [("name", c_char_p), ("value", c_char_p)]


class ci_sign_request(Structure):
    _fields_ = [
        ("secret_id", c_char_p),
        ("secret_key", c_char_p),
        ("method", c_char_p),
        ("path", c_char_p),
        ("params", POINTER(ci_kv)),
        ("params_len", c_size_t),
        ("headers", POINTER(ci_kv)),
        ("headers_len", c_size_t),
        ("start_time", c_uint64),
        ("end_time", c_uint64),
    ]


class ci_signature(Structure):
    _fields_ = [
        ("authorization", c_char_p),
        ("signature", c_char_p),
        ("header_list", c_char_p),
        ("param_list", c_char_p),
        ("http_string", c_char_p),
        ("string_to_sign", c_char_p),
    ]


#: `ci_struct_id` -> mirror, checked against `ci_struct_size` at load.
STRUCTS = {
    1: ci_client_options,
    2: ci_pic_bucket_query,
    3: ci_ai_queue_query,
    4: ci_pic_bucket,
    5: ci_pic_bucket_page,
    6: ci_notify_config,
    7: ci_ai_queue,
    8: ci_ai_queue_page,
    9: ci_kv,
    10: ci_sign_request,
    11: ci_signature,
}

# --- finding the library ----------------------------------------------------

if sys.platform == "darwin":
    LIBRARY_FILE = "libcloud_infinite.dylib"
elif sys.platform == "win32":
    LIBRARY_FILE = "cloud_infinite.dll"
else:
    LIBRARY_FILE = "libcloud_infinite.so"

_PACKAGE_DIR = Path(__file__).resolve().parent


def _repo_builds() -> List[Path]:
    """The cargo builds of a checkout this package sits in, newest first.

    Walks up to the first Cargo.toml that belongs to the `cloud-infinite`
    crate, so an unrelated Rust project above an installed package is never
    picked up.
    """
    for parent in _PACKAGE_DIR.parents:
        manifest = parent / "Cargo.toml"
        if not manifest.is_file():
            continue
        try:
            if 'name = "cloud-infinite"' not in manifest.read_text(encoding="utf-8"):
                continue
        except OSError:
            continue
        found = [parent / "target" / p / LIBRARY_FILE for p in ("debug", "release")]
        found = [p for p in found if p.is_file()]
        # After `make build` (debug) and a later release build for a wheel,
        # or the other way round, the newer one is the code just changed.
        return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)
    return []


def candidates() -> List[Path]:
    """Where the library is looked for, in order: `CLOUD_INFINITE_LIB`, the
    copy bundled in the package (wheels), then the checkout's target/."""
    override = os.environ.get("CLOUD_INFINITE_LIB")
    if override:
        # An explicit choice is final: falling back would hide a typo.
        return [Path(override)]
    return [_PACKAGE_DIR / LIBRARY_FILE, *_repo_builds()]


def _load() -> ctypes.CDLL:
    tried = candidates()
    for path in tried:
        if path.is_file():
            try:
                # CDLL (not PyDLL) releases the GIL around every call, which
                # is what lets threads share one client in parallel.
                return ctypes.CDLL(str(path))
            except OSError as e:
                raise LibraryError(f"cloud_infinite: cannot load {path}: {e}") from e
    listed = "\n  ".join(str(p) for p in tried)
    raise LibraryError(
        f"cloud_infinite: {LIBRARY_FILE} not found; looked at:\n  {listed}\n"
        "Install a wheel (which bundles it), run `cargo build --release --lib` in the "
        "repository, or set CLOUD_INFINITE_LIB to the library's path."
    )


def check_abi(lib: object, path: str) -> None:
    """Fails with `LibraryError` unless `lib` implements ABI_VERSION with the
    struct sizes mirrored here. Only `ci_abi_version` and `ci_struct_size`
    are touched, so an incompatible library is reported before any other
    symbol is looked up."""
    abi_version = lib.ci_abi_version  # type: ignore[attr-defined]
    abi_version.argtypes = []
    abi_version.restype = c_uint32
    found = abi_version()
    if found != ABI_VERSION:
        raise LibraryError(
            f"cloud_infinite: {path} implements C ABI version {found}, but this "
            f"package was written for version {ABI_VERSION}: install the package "
            "and the library from the same release (or point CLOUD_INFINITE_LIB at a matching build)."
        )
    struct_size = lib.ci_struct_size  # type: ignore[attr-defined]
    struct_size.argtypes = [c_uint32]
    struct_size.restype = c_size_t
    wrong = []
    for which, mirror in STRUCTS.items():
        theirs = struct_size(which)
        if theirs != ctypes.sizeof(mirror):
            wrong.append(f"{mirror.__name__}: library {theirs} bytes, package {ctypes.sizeof(mirror)}")
    if wrong:
        raise LibraryError(
            f"cloud_infinite: {path} lays out structs differently from this package "
            f"(same ABI version {ABI_VERSION}, so one of them is a broken build): "
            + "; ".join(wrong)
        )


def _bind(lib: ctypes.CDLL) -> None:
    err = c_void_p  # ci_error *: kept opaque, read through the accessors
    signatures = {
        "ci_version": ([], c_char_p),
        "ci_free": ([c_void_p], c_int32),
        "ci_live_objects": ([], c_size_t),
        "ci_client_new": ([POINTER(ci_client_options), POINTER(c_void_p)], err),
        "ci_describe_pic_buckets": (
            [c_void_p, POINTER(ci_pic_bucket_query), POINTER(POINTER(ci_pic_bucket_page))],
            err,
        ),
        "ci_describe_ai_queues": (
            [c_void_p, c_char_p, POINTER(ci_ai_queue_query), POINTER(POINTER(ci_ai_queue_page))],
            err,
        ),
        "ci_pic_bucket_pager_new": ([c_void_p, POINTER(ci_pic_bucket_query), POINTER(c_void_p)], err),
        "ci_pic_bucket_pager_next": ([c_void_p, POINTER(POINTER(ci_pic_bucket_page))], err),
        "ci_ai_queue_pager_new": (
            [c_void_p, c_char_p, POINTER(ci_ai_queue_query), POINTER(c_void_p)],
            err,
        ),
        "ci_ai_queue_pager_next": ([c_void_p, POINTER(POINTER(ci_ai_queue_page))], err),
        "ci_sign": ([POINTER(ci_sign_request), POINTER(POINTER(ci_signature))], err),
        "ci_error_kind": ([c_void_p], c_int),  # enum ci_kind: a C int
        "ci_error_message": ([c_void_p], c_char_p),
        "ci_error_code": ([c_void_p], c_char_p),
        "ci_error_request_id": ([c_void_p], c_char_p),
        "ci_error_resource": ([c_void_p], c_char_p),
        "ci_error_trace_id": ([c_void_p], c_char_p),
        "ci_error_http_status": ([c_void_p], c_uint16),
        "ci_debug_panic": ([c_char_p], err),
    }
    for name, (argtypes, restype) in signatures.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as e:
            raise LibraryError(f"cloud_infinite: {path_loaded} has no {name}: {e}") from e
        fn.argtypes = argtypes
        fn.restype = restype


lib = _load()
#: The file the library was loaded from.
path_loaded: str = lib._name
check_abi(lib, path_loaded)
_bind(lib)


def text(value: Optional[bytes]) -> Optional[str]:
    """A C string from the library (UTF-8 by contract), NULL as None."""
    return None if value is None else value.decode("utf-8")
