"""describe_pic_buckets and its iterators: every parameter and every field,
with expected answers computed from the emulator's fixture."""

import dataclasses
import typing

import pytest

import cloud_infinite
from cloud_infinite import Bucket, BucketPage, InvalidArgumentError, NullArgumentError

from conftest import BUCKET, pic_buckets


def as_bucket(b):
    return Bucket(bucket_id=b["name"], name=b["name"], region=b["region"], create_time=b["create_time"], alias_bucket_id=None)


def test_defaults_give_the_first_page_with_every_field(client, fixture_data):
    expected = pic_buckets(fixture_data)
    page = client.describe_pic_buckets()
    assert isinstance(page, BucketPage)
    assert page.total_count == len(expected) == 130
    assert page.page_number == 1
    assert page.page_size == 10
    assert page.request_id and isinstance(page.request_id, str)
    assert page.buckets == tuple(as_bucket(b) for b in expected[:10])
    first = page.buckets[0]
    assert (first.bucket_id, first.name, first.region, first.create_time) == (
        BUCKET,
        BUCKET,
        "ap-guangzhou",
        "2019-11-15T12:12:12+0800",
    )


def test_results_are_frozen_typed_dataclasses(client):
    page = client.describe_pic_buckets()
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.total_count = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        page.buckets[0].name = "x"  # type: ignore[misc]
    hints = typing.get_type_hints(BucketPage)
    assert hints["total_count"] == typing.Optional[int]
    assert hints["buckets"] == typing.Tuple[Bucket, ...]
    assert [f.name for f in dataclasses.fields(Bucket)] == ["bucket_id", "name", "region", "create_time", "alias_bucket_id"]


def test_every_parameter_at_once(client, fixture_data):
    page = client.describe_pic_buckets(
        regions=["ap-shanghai", "ap-guangzhou"],
        bucket_names=["photos-2-1250000000", "nosuch-1250000000", BUCKET],
        bucket_name_prefix="photos",
        page_number=1,
        page_size=100,
    )
    assert page.total_count == 1
    assert [b.name for b in page.buckets] == ["photos-2-1250000000"]
    assert page.page_size == 100


@pytest.mark.parametrize("regions", [["ap-shanghai"], "ap-shanghai", ("ap-shanghai", "ap-beijing")])
def test_regions(client, fixture_data, regions):
    wanted = [regions] if isinstance(regions, str) else list(regions)
    expected = [b for b in pic_buckets(fixture_data) if b["region"] in wanted]
    page = client.describe_pic_buckets(regions=regions, page_size=100)
    assert page.total_count == len(expected)
    assert [b.name for b in page.buckets] == [b["name"] for b in expected]


def test_bucket_names_are_exact(client, fixture_data):
    names = [b["name"] for b in pic_buckets(fixture_data)[3:6]]
    page = client.describe_pic_buckets(bucket_names=names)
    assert [b.name for b in page.buckets] == names
    assert client.describe_pic_buckets(bucket_names="photos-1").total_count == 0


def test_bucket_name_prefix(client, fixture_data):
    expected = [b["name"] for b in pic_buckets(fixture_data) if b["name"].startswith("photos-1")]
    page = client.describe_pic_buckets(bucket_name_prefix="photos-1", page_size=100)
    assert [b.name for b in page.buckets] == expected
    assert len(expected) == 11


def test_page_number_and_page_size(client, fixture_data):
    expected = pic_buckets(fixture_data)
    page = client.describe_pic_buckets(page_number=3, page_size=7)
    assert (page.page_number, page.page_size) == (3, 7)
    assert [b.name for b in page.buckets] == [b["name"] for b in expected[14:21]]
    past = client.describe_pic_buckets(page_number=1000)
    assert past.buckets == () and past.total_count == 130


def test_empty_lists_mean_not_set(client):
    assert client.describe_pic_buckets(regions=[], bucket_names=()).total_count == 130


def test_per_call_timeout_is_accepted(client):
    # That it is enforced is shown in test_errors (timeout kind).
    assert client.describe_pic_buckets(timeout=5).total_count == 130


def test_iter_pic_buckets_walks_every_page(client, fixture_data):
    expected = [as_bucket(b) for b in pic_buckets(fixture_data)]
    assert list(client.iter_pic_buckets(page_size=50)) == expected
    assert list(client.iter_pic_buckets()) == expected  # the service's 10 per page


def test_iter_pic_bucket_pages(client, fixture_data):
    pages = list(client.iter_pic_bucket_pages(page_size=50))
    assert [p.page_number for p in pages] == [1, 2, 3]
    assert [len(p.buckets) for p in pages] == [50, 50, 30]
    assert all(p.total_count == 130 for p in pages)
    # From a given page, with filters.
    shanghai = [b for b in pic_buckets(fixture_data) if b["region"] == "ap-shanghai"]
    pages = list(client.iter_pic_bucket_pages(regions=["ap-shanghai"], page_size=15, page_number=2))
    assert [p.page_number for p in pages] == [2, 3]
    assert [b.name for p in pages for b in p.buckets] == [b["name"] for b in shanghai[15:]]


def test_iterators_check_the_query_at_once(client):
    before = cloud_infinite.live_objects()
    with pytest.raises(InvalidArgumentError, match="page"):
        client.iter_pic_buckets(page_size=101)
    with pytest.raises(NullArgumentError):
        client.iter_pic_bucket_pages(regions=["ap-shanghai", None])
    assert cloud_infinite.live_objects() == before


def test_an_abandoned_iterator_frees_its_pager(client):
    before = cloud_infinite.live_objects()
    pages = client.iter_pic_bucket_pages(page_size=10)
    assert cloud_infinite.live_objects() == before + 2  # the pager and its CancelToken (Ctrl-C)
    next(pages)
    pages.close()
    assert list(pages) == []
    assert cloud_infinite.live_objects() == before

    items = client.iter_pic_buckets(page_size=10)
    next(items)
    del items  # the generator's close, then the pager's finalizer
    assert cloud_infinite.live_objects() == before

    with client.iter_pic_bucket_pages() as pages:
        next(pages)
    assert cloud_infinite.live_objects() == before


def test_a_failing_page_raises_and_ends_the_walk(fresh_emulator):
    before = cloud_infinite.live_objects()
    with fresh_emulator.client(max_retries=0) as c:
        # One page at a time: with pages fetched ahead, page 2 could be in
        # before the fault is armed.
        pages = c.iter_pic_bucket_pages(page_size=50, concurrency=1)
        assert next(pages).page_number == 1
        fresh_emulator.arm(kind="status", status=500, times=1, path="/picbucket")
        with pytest.raises(cloud_infinite.ServiceError) as info:
            next(pages)
        assert info.value.http_status == 500 and info.value.code == "InternalError"
        assert list(pages) == []  # over, although page 2 would now succeed
    assert cloud_infinite.live_objects() == before
