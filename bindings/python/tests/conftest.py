"""A private ci-emulator per test module (or per test, for fault counters),
and clients pointed at it.

The emulator listens on 127.0.0.1 only and dies with its stdin, so it
cannot outlive a crashed test run.
"""

from __future__ import annotations

import dataclasses
import json
import os
import select
import subprocess
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest

import cloud_infinite

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
EMULATOR_BIN = os.environ.get("CI_EMULATOR_BIN") or str(ROOT / "target" / "debug" / "ci-emulator")
BUCKET = "examplebucket-1250000000"
SECRET_ID = "AKIDemulatorEXAMPLE"
SECRET_KEY = "emulator-secret-key"
TMP_SECRET_ID = "AKIDemulatorTMP"
TMP_SECRET_KEY = "emulator-tmp-key"
TMP_TOKEN = "emulator-session-token"

# urllib would otherwise honour HTTP_PROXY for the control endpoints.
_direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class Emulator:
    """One running ci-emulator."""

    def __init__(self, fixture: "Path | None" = None, args: "list[str] | None" = None) -> None:
        extra = (["--fixture", str(fixture)] if fixture else []) + (args or [])
        self.proc = subprocess.Popen(
            [EMULATOR_BIN, "--listen", "127.0.0.1:0", "--exit-on-stdin-eof", *extra],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        ready, _, _ = select.select([self.proc.stdout], [], [], 15)
        line = self.proc.stdout.readline() if ready else ""
        if "listening on http://" not in line:
            self.stop()
            raise RuntimeError(f"{EMULATOR_BIN} did not start (first line: {line!r})")
        self.addr = line.strip().rsplit("http://", 1)[1]

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait(timeout=10)
        for stream in (self.proc.stdin, self.proc.stdout):
            stream.close()

    def control(self, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(f"http://{self.addr}/__emulator/{path}", data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        with _direct.open(request, timeout=10) as r:
            return json.load(r)

    def arm(self, **fault: Any) -> None:
        """Arms a request fault, e.g. arm(kind="delay", delay_ms=500, times=8)."""
        assert self.control("faults", fault)["armed"] == 1

    def requests(self) -> int:
        return self.control("stats")["requests"]

    def fixture(self) -> Any:
        return self.control("fixture")

    def options(self, **overrides: Any) -> dict:
        """Client options reaching this emulator with the production host names."""
        options = dict(
            secret_id=SECRET_ID,
            secret_key=SECRET_KEY,
            region="ap-guangzhou",
            connect_to=self.addr,
            scheme="http",
            proxy=False,
            retry_base_delay=0.005,
        )
        options.update(overrides)
        return options

    def client(self, **overrides: Any) -> cloud_infinite.Client:
        return cloud_infinite.Client(**self.options(**overrides))

    def keyless_options(self, **overrides: Any) -> dict:
        """`options` without keys, for a credentials provider."""
        options = self.options(**overrides)
        for key in ("secret_id", "secret_key"):
            if key not in overrides:
                del options[key]
        return options

    @property
    def metadata_endpoint(self) -> str:
        """The emulator's CVM metadata service (role `emulator-role`)."""
        return f"http://{self.addr}/latest/meta-data/cam/security-credentials/"

    @property
    def sts_endpoint(self) -> str:
        """The emulator's STS (AssumeRoleWithWebIdentity)."""
        return f"http://{self.addr}/"

    def credentials(self, **settings: Any) -> Any:
        """The credential services' counters (`GET /__emulator/credentials`),
        after changing `settings` if any are given."""
        return self.control("credentials", settings or None)


@pytest.fixture(scope="module")
def emulator() -> Iterator[Emulator]:
    emu = Emulator()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture
def fresh_emulator() -> Iterator[Emulator]:
    """An emulator of this test's own: fault counters and stats start at zero."""
    emu = Emulator()
    try:
        yield emu
    finally:
        emu.stop()


@pytest.fixture(scope="module")
def client(emulator: Emulator) -> Iterator[cloud_infinite.Client]:
    with emulator.client() as c:
        yield c


@pytest.fixture(scope="module")
def fixture_data(emulator: Emulator) -> Any:
    return emulator.fixture()


def from_fixture(cls: Any, item: Any) -> Any:
    """The dataclass `cls` the binding should return for the fixture's
    `item`: every field the fixture leaves out is None, nested ones
    (``notify_config``, ``kafka_config``) converted the same way."""
    nested = {"notify_config": cloud_infinite.NotifyConfig, "kafka_config": cloud_infinite.KafkaConfig}
    values = {}
    for f in dataclasses.fields(cls):
        value = item.get(f.name)
        if value is not None and f.name in nested:
            value = from_fixture(nested[f.name], value)
        values[f.name] = value
    return cls(**values)


def listed(fixture: Any, snake_name: str) -> list:
    """The fixture's buckets the bucket list `snake_name` lists, in order,
    each with its entry for that list (what that list alone answers)."""
    return [(b, b["bucket_lists"][snake_name]) for b in fixture["buckets"] if snake_name in (b.get("bucket_lists") or {})]


def expected_buckets(fixture: Any, snake_name: str) -> list:
    """Every `Bucket` the bucket list `snake_name` answers, in order."""
    return [
        cloud_infinite.Bucket(
            bucket_id=b["name"], name=b["name"], region=b["region"], create_time=b["create_time"],
            alias_bucket_id=entry.get("alias_bucket_id"),
        )
        for b, entry in listed(fixture, snake_name)
    ]


def expected_ci_buckets(fixture: Any) -> list:
    """Every (`CiBucket`, its tag keys, its fixture bucket) DescribeCIBuckets answers, in order."""
    out = []
    for b in fixture["buckets"]:
        ci = b.get("ci")
        if ci is None:
            continue
        item = cloud_infinite.CiBucket(
            bucket_id=b["name"], bucket_name=ci.get("bucket_name"), app_id=ci.get("app_id"),
            create_time=b["create_time"], region=b["region"], status=ci.get("status"),
        )
        out.append((item, sorted(ci.get("tags") or {}), b))
    return out


def expected_queues(fixture: Any, snake_name: str, bucket: str = BUCKET) -> list:
    """Every `Queue` of `bucket` the queue list `snake_name` knows, in fixture order."""
    b = next(b for b in fixture["buckets"] if b["name"] == bucket)
    return [from_fixture(cloud_infinite.Queue, q) for q in (b.get("queues") or {}).get(snake_name, [])]


def pic_buckets(fixture: Any) -> list:
    """The fixture's buckets /picbucket lists, in order."""
    return [b for b, _ in listed(fixture, "pic_buckets")]


def queues_of(fixture: Any, bucket: str = BUCKET) -> list:
    """The fixture's AI queues of `bucket`."""
    b = next(b for b in fixture["buckets"] if b["name"] == bucket)
    return (b.get("queues") or {}).get("ai_queues", [])
