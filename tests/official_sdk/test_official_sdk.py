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


def listed(fixture, snake):
    """The fixture's buckets of one bucket list, in answer order."""
    return [b for b in fixture["buckets"] if snake in b.get("bucket_lists", {})]


def queues_of(fixture, bucket, snake):
    return next(b for b in fixture["buckets"] if b["name"] == bucket)["queues"].get(snake, [])


# The bucket lists the official SDK wraps: its function, our table's name,
# and the element it answers.
BUCKET_CALLS = [
    ("ci_get_pic_bucket", "pic_buckets", "PicBucketList"),
    ("ci_get_media_bucket", "media_buckets", "MediaBucketList"),
    ("ci_get_ai_bucket", "ai_buckets", "AiBucketList"),
    ("ci_get_asr_bucket", "asr_buckets", "AsrBucketList"),
    ("ci_get_doc_bucket", "doc_buckets", "DocBucketList"),
]

# The queue lists it wraps (it has none for file queues, nor for /cibuckets).
QUEUE_CALLS = [
    ("ci_get_ai_queue", "ai_queues"),
    ("ci_get_media_queue", "media_queues"),
    ("ci_get_media_pic_queue", "pic_queues"),
    ("ci_get_asr_queue", "asr_queues"),
    ("ci_get_doc_queue", "doc_queues"),
]


@pytest.mark.parametrize("function,snake,element", BUCKET_CALLS)
def test_sdk_lists_each_service_s_buckets_with_defaults_and_every_parameter(emulator, function, snake, element):
    fixture = control(emulator, "fixture")
    expected = listed(fixture, snake)
    call = getattr(sdk(emulator), function)

    first = call(PageNumber="1", PageSize="10")
    assert int(first["TotalCount"]) == len(expected)
    assert [b["Name"] for b in as_list(first[element])] == [b["name"] for b in expected[:10]]
    assert as_list(first[element])[0]["Region"] == expected[0]["region"]
    if snake == "doc_buckets":
        alias = expected[0]["bucket_lists"][snake]["alias_bucket_id"]
        assert as_list(first[element])[0].get("AliasBucketId") == alias

    everything = call(PageNumber="1", PageSize="100")
    assert len(as_list(everything.get(element))) == min(len(expected), 100)

    shanghai = [b for b in expected if b["region"] == "ap-shanghai"]
    by_region = call(Regions="ap-shanghai", PageNumber="1", PageSize="100")
    assert int(by_region["TotalCount"]) == len(shanghai)

    names = [expected[1]["name"], expected[2]["name"]]
    exact = call(BucketNames=",".join(names), PageNumber="1", PageSize="10")
    assert [b["Name"] for b in as_list(exact[element])] == names

    prefix = expected[0]["name"][:4]
    by_prefix = call(BucketName=prefix, PageNumber="1", PageSize="100")
    assert int(by_prefix["TotalCount"]) == sum(b["name"].startswith(prefix) for b in expected)


@pytest.mark.parametrize("function,snake", QUEUE_CALLS)
def test_sdk_lists_each_kind_of_queue_by_page_state_and_id(emulator, function, snake):
    fixture = control(emulator, "fixture")
    queues = queues_of(fixture, BUCKET, snake)
    if snake == "media_queues":
        # The SDK sends no category, and the service then lists Transcoding queues.
        queues = [q for q in queues if q["category"] == "Transcoding"]
    call = getattr(sdk(emulator), function)

    page = call(Bucket=BUCKET, PageNumber="1", PageSize="100")
    assert int(page["TotalCount"]) == len(queues)
    got = as_list(page["QueueList"])
    assert [q["QueueId"] for q in got] == [q["queue_id"] for q in queues]
    # Names that needed escaping arrive intact through the SDK's own parser.
    assert [q["Name"] for q in got] == [q["name"] for q in queues]
    assert [q.get("Category") for q in got] == [q["category"] for q in queues]

    paused = call(Bucket=BUCKET, State="Paused", PageNumber="1", PageSize="100")
    assert int(paused["TotalCount"]) == sum(q["state"] == "Paused" for q in queues)

    by_id = call(Bucket=BUCKET, QueueIds=f"{queues[0]['queue_id']},pNoSuch", PageNumber="1", PageSize="10")
    assert [q["QueueId"] for q in as_list(by_id["QueueList"])] == [queues[0]["queue_id"]]
    assert as_list(by_id["NonExistPIDs"]) == ["pNoSuch"]
    assert "TotalCount" not in by_id


def test_sdk_temporary_credentials_are_accepted(emulator):
    client = sdk(emulator, "AKIDemulatorTMP", "emulator-tmp-key", token="emulator-session-token")
    assert int(client.ci_get_pic_bucket()["TotalCount"]) == len(listed(control(emulator, "fixture"), "pic_buckets"))
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
