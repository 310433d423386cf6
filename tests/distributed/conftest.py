"""Distributed mode with real processes: PostgreSQL (this session's schema), a real broker
(CLOUDINV_TEST_BROKER_URL, e.g. redis://127.0.0.1:6379/7), and `cloudinv worker` / `scheduler` / `serve`
processes started by the tests. Each test has a queue of its own, so that leftovers never reach another test,
and timings short enough (heartbeat, takeover, relay) to watch recovery happen in seconds."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import redis
from sqlalchemy import select, text

from cloudinv import app as composition
from cloudinv.settings import Settings
from cloudinv.store.schema import jobs, metadata, sub_tasks
from tests.conftest import IN_CI, PG_URL
from tests.support.processes import Processes

BROKER_URL = os.environ.get("CLOUDINV_TEST_BROKER_URL")
if IN_CI and not (BROKER_URL and PG_URL):
    raise pytest.UsageError("CI=true needs CLOUDINV_TEST_BROKER_URL and a PostgreSQL: the distributed suite must run")

# Every process of a test runs with these (Settings field -> value; the variable is CLOUDINV_<FIELD>).
FAST: dict[str, float] = {
    "heartbeat_interval": 0.2,
    "stale_after": 2.0,  # a silent worker is taken over after 2 s
    "relay_interval": 0.3,
    "redispatch_after": 3.0,  # a message the broker lost is sent again after 3 s
    "task_timeout": 20.0,
    "job_timeout": 300.0,
    "reaper_interval": 1.0,
    "health_interval": 0.3,
}
_queues = itertools.count()
QUEUE_PREFIX = f"cloudinv-test-{os.getpid()}-"


@pytest.fixture(scope="session", autouse=True)
def _clean_broker() -> Iterator[None]:
    """At the end, this session's keys in the shared Redis database: its queues and their bindings, and the
    messages that killed workers left unacknowledged (Redis would restore them, later, into queues no one reads)."""
    yield
    if BROKER_URL and BROKER_URL.startswith("redis"):
        client = redis.Redis.from_url(BROKER_URL)
        try:
            _clean(client)
        except redis.RedisError:
            pass  # the broker is away: nothing to clean
        finally:
            client.close()


def _clean(client: redis.Redis) -> None:
    for key in client.scan_iter(match=f"*{QUEUE_PREFIX}*"):
        client.delete(key)
    for tag, entry in client.hgetall("unacked").items():
        _message, _exchange, routing_key = json.loads(entry)  # kombu's [message, exchange, routing key]
        if str(routing_key).startswith(QUEUE_PREFIX):
            client.hdel("unacked", tag)
            client.zrem("unacked_index", tag)


@dataclass
class Cluster:
    app: composition.Application  # in this process, on the real database directly: makes collects, reads results
    env: dict[str, str]  # what the processes run with
    procs: Processes
    closers: list[Callable[[], Any]] = field(default_factory=list)

    def wait_terminal(self, job_ids: list[str], timeout: float = 90.0) -> dict[str, str]:
        """Job id -> status, once none is IN_PROGRESS (or, after `timeout`, as they are)."""
        deadline = time.monotonic() + timeout
        while True:
            with self.app.database.begin() as conn:
                rows = conn.execute(select(jobs.c.job_id, jobs.c.status).where(jobs.c.job_id.in_(job_ids))).all()
            statuses = {row.job_id: row.status for row in rows}
            if all(s != "IN_PROGRESS" for s in statuses.values()) or time.monotonic() > deadline:
                return statuses
            time.sleep(0.1)

    def sub_task_rows(self, job_ids: list[str]) -> list[Any]:
        with self.app.database.begin() as conn:
            return list(conn.execute(select(sub_tasks).where(sub_tasks.c.job_id.in_(job_ids))).all())

    def close(self) -> None:
        self.procs.close()
        for close in reversed(self.closers):
            close()


def _settings(data_dir: Path, broker_url: str, queue: str, overrides: dict[str, float]) -> Settings:
    timings: dict[str, Any] = {**FAST, **overrides}
    if "max_attempts" in timings:
        timings["max_attempts"] = int(timings["max_attempts"])
    return Settings(data_dir=data_dir, database_url=PG_URL, token_public_keys=(), broker_url=broker_url,
                    broker_queue=queue, **timings)  # fmt: skip


def _env(settings: Settings, database_url: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CLOUDINV_")}
    timings = {f"CLOUDINV_{name.upper()}": str(getattr(settings, name)) for name in [*FAST, "max_attempts"]}
    return {
        **env, **timings, "CLOUDINV_DATA_DIR": str(settings.data_dir), "CLOUDINV_DATABASE_URL": database_url,
        "CLOUDINV_BROKER_URL": settings.broker_url or "", "CLOUDINV_BROKER_QUEUE": settings.broker_queue,
    }  # fmt: skip


def _drop_queue(application: composition.Application) -> None:
    """The test's queue and what it still holds (e.g. deliveries for the dead): the broker must not grow."""
    broker = application.broker
    if broker is not None and broker.reachable():
        with broker.app.connection_for_write() as conn:
            conn.default_channel.queue_delete(broker.settings.queue)


@pytest.fixture
def make_cluster(tmp_path: Path) -> Iterator[Callable[..., Cluster]]:
    """make(broker_url=..., database_url=... (what the processes use), **timings) -> Cluster."""
    if not (BROKER_URL and PG_URL):
        pytest.skip("set CLOUDINV_TEST_BROKER_URL and CLOUDINV_TEST_DATABASE_URL for the distributed suite")
    made: list[Cluster] = []

    def make(broker_url: str | None = None, database_url: str | None = None, **timings: float) -> Cluster:
        queue = f"{QUEUE_PREFIX}{next(_queues)}"
        settings = _settings(tmp_path / "data", broker_url or BROKER_URL or "", queue, timings)
        application = composition.build(settings)
        with application.database.begin() as conn:
            conn.execute(text(f"TRUNCATE {', '.join(metadata.tables)}"))
        (tmp_path / "logs").mkdir(exist_ok=True)
        procs = Processes(_env(settings, database_url or PG_URL or ""), tmp_path / "logs")
        cluster = Cluster(application, procs.env, procs, closers=[application.close, lambda: _drop_queue(application)])
        made.append(cluster)
        return cluster

    yield make
    for cluster in made:
        cluster.close()


@pytest.fixture
def cluster(make_cluster: Callable[..., Cluster]) -> Cluster:
    return make_cluster()
