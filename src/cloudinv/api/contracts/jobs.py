"""`spaceone.api.inventory_v2.v1.Job`."""

from __future__ import annotations

from spaceone.api.inventory_v2.v1 import job_pb2

from cloudinv.api.contracts import ServiceContract, contract, empty_verb, info_verb, list_verb, struct_verb
from cloudinv.services.jobs import JobService


def job_contract(service: JobService) -> ServiceContract:
    return contract(
        job_pb2.DESCRIPTOR.services_by_name["Job"],
        [
            empty_verb("delete", job_pb2.JobRequest, service.delete),
            info_verb("get", job_pb2.JobRequest, service.get, job_pb2.JobInfo),
            list_verb("list", job_pb2.JobsQuery, service.list, job_pb2.JobInfo, job_pb2.JobsInfo),
            struct_verb("analyze", job_pb2.JobAnalyzeQuery, service.analyze),
            struct_verb("stat", job_pb2.JobStatQuery, service.stat),
        ],
    )
