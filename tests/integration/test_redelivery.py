"""Broker redelivery: a sub-task delivered again does nothing when it ended or runs on a live worker; one whose
worker died (silent heartbeat) is run again as a new attempt, fenced from the old one, or failed after the last
attempt. Counted once, whatever happens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from cloudinv.domain.clock import utcnow
from cloudinv.domain.counts import Counts
from cloudinv.store import lifecycle
from cloudinv.store.schema import sub_tasks
from tests.support.collection import ADMIN, job, synthetic_collector, synthetic_secret, tasks

RESOURCES = 6


def _one_sub_task(application: Any, **options: Any) -> tuple[str, str]:
    """A started job of one task with one sub-task; (job_id, sub_task_id)."""
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=RESOURCES, **options)
    job_id = application.collectors.collect(ADMIN, {"collector_id": collector_id})["job_id"]
    with application.database.begin() as conn:
        sub_task_id = conn.execute(select(sub_tasks.c.sub_task_id).where(sub_tasks.c.job_id == job_id)).scalar_one()
    return job_id, sub_task_id


def _row(application: Any, sub_task_id: str) -> Any:
    with application.database.begin() as conn:
        return conn.execute(select(sub_tasks).where(sub_tasks.c.sub_task_id == sub_task_id)).one()


def _silence(application: Any, sub_task_id: str, seconds: float) -> None:
    """As if its worker had died `seconds` ago."""
    with application.database.begin() as conn:
        conn.execute(
            update(sub_tasks)
            .where(sub_tasks.c.sub_task_id == sub_task_id)
            .values(heartbeat_at=utcnow() - timedelta(seconds=seconds))
        )


def _claim(application: Any, sub_task_id: str, worker: str) -> int | None:
    with application.database.begin() as conn:
        return lifecycle.claim(conn, sub_task_id, worker)


def _totals(application: Any, job_id: str) -> tuple[Any, ...]:
    finished = job(application, job_id)
    [task] = tasks(application, job_id)
    return (finished["status"], finished["success_tasks"], finished["failure_tasks"], finished["remained_tasks"],
            task["created_count"] + task["updated_count"], task["failure_count"])  # fmt: skip


def test_a_second_delivery_of_a_finished_sub_task_does_nothing(application: Any) -> None:
    job_id, sub_task_id = _one_sub_task(application)
    assert application.runner.run(sub_task_id, "w1") is True
    before = _totals(application, job_id)
    assert before == ("SUCCESS", 1, 0, 0, RESOURCES, 0)
    assert application.runner.run(sub_task_id, "w2") is False
    assert _totals(application, job_id) == before
    assert _row(application, sub_task_id).attempts == 1


def test_a_delivery_while_a_live_worker_runs_it_does_nothing(application: Any) -> None:
    _, sub_task_id = _one_sub_task(application)
    assert _claim(application, sub_task_id, "live-worker") == 1
    assert application.runner.run(sub_task_id, "w2") is False
    row = _row(application, sub_task_id)
    assert (row.status, row.attempts, row.worker) == ("IN_PROGRESS", 1, "live-worker")


def test_a_dead_workers_sub_task_is_run_again_once_and_its_old_attempt_is_fenced(application: Any) -> None:
    job_id, sub_task_id = _one_sub_task(application)
    assert _claim(application, sub_task_id, "dead-worker") == 1
    with application.database.begin() as conn:  # it got halfway, and said so
        assert lifecycle.heartbeat(conn, sub_task_id, Counts(created=3), attempt=1)
    _silence(application, sub_task_id, application.runner.settings.stale_after + 1)

    assert application.runner.run(sub_task_id, "w2") is True
    assert _row(application, sub_task_id).attempts == 2
    assert _totals(application, job_id) == ("SUCCESS", 1, 0, 0, RESOURCES, 0)

    # The first worker was only slow after all: whatever it writes now is refused.
    with application.database.begin() as conn:
        assert not lifecycle.heartbeat(conn, sub_task_id, Counts(created=5), attempt=1)
        assert lifecycle.finish(conn, sub_task_id, False, Counts(created=5), attempt=1) is None
    assert _totals(application, job_id) == ("SUCCESS", 1, 0, 0, RESOURCES, 0)


def test_a_takeover_starts_from_zero_counts(application: Any) -> None:
    _, sub_task_id = _one_sub_task(application)
    assert _claim(application, sub_task_id, "dead-worker") == 1
    with application.database.begin() as conn:
        lifecycle.heartbeat(conn, sub_task_id, Counts(created=4, failure=1), attempt=1)
    stale_before = utcnow() + timedelta(seconds=1)
    with application.database.begin() as conn:
        assert lifecycle.claim(conn, sub_task_id, "w2", stale_before, max_attempts=3) == 2
    row = _row(application, sub_task_id)
    assert (row.created_count, row.updated_count, row.failure_count, row.worker) == (0, 0, 0, "w2")


def test_after_the_last_attempt_a_redelivery_fails_the_sub_task_with_the_error_recorded(application: Any) -> None:
    job_id, sub_task_id = _one_sub_task(application)
    settings = application.runner.settings
    for attempt in range(1, settings.max_attempts + 1):
        with application.database.begin() as conn:
            assert lifecycle.claim(conn, sub_task_id, f"dead-{attempt}", utcnow(), settings.max_attempts) == attempt
        _silence(application, sub_task_id, settings.stale_after + 1)

    assert application.runner.run(sub_task_id, "w-last") is False
    assert _totals(application, job_id) == ("FAILURE", 0, 1, 0, 0, 0)
    [task] = tasks(application, job_id)
    detail = application.job_tasks.get_detail(ADMIN, {"job_task_id": task["job_task_id"]})
    assert [e["error_code"] for e in detail["failure_info"]["errors"]] == ["ERROR_WORKER_LOST"]
    assert application.runner.run(sub_task_id, "w-later") is False  # and once only
    assert _totals(application, job_id) == ("FAILURE", 0, 1, 0, 0, 0)


def test_a_canceled_jobs_sub_task_is_never_taken_over(application: Any) -> None:
    job_id, sub_task_id = _one_sub_task(application)
    assert _claim(application, sub_task_id, "dead-worker") == 1
    application.job_control.cancel(ADMIN, {"job_id": job_id})
    _silence(application, sub_task_id, application.runner.settings.stale_after + 1)
    assert application.runner.run(sub_task_id, "w2") is False
    assert _row(application, sub_task_id).status == "CANCELED"
    assert job(application, job_id)["status"] == "CANCELED"
