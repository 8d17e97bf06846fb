"""The packed JSON page (``ci_query.page_format`` = ``CI_PAGE_FORMAT_JSON``),
which every describe call and pager of the binding asks for: for every
operation, the page converted from its JSON equals, field by field, the
page the same call answers as C item arrays (``CI_PAGE_FORMAT_STRUCTS``),
on a fixture whose strings hold what JSON must escape (quotes, backslashes,
control characters), entities and Unicode, whose numbers exceed 2**53, and
whose queues have every NotifyConfig / KafkaConfig variant and absent fields.
Then the row decoders alone, on hand-written JSON."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import subprocess
from ctypes import POINTER, byref
from typing import Any, Iterator

import pytest

import cloud_infinite
from cloud_infinite import HostLevel, Param, Shape, _abi, _calls, _ffi, _results

from conftest import BUCKET, EMULATOR_BIN, Emulator, expected_ci_buckets, expected_queues

ESCAPES = "escapes-1250000000"
#: What JSON escapes (a quote, a backslash, control characters: tab, line
#: feed, carriage return, 0x01, 0x1f; DEL is none) next to XML's entities,
#: text that looks like an escape, and Unicode beyond the BMP.
TRICKY = 'q"uote \\back\\slash\\u0041 \ttab\nline\r\x01\x1f\x7f <&> </x> \'apos\' é 中文 🎉 \u2028 end'


def carried(text: Any) -> Any:
    """`text` (or every string of a dataclass) as XML 1.0 can carry it,
    which the emulator's answer does: C0 controls other than tab, LF and CR
    become U+FFFD there (both page formats then agree on U+FFFD, which the
    cross-checks prove)."""
    if dataclasses.is_dataclass(text):
        return dataclasses.replace(text, **{f.name: carried(getattr(text, f.name)) for f in dataclasses.fields(text)})
    if not isinstance(text, str):
        return text
    return "".join("\ufffd" if ord(c) < 0x20 and c not in "\t\n\r" else c for c in text)


BIG = 2**64 - 1  # a u64 that a double could not hold

CONVERTERS = {Shape.BUCKETS: _results.bucket_page, Shape.CI_BUCKETS: _results.ci_bucket_page, Shape.QUEUES: _results.queue_page}


def tricky_queue(i: int, snake_name: str) -> dict:
    """A queue of the escapes bucket: the variants of every field, by `i`."""
    kafka = {"region": f"ap-{TRICKY}", "instance_id": f"ckafka-{i}", "topic": TRICKY}
    notify = [
        None,
        {"url": f"http://cb.example.com/{TRICKY}?a=1&b=2", "event": "TaskFinish", "type": "Url", "state": "On",
         "result_format": "JSON", "mq_mode": None, "mq_region": None, "mq_name": None, "kafka_config": None},
        {"url": None, "event": TRICKY, "type": "Kafka", "state": "On", "result_format": None,
         "mq_mode": None, "mq_region": None, "mq_name": None, "kafka_config": kafka},
        {"url": "", "event": "TaskFinish", "type": "TDMQ", "state": "Off", "result_format": "XML",
         "mq_mode": "Queue", "mq_region": "bj", "mq_name": TRICKY, "kafka_config": None},
        {"url": None, "event": None, "type": "Kafka", "state": None, "result_format": None,
         "mq_mode": None, "mq_region": None, "mq_name": None, "kafka_config": {"region": None, "instance_id": None, "topic": None}},
    ][i % 5]
    categories = {"media_queues": "Transcoding", "pic_queues": "PicProcessing", "ai_queues": "AIProcess",
                  "asr_queues": "Speeching", "doc_queues": "DocProcessing", "file_queues": "FileProcess"}
    return {
        "queue_id": f"p{i:031x}e", "name": f"{TRICKY} {i}", "state": "Active" if i % 2 else "Paused",
        "notify_config": notify, "max_size": [BIG, 0, 2**53 + 1, 10000, 1][i % 5],
        "max_concurrent": [1, BIG, 0, None, 2**63][i % 5], "category": categories[snake_name],
        "update_time": TRICKY if i % 3 == 0 else "2022-08-09T16:23:11+0800",
        "create_time": "" if i % 4 == 1 else "2022-08-09T16:23:11+0800",
        "bucket_id": [None, ESCAPES, TRICKY][i % 3],
    }


def tricky_fixture(path: Any) -> Any:
    """The built-in fixture plus a bucket in every list whose strings and
    numbers are the hard cases."""
    fixture = json.loads(subprocess.run([EMULATOR_BIN, "--dump-fixture"], check=True, capture_output=True,
                                        text=True, timeout=60).stdout)
    template = fixture["buckets"][0]
    lists = {name: {"alias_bucket_id": f"alias {TRICKY}" if name == "doc_buckets" else None} for name in template["bucket_lists"]}
    queues = {name: [tricky_queue(i, name) for i in range(12)] for name in template["queues"]}
    fixture["buckets"].insert(1, {
        "name": ESCAPES, "region": "ap-guangzhou", "create_time": TRICKY, "bucket_lists": lists,
        "ci": {"bucket_name": f"escapes {TRICKY}", "app_id": "1250000000", "status": TRICKY, "tags": {"k": "v"}},
        "queues": queues, "fault": None,
    })
    path.write_text(json.dumps(fixture))
    return fixture


@pytest.fixture(scope="module")
def tricky(tmp_path_factory: Any) -> Iterator[Any]:
    """(emulator, client, fixture) with the tricky bucket."""
    path = tmp_path_factory.mktemp("json") / "fixture.json"
    fixture = tricky_fixture(path)
    emu = Emulator(path)
    try:
        with emu.client() as client:
            yield emu, client, fixture
    finally:
        emu.stop()


def raw_page(client: cloud_infinite.Client, op: Any, bucket: Any, page_format: int, **query: Any) -> Any:
    """One page of `op` through ``ci_describe`` with `page_format`, converted
    by the binding's converter of its shape; also checks which half of
    ``ci_page`` the library filled."""
    q = _calls.Query("raw_page", query)
    q.struct.page_format = page_format
    out = POINTER(_abi.ci_page)()
    handle = client._enter()
    try:
        error = _ffi.lib.ci_describe(handle, op.operation, None if bucket is None else bucket.encode(), byref(q.struct), byref(out))
    finally:
        client._leave()
    assert not error, _ffi.lib.ci_error_message(error)
    try:
        page = out.contents
        arrays = [(page.buckets_len, bool(page.buckets)), (page.ci_buckets_len, bool(page.ci_buckets)),
                  (page.queues_len, bool(page.queues)), (page.non_exist_pids_len, bool(page.non_exist_pids))]
        if page_format == _abi.PageFormat.JSON:
            assert page.json is not None and len(page.json) == page.json_size
            assert all(arr == (0, False) for arr in arrays)
            assert page.json.startswith(b'{"items":[') and b'"non_exist_pids":[' in page.json
        else:
            assert page.json is None and page.json_size == 0
        return CONVERTERS[op.shape](page)
    finally:
        _ffi.lib.ci_free(out)


def assert_same(a: Any, b: Any, where: str = "page", skip: tuple = ()) -> None:
    """`a` equals `b` field by field, with the same types (an int is not a
    float, a str not bytes), naming the first field that differs."""
    assert type(a) is type(b), f"{where}: {type(a).__name__} vs {type(b).__name__}"
    if dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            if f.name not in skip:
                assert_same(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, tuple):
        assert len(a) == len(b), f"{where}: {len(a)} items vs {len(b)}"
        for i, (x, y) in enumerate(zip(a, b)):
            assert_same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} vs {b!r}"


def buckets_of(op: Any) -> list:
    return [BUCKET, ESCAPES] if op.host_level == HostLevel.BUCKET else [None]


OPS = cloud_infinite.operations()


@pytest.mark.parametrize("op", OPS, ids=[op.snake_name for op in OPS])
def test_json_page_equals_structs_page(tricky, op):
    _, client, _ = tricky
    for bucket in buckets_of(op):
        queries = [{"page_size": 100}, {"page_size": 7, "page_number": 2}]
        if op.params & Param.QUEUE_IDS:
            ids = [q.queue_id for q in raw_page(client, op, bucket, _abi.PageFormat.STRUCTS, page_size=3).queues]
            queries.append({"queue_ids": ["pnope\"\\1", *ids, "pnope2"]})
        if op.params & Param.CATEGORY:
            queries.append({"category": "CateAll", "page_size": 100})
        for query in queries:
            structs = raw_page(client, op, bucket, _abi.PageFormat.STRUCTS, **query)
            packed = raw_page(client, op, bucket, _abi.PageFormat.JSON, **query)
            # Each answer has its own request id.
            assert structs.request_id and packed.request_id
            assert_same(packed, structs, f"{op.snake_name}({bucket}, {query})", skip=("request_id",))
            items = packed.queues if op.shape == Shape.QUEUES else packed.ci_buckets if op.shape == Shape.CI_BUCKETS else packed.buckets
            assert items or query.get("page_number") == 2
            if "queue_ids" in query:
                assert packed.non_exist_pids == ('pnope"\\1', "pnope2")
            # What the public method answers: the same page.
            public = getattr(client, f"describe_{op.snake_name}")
            args = () if bucket is None else (bucket,)
            assert_same(public(*args, **query), structs, f"describe_{op.snake_name}", skip=("request_id",))


@pytest.mark.parametrize("op", OPS, ids=[op.snake_name for op in OPS])
def test_every_page_of_a_pager_equals_its_structs_page(tricky, op):
    _, client, _ = tricky
    one = op.snake_name[:-1]
    for bucket in buckets_of(op):
        args = () if bucket is None else (bucket,)
        walked = list(getattr(client, f"iter_{one}_pages")(*args, page_size=5, concurrency=3))
        assert walked
        for number, page in enumerate(walked, 1):
            structs = raw_page(client, op, bucket, _abi.PageFormat.STRUCTS, page_size=5, page_number=number)
            assert_same(page, structs, f"iter_{one}_pages page {number}", skip=("request_id",))


def test_the_async_client_reads_the_same_pages(tricky):
    emu, client, _ = tricky
    op = next(op for op in OPS if op.snake_name == "ai_queues")

    async def main():
        async with cloud_infinite.AsyncClient(**emu.options()) as c:
            page = await c.describe_ai_queues(ESCAPES, page_size=100)
            walked = [p async for p in c.iter_ai_queue_pages(ESCAPES, page_size=5)]
            return page, walked

    page, walked = asyncio.run(main())
    structs = raw_page(client, op, ESCAPES, _abi.PageFormat.STRUCTS, page_size=100)
    assert_same(page, structs, skip=("request_id",))
    assert_same(tuple(q for p in walked for q in p.queues), structs.queues)


def test_the_tricky_values_arrive_exactly(tricky):
    """Against the fixture itself, not only the other format: every escape,
    every big number, every absent field."""
    _, client, fixture = tricky
    tricky_text = carried(TRICKY)
    assert "\t" in tricky_text and "\\u0041" in tricky_text and "\ufffd" in tricky_text
    for name in ("media_queues", "pic_queues", "ai_queues", "asr_queues", "doc_queues", "file_queues"):
        got = list(getattr(client, f"iter_{name}")(ESCAPES, page_size=100, **({"category": "CateAll"} if name == "media_queues" else {})))
        want = [carried(q) for q in expected_queues(fixture, name, ESCAPES)]
        assert_same(tuple(got), tuple(want), name)
    queues = client.describe_ai_queues(ESCAPES, page_size=100).queues
    assert any(q.name.startswith(tricky_text) for q in queues)
    assert {q.max_size for q in queues} >= {BIG, 0, 2**53 + 1}
    assert any(q.notify_config is None for q in queues)
    assert any(q.notify_config and q.notify_config.kafka_config and q.notify_config.kafka_config.topic == tricky_text for q in queues)
    assert any(q.notify_config and q.notify_config.kafka_config and q.notify_config.kafka_config.region is None for q in queues)
    assert any(q.bucket_id is None for q in queues) and any(q.create_time == "" for q in queues)
    assert any(q.max_concurrent is None for q in queues) and any(q.max_concurrent == 2**63 for q in queues)
    doc = {b.name: b for b in client.iter_doc_buckets(page_size=100)}
    assert doc[ESCAPES].create_time == tricky_text and doc[ESCAPES].alias_bucket_id == f"alias {tricky_text}"
    ci = {b.bucket_id: b for b in client.iter_ci_buckets(page_size=100)}
    want_ci = {item.bucket_id: item for item, _, _ in expected_ci_buckets(fixture)}
    assert_same(ci[ESCAPES], carried(want_ci[ESCAPES]), "ci bucket")
    assert ci[ESCAPES].status == tricky_text


# --- the row decoders alone, on hand-written JSON ---------------------------

def test_row_decoders_read_hand_written_rows():
    text = ('{"items":[["p1","a\\"b\\\\c\\td\\ne\\u0001\\u001f\\/ \\u00e9 é \\ud83c\\udf89",null,'
            '["u",null,"Kafka","On",null,null,null,null,["r","i","t"]],18446744073709551615,null,'
            '"AIProcess",null,"",null]],"non_exist_pids":["x\\"y"]}')
    rows = json.loads(text)
    queue = _results._queue_row(rows["items"][0])
    assert queue == cloud_infinite.Queue(
        queue_id="p1", name='a"b\\c\td\ne\x01\x1f/ é é 🎉', state=None,
        notify_config=cloud_infinite.NotifyConfig(url="u", event=None, type="Kafka", state="On", result_format=None,
                                                  mq_mode=None, mq_region=None, mq_name=None,
                                                  kafka_config=cloud_infinite.KafkaConfig(region="r", instance_id="i", topic="t")),
        max_size=2**64 - 1, max_concurrent=None, category="AIProcess", update_time=None, create_time="", bucket_id=None,
    )
    assert type(queue.max_size) is int
    assert _results._bucket_row(["b", "n", "r", None, None]) == cloud_infinite.Bucket("b", "n", "r", None, None)
    assert _results._ci_bucket_row([None] * 6) == cloud_infinite.CiBucket(*[None] * 6)
    assert _results._notify_config_row([None] * 9).kafka_config is None


def test_the_rows_hold_every_field_of_the_dataclasses_in_order():
    """Each decoder reads one element per field, in the dataclass's order
    (which is the C struct's): a row of distinct markers comes back in order."""
    for cls, decode in ((cloud_infinite.Bucket, _results._bucket_row), (cloud_infinite.CiBucket, _results._ci_bucket_row),
                        (cloud_infinite.KafkaConfig, _results._kafka_config_row)):
        names = [f.name for f in dataclasses.fields(cls)]
        obj = decode(list(names))
        assert [getattr(obj, n) for n in names] == names
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, names[0], "x")
    names = [f.name for f in dataclasses.fields(cloud_infinite.Queue)]
    row: list = list(names)
    row[names.index("notify_config")] = None
    obj = _results._queue_row(row)
    assert [getattr(obj, n) for n in names] == row
