"""describe_ai_queues and its iterators: every parameter and every field,
expected answers computed from the emulator's fixture."""

import json

import pytest

import cloud_infinite
from cloud_infinite import InvalidArgumentError, NotifyConfig, NullArgumentError, Queue, QueueState

from conftest import BUCKET, Emulator, from_fixture, queues_of

DOC_QUEUE = Queue(
    queue_id="p4a17eeea29334bf499b7e20e2fbfd99d",
    name="My-Queue-ai",
    state="Active",
    notify_config=NotifyConfig(
        url="http://callback.demo.com",
        event="TaskFinish,WorkflowFinish",
        type="Url",
        state="On",
        result_format="JSON",
        mq_mode=None,
        mq_region=None,
        mq_name=None,
        kafka_config=None,
    ),
    max_size=10000,
    max_concurrent=10,
    category="AIProcess",
    update_time="2022-08-09T16:23:11+0800",
    create_time="2022-08-09T16:23:11+0800",
    bucket_id=None,
)


def as_queue(q):
    return from_fixture(Queue, q)


def test_defaults_and_the_documentation_example(client, fixture_data):
    queues = queues_of(fixture_data)
    page = client.describe_ai_queues(BUCKET)
    assert (page.total_count, page.page_number, page.page_size) == (len(queues), 1, 10) == (25, 1, 10)
    assert page.request_id
    assert page.non_exist_pids == ()
    assert page.queues[0] == DOC_QUEUE
    assert page.queues == tuple(as_queue(q) for q in queues[:10])


def test_results_are_whole_dataclasses(client):
    # The binding builds results without calling __init__: each must hold
    # exactly its fields and compare, hash and print as if built normally.
    import dataclasses

    page = client.describe_ai_queues(BUCKET, page_size=100)
    configs = [q.notify_config for q in page.queues if q.notify_config is not None]
    buckets = client.describe_pic_buckets(page_size=100).buckets
    assert configs and buckets
    for obj in [*page.queues, *configs, *buckets]:
        names = [f.name for f in dataclasses.fields(obj)]
        assert list(vars(obj)) == names
        again = type(obj)(**{name: getattr(obj, name) for name in names})
        assert (again, hash(again), repr(again)) == (obj, hash(obj), repr(obj))
        with pytest.raises(dataclasses.FrozenInstanceError):
            obj.name = "changed"


def test_escaped_and_chinese_names_and_tdmq(client):
    q = client.describe_ai_queues(BUCKET).queues
    assert q[1].name == "q&<tag> \"double\" 'single'"
    assert q[1].notify_config is None
    assert q[2].name == "队列-测试"
    tdmq = q[2].notify_config
    assert tdmq.type == "TDMQ" and tdmq.url is None
    assert tdmq.mq_mode and tdmq.mq_region and tdmq.mq_name


def test_every_field_of_every_queue(client, fixture_data):
    expected = [as_queue(q) for q in queues_of(fixture_data)]
    assert client.describe_ai_queues(BUCKET, page_size=100).queues == tuple(expected)


def test_queue_ids_list_unknown_ids_and_drop_paging(client):
    page = client.describe_ai_queues(BUCKET, queue_ids=["A", DOC_QUEUE.queue_id, "B"])
    assert page.queues == (DOC_QUEUE,)
    assert page.non_exist_pids == ("A", "B")
    # Absent, not 0.
    assert (page.total_count, page.page_number, page.page_size) == (None, None, None)
    assert client.describe_ai_queues(BUCKET, queue_ids=DOC_QUEUE.queue_id).queues == (DOC_QUEUE,)


@pytest.mark.parametrize("state", ["Active", "Paused", QueueState.ACTIVE, QueueState.PAUSED, QueueState.ANY])
def test_state(client, fixture_data, state):
    name = {QueueState.ACTIVE: "Active", QueueState.PAUSED: "Paused"}.get(state, state)
    queues = queues_of(fixture_data)
    expected = [q for q in queues if state is QueueState.ANY or q["state"] == name]
    page = client.describe_ai_queues(BUCKET, state=state, page_size=100)
    assert [q.queue_id for q in page.queues] == [q["queue_id"] for q in expected]
    assert page.total_count == len(expected)


