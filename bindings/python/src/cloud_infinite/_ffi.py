"""Finding and loading libcloud_infinite, and checking it before use.

The library is looked for in `CLOUD_INFINITE_LIB`, then in the package
(wheels), then in the checkout's target/. Before anything else is bound,
the library must implement the ABI version of the generated mirrors
(`_abi`) and lay out every struct with their sizes, because a silent
layout mismatch would read garbage (or crash) instead of failing; then
every function of `_abi.FUNCTIONS` is declared on it.

Nothing here knows about Python-level types; the rest of the package converts.
"""

from __future__ import annotations

import ctypes
import os
import sys
from ctypes import c_size_t, c_uint32
from pathlib import Path
from typing import List, Optional

from . import _abi


class LibraryError(ImportError):
    """The native library could not be found, loaded, or does not match this
    package (another ABI version or struct layout). Raised by
    ``import cloud_infinite``; the message names the file and the fix."""


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
        "Install a wheel (which bundles it), run `make build` in the "
        "repository, or set CLOUD_INFINITE_LIB to the library's path."
    )


def check_abi(lib: object, path: str) -> None:
    """Fails with `LibraryError` unless `lib` implements `_abi.ABI_VERSION`
    with the struct sizes of the mirrors. Only `ci_abi_version` and `ci_struct_size`
    are touched, so an incompatible library is reported before any other
    symbol is looked up."""
    abi_version = lib.ci_abi_version  # type: ignore[attr-defined]
    abi_version.argtypes = []
    abi_version.restype = c_uint32
    found = abi_version()
    if found != _abi.ABI_VERSION:
        raise LibraryError(
            f"cloud_infinite: {path} implements C ABI version {found}, but this "
            f"package was written for version {_abi.ABI_VERSION}: install the package "
            "and the library from the same release (or point CLOUD_INFINITE_LIB at a matching build)."
        )
    struct_size = lib.ci_struct_size  # type: ignore[attr-defined]
    struct_size.argtypes = [c_uint32]
    struct_size.restype = c_size_t
    wrong = []
    for which, mirror in _abi.STRUCTS.items():
        theirs = struct_size(which)
        if theirs != ctypes.sizeof(mirror):
            wrong.append(f"{mirror.__name__}: library {theirs} bytes, package {ctypes.sizeof(mirror)}")
    if wrong:
        raise LibraryError(
            f"cloud_infinite: {path} lays out structs differently from this package "
            f"(same ABI version {_abi.ABI_VERSION}, so one of them is a broken build): "
            + "; ".join(wrong)
        )


def _bind(lib: ctypes.CDLL, path: str) -> None:
    for name, (argtypes, restype) in _abi.FUNCTIONS.items():
        try:
            fn = getattr(lib, name)
        except AttributeError as e:
            raise LibraryError(f"cloud_infinite: {path} has no {name}: {e}") from e
        fn.argtypes = argtypes
        fn.restype = restype


lib = _load()
#: The file the library was loaded from.
path_loaded: str = lib._name
check_abi(lib, path_loaded)
_bind(lib, path_loaded)


def text(value: Optional[bytes]) -> Optional[str]:
    """A C string from the library (UTF-8 by contract), NULL as None."""
    return None if value is None else value.decode("utf-8")
