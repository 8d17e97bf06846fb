"""HTTPS from Python: certificates are verified by default, and `ca_file`
names whom else to trust. The emulator serves TLS with a certificate from
the test CA in tests/fixtures/tls (for the production host names)."""

from __future__ import annotations

import select
import subprocess
from typing import Iterator

import pytest

import cloud_infinite
from conftest import EMULATOR_BIN, ROOT, SECRET_ID, SECRET_KEY

TLS = ROOT / "tests" / "fixtures" / "tls"


@pytest.fixture(scope="module")
def tls_addr() -> Iterator[str]:
    proc = subprocess.Popen(
        [EMULATOR_BIN, "--listen", "127.0.0.1:0", "--exit-on-stdin-eof",
         "--tls-cert", str(TLS / "server.pem"), "--tls-key", str(TLS / "server.key")],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        ready, _, _ = select.select([proc.stdout], [], [], 15)
        line = proc.stdout.readline() if ready else ""
        assert "listening on https://" in line, line
        yield line.strip().rsplit("https://", 1)[1]
    finally:
        proc.kill()
        proc.wait(timeout=10)


def client(addr: str, **extra: object) -> cloud_infinite.Client:
    return cloud_infinite.Client(
        secret_id=SECRET_ID, secret_key=SECRET_KEY, region="ap-guangzhou",
        connect_to=addr, proxy=False, max_retries=0, **extra,
    )


def test_an_untrusted_certificate_is_refused(tls_addr: str) -> None:
    with client(tls_addr) as c, pytest.raises(cloud_infinite.NetworkError) as refused:
        c.describe_pic_buckets()
    assert "TLS" in refused.value.message


def test_a_ca_file_that_trusts_it_is_accepted(tls_addr: str) -> None:
    with client(tls_addr, ca_file=TLS / "ca.pem") as c:
        assert c.describe_pic_buckets().total_count == 130


def test_an_unreadable_ca_file_is_an_invalid_argument() -> None:
    with pytest.raises(cloud_infinite.InvalidArgumentError) as bad:
        client("127.0.0.1:9", ca_file="/nonexistent/ca.pem")
    assert "ca_file" in bad.value.message
