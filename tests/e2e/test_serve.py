"""`cloudinv serve` as a user runs it: both transports up, demo data, clean shutdown on SIGTERM."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from tests.support.server import cloudinv, running_server

pytestmark = pytest.mark.e2e


def test_token_issue_prints_only_the_token(tmp_path: Path) -> None:
    output = cloudinv("token", "issue", "--domain-id", "domain-a", "--role", "DOMAIN_ADMIN", data_dir=tmp_path)
    assert output.count("\n") == 1
    assert output.strip().count(".") == 2
    assert (tmp_path / "signing.key").stat().st_mode & 0o777 == 0o600


def test_serve_answers_rest_and_grpc_then_stops_cleanly(tmp_path: Path) -> None:
    with running_server(tmp_path, "--demo") as server:
        token = cloudinv("token", "issue", "--domain-id", "domain-demo00000001", "--role", "DOMAIN_ADMIN",
                         data_dir=tmp_path).strip()  # fmt: skip
        jobs = _until_finished(server.rest_url, token)
        assert [j["status"] for j in jobs] == ["SUCCESS", "SUCCESS"]
        assert {j["plugin_id"] for j in jobs} == {"host", "synthetic"}
        with grpc.insecure_channel(server.grpc_address) as channel:
            health = health_pb2_grpc.HealthStub(channel).Check(
                health_pb2.HealthCheckRequest(service="spaceone.api.inventory_v2.v1.Job"), timeout=5
            )
            assert health.status == health_pb2.HealthCheckResponse.SERVING
        code, output = server.stop()
    assert code == 0
    assert "cloudinv listening: REST" in output
    assert "cloudinv stopped" in output
    assert "Traceback" not in output


def _until_finished(rest_url: str, token: str, timeout: float = 30) -> list[dict[str, Any]]:
    """The demo's jobs, once none is running: the embedded runner works them off by itself."""
    deadline = time.monotonic() + timeout
    while True:
        response = httpx.post(
            f"{rest_url}/inventory-v2/v1/job/list", json={}, headers={"Authorization": f"Bearer {token}"}
        )
        assert response.status_code == 200
        jobs: list[dict[str, Any]] = response.json()["results"]
        if (jobs and all(j["status"] != "IN_PROGRESS" for j in jobs)) or time.monotonic() > deadline:
            return jobs
        time.sleep(0.2)


def test_db_upgrade_is_repeatable(tmp_path: Path) -> None:
    assert "up to date" in cloudinv("db", "upgrade", data_dir=tmp_path)
    assert "up to date" in cloudinv("db", "upgrade", data_dir=tmp_path)
