"""The same plugin run in-process and over gRPC gives the same job and counts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest

from cloudinv.plugins.grpc_server import create_plugin_server
from cloudinv.plugins.registry import PluginRegistry
from tests.support.collection import ADMIN, drain, synthetic_secret, tasks


@pytest.fixture
def synthetic_endpoint() -> Iterator[str]:
    registry = PluginRegistry()
    server, port = create_plugin_server(registry.get("synthetic"), "127.0.0.1:0")
    server.start()
    yield f"grpc://127.0.0.1:{port}"
    server.stop(grace=None)


def _run(application: Any, plugin_id: str, options: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    created = application.collectors.create(
        ADMIN,
        {"name": plugin_id, "provider": "synthetic", "resource_group": "DOMAIN",
         "plugin_info": {"plugin_id": plugin_id, "options": options}},
    )  # fmt: skip
    started = application.collectors.collect(ADMIN, {"collector_id": created["collector_id"]})
    drain(application)
    return application.jobs.get(ADMIN, {"job_id": started["job_id"]}), tasks(application, started["job_id"])


def test_in_process_and_grpc_agree(application: Any, synthetic_endpoint: str) -> None:
    synthetic_secret(application, "acct-1")
    synthetic_secret(application, "acct-2")
    options = {"resources_per_task": 30, "sub_tasks": 3, "failure_rate": 0.1, "seed": 4}
    local_job, local_tasks = _run(application, "synthetic", options)
    remote_job, remote_tasks = _run(application, synthetic_endpoint, options)
    fields = ("status", "total_tasks", "success_tasks", "failure_tasks", "remained_tasks")
    assert [local_job[f] for f in fields] == [remote_job[f] for f in fields]

    def key(t: dict[str, Any]) -> tuple[Any, ...]:
        # The second run finds the first run's assets: what it created, the other updates.
        return t["status"], t["created_count"] + t["updated_count"], t["failure_count"], t["secret_id"]

    assert sorted(map(key, local_tasks)) == sorted(map(key, remote_tasks))
    assert sum(t["created_count"] for t in local_tasks) == 54  # 2 secrets x 30, a tenth of them failed
    assert sum(t["updated_count"] for t in remote_tasks) == 54


def _stream_threads() -> set[threading.Thread]:
    return {thread for thread in threading.enumerate() if thread.name == "plugin-stream"}


def test_a_task_that_times_out_cancels_its_call(application: Any, synthetic_endpoint: str) -> None:
    application.runner.settings.task_timeout = 0.5
    synthetic_secret(application)
    before = _stream_threads()
    job, [task] = _run(application, synthetic_endpoint, {"resources_per_task": 5, "hang_after": 2, "hang_seconds": 60})
    assert job["status"] == "FAILURE" and task["created_count"] == 2
    # Left alone, the call would stay open as long as the plugin hangs, and the thread reading it with it.
    deadline = time.monotonic() + 10
    while _stream_threads() - before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _stream_threads() - before
