"""`spaceone.api.inventory_v2.v1.Collector` and `JobTask`, and the `cloudinv.v1.JobControl` extension."""

from __future__ import annotations

from spaceone.api.inventory_v2.v1 import collector_pb2 as c
from spaceone.api.inventory_v2.v1 import job_pb2
from spaceone.api.inventory_v2.v1 import job_task_pb2 as t

from cloudinv.api.contracts import (
    ServiceContract,
    contract,
    empty_verb,
    info_verb,
    list_verb,
    stream_verb,
    struct_verb,
)
from cloudinv.api.proto import job_control_pb2
from cloudinv.services.collectors import CollectorService
from cloudinv.services.job_control import JobControlService
from cloudinv.services.job_tasks import JobTaskService


def collector_contract(service: CollectorService) -> ServiceContract:
    return contract(
        c.DESCRIPTOR.services_by_name["Collector"],
        [
            info_verb("create", c.CreateCollectorRequest, service.create, c.CollectorInfo),
            info_verb("update", c.UpdateCollectorRequest, service.update, c.CollectorInfo),
            info_verb("update_plugin", c.UpdatePluginRequest, service.update_plugin, c.CollectorInfo),
            empty_verb("verify_plugin", c.VerifyPluginRequest, service.verify_plugin),
            empty_verb("delete", c.CollectorRequest, service.delete),
            info_verb("get", c.CollectorRequest, service.get, c.CollectorInfo),
            list_verb("list", c.CollectorQuery, service.list, c.CollectorInfo, c.CollectorsInfo),
            struct_verb("stat", c.CollectorStatQuery, service.stat),
            info_verb("collect", c.CollectRequest, service.collect, job_pb2.JobInfo),
        ],
    )


def job_task_contract(service: JobTaskService) -> ServiceContract:
    return contract(
        t.DESCRIPTOR.services_by_name["JobTask"],
        [
            empty_verb("delete", t.JobTaskRequest, service.delete),
            info_verb("get", t.JobTaskRequest, service.get, t.JobTaskInfo),
            info_verb("get_detail", t.JobTaskRequest, service.get_detail, t.JobTaskDetailInfo),
            list_verb("list", t.JobTaskQuery, service.list, t.JobTaskInfo, t.JobTasksInfo),
            struct_verb("stat", t.JobTaskStatQuery, service.stat),
        ],
    )


def job_control_contract(service: JobControlService) -> ServiceContract:
    return contract(
        job_control_pb2.DESCRIPTOR.services_by_name["JobControl"],
        [
            struct_verb("cancel", job_control_pb2.JobControlRequest, service.cancel),
            stream_verb("watch", job_control_pb2.JobControlRequest, service.watch),
        ],
    )
