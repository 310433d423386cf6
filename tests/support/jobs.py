"""Job rows for tests."""

from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from typing import Any

_counter = itertools.count(1)
BASE_TIME = datetime(2024, 1, 1, 12, 0, 0)


def job_row(**overrides: Any) -> dict[str, Any]:
    """A finished job of domain-a's workspace ws-1, unless overridden; ids and times are unique per call."""
    n = next(_counter)
    created = overrides.pop("created_at", BASE_TIME + timedelta(minutes=n))
    row: dict[str, Any] = {
        "job_id": f"job-{n:012x}",
        "status": "SUCCESS",
        "total_tasks": 2,
        "remained_tasks": 0,
        "success_tasks": 2,
        "failure_tasks": 0,
        "request_secret_id": None,
        "request_workspace_id": "ws-1",
        "resource_group": "WORKSPACE",
        "domain_id": "domain-a",
        "workspace_id": "ws-1",
        "collector_id": "collector-1",
        "plugin_id": "plugin-x",
        "created_at": created,
        "updated_at": created,
        "finished_at": created + timedelta(seconds=30),
    }
    row.update(overrides)
    return row
