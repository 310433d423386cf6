"""Benchmark: ingest throughput of the synthetic plugin, against a bare executemany of the same rows.

For each database (SQLite in a temporary directory; PostgreSQL in a schema of its own on
CLOUDINV_BENCH_DATABASE_URL, default postgresql://postgres@127.0.0.1:5432/test, dropped afterwards), in order:
  creates  one sub-task streaming N new resources, run to its end by the runner (plugin in-process)
  updates  the same collect again: N resources matched and updated
  gRPC     creates again, on a fresh collector/secret, with the plugin served over gRPC on localhost by a
           `cloudinv plugin serve synthetic` process of its own, as in production
  stream   the gRPC figure's baseline: the same stream from the same server, received and decoded, not stored
  bare     the creates and updates figures' baseline: the same N asset rows inserted with a bare SQLAlchemy
           Core executemany, in transactions of the runner's batch size
Figures are resources/s, with the ratio best baseline / best of ours. Each is measured --repeats times, each
time on a new empty database, and reported as best and median: on a machine whose disk and CPU are shared,
single runs of the same code differ by a third.

    .venv/bin/python bench/ingest.py [--resources 50000] [--repeats 3] [--only sqlite|postgresql]

Targets: creates >= 20,000/s on SQLite and >= 15,000/s on PostgreSQL; updates >= 10,000/s; gRPC >= 10,000/s.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from cloudinv import app as composition
from cloudinv.collection.runner import RunnerSettings
from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.ids import new_id
from cloudinv.plugins.grpc_client import GrpcPlugin
from cloudinv.settings import Settings
from cloudinv.store.engine import normalize_url
from cloudinv.store.schema import assets

ADMIN = Scope("domain-bench", Role.DOMAIN_ADMIN, subject="bench")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listens on port {port}")


def _collector(application: composition.Application, plugin_id: str, resources: int, account: str) -> dict[str, str]:
    secret = application.secrets.create(ADMIN, {"name": account, "schema_id": "synthetic", "data": {"account": account},
                                       "resource_group": "DOMAIN"})  # fmt: skip
    request = {"name": plugin_id, "provider": "synthetic", "resource_group": "DOMAIN",
               "plugin_info": {"plugin_id": plugin_id, "options": {"resources_per_task": resources}}}  # fmt: skip
    return {"collector_id": application.collectors.create(ADMIN, request)["collector_id"],
            "secret_id": secret["secret_id"]}  # fmt: skip


def _timed_collect(application: composition.Application, collect: dict[str, str], resources: int) -> float:
    started = application.collectors.collect(ADMIN, collect)
    begin = time.perf_counter()
    while application.runner.run_next("bench"):
        pass
    elapsed = time.perf_counter() - begin
    [task] = application.job_tasks.list(ADMIN, {"job_id": started["job_id"]}).rows
    done = task["created_count"] + task["updated_count"]
    assert done == resources, f"ingested {done} of {resources}: {task}"
    return resources / elapsed


def _baseline(application: composition.Application, resources: int) -> float:
    now = utcnow()
    rows = [
        {"asset_id": new_id("asset"), "name": f"bare-{i}", "state": "ACTIVE", "provider": "synthetic",
         "account": "bare", "asset_type_id": "synthetic.Compute.Instance", "region_code": "r", "ip_addresses": [],
         "data": {"resource_id": f"bare-{i}", "padding": "x" * 200}, "metadata": {}, "tags": {"k": "v"},
         "domain_id": "domain-bare", "workspace_id": "*", "disconnected_count": 0, "created_at": now,
         "updated_at": now}
        for i in range(resources)
    ]  # fmt: skip
    size = RunnerSettings().batch_size
    begin = time.perf_counter()
    for start in range(0, resources, size):
        with application.database.begin() as conn:
            conn.execute(insert(assets), rows[start : start + size])
    return resources / (time.perf_counter() - begin)


@contextmanager
def plugin_server() -> Iterator[str]:
    """`cloudinv plugin serve synthetic` in a process of its own, as a plugin container would run."""
    port = free_port()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("cloudinv")), "plugin", "serve", "synthetic", "--port", str(port)],
        stdout=subprocess.DEVNULL,
    )
    try:
        wait_for_port(port)
        yield f"grpc://127.0.0.1:{port}"
    finally:
        server.terminate()
        server.wait(10)


@contextmanager
def sqlite_database() -> Iterator[Settings]:
    with tempfile.TemporaryDirectory() as data_dir:
        yield Settings(data_dir=Path(data_dir), database_url=None, token_public_keys=())


@contextmanager
def postgresql_database() -> Iterator[Settings]:
    """A schema of its own on CLOUDINV_BENCH_DATABASE_URL, dropped afterwards."""
    base = os.environ.get("CLOUDINV_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    schema = f"cloudinv_bench_ingest_{os.getpid()}"
    engine = create_engine(normalize_url(base))
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        with tempfile.TemporaryDirectory() as data_dir:
            url = f"{base}?options=-csearch_path%3D{schema}"
            yield Settings(data_dir=Path(data_dir), database_url=url, token_public_keys=())
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


def _stream_alone(plugin_address: str, resources: int) -> float:
    """The gRPC figure's baseline: the same stream from the same server, read and decoded, nothing stored."""
    plugin = GrpcPlugin(plugin_address)
    try:
        begin = time.perf_counter()
        received = sum(1 for _ in plugin.collect({"resources_per_task": resources}, {"account": "acct-stream"}, {}))
        assert received == resources, f"received {received} of {resources}"
        return resources / (time.perf_counter() - begin)
    finally:
        plugin.close()


def measure_once(settings: Settings, plugin_address: str, resources: int) -> dict[str, float]:
    """Every figure once, on a database of its own: each repeat starts from the same empty tables."""
    application = composition.build(settings)
    try:
        local = _collector(application, "synthetic", resources, "acct-local")
        creates = _timed_collect(application, local, resources)
        updates = _timed_collect(application, local, resources)
        remote = _collector(application, plugin_address, resources, "acct-remote")
        over_grpc = _timed_collect(application, remote, resources)
        stream = _stream_alone(plugin_address, resources)
        bare = _baseline(application, resources)
        return {"creates": creates, "updates": updates, "grpc": over_grpc, "stream": stream, "bare": bare}
    finally:
        application.close()


def run(label: str, database: Callable[[], AbstractContextManager[Settings]], resources: int, repeats: int) -> None:
    runs = []
    with plugin_server() as address:
        for _ in range(repeats):
            with database() as settings:
                runs.append(measure_once(settings, address, resources))
    print(f"{label}: {resources:,} resources in one sub-task, best and median of {repeats} (all: resources/s)")
    best = {name: max(figures[name] for figures in runs) for name in runs[0]}
    for name, title, baseline in (
        ("creates", "creates (in-process)", "bare"),
        ("updates", "updates (in-process)", "bare"),
        ("grpc", "creates over gRPC", "stream"),
        ("stream", "gRPC stream alone", None),
        ("bare", "bare executemany", None),
    ):
        median = statistics.median(figures[name] for figures in runs)
        ratio = f"   {baseline}/ours {best[baseline] / best[name]:5.2f}x" if baseline else ""
        print(f"  {title:<22}{best[name]:10,.0f}/s  median {median:10,.0f}/s{ratio}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--resources", type=int, default=50_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    args = parser.parse_args()
    if args.only != "postgresql":
        run("SQLite", sqlite_database, args.resources, args.repeats)
    if args.only != "sqlite":
        run("PostgreSQL", postgresql_database, args.resources, args.repeats)


if __name__ == "__main__":
    main()
