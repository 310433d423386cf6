from __future__ import annotations

import enum
from collections import OrderedDict
from typing import Any

import pytest
from google.protobuf import json_format, struct_pb2

from cloudinv.plugins._wire import from_message, from_struct, to_message, to_struct
from cloudinv.plugins.protocol import ResourceInfo

NESTED: dict[str, Any] = {
    "s": "text",
    "i": 3,
    "f": 2.5,
    "t": True,
    "n": None,
    "empty_dict": {},
    "empty_list": [],
    "list": [1, "a", None, False, {"k": [{"deep": 1}]}, []],
    "dict": {"x": {"y": {"z": "w"}}},
}


class Colour(enum.StrEnum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


def reference_struct(data: dict[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct


def test_to_struct_builds_what_struct_update_builds() -> None:
    assert to_struct(NESTED) == reference_struct(NESTED)


def test_from_struct_reads_what_message_to_dict_reads() -> None:
    struct = reference_struct(NESTED)
    assert from_struct(struct) == json_format.MessageToDict(struct)


def test_numbers_come_back_as_floats() -> None:
    back = from_struct(to_struct({"i": 3, "big": 2**40}))
    assert back == {"i": 3.0, "big": float(2**40)}
    assert all(type(v) is float for v in back.values())


def test_subclasses_and_tuples_are_sent_as_their_base_types() -> None:
    data = {"c": Colour.RED, "l": Level.HIGH, "o": OrderedDict(a=1), "t": (1, 2)}
    assert from_struct(to_struct(data)) == {"c": "red", "l": 3.0, "o": {"a": 1.0}, "t": [1.0, 2.0]}


def test_a_value_a_struct_cannot_hold_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="object"):
        to_struct({"x": object()})


def test_resource_info_round_trip() -> None:
    item: ResourceInfo = {
        "state": "FAILURE",
        "message": "boom",
        "resource_type": "inventory.ErrorResource",
        "match_rules": {"1": ["data.id"]},
        "resource": {"name": "a", "data": {}},
        "options": {},
    }
    message = to_message(item)
    assert from_message(message) == item
    assert from_message(type(message).FromString(message.SerializeToString())) == item


def test_unset_fields_are_left_out() -> None:
    assert from_message(to_message({"resource_type": "inventory.CloudService"})) == {
        "resource_type": "inventory.CloudService"
    }


def test_an_unknown_state_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        to_message({"state": "BROKEN"})
