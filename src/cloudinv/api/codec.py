"""Proto <-> dict conversion shared by both adapters, so REST and gRPC validate and answer alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from google.protobuf import json_format, struct_pb2
from google.protobuf.message import Message
from sqlalchemy import RowMapping

from cloudinv.domain.errors import ERROR_INVALID_ARGUMENT
from cloudinv.query.values import plain


def message_to_dict(message: Message) -> dict[str, Any]:
    result: dict[str, Any] = json_format.MessageToDict(message, preserving_proto_field_name=True)
    return result


def decode_json(body: Mapping[str, Any] | None, message_cls: type[Message]) -> dict[str, Any]:
    """A REST body checked against the request message (unknown fields and wrong types are errors)."""
    try:
        message = json_format.ParseDict(body or {}, message_cls())
    except (json_format.ParseError, TypeError, ValueError) as exc:
        raise ERROR_INVALID_ARGUMENT(reason=str(exc)) from exc
    return message_to_dict(message)


def row_json(row: RowMapping, columns: Sequence[str]) -> dict[str, Any]:
    """A stored row as REST shows it: every requested column, null when unset, ISO timestamps."""
    return {name: plain(row[name]) for name in columns}


def to_message(data: Mapping[str, Any], message_cls: type[Message]) -> Message:
    """proto3 output: unset (null) fields are left out."""
    return json_format.ParseDict({k: v for k, v in data.items() if v is not None}, message_cls())


def to_struct(data: Mapping[str, Any]) -> struct_pb2.Struct:
    struct = struct_pb2.Struct()
    struct.update(data)
    return struct
