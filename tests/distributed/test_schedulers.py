"""Two scheduler processes at one hour boundary start exactly one job per scheduled collector: the database's
unique (collector, hour) row decides, not either process's memory."""

from __future__ import annotations

import json
import time
from datetime import datetime

import pytest
from sqlalchemy import select

from cloudinv.store.schema import jobs, schedule_runs
from tests.distributed.conftest import Cluster
from tests.support.collection import ADMIN

pytestmark = pytest.mark.distributed

HOUR = datetime(2030, 5, 6, 7, 0, 0)


def _scheduled_collector(cluster: Cluster, hours: list[int]) -> str:
    created = cluster.app.collectors.create(
        ADMIN,
        {"name": "host", "plugin_info": {"plugin_id": "host"}, "provider": "host", "resource_group": "DOMAIN",
         "schedule": {"state": "ENABLED", "hours": hours}},
    )  # fmt: skip
    return str(created["collector_id"])


def test_two_scheduler_processes_one_hour_one_job_per_collector(cluster: Cluster) -> None:
    due = {_scheduled_collector(cluster, [7]) for _ in range(8)}
    _scheduled_collector(cluster, [8])  # another hour
    start = time.time() + 5  # both processes are up by then, and start their round together
    args = ("-m", "tests.support.schedule_once", str(start), HOUR.isoformat())
    procs = [cluster.procs.start(f"scheduler-once-{n}", *args, python=True) for n in range(2)]
    started: list[str] = []
    for proc in procs:
        assert proc.popen.wait(60) == 0, proc.log()
        started.extend(json.loads(proc.log().strip().splitlines()[-1]))
    assert len(started) == len(set(started)) == len(due)
    with cluster.app.database.begin() as conn:
        fired = conn.execute(select(jobs.c.collector_id)).scalars().all()
        runs = conn.execute(select(schedule_runs.c.collector_id, schedule_runs.c.hour)).all()
    assert sorted(fired) == sorted(due)
    assert sorted(runs) == sorted((collector_id, HOUR) for collector_id in due)
