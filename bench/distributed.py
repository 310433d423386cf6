"""Benchmark: distributed-mode collection end to end, next to the embedded mode's figures from the same run.

Distributed: PostgreSQL (a schema of its own), Redis, and two `cloudinv worker` processes (prefork, one pool
process each). The collects are made in this process through the Collector service, which publishes through the
outbox exactly as `cloudinv serve` does. Embedded: bench/collect.py's setup (SQLite, the in-process runner pool),
and the same pool on PostgreSQL, so that the broker's share shows apart from the database's.

The measurements are bench/collect.py's own (`throughput`, `latency`: 1-task jobs of one synthetic resource).
Workers are other processes, so the terminal times are read from the jobs table: a job's `finished_at`, written
by the worker, brought onto this process's clock.

    .venv/bin/python bench/distributed.py [--jobs 1000] [--latency-jobs 200] [--threads 4] [--concurrency 1]

CLOUDINV_BENCH_DATABASE_URL (default postgresql://postgres@127.0.0.1:5432/test) and CLOUDINV_BENCH_BROKER_URL
(default redis://127.0.0.1:6379/8) say where. Targets (distributed): >= 100 jobs/s; median latency <= 300 ms.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC
from pathlib import Path

import redis
from sqlalchemy import create_engine, select, text

from cloudinv import app as composition
from cloudinv.dispatch.celery_app import create_celery
from cloudinv.settings import Settings
from cloudinv.store.engine import normalize_url
from cloudinv.store.schema import jobs
from collect import Finishes, latency, throughput

DATABASE_URL = os.environ.get("CLOUDINV_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
BROKER_URL = os.environ.get("CLOUDINV_BENCH_BROKER_URL", "redis://127.0.0.1:6379/8")
CLOUDINV = str(Path(sys.executable).with_name("cloudinv"))


class PolledFinishes:
    """bench/collect.py's `Finishes`, read from the jobs table (the runner's hook fires in the workers)."""

    def __init__(self, application: composition.Application) -> None:
        self.db = application.database
        self.times: dict[str, float] = {}

    def wait(self, job_ids: list[str], timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        pending = [j for j in job_ids if j not in self.times]
        while pending and time.monotonic() < deadline:
            query = select(jobs.c.job_id, jobs.c.finished_at).where(
                jobs.c.job_id.in_(pending), jobs.c.finished_at.is_not(None)
            )
            with self.db.begin() as conn:
                rows = conn.execute(query).all()
            to_perf = time.perf_counter() - time.time()  # wall clock -> perf_counter, measured now
            for row in rows:
                self.times[row.job_id] = row.finished_at.replace(tzinfo=UTC).timestamp() + to_perf
            pending = [j for j in pending if j not in self.times]
            # Polling does not time anything (finished_at does): a backlog is polled slowly, so as not to take
            # the CPU the workers need; a single job fast, so the next one starts without delay.
            if pending:
                time.sleep(0.003 if len(pending) <= 2 else 0.2)


@dataclass
class Figures:
    label: str
    rate: float
    samples: list[float]

    def lines(self) -> list[str]:
        median, p95 = statistics.median(self.samples), statistics.quantiles(self.samples, n=20)[-1]
        return [f"{self.label:<44} {self.rate:8.1f} jobs/s   latency median {median:6.1f} ms, p95 {p95:6.1f} ms"]


@contextmanager
def schema(name: str) -> Iterator[str]:
    """A PostgreSQL schema of this run's own; the URL that works in it."""
    engine = create_engine(normalize_url(DATABASE_URL))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE; CREATE SCHEMA {name}"))
    separator = "&" if "?" in DATABASE_URL else "?"
    try:
        yield f"{DATABASE_URL}{separator}options=-csearch_path%3D{name}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {name} CASCADE"))
        engine.dispose()


