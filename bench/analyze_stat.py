"""Benchmark: analyze and stat through JobService, each against the equivalent hand-written SQL run directly.

The data: 1,000,000 jobs in PostgreSQL across 10 domains (100,000 each, 20 collectors per domain, a year of
jobs, 70% SUCCESS / 15% FAILURE / 10% CANCELED / 5% IN_PROGRESS), in a database of their own
(`cloudinv_bench_analytics`, created through the `postgres` maintenance database when absent) on the server
CLOUDINV_BENCH_DATABASE_URL names (default postgresql://postgres@127.0.0.1:5432/test): the tests' tables are
never touched. cloudinv's migrations create the tables; the rows go in with COPY, and not again when the
table already holds the same number of jobs across the same number of domains.

The measure, over one domain as its DOMAIN_ADMIN (in process: parse, compile, SQLAlchemy, psycopg, shaping):
  analyze  {"group_by": ["status", "collector_id"], "fields": {"n": count, "tasks": sum of total_tasks}}
  stat     {"distinct": "collector_id"}
each alternating with the SQL it amounts to, written by hand and run with psycopg on its own connection, in a
transaction as the service runs it. The answers are checked against each other. Target: the service's median
at most 1.5x the direct SQL's.

    .venv/bin/python bench/analyze_stat.py [--runs 200] [--warmup 20] [--jobs 1000000] [--domains 10]
                                           [--recreate] [--strict]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any

import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

from cloudinv.domain.auth import Role, Scope
from cloudinv.services.jobs import JobService
from cloudinv.store import migrate
from cloudinv.store.engine import Database
from cloudinv.store.jobs import JobRepository

DEFAULT_SERVER_URL = "postgresql://postgres@127.0.0.1:5432/test"
BENCH_DATABASE = "cloudinv_bench_analytics"
TARGET_RATIO = 1.5
COLLECTORS_PER_DOMAIN = 20
STATUSES = ("SUCCESS", "FAILURE", "CANCELED", "IN_PROGRESS")
STATUS_WEIGHTS = (70, 15, 10, 5)
END = datetime(2025, 1, 1)
SPAN = timedelta(days=365)
COLUMNS = (
    "job_id", "status", "total_tasks", "remained_tasks", "success_tasks", "failure_tasks", "request_secret_id",
    "request_workspace_id", "resource_group", "domain_id", "workspace_id", "collector_id", "plugin_id",
    "created_at", "updated_at", "finished_at",
)  # fmt: skip

ANALYZE = {
    "query": {
        "group_by": ["status", "collector_id"],
        "fields": {"n": {"operator": "count"}, "tasks": {"operator": "sum", "key": "total_tasks"}},
    }
}
# What analyze amounts to: its page limit is 1000, plus one row to tell whether there are more.
ANALYZE_SQL = (
    "SELECT status, collector_id, count(*) AS n, coalesce(sum(total_tasks), 0) AS tasks FROM jobs"
    " WHERE domain_id = %s GROUP BY status, collector_id"
    " ORDER BY status NULLS FIRST, collector_id NULLS FIRST LIMIT 1001"
)
DISTINCT = {"query": {"distinct": "collector_id"}}
DISTINCT_SQL = (
    "SELECT DISTINCT collector_id FROM jobs WHERE domain_id = %s AND collector_id IS NOT NULL ORDER BY collector_id"
)


def on_server(server_url: str, database: str) -> str:
    url = make_url(server_url).set(drivername="postgresql", database=database)
    return url.render_as_string(hide_password=False)


def ensure_database(server_url: str, recreate: bool) -> None:
    with psycopg.connect(on_server(server_url, "postgres"), autocommit=True) as conn:
        if recreate:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(BENCH_DATABASE)))
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (BENCH_DATABASE,)).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(BENCH_DATABASE)))


def domain_name(index: int) -> str:
    return f"domain-an{index:03d}"


def generate_rows(count: int, domains: int, seed: int = 11) -> Iterator[tuple[Any, ...]]:
    rng = random.Random(seed)
    step = SPAN / count
    for index in range(count):
        domain = index % domains
        status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
        created = END - SPAN + step * index
        total = rng.randint(1, 10)
        failed = rng.randint(1, total) if status == "FAILURE" else 0
        remained = rng.randint(1, total) if status == "IN_PROGRESS" else 0
        workspace = f"workspace-a{domain:03d}{rng.randrange(5)}"
        collector = (
            f"collector-a{domain:03d}{rng.randrange(COLLECTORS_PER_DOMAIN):02d}" if rng.random() < 0.98 else None
        )
        finished = None if status == "IN_PROGRESS" else created + timedelta(seconds=rng.randint(5, 900))
        yield (
            f"job-{(index * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFF:012x}", status, total, remained,
            total - failed - remained, failed, None, workspace, "WORKSPACE", domain_name(domain), workspace,
            collector, "plugin-aws", created, finished or created, finished,
        )  # fmt: skip


def load(conninfo: str, count: int, domains: int) -> float | None:
    """COPY the jobs in unless the same data is there; the seconds it took, or None when skipped."""
    with psycopg.connect(conninfo) as conn:
        have = conn.execute("SELECT count(*), count(DISTINCT domain_id) FROM jobs").fetchone()
        if have == (count, domains):
            return None
        print(f"loading {count:,} jobs across {domains} domains ...", flush=True)
        started = time.perf_counter()
        conn.execute("TRUNCATE jobs, job_tasks")
        statement = sql.SQL("COPY jobs ({}) FROM STDIN").format(sql.SQL(", ").join(map(sql.Identifier, COLUMNS)))
        with conn.cursor() as cursor, cursor.copy(statement) as copy:
            for row in generate_rows(count, domains):
                copy.write_row(row)
        conn.commit()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE) jobs")
    return time.perf_counter() - started


def timed(call: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = call()
    return (time.perf_counter() - started) * 1000, result


def direct(conn: psycopg.Connection[Any], query: str, domain: str) -> list[tuple[Any, ...]]:
    with conn.transaction(), conn.cursor() as cursor:
        return cursor.execute(query, (domain,)).fetchall()  # type: ignore[arg-type]


def compare(
    label: str, service_call: Callable[[], Any], sql_call: Callable[[], Any], runs: int, warmup: int
) -> tuple[list[float], list[float], Any, Any]:
    service_ms: list[float] = []
    sql_ms: list[float] = []
    for number in range(warmup + runs):
        direct_time, direct_rows = timed(sql_call)
        service_time, answer = timed(service_call)
        if number >= warmup:
            sql_ms.append(direct_time)
            service_ms.append(service_time)
    print(f"  {label}: {len(service_ms)} runs after {warmup} warm-up", flush=True)
    return service_ms, sql_ms, answer, direct_rows


def report(label: str, service_ms: list[float], sql_ms: list[float]) -> bool:
    service, hand = statistics.median(service_ms), statistics.median(sql_ms)
    ratio = service / hand
    print(f"  {label:<44} service median {service:7.2f} ms   direct SQL median {hand:7.2f} ms   ratio {ratio:.2f}x")
    return ratio <= TARGET_RATIO


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--jobs", type=int, default=1_000_000)
    parser.add_argument("--domains", type=int, default=10)
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--recreate", action="store_true", help=f"drop and recreate {BENCH_DATABASE} first")
    parser.add_argument("--strict", action="store_true", help="exit 1 when the target is missed")
    args = parser.parse_args()

    server_url = os.environ.get("CLOUDINV_BENCH_DATABASE_URL") or DEFAULT_SERVER_URL
    ensure_database(server_url, args.recreate)
    url = on_server(server_url, BENCH_DATABASE)
    database = Database(url)
    migrate.upgrade(database)
    loaded = load(url, args.jobs, args.domains)
    domain = domain_name(0)
    service = JobService(JobRepository(database))
    scope = Scope(domain, Role.DOMAIN_ADMIN)

    print("cloudinv analyze/stat benchmark")
    note = "already loaded" if loaded is None else f"loaded in {loaded:.1f} s"
    print(f"  database  {make_url(url).render_as_string()}: {args.jobs:,} jobs, {args.domains} domains ({note})")
    print(f"  scope     DOMAIN_ADMIN of {domain} ({args.jobs // args.domains:,} jobs)")
    with psycopg.connect(url) as conn:
        analyze = compare("analyze", lambda: service.analyze(scope, ANALYZE),
                          lambda: direct(conn, ANALYZE_SQL, domain), args.runs, args.warmup)  # fmt: skip
        distinct = compare("stat distinct", lambda: service.stat(scope, DISTINCT),
                           lambda: direct(conn, DISTINCT_SQL, domain), args.runs, args.warmup)  # fmt: skip
    database.dispose()

    groups = [(r["status"], r["collector_id"], r["n"], r["tasks"]) for r in analyze[2]["results"]]
    if groups != [tuple(row) for row in analyze[3]] or distinct[2]["results"] != [r[0] for r in distinct[3]]:
        raise SystemExit("the service and the hand-written SQL disagree: the SQL here is not what the verbs mean")
    print(f"  answers   {len(groups)} groups, {len(distinct[2]['results'])} distinct collectors; both paths agree")
    met = report("analyze group_by [status, collector_id], count+sum", *analyze[:2])
    met = report("stat distinct collector_id", *distinct[:2]) and met
    print(f"  target    service median <= {TARGET_RATIO}x direct SQL median: {'met' if met else 'MISSED'}")
    if args.strict and not met:
        sys.exit(1)


if __name__ == "__main__":
    main()
