"""The type hints the package ships (py.typed) hold: mypy --strict on the
package and the example, for the oldest Python the package supports."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]


def test_mypy_strict():
    env = dict(os.environ, MYPYPATH=str(HERE / "src"))
    r = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10",
         "--cache-dir", str(HERE / ".venv" / "mypy-cache"), "src/cloud_infinite", "examples/list_all.py"],
        cwd=HERE, env=env, capture_output=True, text=True, timeout=300,
    )
    assert r.returncode == 0, r.stdout + r.stderr
