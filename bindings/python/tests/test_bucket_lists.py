"""The six bucket lists (media, pic, AI, ASR, doc and file buckets) through
their generated methods: every parameter and every field, expected answers
computed from the emulator's fixture."""

import pytest

import cloud_infinite
from cloud_infinite import Bucket, BucketPage, InvalidArgumentError, Shape

from conftest import BUCKET, expected_buckets, listed

CALLS = [op for op in cloud_infinite.operations() if op.shape == Shape.BUCKETS]
IDS = [op.snake_name for op in CALLS]


def calls(client, op):
    """The three generated methods of `op`."""
    one = op.snake_name[:-1]
    return (getattr(client, f"describe_{op.snake_name}"), getattr(client, f"iter_{op.snake_name}"),
            getattr(client, f"iter_{one}_pages"))


def test_there_are_six():
    assert IDS == ["media_buckets", "pic_buckets", "ai_buckets", "asr_buckets", "doc_buckets", "file_buckets"]


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_every_field_of_every_bucket_across_pages(client, fixture_data, op):
    describe, items, pages = calls(client, op)
    want = expected_buckets(fixture_data, op.snake_name)
    assert len(want) >= 12 and want[0].bucket_id == BUCKET
    first = describe(page_size=5)
    assert isinstance(first, BucketPage)
    assert (first.total_count, first.page_number, first.page_size) == (len(want), 1, 5)
    assert first.request_id
    assert first.buckets == tuple(want[:5])
    walked = list(pages(page_size=5))
    assert len(walked) == -(-len(want) // 5)
    assert [b for p in walked for b in p.buckets] == want
    assert list(items(page_size=100)) == want
    assert list(items()) == want  # the service's 10 a page


def test_doc_buckets_carry_their_alias(client, fixture_data):
    got = list(client.iter_doc_buckets(page_size=100))
    aliases = [b.alias_bucket_id for b in got]
    assert any(a and a.startswith("preview") for a in aliases)
    assert "" in aliases and None in aliases  # the docs' <AliasBucketId/> is not absent
    assert all(b.alias_bucket_id is None for b in client.iter_media_buckets(page_size=100))


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_every_parameter_at_once(client, fixture_data, op):
    describe, items, _ = calls(client, op)
    regions = ["ap-shanghai", "ap-guangzhou"]
    every = [b for b, _ in listed(fixture_data, op.snake_name)]
    names = [b["name"] for b in every[::2]] + ["nosuch-1250000000"]
    want = [b for b in expected_buckets(fixture_data, op.snake_name)
            if b.region in regions and b.name in names and b.name.startswith("p")]
    query = dict(regions=regions, bucket_names=names, bucket_name_prefix="p", timeout=5)
    page = describe(page_number=1, page_size=100, **query)
    assert page.total_count == len(want)
    assert list(page.buckets) == want
    assert list(items(page_size=1, **query)) == want


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_each_filter(client, fixture_data, op):
    describe, _, _ = calls(client, op)
    every = expected_buckets(fixture_data, op.snake_name)
    by_region = [b for b in every if b.region in ("ap-beijing", "ap-singapore")]
    assert list(describe(regions=("ap-beijing", "ap-singapore"), page_size=100).buckets) == by_region
    assert list(describe(regions="ap-beijing", page_size=100).buckets) == [b for b in every if b.region == "ap-beijing"]
    exact = [b.name for b in every[1:4]]
    assert [b.name for b in describe(bucket_names=exact).buckets] == exact
    assert describe(bucket_names=exact[0][:5]).total_count == 0  # exact names, not prefixes
    prefixed = [b for b in every if b.name.startswith("docs-")]
    assert list(describe(bucket_name_prefix="docs-", page_size=100).buckets) == prefixed


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_page_number_and_page_size(client, fixture_data, op):
    describe, _, pages = calls(client, op)
    every = expected_buckets(fixture_data, op.snake_name)
    page = describe(page_number=2, page_size=3)
    assert (page.page_number, page.page_size, page.total_count) == (2, 3, len(every))
    assert list(page.buckets) == every[3:6]
    assert [b for p in pages(page_number=2, page_size=4) for b in p.buckets] == every[4:]
    past = describe(page_number=1000)
    assert past.buckets == () and past.total_count == len(every)


@pytest.mark.parametrize("op", CALLS, ids=IDS)
def test_parameters_of_other_calls_are_refused(client, op):
    describe, _, pages = calls(client, op)
    for bad in (dict(tag_key="env"), dict(state="Active"), dict(queue_ids=["p1"]), dict(region="ap-beijing")):
        with pytest.raises(InvalidArgumentError, match=f"{op.name} takes no"):
            describe(**bad)
        with pytest.raises(InvalidArgumentError, match=f"{op.name} takes no"):
            pages(**bad)
    with pytest.raises(InvalidArgumentError, match="page_size"):
        describe(page_size=0)
    with pytest.raises(TypeError, match="unexpected keyword argument 'pagesize'"):
        describe(pagesize=10)


def test_results_are_the_shape_types(client):
    page = client.describe_asr_buckets(page_size=1)
    assert type(page) is BucketPage and type(page.buckets[0]) is Bucket
