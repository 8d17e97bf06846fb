"""close(), `with`, the finalizer, and results that own no C memory."""

import copy
import gc
import pickle

import pytest

import cloud_infinite
from cloud_infinite import ClientClosedError, InvalidArgumentError

from conftest import BUCKET


def test_with_closes_and_use_after_close_is_a_clear_error(emulator):
    before = cloud_infinite.live_objects()
    with emulator.client() as c:
        assert cloud_infinite.live_objects() == before + 1
        assert c.describe_pic_buckets().total_count == 130
        assert "open" in repr(c)
    assert c.closed and "closed" in repr(c)
    assert cloud_infinite.live_objects() == before
    for call in (
        lambda: c.describe_pic_buckets(),
        lambda: c.describe_ai_queues(BUCKET),
        lambda: c.iter_pic_buckets(),
        lambda: c.iter_ai_queue_pages(BUCKET),
    ):
        with pytest.raises(ClientClosedError, match="closed") as info:
            call()
        assert isinstance(info.value, InvalidArgumentError)
        assert info.value.kind is cloud_infinite.ErrorKind.INVALID_ARGUMENT
    c.close()  # idempotent


def test_the_finalizer_frees_a_forgotten_client(emulator):
    before = cloud_infinite.live_objects()
    c = emulator.client()
    c.describe_pic_buckets()
    assert cloud_infinite.live_objects() == before + 1
    del c
    gc.collect()
    assert cloud_infinite.live_objects() == before


def test_a_failed_client_leaves_nothing_behind():
    before = cloud_infinite.live_objects()
    with pytest.raises(InvalidArgumentError):
        cloud_infinite.Client(secret_id="a", secret_key="k")  # no region
    gc.collect()
    assert cloud_infinite.live_objects() == before


def test_results_outlive_the_client_and_hold_no_c_memory(emulator):
    before = cloud_infinite.live_objects()
    with emulator.client() as c:
        page = c.describe_ai_queues(BUCKET)
        buckets = list(c.iter_pic_buckets(page_size=100))
    assert cloud_infinite.live_objects() == before
    # Read after everything native is gone.
    assert page.queues[0].notify_config.url == "http://callback.demo.com"
    assert len(buckets) == 130 and buckets[-1].name


def test_an_iterator_keeps_working_after_close(emulator):
    before = cloud_infinite.live_objects()
    c = emulator.client()
    items = c.iter_ai_queues(BUCKET, page_size=5)
    c.close()
    assert len(list(items)) == 25  # the pager holds its own reference
    gc.collect()
    assert cloud_infinite.live_objects() == before


def test_a_client_cannot_be_copied_or_pickled(client):
    for attempt in (lambda: pickle.dumps(client), lambda: copy.copy(client), lambda: copy.deepcopy(client)):
        with pytest.raises(TypeError, match="cannot be pickled or copied"):
            attempt()


def test_repr_shows_no_credentials(emulator):
    with emulator.client(secret_key="very-secret-key-123") as c:
        assert "very-secret" not in repr(c) and "AKID" not in repr(c)
