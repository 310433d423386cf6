"""The Job entity's vocabulary: statuses, resource groups, and the transition rules."""

from __future__ import annotations

from enum import StrEnum


class JobStatus(StrEnum):
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"


# `TIMEOUT` exists only as a JobsQuery filter value; a timed-out job becomes FAILURE, so it matches nothing.
JOB_FILTER_ONLY_STATUSES = frozenset({"TIMEOUT"})

TERMINAL_JOB_STATUSES = frozenset({JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.CANCELED})

# Allowed transitions, FROM -> TO. Terminal statuses never change again.
JOB_TRANSITIONS: dict[JobStatus, frozenset[JobStatus]] = {
    JobStatus.IN_PROGRESS: TERMINAL_JOB_STATUSES,
    JobStatus.SUCCESS: frozenset(),
    JobStatus.FAILURE: frozenset(),
    JobStatus.CANCELED: frozenset(),
}


class JobTaskStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"


class ResourceGroup(StrEnum):
    DOMAIN = "DOMAIN"
    WORKSPACE = "WORKSPACE"


# A DOMAIN-level row's workspace.
ALL_WORKSPACES = "*"


def can_transition(current: JobStatus, target: JobStatus) -> bool:
    return target in JOB_TRANSITIONS[current]


def terminal_status_when_done(failure_tasks: int) -> JobStatus:
    """The status a job takes when its last task finishes."""
    return JobStatus.FAILURE if failure_tasks > 0 else JobStatus.SUCCESS


ACTIVE_TASK_STATUSES = frozenset({JobTaskStatus.PENDING, JobTaskStatus.IN_PROGRESS})


class SubTaskStatus(StrEnum):
    PENDING = "PENDING"
    IN_PROGRESS = "IN_PROGRESS"
    SUCCESS = "SUCCESS"
    FAILURE = "FAILURE"
    CANCELED = "CANCELED"
