"""REST and gRPC clients with one calling convention: `call(verb, body, token, resource=, service=) -> Reply`."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import grpc
from fastapi.testclient import TestClient
from google.api import annotations_pb2
from google.protobuf import descriptor, json_format, message_factory

from cloudinv.api.contracts import ServiceContract
from cloudinv.api.grpc.server import create_server
from cloudinv.api.rest.app import create_app
from cloudinv.app import Application

SECRET_SERVICE = "spaceone.api.secret.v1.Secret"


def service_name(resource: str, service: str | None) -> str:
    """The proto service a call goes to: `service` (full name), else the inventory_v2 one `resource` names
    (`job` -> Job, `job_task` -> JobTask)."""
    return service or "spaceone.api.inventory_v2.v1." + "".join(part.title() for part in resource.split("_"))


def _method(contracts: Sequence[ServiceContract], service: str, verb: str) -> descriptor.MethodDescriptor:
    """The proto method, from the served contracts (so a call to an unserved service fails loudly)."""
    for contract in contracts:
        if contract.descriptor.full_name == service:
            return contract.descriptor.methods_by_name[verb]
    raise KeyError(f"{service} is not served")


@dataclass
class Reply:
    code: str  # "OK" or the error code (ERROR_X)
    data: Any
    message: str = ""

    @property
    def ok(self) -> bool:
        return self.code == "OK"


def _integral(value: Any) -> Any:
    """gRPC Structs carry numbers as doubles; compare them as REST shows them."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [_integral(v) for v in value]
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    return value


class RestClient:
    transport = "rest"

    def __init__(self, application: Application) -> None:
        self.contracts = application.contracts
        self.http = TestClient(create_app(application.contracts, application.tokens), raise_server_exceptions=False)

    def post(self, path: str, body: Any, token: str | None, headers: dict[str, str] | None = None) -> Any:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        content = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.http.post(path, content=content, headers=all_headers)

    def call(self, verb: str, body: Any, token: str | None, resource: str = "job", service: str | None = None) -> Reply:
        method = _method(self.contracts, service_name(resource, service), verb)
        path = method.GetOptions().Extensions[annotations_pb2.http].post
        if not path:
            raise KeyError(f"{method.full_name} has no REST route")
        response = self.post(path, body, token)
        data = response.json()
        if response.status_code == 200:
            return Reply("OK", data)
        return Reply(data["detail"]["code"], data, data["detail"]["message"])

    def close(self) -> None:
        self.http.close()


class GrpcClient:
    transport = "grpc"

    def __init__(self, application: Application) -> None:
        self.contracts = application.contracts
        self.server, port = create_server(application.contracts, application.tokens, "127.0.0.1:0", workers=4)
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")

    def call(self, verb: str, body: Any, token: str | None, resource: str = "job", service: str | None = None) -> Reply:
        name = service_name(resource, service)
        method = _method(self.contracts, name, verb)
        request_cls = message_factory.GetMessageClass(method.input_type)
        response_cls = message_factory.GetMessageClass(method.output_type)
        stub = self.channel.unary_unary(
            f"/{name}/{verb}",
            request_serializer=request_cls.SerializeToString,
            response_deserializer=response_cls.FromString,
        )
        metadata = (("token", token),) if token else ()
        try:
            response = stub(json_format.ParseDict(body, request_cls()), metadata=metadata, timeout=10)
        except grpc.RpcError as error:
            code, _, message = (error.details() or "").partition(": ")
            if not code.startswith("ERROR_"):  # not one of ours (e.g. UNIMPLEMENTED): the gRPC status
                code, message = f"GRPC_{error.code().name}", error.details() or ""
            return Reply(code, None, message)
        return Reply("OK", _integral(json_format.MessageToDict(response, preserving_proto_field_name=True)))

    def close(self) -> None:
        self.channel.close()
        self.server.stop(grace=None)
