"""The served API as data: each verb's request message, service call, and JSON and proto encoders.

REST routes are read from the proto `google.api.http` options, so REST and gRPC cannot drift apart. Services
return JSON-shaped values (dicts with `None` for unset fields, ISO timestamps); the verb kinds below only wrap
them for each transport.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2
from google.protobuf import descriptor, empty_pb2
from google.protobuf.message import Message

from cloudinv.api.codec import to_message, to_struct
from cloudinv.domain.auth import Scope
from cloudinv.services.querying import ListResult

Call = Callable[[Scope, Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Verb:
    name: str
    request_cls: type[Message]
    call: Call
    to_json: Callable[[Any], dict[str, Any]]
    to_message: Callable[[Any], Message]
    sensitive: tuple[str, ...] = ()  # request fields whose values no error may echo (secret data)
    streaming: bool = False  # `call` returns an iterator; the encoders apply to each item


@dataclass(frozen=True)
class ServiceContract:
    descriptor: descriptor.ServiceDescriptor
    verbs: Mapping[str, Verb]

    def rest_routes(self) -> dict[str, Verb]:
        """POST path -> verb, from each method's http option. Methods without one (internal) are not served."""
        routes = {}
        for method in self.descriptor.methods:
            rule = method.GetOptions().Extensions[annotations_pb2.http]
            if rule.post and method.name in self.verbs:
                routes[rule.post] = self.verbs[method.name]
        return routes


def contract(service_descriptor: descriptor.ServiceDescriptor, verbs: Sequence[Verb]) -> ServiceContract:
    return ServiceContract(descriptor=service_descriptor, verbs={v.name: v for v in verbs})


def empty_verb(name: str, request_cls: type[Message], call: Call) -> Verb:
    return Verb(name, request_cls, call, lambda _: {}, lambda _: empty_pb2.Empty())


def info_verb(name: str, request_cls: type[Message], call: Call, info_cls: type[Message]) -> Verb:
    return Verb(name, request_cls, call, dict, lambda info: to_message(info, info_cls))


def struct_verb(name: str, request_cls: type[Message], call: Call) -> Verb:
    return Verb(name, request_cls, call, dict, to_struct)


def list_verb(
    name: str, request_cls: type[Message], call: Call, info_cls: type[Message], list_cls: type[Message]
) -> Verb:
    def as_json(result: ListResult) -> dict[str, Any]:
        return {"results": result.rows, "total_count": result.total_count}

    def as_message(result: ListResult) -> Message:
        message = list_cls(total_count=result.total_count)
        message.results.extend(to_message(row, info_cls) for row in result.rows)
        return message

    return Verb(name, request_cls, call, as_json, as_message)


def stream_verb(name: str, request_cls: type[Message], call: Call) -> Verb:
    """A server stream of JSON objects: gRPC Structs, REST server-sent events."""
    return Verb(name, request_cls, call, dict, to_struct, streaming=True)