def embedded(label: str, settings: Settings, args: argparse.Namespace) -> Figures:
    application = composition.build(settings)
    finishes = Finishes()
    application.runner.on_finished = finishes
    assert application.pool is not None
    application.pool.start()
    try:
        rate = throughput(application, finishes, args.jobs, args.threads)
        return Figures(label, rate, latency(application, finishes, args.latency_jobs))
    finally:
        application.close()


def start_workers(settings: Settings, count: int, concurrency: int, log_dir: Path) -> list[subprocess.Popen[bytes]]:
    env = {**os.environ, "CLOUDINV_DATA_DIR": str(settings.data_dir), "CLOUDINV_DATABASE_URL": settings.database_url
           or "", "CLOUDINV_BROKER_URL": BROKER_URL, "CLOUDINV_BROKER_QUEUE": settings.broker_queue}  # fmt: skip
    workers = []
    for index in range(count):
        with (log_dir / f"worker-{index}.log").open("wb") as log:
            command = [CLOUDINV, "worker", "--concurrency", str(concurrency), "--loglevel", "WARNING"]
            workers.append(subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT))
    control = create_celery(composition.broker_settings(settings)).control
    deadline = time.monotonic() + 60
    while len(control.ping(timeout=0.5)) < count:  # each worker answers once it consumes
        if time.monotonic() > deadline or any(w.poll() is not None for w in workers):
            raise RuntimeError(f"the workers did not start: see {log_dir}")
    return workers


def distributed(settings: Settings, args: argparse.Namespace, log_dir: Path) -> Figures:
    application = composition.build(settings)
    workers = start_workers(settings, 2, args.concurrency, log_dir)
    try:
        finishes = PolledFinishes(application)
        rate = throughput(application, finishes, args.jobs, args.threads)  # type: ignore[arg-type]
        samples = latency(application, finishes, args.latency_jobs)  # type: ignore[arg-type]
        label = f"distributed: 2 workers x {args.concurrency}, PostgreSQL, Redis"
        return Figures(label, rate, samples)
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(30)
        application.close()
        drop_queue(settings.broker_queue)


def drop_queue(queue: str) -> None:
    """The run's queue and its binding: nothing of the benchmark stays in the broker."""
    if BROKER_URL.startswith("redis"):
        client = redis.Redis.from_url(BROKER_URL)
        for key in client.scan_iter(match=f"*{queue}*"):
            client.delete(key)
        client.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1000)
    parser.add_argument("--latency-jobs", type=int, default=200)
    parser.add_argument("--threads", type=int, default=4, help="client threads making collects")
    parser.add_argument("--concurrency", type=int, default=1, help="pool processes per worker")
    args = parser.parse_args()
    run = f"cloudinv_bench_{os.getpid()}"
    with tempfile.TemporaryDirectory() as tmp, schema(run) as pg_url, schema(run + "_e") as pg_embedded_url:
        base = Path(tmp)
        common = {"token_public_keys": (), "broker_url": None}
        figures = [
            embedded("embedded: in-process pool, SQLite", Settings(data_dir=base / "e", database_url=None, **common),
                     args),
            embedded("embedded: in-process pool, PostgreSQL",
                     Settings(data_dir=base / "p", database_url=pg_embedded_url, **common), args),
            distributed(Settings(data_dir=base / "d", database_url=pg_url, token_public_keys=(),
                                 broker_url=BROKER_URL, broker_queue=run), args, base),
        ]  # fmt: skip
    print(f"collect -> terminal, {args.jobs} jobs of 1 task x 1 resource by {args.threads} client threads; "
          f"latency over {args.latency_jobs} jobs made one at a time")  # fmt: skip
    for each in figures:
        print("\n".join(each.lines()))
    rate, median = figures[-1].rate, statistics.median(figures[-1].samples)
    print(f"distributed targets: >= 100 jobs/s ({'met' if rate >= 100 else 'MISSED'}), "
          f"median <= 300 ms ({'met' if median <= 300 else 'MISSED'})")  # fmt: skip


if __name__ == "__main__":
    main()
