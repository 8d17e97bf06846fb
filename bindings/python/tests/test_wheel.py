"""Packaging: the wheel that build-wheel.sh makes bundles the library,
installs into a fresh venv and works there without the repository (from a
directory outside it, CLOUD_INFINITE_LIB unset)."""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]

CHECK = r"""
import json, os, sys
import cloud_infinite as ci
with ci.Client(secret_id="AKIDemulatorEXAMPLE", secret_key="emulator-secret-key", region="ap-guangzhou",
               connect_to=os.environ["CI_EMULATOR_ADDR"], scheme="http", proxy=False) as c:
    buckets = list(c.iter_pic_buckets(page_size=100))
    queues = list(c.iter_ai_queues("examplebucket-1250000000"))
print(json.dumps({
    "module": ci.__file__, "library": ci.library_path(), "buckets": len(buckets), "queues": len(queues),
    "first": buckets[0].name, "typed": os.path.isfile(os.path.join(os.path.dirname(ci.__file__), "py.typed")),
    "live": ci.live_objects(), "path": sys.path,
}))
"""


def test_the_wheel_installs_and_works_outside_the_repository(tmp_path, emulator):
    build = subprocess.run([str(HERE / "build-wheel.sh"), str(tmp_path / "dist")],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr
    wheel = Path(build.stdout.strip().splitlines()[-1])
    assert wheel.name.startswith("cloud_infinite-0.1.0-py3-none-") and wheel.suffix == ".whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert "cloud_infinite/libcloud_infinite.so" in names and "cloud_infinite/py.typed" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    # --no-index: the package has no dependencies, nothing is downloaded.
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-index", "--disable-pip-version-check",
                    str(wheel)], check=True, timeout=300)

    outside = tmp_path / "elsewhere"
    outside.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("CLOUD_INFINITE_LIB", "PYTHONPATH")}
    env["CI_EMULATOR_ADDR"] = emulator.addr
    r = subprocess.run([str(python), "-c", CHECK], cwd=outside, env=env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    site = str(venv)
    assert got["module"].startswith(site) and got["library"].startswith(site), got
    assert got["library"].endswith("site-packages/cloud_infinite/libcloud_infinite.so")
    repo = str(HERE.parents[1])
    assert not any(p.startswith(repo) for p in got["path"]), "the repository leaked into sys.path"
    assert (got["buckets"], got["queues"], got["first"]) == (130, 25, "examplebucket-1250000000")
    assert got["typed"] and got["live"] == 0
