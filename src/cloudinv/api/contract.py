"""The served API as data: each verb's request/response messages, service call and JSON encoding.

REST routes are read from the proto `google.api.http` options, so REST and gRPC cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from google.api import annotations_pb2
from google.protobuf import descriptor, empty_pb2
from google.protobuf.message import Message
from spaceone.api.inventory_v2.v1 import job_pb2

from cloudinv.api.codec import row_json, to_message, to_struct
from cloudinv.domain.auth import Scope
from cloudinv.services.jobs import JobService
from cloudinv.services.querying import ListResult


@dataclass(frozen=True)
class Verb:
    name: str
    request_cls: type[Message]
    call: Callable[[Scope, Mapping[str, Any]], Any]
    to_json: Callable[[Any], dict[str, Any]]
    to_message: Callable[[Any], Message]


@dataclass(frozen=True)
class ServiceContract:
    descriptor: descriptor.ServiceDescriptor
    verbs: Mapping[str, Verb]

    def rest_routes(self) -> dict[str, Verb]:
        """POST path -> verb, from each method's http option."""
        routes = {}
        for method in self.descriptor.methods:
            rule = method.GetOptions().Extensions[annotations_pb2.http]
            routes[rule.post] = self.verbs[method.name]
        return routes


def _jobs_json(result: ListResult) -> dict[str, Any]:
    return {"results": [row_json(r, result.columns) for r in result.rows], "total_count": result.total_count}


def _jobs_message(result: ListResult) -> Message:
    info = job_pb2.JobsInfo(total_count=result.total_count)
    for row in result.rows:
        info.results.append(to_message(row_json(row, result.columns), job_pb2.JobInfo))
    return info


def _job_json(row: Any) -> dict[str, Any]:
    return row_json(row, tuple(row.keys()))


def job_contract(service: JobService) -> ServiceContract:
    def empty_json(_: Any) -> dict[str, Any]:
        return {}

    verbs = [
        Verb("delete", job_pb2.JobRequest, service.delete, empty_json, lambda _: empty_pb2.Empty()),
        Verb("get", job_pb2.JobRequest, service.get, _job_json,
             lambda row: to_message(_job_json(row), job_pb2.JobInfo)),
        Verb("list", job_pb2.JobsQuery, service.list, _jobs_json, _jobs_message),
        Verb("analyze", job_pb2.JobAnalyzeQuery, service.analyze, dict, to_struct),
        Verb("stat", job_pb2.JobStatQuery, service.stat, dict, to_struct),
    ]  # fmt: skip
    return ServiceContract(descriptor=job_pb2.DESCRIPTOR.services_by_name["Job"], verbs={v.name: v for v in verbs})
