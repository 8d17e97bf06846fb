"""DescribeCIBuckets through its generated methods: every parameter and
every field, expected answers computed from the emulator's fixture."""

import pytest

from cloud_infinite import CiBucket, CiBucketPage, InvalidArgumentError

from conftest import expected_ci_buckets


def test_every_field_of_every_bucket_across_pages(client, fixture_data):
    want = [item for item, _, _ in expected_ci_buckets(fixture_data)]
    assert len(want) == 139
    first = client.describe_ci_buckets(page_size=7)
    assert isinstance(first, CiBucketPage)
    assert (first.total_count, first.page_number, first.page_size) == (139, 1, 7)
    assert first.request_id
    assert first.ci_buckets == tuple(want[:7])
    pages = list(client.iter_ci_bucket_pages(page_size=50))
    assert [len(p.ci_buckets) for p in pages] == [50, 50, 39]
    assert list(client.iter_ci_buckets(page_size=100)) == want
    assert {b.status for b in want} == {"on", "off"}
    assert all(b.app_id == "1250000000" and b.bucket_name and b.bucket_id.startswith(b.bucket_name) for b in want)


def test_every_parameter_at_once(client, fixture_data):
    every = expected_ci_buckets(fixture_data)
    item, tags, _ = next(e for e in every if e[1] and e[0].region == "ap-shanghai")
    page = client.describe_ci_buckets(bucket_name=item.bucket_name, tag_key=tags[0], region="ap-shanghai",
                                      page_number=1, page_size=10, timeout=5)
    assert page.ci_buckets == (item,) and page.total_count == 1
    assert client.describe_ci_buckets(bucket_name=item.bucket_name, tag_key=tags[0], region="ap-beijing").ci_buckets == ()


def test_each_filter(client, fixture_data):
    every = expected_ci_buckets(fixture_data)
    for tag in ("env", "team", "cost-center", "项目"):
        want = [item for item, tags, _ in every if tag in tags]
        assert list(client.iter_ci_buckets(tag_key=tag, page_size=100)) == want and want
    want = [item for item, _, _ in every if item.region == "ap-chongqing"]
    assert list(client.iter_ci_buckets(region="ap-chongqing")) == want and want
    first = every[3][0]
    assert client.describe_ci_buckets(bucket_name=first.bucket_name).ci_buckets == (first,)
    assert client.describe_ci_buckets(bucket_name=first.bucket_id).ci_buckets == (first,)


def test_page_number_and_page_size(client, fixture_data):
    every = [item for item, _, _ in expected_ci_buckets(fixture_data)]
    page = client.describe_ci_buckets(page_number=4, page_size=9)
    assert (page.page_number, page.page_size) == (4, 9)
    assert list(page.ci_buckets) == every[27:36]
    assert list(client.iter_ci_buckets(page_number=13, page_size=10)) == every[120:]


def test_parameters_of_other_calls_are_refused(client):
    for bad in (dict(regions=["ap-beijing"]), dict(bucket_names=["a-1250000000"]), dict(bucket_name_prefix="a"),
                dict(state="Paused"), dict(category="Transcoding")):
        with pytest.raises(InvalidArgumentError, match="DescribeCIBuckets takes no"):
            client.describe_ci_buckets(**bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidArgumentError, match="page_size"):
        client.iter_ci_bucket_pages(page_size=101)


def test_results_are_the_shape_types(client):
    page = client.describe_ci_buckets(page_size=1)
    assert type(page.ci_buckets[0]) is CiBucket
