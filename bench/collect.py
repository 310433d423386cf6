"""Benchmark: embedded-mode collection end to end, against the bare database work of the same jobs.

Embedded mode as `cloudinv serve` runs it: SQLite in a temporary data directory, the in-process runner pool.
1. Throughput: N `collect` calls (through the Collector service) of 1-task synthetic collectors with one
   resource each, made by 4 client threads as fast as they go; the figure is jobs reaching a terminal status
   per second, from the first call to the last terminal transition.
2. Latency: collects made one at a time; the time from the `collect` call to the job's terminal transition
   (the runner's finish hook), median and p95.
Baseline, same run, same SQLite settings: the rows and conditional updates of one job (job, task, sub-task
inserts; claim; finish) written with bare SQLAlchemy Core statements, one transaction per step as the
runner does them, with no plugin, no planning and no thread hand-off.

    .venv/bin/python bench/collect.py [--jobs 1000] [--latency-jobs 200] [--threads 4]

Targets: >= 200 jobs/s; median latency <= 50 ms.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from sqlalchemy import insert, update

from cloudinv import app as composition
from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.ids import new_id
from cloudinv.settings import Settings
from cloudinv.store.lifecycle import Finished
from cloudinv.store.schema import job_tasks, jobs, sub_tasks

ADMIN = Scope("domain-bench", Role.DOMAIN_ADMIN, subject="bench")


def _collectors(application: composition.Application, count: int) -> list[str]:
    application.secrets.create(ADMIN, {"name": "s", "schema_id": "synthetic", "data": {"account": "a"},
                                       "resource_group": "DOMAIN"})  # fmt: skip
    request = {"name": "c", "provider": "synthetic", "resource_group": "DOMAIN",
               "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 1}}}  # fmt: skip
    return [str(application.collectors.create(ADMIN, request)["collector_id"]) for _ in range(count)]


class Finishes:
    """Terminal transitions as the runner reports them, with their times."""

    def __init__(self) -> None:
        self.times: dict[str, float] = {}
        self.cond = threading.Condition()

    def __call__(self, finished: Finished, job_id: str) -> None:
        if finished.job_status is not None:
            with self.cond:
                self.times[job_id] = time.perf_counter()
                self.cond.notify_all()

    def wait(self, job_ids: list[str], timeout: float = 300) -> None:
        with self.cond:
            self.cond.wait_for(lambda: all(j in self.times for j in job_ids), timeout)


def throughput(application: composition.Application, finishes: Finishes, jobs_count: int, threads: int) -> float:
    collector_ids = _collectors(application, jobs_count)
    start = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        job_ids = list(pool.map(lambda cid: application.collectors.collect(ADMIN, {"collector_id": cid})["job_id"],
                                collector_ids))  # fmt: skip
    finishes.wait(job_ids)
    assert all(j in finishes.times for j in job_ids), "not every job finished"
    return jobs_count / (max(finishes.times[j] for j in job_ids) - start)


def latency(application: composition.Application, finishes: Finishes, count: int) -> list[float]:
    samples = []
    for collector_id in _collectors(application, count):
        start = time.perf_counter()
        job_id = application.collectors.collect(ADMIN, {"collector_id": collector_id})["job_id"]
        finishes.wait([job_id])
        samples.append((finishes.times[job_id] - start) * 1000)
    return samples


def baseline(application: composition.Application, count: int) -> float:
    """Jobs/s of the bare database writes of a one-task job, one transaction per step."""
    db = application.database
    start = time.perf_counter()
    for _ in range(count):
        now = utcnow()
        job_id, task_id, sub_id = new_id("job"), new_id("job-task"), new_id("sub-task")
        with db.begin() as conn:
            conn.execute(insert(jobs).values(job_id=job_id, status="IN_PROGRESS", total_tasks=1, remained_tasks=1,
                success_tasks=0, failure_tasks=0, resource_group="DOMAIN", domain_id="d", workspace_id="*",
                created_at=now, updated_at=now))  # fmt: skip
            conn.execute(insert(job_tasks).values(job_task_id=task_id, job_id=job_id, status="PENDING",
                total_sub_tasks=1, remained_sub_tasks=1, failed_sub_tasks=0, created_count=0, updated_count=0,
                deleted_count=0, disconnected_count=0, failure_count=0, resource_group="DOMAIN", domain_id="d",
                workspace_id="*", created_at=now, updated_at=now))  # fmt: skip
            conn.execute(insert(sub_tasks).values(sub_task_id=sub_id, job_task_id=task_id, job_id=job_id,
                status="PENDING", task_options={}, attempts=0, created_count=0, updated_count=0, failure_count=0,
                created_at=now))  # fmt: skip
        with db.begin() as conn:
            conn.execute(update(sub_tasks).where(sub_tasks.c.sub_task_id == sub_id).values(status="IN_PROGRESS"))
            conn.execute(update(job_tasks).where(job_tasks.c.job_task_id == task_id).values(status="IN_PROGRESS"))
        with db.begin() as conn:
            conn.execute(update(sub_tasks).where(sub_tasks.c.sub_task_id == sub_id).values(status="SUCCESS"))
            conn.execute(update(job_tasks).where(job_tasks.c.job_task_id == task_id).values(
                status="SUCCESS", remained_sub_tasks=0, created_count=1))  # fmt: skip
            conn.execute(update(jobs).where(jobs.c.job_id == job_id).values(status="SUCCESS", remained_tasks=0,
                                                                             success_tasks=1))  # fmt: skip
    return count / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), database_url=None, token_public_keys=())
        application = composition.build(settings)
        finishes = Finishes()
        application.runner.on_finished = finishes
        application.pool.start()
        try:
            rate = throughput(application, finishes, args.jobs, args.threads)
            samples = latency(application, finishes, args.latency_jobs)
            bare = baseline(application, args.jobs)
        finally:
            application.close()
    median = statistics.median(samples)
    p95 = statistics.quantiles(samples, n=20)[-1]
    print(f"embedded collect, {args.jobs} jobs of 1 task x 1 resource, {args.threads} client threads, "
          f"{settings.runner_threads} runner threads (SQLite)")  # fmt: skip
    print(f"  throughput           {rate:8.1f} jobs/s   (target >= 200)")
    print(f"  bare SQL baseline    {bare:8.1f} jobs/s   (same rows and updates, no service code)")
    print(f"  ratio baseline/ours  {bare / rate:8.2f}x")
    print(f"  latency collect->terminal: median {median:.1f} ms, p95 {p95:.1f} ms   (target median <= 50 ms)")


if __name__ == "__main__":
    main()
