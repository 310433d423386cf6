"""collect -> Job + JobTasks + sub-tasks, written in one transaction with the dispatch records."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, bindparam, insert, select, update

from cloudinv.domain.clock import utcnow
from cloudinv.domain.counts import TaskError
from cloudinv.domain.ids import new_id
from cloudinv.domain.job import ALL_WORKSPACES, JobStatus, JobTaskStatus, SubTaskStatus
from cloudinv.plugins.protocol import CollectorPlugin, PluginError
from cloudinv.store.lifecycle import Finished, abort_job
from cloudinv.store.schema import collectors, job_tasks, jobs, sub_tasks

log = logging.getLogger(__name__)

CANCELED_BY_RECOLLECT = TaskError("ERROR_COLLECT_CANCELED", "canceled by a newer collect of the same scope")


@dataclass(frozen=True)
class SecretTarget:
    """One secret to collect with (secret_id None: a plugin that needs no secret)."""

    secret_id: str | None
    data: Mapping[str, Any]
    provider: str | None = None
    workspace_id: str | None = None
    project_id: str | None = None
    service_account_id: str | None = None


@dataclass
class CollectPlan:
    job: dict[str, Any]
    tasks: list[dict[str, Any]] = field(default_factory=list)
    sub_tasks: list[dict[str, Any]] = field(default_factory=list)


def sub_task_options(plugin: CollectorPlugin, options: Mapping[str, Any], data: Mapping[str, Any]) -> list[Any]:
    """The plugin's sub-tasks for one secret; one with no options when it has none or fails to say."""
    try:
        tasks = plugin.get_tasks(options, data)
    except (PluginError, NotImplementedError, AttributeError) as exc:
        log.info("get_tasks unavailable (%s): one sub-task", exc)
        return [{}]
    return list(tasks) or [{}]


def plan(
    collector: Mapping[str, Any],
    plugin: CollectorPlugin,
    targets: Sequence[SecretTarget],
    request_secret_id: str | None,
    request_workspace_id: str | None,
) -> CollectPlan:
    now = utcnow()
    options = collector["plugin_info"].get("options") or {}
    job_id = new_id("job")
    job = {
        "job_id": job_id, "status": JobStatus.IN_PROGRESS.value if targets else JobStatus.SUCCESS.value,
        "total_tasks": len(targets), "remained_tasks": len(targets), "success_tasks": 0, "failure_tasks": 0,
        "request_secret_id": request_secret_id, "request_workspace_id": request_workspace_id,
        "resource_group": collector["resource_group"], "domain_id": collector["domain_id"],
        "workspace_id": collector["workspace_id"], "collector_id": collector["collector_id"],
        "plugin_id": collector["plugin_id"], "created_at": now, "updated_at": now,
        "finished_at": None if targets else now,
    }  # fmt: skip
    result = CollectPlan(job=job)
    for target in targets:
        options_list = sub_task_options(plugin, options, target.data)
        task_id = new_id("job-task")
        workspace = target.workspace_id if target.workspace_id not in (None, ALL_WORKSPACES) else job["workspace_id"]
        result.tasks.append({
            "job_task_id": task_id, "job_id": job_id, "status": JobTaskStatus.PENDING.value,
            "provider": target.provider or collector.get("provider"),
            "total_sub_tasks": len(options_list), "remained_sub_tasks": len(options_list), "failed_sub_tasks": 0,
            "created_count": 0, "updated_count": 0, "deleted_count": 0, "disconnected_count": 0,
            "failure_count": 0, "secret_id": target.secret_id, "service_account_id": target.service_account_id,
            "project_id": target.project_id, "resource_group": collector["resource_group"],
            "domain_id": collector["domain_id"], "workspace_id": workspace,
            "collector_id": collector["collector_id"], "plugin_id": collector["plugin_id"],
            "created_at": now, "updated_at": now,
        })  # fmt: skip
        result.sub_tasks.extend(
            {"sub_task_id": new_id("sub-task"), "job_task_id": task_id, "job_id": job_id,
             "status": SubTaskStatus.PENDING.value, "task_options": task_options, "attempts": 0,
             "created_count": 0, "updated_count": 0, "failure_count": 0, "created_at": now}
            for task_options in options_list
        )  # fmt: skip
    return result


# Built once: a collect is on the hot path of every job.
_RUNNING = select(jobs.c.job_id).where(
    jobs.c.collector_id == bindparam("b_collector_id"),
    jobs.c.status == JobStatus.IN_PROGRESS.value,
    jobs.c.request_secret_id == bindparam("b_secret_id"),
)
_RUNNING_UNNAMED = select(jobs.c.job_id).where(
    jobs.c.collector_id == bindparam("b_collector_id"),
    jobs.c.status == JobStatus.IN_PROGRESS.value,
    jobs.c.request_secret_id.is_(None),
)
_COLLECTED = (
    update(collectors)
    .where(collectors.c.collector_id == bindparam("b_collector_id"))
    .values(last_collected_at=bindparam("b_at"))
)


def write(conn: Connection, collect_plan: CollectPlan) -> dict[str, Finished]:
    """In the caller's transaction: cancel the running job of the same scope, store the plan. Returns what
    it finished: the jobs it canceled, by id."""
    job = collect_plan.job
    scope = {"b_collector_id": job["collector_id"], "b_secret_id": job["request_secret_id"]}
    running = _RUNNING_UNNAMED if job["request_secret_id"] is None else _RUNNING
    canceled = {}
    for job_id in conn.execute(running, scope).scalars():
        finished = abort_job(conn, job_id, JobStatus.CANCELED, CANCELED_BY_RECOLLECT)
        if finished is not None:
            canceled[job_id] = finished
    conn.execute(insert(jobs), job)
    if collect_plan.tasks:
        conn.execute(insert(job_tasks), collect_plan.tasks)
        conn.execute(insert(sub_tasks), collect_plan.sub_tasks)
    conn.execute(_COLLECTED, {"b_collector_id": job["collector_id"], "b_at": job["created_at"]})
    return canceled
