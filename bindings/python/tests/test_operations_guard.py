"""The guard: the binding has the three methods of every call the library
lists in ci_operations(), and no method for a call it does not list; each
method takes the bucket exactly when the call is a bucket call, and the
keyword arguments of exactly the parameters the call takes."""

import inspect
import re
import typing

import cloud_infinite
from cloud_infinite import Client, HostLevel, Operation, Param, Shape
from cloud_infinite._operations import Operations


def names(op):
    one = op.snake_name[:-1] if op.snake_name.endswith("s") else op.snake_name
    return f"describe_{op.snake_name}", f"iter_{op.snake_name}", f"iter_{one}_pages"


def test_every_listed_call_has_its_methods():
    listed = cloud_infinite.operations()
    assert [op.operation for op in listed] == list(Operation)  # every one known, in order
    for op in listed:
        for name in names(op):
            assert callable(getattr(Client, name, None)), f"{op.name}: Client has no {name}"


def test_every_method_is_a_listed_call():
    expected = {name for op in cloud_infinite.operations() for name in names(op)}
    methods = {name for name in vars(Operations) if not name.startswith("_")}
    assert methods == expected, methods ^ expected


def test_the_bucket_is_taken_by_bucket_calls_alone():
    for op in cloud_infinite.operations():
        for name in names(op):
            params = list(inspect.signature(getattr(Client, name)).parameters)
            takes_bucket = params[1:2] == ["bucket"]
            assert takes_bucket == (op.host_level == HostLevel.BUCKET), (op.name, name, params)


def query_keys(method):
    """The keyword arguments `method` types, from its ``**query: Unpack[X]``."""
    annotation = inspect.signature(method).parameters["query"].annotation
    query = getattr(cloud_infinite, re.fullmatch(r"Unpack\[(\w+)\]", str(annotation)).group(1))
    return set(typing.get_type_hints(query))


def test_each_method_types_the_parameters_its_call_takes():
    for op in cloud_infinite.operations():
        takes = {p.name.lower() for p in Param if p & op.params}
        for name in names(op):
            # The timeout is every call's, not a wire parameter.
            assert query_keys(getattr(Client, name)) == takes | {"timeout"}, (op.name, name)


def test_the_page_types_follow_the_shapes():
    for op in cloud_infinite.operations():
        describe = getattr(Client, names(op)[0])
        page = typing.get_type_hints(describe)["return"]
        assert page is cloud_infinite._results.PAGE_TYPES[op.shape], op.name
    assert set(cloud_infinite._results.PAGE_TYPES) == set(Shape)

