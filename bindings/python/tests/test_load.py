"""Loading the library: where it is looked for, the ABI version and struct
size checks, and a declaration for every exported function."""

import ctypes
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import cloud_infinite
from cloud_infinite import _abi, _ffi

from conftest import ROOT

SRC = Path(__file__).resolve().parents[1] / "src"
HEADER = (ROOT / "include" / "cloud_infinite.h").read_text(encoding="utf-8")


def run_import(code, **env_changes):
    env = {k: v for k, v in os.environ.items() if k != "CLOUD_INFINITE_LIB"}
    env.update(env_changes)
    env["PYTHONPATH"] = str(SRC)
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)


def test_versions():
    assert cloud_infinite.ABI_VERSION == _ffi.lib.ci_abi_version() == _abi.ABI_VERSION == 3
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", cloud_infinite.library_version())
    assert f"#define CI_ABI_VERSION {_abi.ABI_VERSION}\n" in HEADER


def test_every_mirror_has_the_library_size():
    for which, mirror in _abi.STRUCTS.items():
        assert _ffi.lib.ci_struct_size(which) == ctypes.sizeof(mirror), mirror.__name__
    assert _ffi.lib.ci_struct_size(0) == 0


def test_every_mirror_has_the_header_fields():
    """Same names in the same order as the generated header's structs."""
    for mirror in _abi.STRUCTS.values():
        body = re.search(r"typedef struct %s \{(.*?)\} %s;" % (mirror.__name__, mirror.__name__), HEADER, re.S)
        assert body, mirror.__name__
        declarations = re.sub(r"/\*.*?\*/", "", body.group(1), flags=re.S)
        fields = re.findall(r"(\w+);", declarations)
        assert [f[0] for f in mirror._fields_] == fields, mirror.__name__


def test_every_exported_function_is_declared():
    declarations = HEADER[HEADER.index('extern "C" {'):]
    exported = set(re.findall(r"^[^ /*#][^(]*?\b(ci_\w+)\(", declarations, re.M))
    assert exported == set(_abi.FUNCTIONS), sorted(exported ^ set(_abi.FUNCTIONS))
    for name in exported:
        fn = getattr(_ffi.lib, name)
        assert fn.argtypes is not None, name
        assert fn.restype is not None or name == "ci_free", name


def test_lookup_order(monkeypatch):
    monkeypatch.delenv("CLOUD_INFINITE_LIB", raising=False)
    found = _ffi.candidates()
    assert found[0] == Path(_ffi.__file__).resolve().parent / _ffi.LIBRARY_FILE  # the bundled copy first
    assert found[1:] and all(p.parent.parent == ROOT / "target" for p in found[1:])
    monkeypatch.setenv("CLOUD_INFINITE_LIB", "/somewhere/libx.so")
    assert _ffi.candidates() == [Path("/somewhere/libx.so")]


def test_without_the_variable_the_repository_build_is_used():
    r = run_import("import cloud_infinite; print(cloud_infinite.library_path())")
    assert r.returncode == 0, r.stderr
    assert Path(r.stdout.strip()).parent.parent == ROOT / "target"


def test_a_missing_library_is_a_clear_import_error():
    r = run_import("import cloud_infinite", CLOUD_INFINITE_LIB="/nonexistent/libcloud_infinite.so")
    assert r.returncode != 0
    assert "LibraryError" in r.stderr and "libcloud_infinite.so not found" in r.stderr
    assert "/nonexistent/libcloud_infinite.so" in r.stderr and "CLOUD_INFINITE_LIB" in r.stderr


def fake_library(tmp_path, abi, sizes):
    """A shared library exporting only the two check functions, with the
    answers given."""
    n = max(_abi.STRUCTS) + 1
    table = ", ".join(str(sizes.get(i, 0)) for i in range(n))
    source = tmp_path / "fake.c"
    source.write_text(
        "#include <stddef.h>\n#include <stdint.h>\n"
        f"uint32_t ci_abi_version(void) {{ return {abi}; }}\n"
        f"static const size_t sizes[{n}] = {{{table}}};\n"
        f"size_t ci_struct_size(uint32_t which) {{ return which < {n} ? sizes[which] : 0; }}\n"
    )
    lib = tmp_path / "libfake.so"
    subprocess.run(["cc", "-shared", "-fPIC", "-o", str(lib), str(source)], check=True, timeout=60)
    return lib


REAL_SIZES = {i: ctypes.sizeof(m) for i, m in _abi.STRUCTS.items()}


def test_another_abi_version_fails_to_load(tmp_path):
    other = _abi.ABI_VERSION + 1
    lib = fake_library(tmp_path, other, REAL_SIZES)
    r = run_import("import cloud_infinite", CLOUD_INFINITE_LIB=str(lib))
    assert r.returncode != 0
    assert f"implements C ABI version {other}, but this package was written for version {_abi.ABI_VERSION}" in r.stderr
    assert str(lib) in r.stderr


def test_another_struct_size_fails_to_load(tmp_path):
    queue = _abi.StructId.QUEUE
    lib = fake_library(tmp_path, _abi.ABI_VERSION, {**REAL_SIZES, queue: REAL_SIZES[queue] + 8})
    r = run_import("import cloud_infinite", CLOUD_INFINITE_LIB=str(lib))
    assert r.returncode != 0
    assert "lays out structs differently" in r.stderr
    assert f"ci_queue: library {REAL_SIZES[queue] + 8} bytes, package {REAL_SIZES[queue]}" in r.stderr


def test_the_right_sizes_pass_the_check(tmp_path):
    # The fake passes both checks; then binding the rest names what is missing.
    lib = fake_library(tmp_path, _abi.ABI_VERSION, REAL_SIZES)
    r = run_import("import cloud_infinite", CLOUD_INFINITE_LIB=str(lib))
    assert r.returncode != 0 and "has no ci_version" in r.stderr
