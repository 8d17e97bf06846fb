"""The example program prints, for every call the library lists, a table of
the first rows and the count."""

import os
import subprocess
import sys
from pathlib import Path

import cloud_infinite

from conftest import pic_buckets, queues_of

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "list_all.py"


def run(env_changes):
    env = {k: v for k, v in os.environ.items() if not k.startswith("TENCENTCLOUD_") and k != "CI_EMULATOR_ADDR"}
    env.update(env_changes)
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
    return subprocess.run([sys.executable, str(EXAMPLE)], env=env, capture_output=True, text=True, timeout=120)


def test_the_example_lists_everything(emulator, fixture_data):
    r = run({"CI_EMULATOR_ADDR": emulator.addr})
    assert r.returncode == 0, r.stderr
    out = r.stdout
    for op in cloud_infinite.operations():
        assert f"\n{op.name} (GET {op.path})" in out  # every call has its table (or its error)
    buckets = pic_buckets(fixture_data)
    assert f"DescribePicProcessBucket (GET /picbucket): {len(buckets)} in all, 5 shown" in out
    for b in buckets[:5]:
        assert f"  {b['region']:<14} {b['name']:<32} {b['create_time']}" in out
    queues = queues_of(fixture_data)
    assert f"DescribeAiProcessQueues (GET /ai_queue) of examplebucket-1250000000: {len(queues)} in all, 5 shown" in out
    for q in queues[:5]:
        assert q["queue_id"] in out and q["name"] in out
    assert "队列-测试                    Active" in out  # CJK padded to the column
    assert "AI queues by id: 1 found, not found: ['p-no-such-queue']" in out


def test_the_example_reads_the_environment_without_the_emulator():
    # No TENCENTCLOUD_* variables: the library refuses to make a client, so
    # nothing is sent anywhere and the user is told what is missing.
    r = run({})
    assert r.returncode == 1
    assert r.stderr.startswith("InvalidArgumentError: ") and "TENCENTCLOUD_" in r.stderr
