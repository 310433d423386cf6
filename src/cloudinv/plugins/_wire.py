"""dict <-> `google.protobuf.Struct` and ResourceInfo <-> its message, for the gRPC plugin client and server.

Hand-written rather than `Struct.update` / `json_format.MessageToDict` because every streamed resource pays
for them: these give the same results (a test checks against json_format) in about two thirds of the time.
Structs carry every number as a double, so ints come back as floats; that is the protocol, not ours to undo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from google.protobuf import struct_pb2
from spaceone.api.inventory.plugin import collector_pb2

from cloudinv.plugins.protocol import ResourceInfo

_STATE = collector_pb2.ResourceInfo.State
_STRUCT_FIELDS = ("match_rules", "resource", "options")


def to_struct(data: Mapping[str, Any]) -> Any:
    struct = struct_pb2.Struct()
    _fill_struct(struct, data)
    return struct


def from_struct(struct: Any) -> dict[str, Any]:
    # Keys then lookups: the map's items() is the generic Mapping mixin, slower by a third. Strings first: most
    # values are strings, and they need no call.
    fields = struct.fields
    result = {}
    for key in fields:
        value = fields[key]
        kind = value.WhichOneof("kind")
        result[key] = value.string_value if kind == "string_value" else _from_kind(value, kind)
    return result


def to_message(item: ResourceInfo) -> Any:
    """Raises ValueError for an unknown state and TypeError for a value a Struct cannot hold."""
    message = collector_pb2.ResourceInfo(
        state=_STATE.Value(item.get("state", "NONE")),
        message=item.get("message", ""),
        resource_type=item.get("resource_type", ""),
    )
    for name in _STRUCT_FIELDS:
        value = cast("Mapping[str, Any] | None", item.get(name))  # TypedDict.get with a variable key is `object`
        if value is not None:
            _fill_struct(getattr(message, name), value)
    return message


def from_message(message: Any) -> ResourceInfo:
    """Fields left at their proto3 default are left out, as json_format.MessageToDict would."""
    item: ResourceInfo = {}
    if message.state:
        item["state"] = _STATE.Name(message.state)
    if message.message:
        item["message"] = message.message
    if message.resource_type:
        item["resource_type"] = message.resource_type
    if message.HasField("match_rules"):
        item["match_rules"] = from_struct(message.match_rules)
    if message.HasField("resource"):
        item["resource"] = from_struct(message.resource)
    if message.HasField("options"):
        item["options"] = from_struct(message.options)
    return item


def _fill_struct(struct: Any, data: Mapping[str, Any]) -> None:
    # Struct.fields[key] creates the Value in place: no intermediate message is built and copied.
    fields = struct.fields
    struct.SetInParent()  # an empty dict must still read back as present, not as unset
    for key, value in data.items():
        _fill_value(fields[key], value)


def _fill_value(target: Any, value: Any) -> None:
    kind = type(value)
    # Exact-type checks first: they are the fast path, and they keep bool (an int subclass) a bool.
    if kind is str:
        target.string_value = value
    elif kind is dict:
        _fill_struct(target.struct_value, value)
    elif kind is int or kind is float:
        target.number_value = value
    elif kind is bool:
        target.bool_value = value
    elif kind is list or kind is tuple:
        _fill_list(target, value)
    elif value is None:
        target.null_value = struct_pb2.NULL_VALUE
    else:
        _fill_subclass(target, value)


def _fill_list(target: Any, values: Any) -> None:
    container = target.list_value
    container.SetInParent()
    add = container.values.add
    for value in values:
        _fill_value(add(), value)


def _fill_subclass(target: Any, value: Any) -> None:
    """Subclasses of the JSON types (StrEnum, IntEnum, OrderedDict...) are sent as their base type."""
    if isinstance(value, bool):
        target.bool_value = bool(value)
    elif isinstance(value, int | float):
        target.number_value = float(value)
    elif isinstance(value, str):
        target.string_value = str(value)
    elif isinstance(value, Mapping):
        _fill_struct(target.struct_value, value)
    elif isinstance(value, list | tuple):
        _fill_list(target, value)
    else:
        raise TypeError(f"a Struct cannot hold {type(value).__name__}: {value!r:.80}")


def _from_value(value: Any) -> Any:
    return _from_kind(value, value.WhichOneof("kind"))


def _from_kind(value: Any, kind: str | None) -> Any:
    if kind == "string_value":
        return value.string_value
    if kind == "struct_value":
        return from_struct(value.struct_value)
    if kind == "number_value":
        return value.number_value
    if kind == "list_value":
        return [_from_value(v) for v in value.list_value.values]
    if kind == "bool_value":
        return value.bool_value
    return None  # null_value, or a Value with nothing set
