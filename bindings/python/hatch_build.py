"""Bundles the native library into the wheel, and tags the wheel for this
platform (py3-none-<platform>: the package itself is pure Python and works
with any Python 3, but the library it carries is built for one platform).

The library comes from CLOUD_INFINITE_WHEEL_LIB, else the repository's
target/release build (build-wheel.sh builds it first).
"""

import os
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


class CustomBuildHook(BuildHookInterface):
    def initialize(self, version, build_data):
        if self.target_name != "wheel":
            return
        source = os.environ.get("CLOUD_INFINITE_WHEEL_LIB") or str(
            Path(self.root).resolve().parents[1] / "target" / "release" / LIBRARY_FILE
        )
        if not Path(source).is_file():
            raise RuntimeError(
                f"{source} does not exist: run `cargo build --release --lib` in the repository "
                "(bindings/python/build-wheel.sh does), or set CLOUD_INFINITE_WHEEL_LIB"
            )
        build_data["force_include"][source] = f"cloud_infinite/{LIBRARY_FILE}"
        build_data["pure_python"] = False
        platform = sysconfig.get_platform().replace("-", "_").replace(".", "_")
        build_data["tag"] = f"py3-none-{platform}"
