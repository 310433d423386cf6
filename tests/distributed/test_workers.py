"""Real workers: 100 collects of 4 sub-tasks spread over 3 worker processes, every counter exact; and a worker
killed with SIGKILL in the middle of a sub-task costs a retry (or, out of attempts, a recorded failure), never a
job stuck IN_PROGRESS nor anything counted twice."""

from __future__ import annotations

import os
import signal
import time
from typing import Any

import pytest
from sqlalchemy import select, text

from cloudinv.store.schema import jobs, sub_tasks
from tests.distributed.conftest import Cluster
from tests.support.collection import ADMIN, synthetic_collector, synthetic_secret, tasks

pytestmark = pytest.mark.distributed

COLLECTS, SUB_TASKS, RESOURCES = 100, 4, 8


def _collect(cluster: Cluster, seed: int, **options: Any) -> str:
    collector_id = synthetic_collector(cluster.app, seed=seed, **options)
    return str(cluster.app.collectors.collect(ADMIN, {"collector_id": collector_id})["job_id"])


def test_100_collects_of_4_sub_tasks_on_3_workers(cluster: Cluster) -> None:
    workers = [cluster.procs.worker(wait=False) for _ in range(3)]
    for worker in workers:
        worker.wait_for_log(" ready.")
    synthetic_secret(cluster.app)
    job_ids = [_collect(cluster, seed, sub_tasks=SUB_TASKS, resources_per_task=RESOURCES) for seed in range(COLLECTS)]

    statuses = cluster.wait_terminal(job_ids, timeout=180)
    assert list(statuses.values()) == ["SUCCESS"] * COLLECTS
    result = cluster.app.jobs.list(ADMIN, {"query": {"page": {"limit": 1000}}})
    assert {(r["total_tasks"], r["success_tasks"], r["failure_tasks"], r["remained_tasks"]) for r in result.rows} == {
        (1, 1, 0, 0)
    }
    rows = cluster.sub_task_rows(job_ids)
    assert len(rows) == COLLECTS * SUB_TASKS
    assert {(r.status, r.attempts) for r in rows} == {("SUCCESS", 1)}  # each ran once
    assert sum(r.created_count for r in rows) == COLLECTS * RESOURCES
    task_rows = [task for job_id in job_ids for task in tasks(cluster.app, job_id)]
    assert {(t["status"], t["created_count"], t["failure_count"]) for t in task_rows} == {("SUCCESS", RESOURCES, 0)}
    # Prefetch 1: every worker took its share.
    assert len({r.worker.rsplit(":", 1)[0] for r in rows}) == 3


def _hold_job_row(cluster: Cluster, job_id: str) -> Any:
    """A transaction holding the job's row lock: a worker that finishes the job's last sub-task blocks there,
    in the middle of its finish (nothing of it committed), whatever the speed of the plugin and ingestion."""
    conn = cluster.app.database.engine.connect()
    conn.begin()
    conn.execute(select(jobs.c.job_id).where(jobs.c.job_id == job_id).with_for_update())
    return conn


def _blocked_on(conn: Any, timeout: float = 30.0) -> None:
    """Until some session waits for a lock this connection holds."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE pg_backend_pid() = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + timeout
    while conn.execute(query).scalar() == 0:
        assert time.monotonic() < deadline, "no worker reached the finish of the sub-task"
        time.sleep(0.05)


@pytest.mark.parametrize(
    ("killed", "max_attempts", "outcome"),
    [("pool-process", 3, "SUCCESS"), ("whole-worker", 3, "SUCCESS"), ("whole-worker", 1, "FAILURE")],
)
def test_a_worker_killed_mid_sub_task(make_cluster: Any, killed: str, max_attempts: int, outcome: str) -> None:
    cluster = make_cluster(max_attempts=max_attempts)
    synthetic_secret(cluster.app)
    job_id = _collect(cluster, 7, resources_per_task=300)
    lock = _hold_job_row(cluster, job_id)  # taken before any worker exists
    victim = cluster.procs.worker()
    _blocked_on(lock)
    [row] = cluster.sub_task_rows([job_id])
    assert (row.status, row.attempts) == ("IN_PROGRESS", 1)
    survivor = cluster.procs.worker()
    cluster.procs.scheduler()  # the outbox relay sends the silent sub-task again
    pid = int(row.worker.split(":")[1])
    if killed == "pool-process":
        os.kill(pid, signal.SIGKILL)  # the parent sees it die and requeues the message
    else:
        victim.kill_group()  # host gone: the message stays unacknowledged in the broker
    killed_at = time.monotonic()
    lock.rollback()
    lock.close()

    assert cluster.wait_terminal([job_id], timeout=60) == {job_id: outcome}
    assert time.monotonic() - killed_at < cluster.app.settings.task_timeout
    finished = cluster.app.jobs.get(ADMIN, {"job_id": job_id})
    [task] = tasks(cluster.app, job_id)
    [row] = cluster.sub_task_rows([job_id])
    if outcome == "SUCCESS":
        assert (finished["success_tasks"], finished["failure_tasks"], finished["remained_tasks"]) == (1, 0, 0)
        assert row.attempts == 2 and row.worker.split(":")[1] != str(pid)
        # The dead attempt's assets exist (it ingested before dying): the second one finds and updates them.
        assert (task["created_count"] + task["updated_count"], task["failure_count"]) == (300, 0)
    else:
        assert (finished["success_tasks"], finished["failure_tasks"], finished["remained_tasks"]) == (0, 1, 0)
        detail = cluster.app.job_tasks.get_detail(ADMIN, {"job_task_id": task["job_task_id"]})
        assert [e["error_code"] for e in detail["failure_info"]["errors"]] == ["ERROR_WORKER_LOST"]
    assert survivor.popen.poll() is None


def test_workers_stop_cleanly_on_sigterm(cluster: Cluster) -> None:
    worker = cluster.procs.worker()
    assert worker.stop() == 0
    assert "Traceback" not in worker.log()


def test_sub_task_rows_name_their_worker(cluster: Cluster) -> None:
    cluster.procs.worker()
    synthetic_secret(cluster.app)
    job_id = _collect(cluster, 1)
    assert cluster.wait_terminal([job_id]) == {job_id: "SUCCESS"}
    with cluster.app.database.begin() as conn:
        worker = conn.execute(select(sub_tasks.c.worker).where(sub_tasks.c.job_id == job_id)).scalar_one()
    host, pid, _thread = worker.split(":")
    assert host and pid.isdigit()
