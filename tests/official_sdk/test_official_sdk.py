"""Tencent's official Python SDK (cos-python-sdk-v5) against ci-emulator.

The emulator must accept a client we did not write (its signatures: host
signed without the port, every parameter sent even when empty, form-encoded
URLs) and answer XML that client reads. The SDK reaches the emulator as an
HTTP proxy, so its requests keep their production host names.
"""

import json
import os
import subprocess
import urllib.request

import pytest
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EMULATOR = os.environ.get("CI_EMULATOR_BIN", os.path.join(ROOT, "target", "debug", "ci-emulator"))
BUCKET = "examplebucket-1250000000"


@pytest.fixture
def emulator():
    proc = subprocess.Popen(
        [EMULATOR, "--listen", "127.0.0.1:0", "--exit-on-stdin-eof"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        line = proc.stdout.readline()
        assert "listening on http://" in line, line
        addr = line.strip().rsplit("http://", 1)[1]
        yield addr
    finally:
        proc.kill()
        proc.wait()


def control(addr, path):
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://{addr}/__emulator/{path}") as r:
        return json.load(r)


def sdk(addr, secret_id="AKIDemulatorEXAMPLE", secret_key="emulator-secret-key", token=None):
    conf = CosConfig(
        Region="ap-guangzhou", SecretId=secret_id, SecretKey=secret_key, Token=token,
        Scheme="http", Proxies={"http": f"http://{addr}"},
    )
    return CosS3Client(conf, retry=0)


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def pic_buckets(fixture):
    return [b for b in fixture["buckets"] if b.get("pic_process", True)]


def test_sdk_lists_pic_buckets_with_defaults_and_every_parameter(emulator):
    fixture = control(emulator, "fixture")
    expected = pic_buckets(fixture)
    client = sdk(emulator)

    first = client.ci_get_pic_bucket()
    assert int(first["TotalCount"]) == len(expected)
    assert [b["Name"] for b in as_list(first["PicBucketList"])] == [b["name"] for b in expected[:10]]
    assert as_list(first["PicBucketList"])[0]["Region"] == expected[0]["region"]

    last = client.ci_get_pic_bucket(PageNumber="2", PageSize="100")
    assert len(as_list(last.get("PicBucketList"))) == len(expected) - 100

    shanghai = [b for b in expected if b["region"] == "ap-shanghai"]
    by_region = client.ci_get_pic_bucket(Regions="ap-shanghai", PageSize="100")
    assert int(by_region["TotalCount"]) == len(shanghai)

    names = [expected[1]["name"], expected[2]["name"]]
    exact = client.ci_get_pic_bucket(BucketNames=",".join(names))
    assert [b["Name"] for b in as_list(exact["PicBucketList"])] == names

    prefix = expected[0]["name"][:4]
    by_prefix = client.ci_get_pic_bucket(BucketName=prefix, PageSize="100")
    assert int(by_prefix["TotalCount"]) == sum(b["name"].startswith(prefix) for b in expected)


def test_sdk_lists_ai_queues_by_page_state_and_id(emulator):
    fixture = control(emulator, "fixture")
    queues = next(b for b in fixture["buckets"] if b["name"] == BUCKET)["queues"]
    client = sdk(emulator)

    page = client.ci_get_ai_queue(Bucket=BUCKET, PageSize="100")
    assert int(page["TotalCount"]) == len(queues)
    got = as_list(page["QueueList"])
    assert [q["QueueId"] for q in got] == [q["queue_id"] for q in queues]
    # Names that needed escaping arrive intact through the SDK's own parser.
    assert [q["Name"] for q in got] == [q["name"] for q in queues]

    paused = client.ci_get_ai_queue(Bucket=BUCKET, State="Paused", PageSize="100")
    assert int(paused["TotalCount"]) == sum(q["state"] == "Paused" for q in queues)

    by_id = client.ci_get_ai_queue(Bucket=BUCKET, QueueIds=f"{queues[0]['queue_id']},pNoSuch")
    assert [q["QueueId"] for q in as_list(by_id["QueueList"])] == [queues[0]["queue_id"]]
    assert as_list(by_id["NonExistPIDs"]) == ["pNoSuch"]
    assert "TotalCount" not in by_id


def test_sdk_temporary_credentials_are_accepted(emulator):
    client = sdk(emulator, "AKIDemulatorTMP", "emulator-tmp-key", token="emulator-session-token")
    assert int(client.ci_get_pic_bucket()["TotalCount"]) > 100
    assert as_list(client.ci_get_ai_queue(Bucket=BUCKET)["QueueList"])


def test_sdk_reads_our_error_bodies(emulator):
    with pytest.raises(CosServiceError) as wrong_key:
        sdk(emulator, secret_key="wrong").ci_get_pic_bucket()
    assert wrong_key.value.get_status_code() == 403
    assert wrong_key.value.get_error_code() == "SignatureDoesNotMatch"
    assert wrong_key.value.get_request_id()

    # CI's own errors have a <Response> root. The SDK's digest only knows
    # <Error>, so it reports code "Unknown" for them (our parser reads both);
    # the status and the raw body still reach its user.
    with pytest.raises(CosServiceError) as missing:
        sdk(emulator).ci_get_ai_queue(Bucket="nosuchbucket-1250000000")
    assert missing.value.get_status_code() == 404
    assert missing.value.get_error_code() in ("NoSuchBucket", "Unknown")
    assert "<Code>NoSuchBucket</Code>" in missing.value.get_origin_msg()
