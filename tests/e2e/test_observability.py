"""`cloudinv serve --log-format json`: every line is JSON, and the lines about a job carry its ids; `/metrics`
of the real process counts both transports."""

from __future__ import annotations

import json
import time
from pathlib import Path

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client.parser import text_string_to_metric_families

from tests.support.server import cloudinv, running_server

pytestmark = pytest.mark.e2e


def test_json_logs_and_metrics_of_a_served_job(tmp_path: Path) -> None:
    with running_server(tmp_path, "--log-format", "json") as server:
        token = cloudinv("token", "issue", "--domain-id", "domain-logs", "--role", "DOMAIN_ADMIN", data_dir=tmp_path)
        http = httpx.Client(base_url=server.rest_url, headers={"Authorization": f"Bearer {token.strip()}"})
        http.post("/secret/v1/secret/create", json={"name": "s", "schema_id": "synthetic", "data": {"account": "a"},
                                                    "resource_group": "DOMAIN"}).raise_for_status()  # fmt: skip
        collector = http.post("/inventory-v2/v1/collector/create", json={
            "name": "c", "provider": "synthetic", "resource_group": "DOMAIN",
            "plugin_info": {"plugin_id": "synthetic", "options": {"resources_per_task": 5, "crash_after": 2}},
        }).json()  # fmt: skip
        job_id = http.post(
            "/inventory-v2/v1/collector/collect", json={"collector_id": collector["collector_id"]}
        ).json()["job_id"]
        deadline = time.monotonic() + 30
        while http.post("/inventory-v2/v1/job/get", json={"job_id": job_id}).json()["status"] == "IN_PROGRESS":
            assert time.monotonic() < deadline
            time.sleep(0.1)
        with grpc.insecure_channel(server.grpc_address) as channel:
            health_pb2_grpc.HealthStub(channel).Check(health_pb2.HealthCheckRequest(service=""), timeout=5)
        metrics = httpx.get(f"{server.rest_url}/metrics").text
        code, output = server.stop()
    assert code == 0

    lines = [json.loads(line) for line in output.splitlines() if line.strip()]  # every line is JSON
    about_job = [line for line in lines if line.get("job_id") == job_id]
    messages = {line["message"] for line in about_job}
    assert "job started: 1 task(s)" in messages and "job finished: FAILURE" in messages
    crashed = [line for line in about_job if line["message"].startswith("job task finished: FAILURE")]
    assert len(crashed) == 1 and crashed[0]["job_task_id"].startswith("job-task-")
    assert all(line["level"] in ("INFO", "WARNING", "ERROR") and line["time"].endswith("Z") for line in lines)

    samples = {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(metrics)
        for sample in family.samples
    }
    assert samples[("cloudinv_jobs_finished_total", (("status", "FAILURE"),))] == 1
    assert samples[("cloudinv_resources_ingested_total", (("outcome", "created"),))] == 2
    health = (("code", "OK"), ("route", "/grpc.health.v1.Health/Check"), ("transport", "grpc"))
    assert samples[("cloudinv_api_requests_total", health)] == 1
