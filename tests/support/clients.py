"""REST and gRPC clients with one calling convention: `call(verb, body, token) -> Reply`."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import grpc
from fastapi.testclient import TestClient
from google.protobuf import json_format
from spaceone.api.inventory_v2.v1 import job_pb2

from cloudinv.api.grpc.server import create_server
from cloudinv.api.rest.app import create_app
from cloudinv.app import Application

_JOB_REQUESTS = {
    "delete": job_pb2.JobRequest,
    "get": job_pb2.JobRequest,
    "list": job_pb2.JobsQuery,
    "analyze": job_pb2.JobAnalyzeQuery,
    "stat": job_pb2.JobStatQuery,
}


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
        self.http = TestClient(create_app(application.contracts, application.tokens), raise_server_exceptions=False)

    def post(self, path: str, body: Any, token: str | None, headers: dict[str, str] | None = None) -> Any:
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        content = body if isinstance(body, bytes | str) else json.dumps(body)
        return self.http.post(path, content=content, headers=all_headers)

    def call(self, verb: str, body: Any, token: str | None, resource: str = "job") -> Reply:
        response = self.post(f"/inventory-v2/v1/{resource}/{verb}", body, token)
        data = response.json()
        if response.status_code == 200:
            return Reply("OK", data)
        return Reply(data["detail"]["code"], data, data["detail"]["message"])

    def close(self) -> None:
        self.http.close()


class GrpcClient:
    transport = "grpc"

    def __init__(self, application: Application) -> None:
        self.server, port = create_server(application.contracts, application.tokens, "127.0.0.1:0", workers=4)
        self.server.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{port}")

    def call(self, verb: str, body: Any, token: str | None, resource: str = "job") -> Reply:
        request_cls = _JOB_REQUESTS[verb]
        request = json_format.ParseDict(body, request_cls())
        method = self.channel.unary_unary(
            f"/spaceone.api.inventory_v2.v1.Job/{verb}",
            request_serializer=request_cls.SerializeToString,
            response_deserializer=lambda raw: raw,
        )
        metadata = (("token", token),) if token else ()
        try:
            raw = method(request, metadata=metadata, timeout=10)
        except grpc.RpcError as error:
            code, _, message = (error.details() or "").partition(": ")
            return Reply(code, None, message)
        return Reply("OK", _integral(self._decode(verb, raw)))

    @staticmethod
    def _decode(verb: str, raw: bytes) -> Any:
        from google.protobuf import empty_pb2, struct_pb2

        response_cls: Any = {
            "delete": empty_pb2.Empty, "get": job_pb2.JobInfo, "list": job_pb2.JobsInfo,
            "analyze": struct_pb2.Struct, "stat": struct_pb2.Struct,
        }[verb]  # fmt: skip
        message = response_cls.FromString(raw)
        return json_format.MessageToDict(message, preserving_proto_field_name=True)

    def close(self) -> None:
        self.channel.close()
        self.server.stop(grace=None)
