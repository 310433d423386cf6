"""Real workers: 100 collects of 4 sub-tasks spread over 3 worker processes, every counter exact; and a worker
killed with SIGKILL in the middle of a sub-task costs a retry (or, out of attempts, a recorded failure), never a
job stuck IN_PROGRESS nor anything counted twice."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
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


def test_100_collects_of_4_sub_tasks_on_3_workers(make_cluster: Any) -> None:
    cluster = make_cluster(stale_after=15)  # no takeover here, even if a loaded machine stalls a worker
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


@contextmanager
def _job_row_locked(cluster: Cluster, job_id: str) -> Iterator[int]:
    """Hold the job's row lock: a worker that finishes the job's last sub-task blocks there, in the middle of
    its finish (nothing of it committed), whatever the speed of the plugin and of ingestion. Yields the holding
    session's pid."""
    with cluster.app.database.engine.connect() as conn:
        conn.execute(select(jobs.c.job_id).where(jobs.c.job_id == job_id).with_for_update())
        try:
            yield int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())
        finally:
            conn.rollback()


def _wait_blocked_by(cluster: Cluster, holder: int, timeout: float = 30.0) -> None:
    """Until some session waits for a lock that `holder` holds (a new transaction each time: PostgreSQL shows
    one snapshot of pg_stat_activity per transaction)."""
    query = text("SELECT count(*) FROM pg_stat_activity WHERE :holder = ANY(pg_blocking_pids(pid))")
    deadline = time.monotonic() + timeout
    while True:
        with cluster.app.database.begin() as conn:
            if conn.execute(query, {"holder": holder}).scalar():
                return
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
    with _job_row_locked(cluster, job_id) as holder:  # taken before any worker exists
        victim = cluster.procs.worker()
        _wait_blocked_by(cluster, holder)
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


AMQP_URL = os.environ.get("CLOUDINV_TEST_AMQP_URL")  # e.g. amqp://guest:guest@127.0.0.1:5672//


@pytest.mark.skipif(not AMQP_URL, reason="set CLOUDINV_TEST_AMQP_URL to run the workers on RabbitMQ too")
def test_rabbitmq_works_as_the_broker_too(make_cluster: Any) -> None:
    cluster = make_cluster(broker_url=AMQP_URL, stale_after=15)
    cluster.procs.worker(concurrency=2)
    synthetic_secret(cluster.app)
    job_ids = [_collect(cluster, seed, sub_tasks=SUB_TASKS, resources_per_task=RESOURCES) for seed in range(10)]
    assert set(cluster.wait_terminal(job_ids).values()) == {"SUCCESS"}
    assert {(r.status, r.attempts) for r in cluster.sub_task_rows(job_ids)} == {("SUCCESS", 1)}
