"""The six queue lists (media, pic, AI, ASR, doc and file queues) through
their generated methods: every parameter and every field, expected answers
computed from the emulator's fixture."""

import pytest

import cloud_infinite
from cloud_infinite import InvalidArgumentError, NullArgumentError, Param, QueuePage, QueueState, ServiceError, Shape

from conftest import BUCKET, expected_queues

CALLS = [op for op in cloud_infinite.operations() if op.shape == Shape.QUEUES]
IDS = [op.snake_name for op in CALLS]


def calls(client, op):
    """The three generated methods of `op`, each taking the bucket first."""
    one = op.snake_name[:-1]
    return (getattr(client, f"describe_{op.snake_name}"), getattr(client, f"iter_{op.snake_name}"),
            getattr(client, f"iter_{one}_pages"))


def listed_by_default(op, queues):
    """What a listing without ``category`` lists: the media queue docs say the
    service then lists Transcoding queues only; other calls take no category."""
    if op.params & Param.CATEGORY:
        return [q for q in queues if q.category == "Transcoding"]
    return queues


def test_there_are_six():
    assert IDS == ["media_queues", "pic_queues", "ai_queues", "asr_queues", "doc_queues", "file_queues"]


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_every_field_of_every_queue_across_pages(client, fixture_data, op):
    describe, items, pages = calls(client, op)
    want = listed_by_default(op, expected_queues(fixture_data, op.snake_name))
    assert len(want) >= 4
    first = describe(BUCKET, page_size=3)
    assert isinstance(first, QueuePage)
    assert (first.total_count, first.page_number, first.page_size) == (len(want), 1, 3)
    assert first.request_id and first.non_exist_pids == ()
    assert first.queues == tuple(want[:3])
    walked = list(pages(BUCKET, page_size=3))
    assert len(walked) == -(-len(want) // 3)
    assert [q for p in walked for q in p.queues] == want
    assert list(items(BUCKET, page_size=100)) == want


def test_every_variant_of_every_field_is_read(client, fixture_data):
    every = [q for op in CALLS for q in calls(client, op)[1](BUCKET, page_size=100)]
    configs = [q.notify_config for q in every if q.notify_config is not None]
    assert any(q.notify_config is None for q in every)
    assert any(n.url and n.event and n.type == "Url" and n.result_format for n in configs)
    assert any(n.type == "TDMQ" and n.mq_mode and n.mq_region and n.mq_name for n in configs)
    kafka = [n.kafka_config for n in configs if n.kafka_config is not None]
    assert kafka and all(k.region and k.instance_id and k.topic for k in kafka)
    assert any(n.url == "" and n.state == "Off" for n in configs)  # the docs' <Url/> is "", not None
    assert any(q.bucket_id == BUCKET for q in every) and any(q.bucket_id is None for q in every)
    assert any(q.name and "&" in q.name and "<" in q.name and '"' in q.name for q in every)
    assert all(q.max_size is not None and q.max_concurrent is not None and q.update_time and q.create_time for q in every)
    categories = {q.category for q in every}
    assert {"Transcoding", "PicProcessing", "AIProcess", "Speeching", "DocProcessing", "FileProcess"} <= categories


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_state(client, fixture_data, op):
    describe, items, _ = calls(client, op)
    queues = listed_by_default(op, expected_queues(fixture_data, op.snake_name))
    for state, name in ((QueueState.ACTIVE, "Active"), ("Paused", "Paused"), (QueueState.ANY, None)):
        want = [q for q in queues if name is None or q.state == name]
        assert want
        assert list(items(BUCKET, state=state, page_size=2)) == want
        assert describe(BUCKET, state=state).total_count == len(want)
    with pytest.raises(InvalidArgumentError, match="Active"):
        describe(BUCKET, state="active")


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_queue_ids_list_the_unknown_and_drop_paging(client, fixture_data, op):
    describe, _, pages = calls(client, op)
    queues = expected_queues(fixture_data, op.snake_name)
    wanted = [queues[2], queues[0]]
    page = describe(BUCKET, queue_ids=["pnope1", wanted[0].queue_id, wanted[1].queue_id, "pnope2"])
    assert list(page.queues) == wanted  # in the order asked
    assert page.non_exist_pids == ("pnope1", "pnope2")
    assert (page.total_count, page.page_number, page.page_size) == (None, None, None)  # absent, not 0
    assert describe(BUCKET, queue_ids=wanted[1].queue_id).queues == (wanted[1],)
    walked = list(pages(BUCKET, queue_ids=[wanted[0].queue_id, "pnope"]))
    assert len(walked) == 1 and walked[0].non_exist_pids == ("pnope",)


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_page_number_and_page_size(client, fixture_data, op):
    describe, items, _ = calls(client, op)
    queues = listed_by_default(op, expected_queues(fixture_data, op.snake_name))
    page = describe(BUCKET, page_number=2, page_size=2, timeout=5)
    assert (page.page_number, page.page_size, page.total_count) == (2, 2, len(queues))
    assert list(page.queues) == queues[2:4]
    assert list(items(BUCKET, page_number=2, page_size=3)) == queues[3:]
    with pytest.raises(InvalidArgumentError, match="page_size"):
        describe(BUCKET, page_size=0)


def test_category_of_the_media_queues(client, fixture_data):
    queues = expected_queues(fixture_data, "media_queues")
    for category in ("Transcoding", "SpeedTranscoding"):
        want = [q for q in queues if q.category == category]
        assert want and list(client.iter_media_queues(BUCKET, category=category, page_size=5)) == want
    assert list(client.iter_media_queues(BUCKET, category="CateAll", page_size=100)) == queues
    every = client.describe_media_queues(BUCKET, category="SpeedTranscoding", state="Active", page_number=1, page_size=100)
    assert list(every.queues) == [q for q in queues if q.category == "SpeedTranscoding" and q.state == "Active"]
    with pytest.raises(ServiceError) as info:
        client.describe_media_queues(BUCKET, category="NoSuchCategory")  # the service decides
    assert info.value.http_status == 400


@pytest.mark.parametrize("op", [op for op in CALLS if not op.params & Param.CATEGORY], ids=lambda op: op.snake_name)
def test_category_is_refused_where_the_docs_have_none(client, op):
    describe, _, pages = calls(client, op)
    for call in (describe, pages):
        with pytest.raises(InvalidArgumentError, match=f"{op.name} takes no category"):
            call(BUCKET, category="Transcoding")


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_the_bucket(client, fixture_data, op):
    describe, items, pages = calls(client, op)
    assert describe("emptybucket-1250000000").queues == ()
    other = expected_queues(fixture_data, op.snake_name, "photos-1-1250000000")
    assert list(items("photos-1-1250000000", page_size=100)) == listed_by_default(op, other)
    with pytest.raises(ServiceError) as info:
        describe("nosuchbucket-1250000000")
    assert info.value.code == "NoSuchBucket"
    for call in (describe, items, pages):
        with pytest.raises(NullArgumentError):
            call(None)
    with pytest.raises(InvalidArgumentError):
        describe("Not A Bucket")
    for bad in (dict(regions=["ap-beijing"]), dict(tag_key="env"), dict(bucket_name="x")):
        with pytest.raises(InvalidArgumentError, match=f"{op.name} takes no"):
            describe(BUCKET, **bad)
