"""collect -> job -> tasks -> sub-tasks -> terminal job, with exact counters."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.collection import ADMIN, drain, job, synthetic_collector, synthetic_secret, tasks


def test_three_secrets_four_sub_tasks_each_succeed_with_exact_counters(application: Any) -> None:
    for account in ("acct-1", "acct-2", "acct-3"):
        synthetic_secret(application, account)
    collector_id = synthetic_collector(application, sub_tasks=4, resources_per_task=7)
    started = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    assert started["status"] == "IN_PROGRESS"
    assert (started["total_tasks"], started["remained_tasks"]) == (3, 3)
    assert drain(application) == 12
    finished = job(application, started["job_id"])
    assert finished["status"] == "SUCCESS"
    counters = ("total_tasks", "success_tasks", "failure_tasks", "remained_tasks")
    assert [finished[name] for name in counters] == [3, 3, 0, 0]
    assert finished["finished_at"] is not None
    per_task = tasks(application, started["job_id"])
    assert [t["status"] for t in per_task] == ["SUCCESS"] * 3
    # resources_per_task is per task (secret), split between its 4 sub-tasks.
    assert [t["created_count"] for t in per_task] == [7, 7, 7]


def test_one_failing_secret_fails_the_job(application: Any) -> None:
    synthetic_secret(application, "acct-ok")
    bad = synthetic_secret(application, "acct-bad")
    collector_id = synthetic_collector(application, resources_per_task=3)
    # The secret's data decides nothing in the synthetic plugin; make one task fail by cutting its stream.
    application.collectors.update_plugin(
        ADMIN, {"collector_id": collector_id, "options": {"resources_per_task": 3, "crash_after": 2}}
    )
    started = application.collectors.collect(ADMIN, {"collector_id": collector_id, "secret_id": bad})
    drain(application)
    finished = job(application, started["job_id"])
    assert finished["status"] == "FAILURE"
    assert (finished["total_tasks"], finished["success_tasks"], finished["failure_tasks"]) == (1, 0, 1)
    [task] = tasks(application, started["job_id"])
    assert task["status"] == "FAILURE"
    assert task["created_count"] == 2  # the counts before the crash are kept
    detail = application.job_tasks.get_detail(ADMIN, {"job_task_id": task["job_task_id"]})
    assert detail["failure_info"]["errors"][-1]["error_code"] == "ERROR_COLLECTOR_PLUGIN"


def test_zero_secrets_is_success_at_once(application: Any) -> None:
    collector_id = synthetic_collector(application)
    started = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    assert started["status"] == "SUCCESS"
    assert started["total_tasks"] == 0
    assert started["finished_at"] is not None
    assert drain(application) == 0


@pytest.mark.parametrize(
    ("options", "error_code"),
    [
        ({"failure_rate": 1.0}, "ERROR_PLUGIN"),
        ({"crash_after": 1}, "ERROR_COLLECTOR_PLUGIN"),
    ],
)
def test_plugin_failures_end_the_task_with_the_error(
    application: Any, options: dict[str, Any], error_code: str
) -> None:
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=4, **options)
    started = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    drain(application)
    assert job(application, started["job_id"])["status"] == "FAILURE"
    [task] = tasks(application, started["job_id"])
    errors = application.job_tasks.get_detail(ADMIN, {"job_task_id": task["job_task_id"]})["failure_info"]["errors"]
    assert errors and errors[-1]["error_code"] == error_code


def test_hanging_plugin_times_out_and_the_job_finishes(application: Any) -> None:
    application.runner.settings.task_timeout = 0.5
    synthetic_secret(application)
    collector_id = synthetic_collector(application, resources_per_task=5, hang_after=2, hang_seconds=30)
    started = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    drain(application)
    assert job(application, started["job_id"])["status"] == "FAILURE"
    [task] = tasks(application, started["job_id"])
    errors = application.job_tasks.get_detail(ADMIN, {"job_task_id": task["job_task_id"]})["failure_info"]["errors"]
    assert errors[-1]["error_code"] == "ERROR_TASK_TIMEOUT"
    assert task["created_count"] == 2