def test_category_is_the_media_queues_alone(client):
    # Only DescribeMediaProcessQueues documents category: the library
    # refuses it here rather than send what the service ignores.
    with pytest.raises(InvalidArgumentError, match="DescribeAiProcessQueues takes no category"):
        client.describe_ai_queues(BUCKET, category="AIProcess")  # type: ignore[call-arg]


def test_page_number_and_page_size(client, fixture_data):
    queues = queues_of(fixture_data)
    page = client.describe_ai_queues(BUCKET, page_number=2, page_size=7, timeout=5)
    assert (page.page_number, page.page_size, page.total_count) == (2, 7, 25)
    assert [q.queue_id for q in page.queues] == [q["queue_id"] for q in queues[7:14]]


def test_a_bucket_without_queues(client):
    page = client.describe_ai_queues("emptybucket-1250000000")
    assert page.queues == () and page.total_count == 0


def test_iter_ai_queues_and_pages(client, fixture_data):
    expected = [as_queue(q) for q in queues_of(fixture_data)]
    assert list(client.iter_ai_queues(BUCKET, page_size=7)) == expected
    pages = list(client.iter_ai_queue_pages(BUCKET, page_size=7))
    assert [len(p.queues) for p in pages] == [7, 7, 7, 4]
    paused = list(client.iter_ai_queues(BUCKET, state="Paused", page_size=3))
    assert paused and all(q.state == "Paused" for q in paused)
    by_id = list(client.iter_ai_queue_pages(BUCKET, queue_ids=[DOC_QUEUE.queue_id, "nope"]))
    assert len(by_id) == 1 and by_id[0].non_exist_pids == ("nope",)
    assert list(client.iter_ai_queues(BUCKET, page_number=4, page_size=7)) == expected[21:]


def test_bad_queries(client):
    with pytest.raises(InvalidArgumentError):
        client.describe_ai_queues(BUCKET, state=9)  # type: ignore[arg-type]  # refused by the library
    with pytest.raises(InvalidArgumentError, match="Active"):
        client.describe_ai_queues(BUCKET, state="active")
    with pytest.raises(InvalidArgumentError):
        client.describe_ai_queues("a.evil.com/x")
    with pytest.raises(InvalidArgumentError):
        client.iter_ai_queues("Bad Bucket")
    with pytest.raises(NullArgumentError):
        client.describe_ai_queues(None)  # type: ignore[arg-type]
    with pytest.raises(NullArgumentError):
        client.iter_ai_queue_pages(None)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError):
        client.describe_ai_queues(BUCKET, queue_ids=["a,b"])


def test_absent_elements_are_none_not_zero_or_empty(tmp_path):
    """A queue with nothing but its id, through a fixture of our own: every
    optional string and number comes back None."""
    fixture = {
        "credentials": [{"secret_id": "AKIDemulatorEXAMPLE", "secret_key": "emulator-secret-key", "session_token": None}],
        "buckets": [
            {
                "name": "bare-1250000000",
                "region": "ap-guangzhou",
                "create_time": "2020-01-01T00:00:00+0800",
                "queues": {
                    "ai_queues": [
                        {"queue_id": "pbare"},
                        {"queue_id": "pzero", "max_size": 0, "max_concurrent": 0, "notify_config": {"state": "Off"}},
                    ]
                },
            }
        ],
    }
    path = tmp_path / "fixture.json"
    path.write_text(json.dumps(fixture))
    before = cloud_infinite.live_objects()
    emu = Emulator(path)
    try:
        with emu.client() as c:
            bare, zero = c.describe_ai_queues("bare-1250000000").queues
    finally:
        emu.stop()
    assert bare == Queue("pbare", None, None, None, None, None, None, None, None, None)
    assert (zero.max_size, zero.max_concurrent) == (0, 0)  # present and 0 stays 0
    assert zero.notify_config == NotifyConfig(None, None, None, "Off", None, None, None, None, None)
    assert cloud_infinite.live_objects() == before
