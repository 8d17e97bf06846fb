"""The signer, through ci_sign: every vector made by Tencent's official
Python SDK (tests/fixtures/sign_vectors.json) is reproduced exactly,
intermediate strings included."""

import json

import pytest

import cloud_infinite
from cloud_infinite import InvalidArgumentError, NullArgumentError, Signature, sign

from conftest import ROOT

VECTORS = json.loads((ROOT / "tests" / "fixtures" / "sign_vectors.json").read_text(encoding="utf-8"))["vectors"]


def test_there_are_forty_vectors():
    assert len(VECTORS) == 40


@pytest.mark.parametrize("v", VECTORS, ids=[v["name"] for v in VECTORS])
def test_official_sdk_vector(v):
    before = cloud_infinite.live_objects()
    s = sign(
        secret_id=v["secret_id"],
        secret_key=v["secret_key"],
        method=v["method"],
        path=v["path"],
        params=v["params"],
        headers=v["headers"],
        start_time=v["start_time"],
        end_time=v["end_time"],
    )
    assert isinstance(s, Signature)
    assert s.authorization == v["expected_authorization"]
    assert s.header_list == v["signed_header_list"]
    assert s.param_list == v["signed_param_list"]
    assert s.http_string == v["http_string"]
    assert s.string_to_sign == v["string_to_sign"]
    assert s.authorization.endswith("&q-signature=" + s.signature) and len(s.signature) == 40
    assert cloud_infinite.live_objects() == before


def test_pairs_work_as_well_as_mappings():
    v = next(v for v in VECTORS if len(v["params"]) > 2 and len(v["headers"]) > 1)
    s = sign(secret_id=v["secret_id"], secret_key=v["secret_key"], method=v["method"], path=v["path"],
             params=list(v["params"].items()), headers=tuple(v["headers"].items()),
             start_time=v["start_time"], end_time=v["end_time"])
    assert s.authorization == v["expected_authorization"]


def test_repr_hides_the_authorization():
    v = VECTORS[0]
    s = sign(secret_id=v["secret_id"], secret_key=v["secret_key"], method="GET", path="/picbucket",
             start_time=1, end_time=2)
    assert s.signature not in repr(s) and "q-signature" not in repr(s)


def test_errors():
    base = dict(secret_id="a", secret_key="k", method="GET", path="/", start_time=10, end_time=20)
    with pytest.raises(InvalidArgumentError):
        sign(**{**base, "end_time": 5})  # the library: end before start
    with pytest.raises(NullArgumentError):
        sign(**{**base, "secret_key": None})
    with pytest.raises(InvalidArgumentError, match="start_time"):
        sign(**{**base, "start_time": -1})
    with pytest.raises(InvalidArgumentError, match="start_time"):
        sign(**{**base, "start_time": 1.5})
    with pytest.raises(InvalidArgumentError, match="params"):
        sign(**base, params=[("only-a-name",)])
    with pytest.raises(InvalidArgumentError, match="headers"):
        sign(**base, headers={"host": 5})
