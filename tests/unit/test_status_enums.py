"""The domain's enums equal the proto enums: one source of truth for the contract."""

from __future__ import annotations

from spaceone.api.inventory_v2.v1 import job_pb2

from cloudinv.domain.job import JOB_FILTER_ONLY_STATUSES, JobStatus, ResourceGroup


def _names(enum_descriptor: object, unset: str) -> set[str]:
    return {value.name for value in enum_descriptor.values} - {unset}  # type: ignore[attr-defined]


def test_job_status_equals_job_info_status() -> None:
    assert {s.value for s in JobStatus} == _names(job_pb2.JobInfo.Status.DESCRIPTOR, "NONE")


def test_query_status_is_job_status_plus_filter_only_values() -> None:
    query_statuses = _names(job_pb2.JobsQuery.JobStatus.DESCRIPTOR, "JOB_STATE_NONE")
    assert query_statuses == {s.value for s in JobStatus} | JOB_FILTER_ONLY_STATUSES


def test_resource_group_equals_proto() -> None:
    expected = _names(job_pb2.JobInfo.ResourceGroup.DESCRIPTOR, "RESOURCE_GROUP_NONE")
    assert {g.value for g in ResourceGroup} == expected
