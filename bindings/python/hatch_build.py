"""Bundles the native library into the wheel, and tags the wheel for this
platform (py3-none-<platform>: the package itself is pure Python and works
with any Python 3, but the library it carries is built for one platform).

Where the wheel's library comes from, first match wins:
1. CLOUD_INFINITE_WHEEL_LIB (`make dist` passes its stripped glibc-2.17
   build, with CLOUD_INFINITE_WHEEL_PLATFORM=manylinux_2_17_x86_64);
2. an sdist's own copy of the crate, rust/ (what `make dist` puts in the
   sdist): built here with `cargo rustc --release --lib --crate-type cdylib`, so
   `pip install --no-binary cloud-infinite cloud-infinite` needs cargo;
3. the repository's target/release build (build-wheel.sh builds it first).

The sdist carries the crate as `cargo package` lays it out (its `include`
list), given by CLOUD_INFINITE_SDIST_CRATE; `make dist` unpacks it there.
"""

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

if sys.platform == "darwin":
    LIBRARY_FILE = "libcloud_infinite.dylib"
elif sys.platform == "win32":
    LIBRARY_FILE = "cloud_infinite.dll"
else:
    LIBRARY_FILE = "libcloud_infinite.so"


def _build_crate(crate: Path) -> Path:
    """Builds the sdist's crate (rust/) and returns its library."""
    cargo = os.environ.get("CARGO", "cargo")
    if shutil.which(cargo) is None:
        raise RuntimeError(
            "building cloud-infinite from source needs Rust's cargo on PATH (https://rustup.rs), "
            "or install the wheel instead of the sdist"
        )
    target_dir = Path(os.environ.get("CARGO_TARGET_DIR") or crate / "target")
    command = [cargo, "rustc", "--release", "--lib", "--crate-type", "cdylib",
               "--manifest-path", str(crate / "Cargo.toml"), "--target-dir", str(target_dir)]
    if (crate / "Cargo.lock").is_file():
        command.append("--locked")
    # cargo talks on stderr; pip shows it with -v and on failure.
    subprocess.run(command, check=True, stdout=sys.stderr)
    return target_dir / "release" / LIBRARY_FILE


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        root = Path(self.root).resolve()
        if self.target_name == "sdist":
            crate = os.environ.get("CLOUD_INFINITE_SDIST_CRATE")
            if not crate or not (Path(crate) / "Cargo.toml").is_file():
                raise RuntimeError(
                    "the sdist carries the Rust crate: build it with `make dist` (which sets "
                    "CLOUD_INFINITE_SDIST_CRATE to the crate `cargo package` made)"
                )
            build_data["force_include"][crate] = "rust"
            return
        if self.target_name != "wheel":
            return
        source = os.environ.get("CLOUD_INFINITE_WHEEL_LIB")
        if not source and (root / "rust" / "Cargo.toml").is_file():
            source = str(_build_crate(root / "rust"))
        if not source:
            source = str(root.parents[1] / "target" / "release" / LIBRARY_FILE)
        if not Path(source).is_file():
            raise RuntimeError(
                f"{source} does not exist: run `make install` or `cargo rustc --release --lib --crate-type cdylib,staticlib` in the repository "
                "(bindings/python/build-wheel.sh does), or set CLOUD_INFINITE_WHEEL_LIB"
            )
        build_data["force_include"][source] = f"cloud_infinite/{LIBRARY_FILE}"
        build_data["pure_python"] = False
        platform = os.environ.get("CLOUD_INFINITE_WHEEL_PLATFORM") or sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"
