"""Cancel, re-collect, delete while running, timeouts, retention: no job is left IN_PROGRESS."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import update

from cloudinv.domain.clock import utcnow
from cloudinv.store import lifecycle
from cloudinv.store.schema import jobs
from tests.support.collection import ADMIN, drain, job, synthetic_collector, synthetic_secret, tasks


def _started(application: Any, **options: Any) -> tuple[str, dict[str, Any]]:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, **options)
    return collector_id, application.collectors.collect(ADMIN, {"collector_id": collector_id})


def _errors(application: Any, job_task_id: str) -> list[str]:
    detail = application.job_tasks.get_detail(ADMIN, {"job_task_id": job_task_id})
    return [e["error_code"] for e in detail["failure_info"]["errors"]]


def test_cancel_ends_the_job_and_its_tasks_never_run(application: Any) -> None:
    _, started = _started(application, sub_tasks=3)
    canceled = application.job_control.cancel(ADMIN, {"job_id": started["job_id"]})
    assert canceled["status"] == "CANCELED"
    assert (canceled["remained_tasks"], canceled["failure_tasks"]) == (0, 1)
    assert canceled["finished_at"] is not None
    assert drain(application) == 0
    [task] = tasks(application, started["job_id"])
    assert task["status"] == "CANCELED"
    assert _errors(application, task["job_task_id"]) == ["ERROR_COLLECT_CANCELED"]
    # Canceling again changes nothing.
    assert application.job_control.cancel(ADMIN, {"job_id": started["job_id"]}) == job(application, started["job_id"])


def test_recollect_cancels_the_running_job_of_the_same_scope(application: Any) -> None:
    collector_id, first = _started(application)
    second = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    assert job(application, first["job_id"])["status"] == "CANCELED"
    drain(application)
    assert job(application, second["job_id"])["status"] == "SUCCESS"
    [old_task] = tasks(application, first["job_id"])
    assert _errors(application, old_task["job_task_id"]) == ["ERROR_COLLECT_CANCELED"]


def test_delete_of_a_running_job_leaves_workers_nothing_to_write(application: Any) -> None:
    _, started = _started(application, sub_tasks=2)
    # A worker has claimed one sub-task when the job is deleted.
    with application.database.begin() as conn:
        claimed = lifecycle.claim_next(conn, "w1", application.database.dialect)
    assert claimed is not None
    application.jobs.delete(ADMIN, {"job_id": started["job_id"]})
    assert drain(application) == 0
    application.runner.execute(claimed)  # the worker goes on: it must not crash, nor resurrect anything
    assert application.jobs.list(ADMIN, {"job_id": started["job_id"]}).total_count == 0
    assert application.job_tasks.list(ADMIN, {"job_id": started["job_id"]}).total_count == 0


def test_task_timeout_fails_a_silent_sub_task_and_the_job_finishes(application: Any) -> None:
    _, started = _started(application)
    with application.database.begin() as conn:
        sub_task_id = lifecycle.claim_next(conn, "lost-worker", application.database.dialect)
    assert sub_task_id is not None
    application.reaper.settings.task_timeout = 60
    report = application.reaper.run_once(now=utcnow() + timedelta(seconds=61))
    assert report.timed_out_sub_tasks == [sub_task_id]
    finished = job(application, started["job_id"])
    assert (finished["status"], finished["failure_tasks"], finished["remained_tasks"]) == ("FAILURE", 1, 0)
    [task] = tasks(application, started["job_id"])
    assert _errors(application, task["job_task_id"]) == ["ERROR_TASK_TIMEOUT"]
    # The lost worker comes back and finishes: nothing is counted twice.
    application.runner.execute(sub_task_id)
    assert job(application, started["job_id"]) == finished


def test_job_timeout_fails_the_job_and_its_unfinished_tasks(application: Any) -> None:
    _, started = _started(application)
    application.reaper.settings.job_timeout = 3600
    assert application.reaper.run_once(now=utcnow() + timedelta(minutes=59)).timed_out_jobs == []
    report = application.reaper.run_once(now=utcnow() + timedelta(hours=2))
    assert report.timed_out_jobs == [started["job_id"]]
    finished = job(application, started["job_id"])
    assert (finished["status"], finished["failure_tasks"], finished["remained_tasks"]) == ("FAILURE", 1, 0)
    [task] = tasks(application, started["job_id"])
    assert task["status"] == "FAILURE"
    assert _errors(application, task["job_task_id"]) == ["ERROR_JOB_TIMEOUT"]
    assert drain(application) == 0


def test_retention_purges_old_finished_jobs_with_their_tasks(application: Any) -> None:
    _, old = _started(application)
    drain(application)
    with application.database.begin() as conn:
        conn.execute(
            update(jobs).where(jobs.c.job_id == old["job_id"]).values(created_at=utcnow() - timedelta(days=61))
        )
    collector_id = application.collectors.list(ADMIN, {}).rows[0]["collector_id"]
    recent = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    drain(application)
    assert application.reaper.run_once().purged_jobs == 1
    assert [r["job_id"] for r in application.jobs.list(ADMIN, {}).rows] == [recent["job_id"]]
    assert application.job_tasks.list(ADMIN, {"job_id": old["job_id"]}).total_count == 0
