"""Racing workers cannot double-count or double-finish: 200 jobs x 5 tasks x 2 sub-tasks, 8 threads."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

from cloudinv.store.lifecycle import Finished
from tests.support.collection import ADMIN, synthetic_collector, synthetic_secret

JOBS, SECRETS, THREADS = 200, 5, 8


def _start_jobs(application: Any) -> list[str]:
    """Every other job fails (all its items fail), so both terminal statuses race."""
    for index in range(SECRETS):
        synthetic_secret(application, f"acct-{index}")
    job_ids = []
    for index in range(JOBS):
        options = {"sub_tasks": 2, "resources_per_task": 4, "failure_rate": 1.0 if index % 2 else 0.0}
        collector_id = synthetic_collector(application, **options)
        job_ids.append(application.collectors.collect(ADMIN, {"collector_id": collector_id})["job_id"])
    return job_ids


def test_every_counter_exact_and_one_terminal_transition_per_job(application: Any) -> None:
    job_ids = _start_jobs(application)
    transitions: Counter[str] = Counter()
    task_transitions: Counter[str] = Counter()
    lock = threading.Lock()

    def record(finished: Finished, job_id: str) -> None:
        with lock:
            if finished.job_status is not None:
                transitions[job_id] += 1
            if finished.task_status is not None:
                task_transitions[job_id] += 1

    application.runner.on_finished = record
    errors: list[BaseException] = []

    def work(name: str) -> None:
        try:
            while application.runner.run_next(name):
                pass
        except BaseException as exc:  # surfaced below: a worker thread must not die silently
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(f"w{i}",)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert not errors

    assert set(transitions) == set(job_ids)
    assert set(transitions.values()) == {1}
    assert set(task_transitions.values()) == {SECRETS}
    result = application.jobs.list(ADMIN, {"query": {"page": {"limit": 1000}}})
    assert result.total_count == JOBS
    for index, row in enumerate(sorted(result.rows, key=lambda r: job_ids.index(r["job_id"]))):
        failing = index % 2 == 1
        assert row["status"] == ("FAILURE" if failing else "SUCCESS"), row
        expected = (SECRETS, 0, SECRETS, 0) if failing else (SECRETS, SECRETS, 0, 0)
        assert (row["total_tasks"], row["success_tasks"], row["failure_tasks"], row["remained_tasks"]) == expected
    stats = application.job_tasks.queries.analyze(
        ADMIN, {"query": {"fields": {"created": {"key": "created_count", "operator": "sum"},
                                     "updated": {"key": "updated_count", "operator": "sum"},
                                     "failed": {"key": "failure_count", "operator": "sum"},
                                     "n": {"operator": "count"}}}}
    )  # fmt: skip
    [totals] = stats["results"]
    # Every collector streams the same resources of the same secrets: the first run creates, the rest update.
    assert totals["created"] + totals["updated"] == 4 * SECRETS * JOBS // 2
    assert totals["failed"] == 4 * SECRETS * JOBS // 2
    assert totals["n"] == SECRETS * JOBS
    # ... and however the workers raced on the same resources, each exists once.
    assert application.assets.list(ADMIN, {}).total_count == 4 * SECRETS
