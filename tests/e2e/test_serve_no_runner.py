"""`cloudinv serve --no-runner` serves the API alone: a collect is recorded and nothing runs it; `/healthz`
reports the database (and no broker, in embedded mode)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest

from tests.support.server import cloudinv, running_server

pytestmark = pytest.mark.e2e


def test_no_runner_serves_but_runs_nothing(tmp_path: Path) -> None:
    with running_server(tmp_path, "--no-runner") as server:
        health = httpx.get(f"{server.rest_url}/healthz")
        assert (health.status_code, health.json()) == (
            200, {"status": "SERVING", "database": "up", "broker": "not configured"},
        )  # fmt: skip
        token = cloudinv("token", "issue", "--domain-id", "domain-a", "--role", "DOMAIN_ADMIN", data_dir=tmp_path)
        http = httpx.Client(base_url=server.rest_url, headers={"Authorization": f"Bearer {token.strip()}"})
        http.post("/secret/v1/secret/create", json={"name": "s", "schema_id": "synthetic",
                                                    "data": {"account": "a"}, "resource_group": "DOMAIN"})  # fmt: skip
        collector = http.post("/inventory-v2/v1/collector/create", json={
            "name": "c", "provider": "synthetic", "resource_group": "DOMAIN",
            "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 1}}}).json()  # fmt: skip
        job = http.post("/inventory-v2/v1/collector/collect", json={"collector_id": collector["collector_id"]}).json()
        time.sleep(2)  # the embedded pool would have finished it long before
        assert http.post("/inventory-v2/v1/job/get", json={"job_id": job["job_id"]}).json()["status"] == "IN_PROGRESS"
        code, output = server.stop()
    assert code == 0
    assert "Traceback" not in output
