"""Hourly schedules fire once per collector per hour, even with two schedulers."""

from __future__ import annotations

import threading
from datetime import datetime
from typing import Any

from cloudinv.collection.scheduler import Scheduler
from tests.support.collection import ADMIN, drain

HOUR = datetime(2030, 5, 6, 7, 0, 0)


def _host_collector(application: Any, hours: list[int], state: str = "ENABLED") -> str:
    created = application.collectors.create(
        ADMIN,
        {"name": "host", "plugin_info": {"plugin_id": "host"}, "provider": "host", "resource_group": "DOMAIN",
         "schedule": {"state": state, "hours": hours}},
    )  # fmt: skip
    return str(created["collector_id"])


def _scheduler(application: Any) -> Scheduler:
    return Scheduler(application.database, lambda c: str(application.collectors.start(c, None, None)["job_id"]))


def test_fires_in_its_hours_only_and_once_per_hour(application: Any) -> None:
    due = _host_collector(application, [7, 19])
    _host_collector(application, [8])
    _host_collector(application, [7], state="DISABLED")
    scheduler = _scheduler(application)
    started = scheduler.run_once(now=HOUR.replace(minute=1))
    assert len(started) == 1
    assert application.jobs.get(ADMIN, {"job_id": started[0]})["collector_id"] == due
    assert scheduler.run_once(now=HOUR.replace(minute=30)) == []
    assert scheduler.run_once(now=HOUR.replace(hour=8, minute=0)) != []  # the other collector's hour
    drain(application)


def test_two_schedulers_at_one_hour_boundary_start_one_job_per_collector(application: Any) -> None:
    collector_ids = {_host_collector(application, [7]) for _ in range(5)}
    results: list[list[str]] = []
    barrier = threading.Barrier(2)

    def run() -> None:
        barrier.wait()
        results.append(_scheduler(application).run_once(now=HOUR))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    started = [job_id for result in results for job_id in result]
    assert len(started) == len(collector_ids)
    assert {application.jobs.get(ADMIN, {"job_id": j})["collector_id"] for j in started} == collector_ids


def test_schedule_hours_outside_0_23_are_refused(application: Any) -> None:
    import pytest

    from cloudinv.domain.errors import ERROR_INVALID_PARAMETER

    with pytest.raises(ERROR_INVALID_PARAMETER, match=r"schedule\.hours"):
        _host_collector(application, [24])
    assert application.collectors.list(ADMIN, {}).total_count == 0
