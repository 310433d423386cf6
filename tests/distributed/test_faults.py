"""Faults with real processes: the broker restarted (losing its queues) while collects are made; PostgreSQL out
of reach for a few seconds. Nothing is lost, the API says 503 meanwhile, and everything recovers by itself."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import grpc
import httpx
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc
from sqlalchemy import func, select
from sqlalchemy.engine import make_url

from cloudinv.domain.auth import Role
from cloudinv.store.schema import jobs
from tests.conftest import IN_CI, PG_URL
from tests.distributed.conftest import Cluster
from tests.support.collection import synthetic_collector, synthetic_secret, tasks
from tests.support.processes import Proc
from tests.support.redis_server import RedisServer
from tests.support.server import free_port
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.distributed

COLLECT = "/inventory-v2/v1/collector/collect"
LIST_JOBS = "/inventory-v2/v1/job/list"


class Api:
    """A `cloudinv serve` process of the cluster, called over REST and gRPC health."""

    def __init__(self, cluster: Cluster) -> None:
        self.rest_port, self.grpc_port = free_port(), free_port()
        self.proc: Proc = cluster.procs.start(
            "serve", "serve", "--rest-port", str(self.rest_port), "--grpc-port", str(self.grpc_port)
        )
        self.http = httpx.Client(base_url=f"http://127.0.0.1:{self.rest_port}", timeout=30)
        token = cluster.app.tokens.issue("domain-a", Role.DOMAIN_ADMIN, None, 3600)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.proc.wait_for_log("cloudinv listening")

    def post(self, path: str, body: dict[str, Any]) -> httpx.Response:
        return self.http.post(path, json=body, headers=self.headers)

    def healthz(self) -> httpx.Response:
        return self.http.get("/healthz")

    def grpc_health(self) -> Any:
        with grpc.insecure_channel(f"127.0.0.1:{self.grpc_port}") as channel:
            request = health_pb2.HealthCheckRequest(service="spaceone.api.inventory_v2.v1.Job")
            return health_pb2_grpc.HealthStub(channel).Check(request, timeout=5).status


def _until(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def _assert_all_collected(cluster: Cluster, job_ids: list[str], resources: int) -> None:
    statuses = cluster.wait_terminal(job_ids, timeout=90)
    assert sorted(statuses) == sorted(job_ids)
    assert set(statuses.values()) == {"SUCCESS"}, statuses
    with cluster.app.database.begin() as conn:
        running = conn.execute(select(func.count()).where(jobs.c.status == "IN_PROGRESS")).scalar()
    assert running == 0
    for job_id in job_ids:
        [task] = tasks(cluster.app, job_id)
        assert (task["created_count"] + task["updated_count"], task["failure_count"]) == (resources, 0)


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    if not RedisServer.available():
        if IN_CI:
            pytest.fail("redis-server is needed for the broker restart test")
        pytest.skip("no redis-server on this machine")
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def test_a_broker_restart_while_collecting_loses_no_task(make_cluster: Any, redis_server: RedisServer) -> None:
    cluster = make_cluster(broker_url=redis_server.url)
    api = Api(cluster)  # its outbox relay resends what the restart lost
    for _ in range(2):
        cluster.procs.worker()
    synthetic_secret(cluster.app)
    collectors = [synthetic_collector(cluster.app, seed=seed, sub_tasks=2, resources_per_task=4) for seed in range(30)]
    job_ids = []
    for index, collector_id in enumerate(collectors):
        if index == 10:
            redis_server.stop()  # with whatever was queued
            _until(lambda: api.healthz().status_code == 503, 15, "/healthz to say the broker is down")
            assert api.healthz().json()["broker"] == "down"
        if index == 20:
            redis_server.start()
        response = api.post(COLLECT, {"collector_id": collector_id})
        assert response.status_code == 200, response.text  # the job is recorded even while the broker is away
        job_ids.append(response.json()["job_id"])
    _assert_all_collected(cluster, job_ids, resources=4)
    _until(lambda: api.healthz().status_code == 200, 15, "/healthz to recover")


def _through(proxy: TcpProxy) -> str:
    assert PG_URL
    return make_url(PG_URL).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture
def pg_proxy() -> Iterator[TcpProxy]:
    assert PG_URL
    url = make_url(PG_URL)
    proxy = TcpProxy((url.host or "127.0.0.1", url.port or 5432)).start()
    yield proxy
    proxy.close()


def _unavailable(api: Api) -> bool:
    response = api.post(LIST_JOBS, {})
    return response.status_code == 503 and response.json()["detail"]["code"] == "ERROR_UNAVAILABLE"


def test_postgresql_out_of_reach_for_a_few_seconds(make_cluster: Any, pg_proxy: TcpProxy) -> None:
    cluster = make_cluster(database_url=_through(pg_proxy))  # the processes' database is behind the proxy
    api = Api(cluster)
    cluster.procs.worker()
    synthetic_secret(cluster.app)
    collectors = [synthetic_collector(cluster.app, seed=s, sub_tasks=2, resources_per_task=50) for s in range(6)]
    job_ids = [api.post(COLLECT, {"collector_id": c}).json()["job_id"] for c in collectors[:5]]

    pg_proxy.down()
    down_at = time.monotonic()
    _until(lambda: _unavailable(api), 15, "the API to answer 503 ERROR_UNAVAILABLE")
    assert api.post(COLLECT, {"collector_id": collectors[5]}).status_code == 503
    _until(lambda: api.healthz().status_code == 503, 15, "/healthz to say the database is down")
    assert api.healthz().json()["database"] == "down"
    _until(lambda: api.grpc_health() == health_pb2.HealthCheckResponse.NOT_SERVING, 15, "gRPC NOT_SERVING")
    time.sleep(max(0.0, 4 - (time.monotonic() - down_at)))

    pg_proxy.up()
    _until(lambda: api.post(LIST_JOBS, {}).status_code == 200, 30, "the API to recover")
    _until(lambda: api.grpc_health() == health_pb2.HealthCheckResponse.SERVING, 15, "gRPC SERVING")
    assert api.healthz().status_code == 200
    job_ids.append(api.post(COLLECT, {"collector_id": collectors[5]}).json()["job_id"])
    _assert_all_collected(cluster, job_ids, resources=50)
