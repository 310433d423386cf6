"""Benchmark: a filtered, sorted, paged job `list` through REST, against the same SQL run directly.

The data: 1,000,000 jobs across 100 domains in PostgreSQL (10,000 per domain, a year of jobs arriving in
time order, domains interleaved, 70% SUCCESS / 15% FAILURE / 10% CANCELED / 5% IN_PROGRESS). They live in
a database of their own (`cloudinv_bench`, created through the `postgres` maintenance database when
absent) on the server that CLOUDINV_BENCH_DATABASE_URL names (default
postgresql://postgres@127.0.0.1:5432/test): the tests' tables are never touched. Migrations are applied with
cloudinv's own `migrate.upgrade`; the rows go in with COPY, and not again when the table already holds the
same number of jobs across the same number of domains.

The measure: a real `cloudinv serve --database-url ...` subprocess (told to keep the dated data: no
retention purge, no job time-out), and httpx over loopback (one
keep-alive connection) posting
    {"query": {"filter": [status in [SUCCESS, FAILURE], created_at datetime_gte SINCE],
               "sort": [{"key": "created_at", "desc": true}], "page": {"start": 1, "limit": 100}}}
with a DOMAIN_ADMIN token of one domain after another. Each request is paired with the SQL that `list`
runs for it, run directly with psycopg on its own connection: the page SELECT ... LIMIT 100 and the
COUNT(*), in one transaction, as the server does. The two alternate, after a warm-up, so that both see the
same machine. The REST page and count are checked against the direct SQL's.

Targets: REST median < 20 ms, and REST median <= 2x the direct SQL median.

    .venv/bin/python bench/list_jobs.py [--requests 200] [--warmup 20] [--jobs 1000000] [--domains 100]
                                        [--database cloudinv_bench] [--recreate] [--strict]

Exit status 0 whatever the figures (so that further `make bench` lines run), unless --strict is given.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from cloudinv.app import open_tokens
from cloudinv.domain.auth import Role
from cloudinv.settings import Settings
from cloudinv.store import migrate
from cloudinv.store.engine import Database

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "cloudinv_bench"
TARGET_MEDIAN_MS = 20.0
TARGET_RATIO = 2.0

# The data: a year of jobs ending here; the query asks for the last SINCE_DAYS of it.
END = datetime(2025, 1, 1)
SPAN = timedelta(days=365)
SINCE_DAYS = 180
STATUSES = ("SUCCESS", "FAILURE", "CANCELED", "IN_PROGRESS")
STATUS_WEIGHTS = (70, 15, 10, 5)
WORKSPACES_PER_DOMAIN = 5
QUERY_STATUSES = ("SUCCESS", "FAILURE")
PAGE = 100
QUERIED_DOMAINS = 10  # the requests go to these domains in turn
# The data is dated (reproducible from one run to the next), so the server must leave it alone: no purge
# past the retention period, no time-out of IN_PROGRESS jobs (job-api.md section 5).
KEEP_THE_DATA = {"CLOUDINV_RETENTION_DAYS": "365000", "CLOUDINV_JOB_TIMEOUT": str(1000 * 365 * 86400)}

COLUMNS = (
    "job_id", "status", "total_tasks", "remained_tasks", "success_tasks", "failure_tasks",
    "request_secret_id", "request_workspace_id", "resource_group", "domain_id", "workspace_id",
    "collector_id", "plugin_id", "created_at", "updated_at", "finished_at",
)  # fmt: skip


# --- the database ---------------------------------------------------------------------------------------


def on_server(server_url: str, database: str) -> str:
    """The URL of `database` on the server that `server_url` names (libpq and cloudinv both take it)."""
    url = make_url(server_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def ensure_database(server_url: str, name: str, recreate: bool) -> None:
    """Create the bench database through the `postgres` maintenance database when it is absent."""
    with psycopg.connect(on_server(server_url, "postgres"), autocommit=True) as conn:
        if recreate:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def domain_name(index: int) -> str:
    return f"domain-bench{index:03d}"


def job_id(index: int) -> str:
    # An odd multiplier is a bijection modulo 2**48: unique ids, scattered like real ones.
    return f"job-{(index * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012x}"


def generate_rows(count: int, domains: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """Jobs in arrival order over SPAN, domains interleaved (each gets count / domains)."""
    rng = random.Random(seed)
    start = END - SPAN
    step = SPAN / count
    for index in range(count):
        domain = index % domains
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        created = start + step * index + timedelta(milliseconds=rng.randrange(1000))
        created = created.replace(microsecond=created.microsecond // 1000 * 1000)
        total = rng.randint(1, 10)
        failed = rng.randint(1, total) if status == "FAILURE" else 0
        remained = rng.randint(1, total) if status == "IN_PROGRESS" else 0
        success = total - failed - remained
        workspace_number = rng.randrange(WORKSPACES_PER_DOMAIN + 1)
        domain_level = workspace_number == WORKSPACES_PER_DOMAIN
        workspace = "*" if domain_level else f"workspace-b{domain:03d}{workspace_number}"
        finished = None if status == "IN_PROGRESS" else created + timedelta(seconds=rng.randint(5, 900))
        yield (
            job_id(index), status, total, remained, success, failed,
            f"secret-b{domain:03d}{rng.randrange(4)}" if rng.random() < 0.5 else None,
            None if domain_level else workspace,
            "DOMAIN" if domain_level else "WORKSPACE",
            domain_name(domain), workspace,
            f"collector-b{domain:03d}{rng.randrange(5)}", f"plugin-{rng.choice(('aws', 'gcp', 'azure'))}",
            created, finished or created, finished,
        )  # fmt: skip


def _copy_text(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    return str(value)


def load(conninfo: str, count: int, domains: int) -> float | None:
    """COPY the jobs in unless the same data is there; the seconds it took, or None when skipped."""
    with psycopg.connect(conninfo) as conn:
        have, have_domains = conn.execute("SELECT count(*), count(DISTINCT domain_id) FROM jobs").fetchone() or (0, 0)
        if (have, have_domains) == (count, domains):
            return None
        print(f"loading {count:,} jobs across {domains} domains (the table held {have:,}) ...", flush=True)
        started = time.perf_counter()
        conn.execute("TRUNCATE jobs, job_tasks CASCADE")
        statement = sql.SQL("COPY jobs ({}) FROM STDIN").format(sql.SQL(", ").join(map(sql.Identifier, COLUMNS)))
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            buffer = io.StringIO()
            for number, row in enumerate(generate_rows(count, domains), start=1):
                buffer.write("\t".join(map(_copy_text, row)))
                buffer.write("\n")
                if number % 20_000 == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) jobs")
    return time.perf_counter() - started


# --- the server -------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    process: subprocess.Popen[bytes]
    rest_url: str
    log: Path


@contextmanager
def serve(database_url: str, data_dir: Path) -> Iterator[Served]:
    """`cloudinv serve` on the bench database until the block ends, then SIGTERM."""
    rest_port, grpc_port = free_port(), free_port()
    executable = Path(sys.executable).with_name("cloudinv")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLOUDINV_")}
    env.update(KEEP_THE_DATA)
    log = data_dir / "serve.log"
    command = [
        str(executable), "serve", "--host", "127.0.0.1", "--rest-port", str(rest_port),
        "--grpc-port", str(grpc_port), "--data-dir", str(data_dir), "--database-url", database_url,
    ]  # fmt: skip
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT)
    served = Served(process, f"http://127.0.0.1:{rest_port}", log)
    try:
        wait_ready(served)
        yield served
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_ready(served: Served, deadline_s: float = 60.0) -> None:
    deadline = time.monotonic() + deadline_s
    with httpx.Client(trust_env=False, timeout=2) as client:
        while time.monotonic() < deadline:
            if served.process.poll() is not None:
                raise SystemExit(f"cloudinv serve exited {served.process.returncode}:\n{served.log.read_text()}")
            try:
                client.post(f"{served.rest_url}/inventory-v2/v1/job/list", json={})
                return
            except httpx.TransportError:
                time.sleep(0.1)
    raise SystemExit(f"cloudinv serve did not answer within {deadline_s:.0f} s:\n{served.log.read_text()}")


# --- the measure ----------------------------------------------------------------------------------------


def list_body(since: datetime) -> dict[str, Any]:
    return {
        "query": {
            "filter": [
                {"k": "status", "v": list(QUERY_STATUSES), "o": "in"},
                {"k": "created_at", "v": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "o": "datetime_gte"},
            ],
            "sort": [{"key": "created_at", "desc": True}],
            "page": {"start": 1, "limit": PAGE},
        }
    }


# What `list` runs for that body, as SQLAlchemy renders it for psycopg (seen with echo; the search of
# cloudinv.store.repository.ScopedRepository): the caller's scope (a DOMAIN_ADMIN: its domain), the filter,
# `created_at DESC` with `job_id` as tie-break, a page, then the count, in one transaction.
PAGE_SQL = sql.SQL(
    "SELECT {columns} FROM jobs WHERE jobs.domain_id = %(domain)s::VARCHAR"
    " AND jobs.status IN (%(s1)s::VARCHAR, %(s2)s::VARCHAR)"
    " AND jobs.created_at >= %(since)s::TIMESTAMP WITHOUT TIME ZONE"
    " ORDER BY jobs.created_at DESC, jobs.job_id DESC LIMIT %(limit)s::INTEGER OFFSET %(offset)s::INTEGER"
).format(columns=sql.SQL(", ").join(sql.Identifier("jobs", c) for c in COLUMNS))
COUNT_SQL = sql.SQL(
    "SELECT count(*) AS count_1 FROM jobs WHERE jobs.domain_id = %(domain)s::VARCHAR"
    " AND jobs.status IN (%(s1)s::VARCHAR, %(s2)s::VARCHAR)"
    " AND jobs.created_at >= %(since)s::TIMESTAMP WITHOUT TIME ZONE"
)


class DirectSql:
    """The page and count statements on one psycopg connection, rendered once (the server's SQLAlchemy caches
    its compiled SQL too), each pair in one transaction: BEGIN (implicit), SELECT page, SELECT count, COMMIT."""

    def __init__(self, conn: psycopg.Connection[Any]) -> None:
        self.conn = conn
        self.page = PAGE_SQL.as_string(conn)
        self.count = COUNT_SQL.as_string(conn)

    def run(self, domain: str, since: datetime) -> tuple[list[str], int]:
        params = {"domain": domain, "s1": QUERY_STATUSES[0], "s2": QUERY_STATUSES[1], "since": since}
        with self.conn.cursor() as cursor:
            rows = cursor.execute(self.page, {**params, "limit": PAGE, "offset": 0}).fetchall()
            (total,) = cursor.execute(self.count, params).fetchone() or (0,)
        self.conn.commit()
        return [row[0] for row in rows], int(total)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


@dataclass
class Timings:
    rest: list[float]
    direct: list[float]
    matches: list[int]


def measure(served: Served, conninfo: str, tokens: dict[str, str], requests: int, warmup: int) -> Timings:
    since = END - timedelta(days=SINCE_DAYS)
    body = json.dumps(list_body(since)).encode()
    domains = list(tokens)
    timings = Timings([], [], [])
    path = f"{served.rest_url}/inventory-v2/v1/job/list"
    with (
        httpx.Client(trust_env=False, timeout=30) as client,
        psycopg.connect(conninfo) as conn,
    ):
        direct = DirectSql(conn)
        for number in range(warmup + requests):
            domain = domains[number % len(domains)]
            headers = {"Authorization": f"Bearer {tokens[domain]}", "Content-Type": "application/json"}

            started = time.perf_counter()
            ids, total = direct.run(domain, since)
            direct_s = time.perf_counter() - started

            started = time.perf_counter()
            response = client.post(path, content=body, headers=headers)
            rest_s = time.perf_counter() - started

            if response.status_code != 200:
                raise SystemExit(f"list answered {response.status_code}: {response.text[:500]}")
            data = response.json()
            if [row["job_id"] for row in data["results"]] != ids or data["total_count"] != total:
                raise SystemExit(f"REST and direct SQL disagree for {domain}: the SQL here is not what list runs")
            if number >= warmup:
                timings.rest.append(rest_s * 1000)
                timings.direct.append(direct_s * 1000)
                timings.matches.append(total)
    return timings


def report(args: argparse.Namespace, url: str, loaded: float | None, timings: Timings, load: tuple[float, ...]) -> bool:
    rest_median, direct_median = statistics.median(timings.rest), statistics.median(timings.direct)
    ratio = rest_median / direct_median
    fast = rest_median < TARGET_MEDIAN_MS
    close = ratio <= TARGET_RATIO
    since = (END - timedelta(days=SINCE_DAYS)).date().isoformat()
    load_note = "already loaded" if loaded is None else f"loaded in {loaded:.1f} s"
    print("cloudinv list benchmark")
    print(
        f"  database     {make_url(url).render_as_string()}: {args.jobs:,} jobs, {args.domains} domains ({load_note})"
    )
    print(
        f"  query        status in {list(QUERY_STATUSES)}, created_at datetime_gte {since}, sort created_at desc,"
        f" page 1 x {PAGE}; {min(timings.matches):,}-{max(timings.matches):,}"
        f" matches per domain, {QUERIED_DOMAINS} domains in turn"
    )
    print(f"  requests     {len(timings.rest)} after {args.warmup} warm-up, sequential, one keep-alive connection")
    print(f"  machine      {os.cpu_count()} CPUs, load average {load[0]:.2f} at start, {os.getloadavg()[0]:.2f} at end")
    print(
        f"  REST list    median {rest_median:6.2f} ms   p95 {percentile(timings.rest, 0.95):6.2f} ms"
        "   (httpx -> cloudinv serve, loopback)"
    )
    print(
        f"  direct SQL   median {direct_median:6.2f} ms   p95 {percentile(timings.direct, 0.95):6.2f} ms"
        "   (page SELECT ... LIMIT 100 + COUNT(*), one transaction, psycopg)"
    )
    print(f"  ratio        {ratio:.2f}x  (REST median / direct SQL median)")
    print(
        f"  targets      REST median < {TARGET_MEDIAN_MS:.0f} ms: {'met' if fast else 'MISSED'};"
        f" REST <= {TARGET_RATIO:.0f}x direct SQL: {'met' if close else 'MISSED'}"
    )
    return fast and close


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=100)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--database", default=BENCH_DATABASE, help="the bench database's name on that server")
    parser.add_argument("--recreate", action="store_true", help="drop and recreate the bench database first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()

    server_url = os.environ.get("CLOUDINV_BENCH_DATABASE_URL") or DEFAULT_SERVER_URL
    ensure_database(server_url, args.database, args.recreate)
    url = on_server(server_url, args.database)
    database = Database(url)
    try:
        migrate.upgrade(database)
    finally:
        database.dispose()
    loaded = load(url, args.jobs, args.domains)

    with tempfile.TemporaryDirectory(prefix="cloudinv-bench-") as tmp:
        data_dir = Path(tmp)
        issuer = open_tokens(Settings(data_dir=data_dir, database_url=url, token_public_keys=()))
        queried = [domain_name(i * args.domains // QUERIED_DOMAINS) for i in range(min(QUERIED_DOMAINS, args.domains))]
        tokens = {domain: issuer.issue(domain, Role.DOMAIN_ADMIN, None, 3600) for domain in queried}
        with serve(url, data_dir) as served:
            load_at_start = os.getloadavg()
            timings = measure(served, url, tokens, args.requests, args.warmup)
    met = report(args, url, loaded, timings, load_at_start)
    with psycopg.connect(url) as conn:
        (after,) = conn.execute("SELECT count(*) FROM jobs").fetchone() or (0,)
    if after != args.jobs:
        print(
            f"  WARNING      the table holds {after:,} jobs after the run, not {args.jobs:,}: the server changed them"
        )
    if args.strict and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
