"""Proto <-> dict conversion shared by both adapters, so REST and gRPC validate and answer alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format, struct_pb2
from google.protobuf.message import Message

from cloudinv.domain.errors import ERROR_INVALID_ARGUMENT, ERROR_INVALID_PARAMETER, ERROR_INVALID_PARAMETER_TYPE


def message_to_dict(message: Message) -> dict[str, Any]:
    result: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return result


def decode_json(
    body: Mapping[str, Any] | None, message_cls: type[Message], sensitive: Sequence[str] = ()
) -> dict[str, Any]:
    """A REST body checked against the request message (unknown fields and wrong types are errors).

    `sensitive` fields (secret data, always Structs) are parsed apart: protobuf's parse errors quote the value.
    """
    fields = dict(body or {})
    held = {name: fields.pop(name) for name in sensitive if fields.get(name) is not None}
    try:
        message = json_format.ParseDict(fields, message_cls())
    except (json_format.ParseError, TypeError, ValueError, OverflowError) as exc:
        raise ERROR_INVALID_ARGUMENT(reason=str(exc)) from exc
    for name, value in held.items():
        _parse_sensitive(name, value, getattr(message, name))
    return message_to_dict(message)


def _parse_sensitive(name: str, value: Any, field: Message) -> None:
    """A wrong value is described by its type, never quoted; `from None` keeps it out of tracebacks too."""
    if not isinstance(value, dict):
        raise ERROR_INVALID_PARAMETER_TYPE(key=name, type="object")
    try:
        json_format.ParseDict(value, field)
    except (json_format.ParseError, TypeError, ValueError, OverflowError):
        raise ERROR_INVALID_PARAMETER(key=name, reason="not an object a Struct can hold") from None


def to_message(data: Mapping[str, Any], message_cls: type[Message]) -> Message:
    """proto3 output: unset (null) fields are left out."""
    return json_format.ParseDict({k: v for k, v in data.items() if v is not None}, message_cls())


def to_struct(data: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct
