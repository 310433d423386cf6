"""`GET /metrics`: the counters move as a job runs, and API calls of both transports are counted."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import grpc
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from spaceone.api.inventory_v2.v1 import job_pb2

from cloudinv.api.grpc.observe import MetricsInterceptor
from cloudinv.api.grpc.server import create_server
from cloudinv.api.rest.app import create_app
from cloudinv.domain.clock import utcnow
from cloudinv.store import lifecycle
from tests.support.collection import ADMIN, drain, job, synthetic_collector, synthetic_secret


@pytest.fixture
def http(application: Any) -> Iterator[TestClient]:
    app = create_app(application.contracts, application.tokens, application.metrics)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def scrape(http: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of the exposition, parsed by prometheus_client: (name, sorted labels) -> value."""
    response = http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }


def value(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_counters_move_as_a_job_runs(application: Any, http: TestClient, token: Any) -> None:
    synthetic_secret(application, "acct-1")
    synthetic_secret(application, "acct-2")
    good = synthetic_collector(application, resources_per_task=20, sub_tasks=2)
    bad = synthetic_collector(application, resources_per_task=10, failure_rate=0.5)
    before = scrape(http)
    assert value(before, "cloudinv_jobs_started_total") == 0
    assert value(before, "cloudinv_jobs_finished_total", status="SUCCESS") == 0  # exported at zero

    headers = {"Authorization": f"Bearer {token()}"}
    for collector_id in (good, bad):
        response = http.post("/inventory-v2/v1/collector/collect", json={"collector_id": collector_id}, headers=headers)
        assert response.status_code == 200
    queued = scrape(http)
    assert value(queued, "cloudinv_jobs_started_total") == 2
    assert value(queued, "cloudinv_queue_depth") == 2 * 2 + 2  # 2 secrets x 2 sub-tasks, and 2 x 1
    assert value(queued, "cloudinv_jobs_finished_total", status="SUCCESS") == 0

    assert drain(application) == 6
    after = scrape(http)
    assert value(after, "cloudinv_queue_depth") == 0
    assert value(after, "cloudinv_jobs_finished_total", status="SUCCESS") == 1
    assert value(after, "cloudinv_jobs_finished_total", status="FAILURE") == 1
    assert value(after, "cloudinv_job_tasks_finished_total", status="SUCCESS") == 2
    assert value(after, "cloudinv_job_tasks_finished_total", status="FAILURE") == 2
    assert value(after, "cloudinv_job_task_duration_seconds_count", status="SUCCESS") == 2
    assert value(after, "cloudinv_job_task_duration_seconds_bucket", status="FAILURE", le="+Inf") == 2
    created, updated = (value(after, "cloudinv_resources_ingested_total", outcome=o) for o in ("created", "updated"))
    assert created + updated == 2 * 20 + 2 * 5  # the bad collector's tasks sent half their items as failures
    assert value(after, "cloudinv_resources_ingested_total", outcome="failure") == 2 * 5
    assert value(after, "cloudinv_api_requests_total", transport="rest", route="/inventory-v2/v1/collector/collect",
                 code="200") == 2  # fmt: skip
    assert value(after, "cloudinv_api_request_duration_seconds_count", transport="rest",
                 route="/inventory-v2/v1/collector/collect") == 2  # fmt: skip


def test_jobs_ended_by_cancel_recollect_and_timeouts_are_counted(application: Any, http: TestClient) -> None:
    synthetic_secret(application)
    collector_id = synthetic_collector(application)
    first = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    application.collectors.collect(ADMIN, {"collector_id": collector_id})  # cancels the first
    assert job(application, first["job_id"])["status"] == "CANCELED"
    recollected = scrape(http)
    assert value(recollected, "cloudinv_jobs_finished_total", status="CANCELED") == 1

    second = application.collectors.collect(ADMIN, {"collector_id": collector_id})  # cancels the one before
    application.job_control.cancel(ADMIN, {"job_id": second["job_id"]})
    application.job_control.cancel(ADMIN, {"job_id": second["job_id"]})  # already ended: not counted again
    canceled = scrape(http)
    assert value(canceled, "cloudinv_jobs_finished_total", status="CANCELED") == 3

    third = application.collectors.collect(ADMIN, {"collector_id": collector_id})
    application.reaper.settings.job_timeout = 3600
    assert application.reaper.run_once(now=utcnow() + timedelta(hours=2)).timed_out_jobs == [third["job_id"]]
    timed_out = scrape(http)
    assert value(timed_out, "cloudinv_jobs_finished_total", status="FAILURE") == 1
    assert value(timed_out, "cloudinv_jobs_finished_total", status="CANCELED") == 3


def test_a_job_ended_by_a_sub_task_timeout_is_counted_with_its_task(application: Any, http: TestClient) -> None:
    synthetic_secret(application)
    started = application.collectors.collect(ADMIN, {"collector_id": synthetic_collector(application)})
    with application.database.begin() as conn:
        assert lifecycle.claim_next(conn, "lost-worker", application.database.dialect) is not None
    application.reaper.settings.task_timeout = 60
    assert len(application.reaper.run_once(now=utcnow() + timedelta(seconds=61)).timed_out_sub_tasks) == 1
    assert job(application, started["job_id"])["status"] == "FAILURE"
    samples = scrape(http)
    assert value(samples, "cloudinv_jobs_finished_total", status="FAILURE") == 1
    assert value(samples, "cloudinv_job_tasks_finished_total", status="FAILURE") == 1
    assert value(samples, "cloudinv_job_task_duration_seconds_count", status="FAILURE") == 1


def test_rest_errors_and_unknown_routes_are_counted_by_code(http: TestClient) -> None:
    assert http.post("/inventory-v2/v1/job/get", json={"job_id": "job-000000000000"}).status_code == 401
    assert http.post("/no/such/route", json={}).status_code == 404
    samples = scrape(http)
    assert value(samples, "cloudinv_api_requests_total", transport="rest", route="/inventory-v2/v1/job/get",
                 code="401") == 1  # fmt: skip
    assert value(samples, "cloudinv_api_requests_total", transport="rest", route="unmatched", code="404") == 1


def test_grpc_calls_are_counted_by_method_and_status(application: Any, http: TestClient, token: Any) -> None:
    interceptor = MetricsInterceptor(application.metrics)
    server, port = create_server(application.contracts, application.tokens, "127.0.0.1:0", 2, [interceptor])
    server.start()
    try:
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            get = channel.unary_unary(
                "/spaceone.api.inventory_v2.v1.Job/get",
                request_serializer=job_pb2.JobRequest.SerializeToString,
                response_deserializer=job_pb2.JobInfo.FromString,
            )
            with pytest.raises(grpc.RpcError) as missing:
                get(job_pb2.JobRequest(job_id="job-000000000000"), metadata=(("token", token()),), timeout=10)
            assert missing.value.code() == grpc.StatusCode.NOT_FOUND
    finally:
        server.stop(grace=None)
    samples = scrape(http)
    assert value(samples, "cloudinv_api_requests_total", transport="grpc",
                 route="/spaceone.api.inventory_v2.v1.Job/get", code="NOT_FOUND") == 1  # fmt: skip


def test_each_application_counts_only_its_own_work(application: Any, http: TestClient) -> None:
    from cloudinv.observability.metrics import Metrics

    other = Metrics()
    other.jobs_started.inc()
    assert value(scrape(http), "cloudinv_jobs_started_total") == 0
