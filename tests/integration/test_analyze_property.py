"""Property: over random jobs, for a random filter and group_by, analyze's counts are list's counts.

Each group's `count` equals the total_count of `list` with the same filter plus `eq` on the group's keys, and
the counts add up to list's total_count for the filter alone. Two independent paths (GROUP BY versus WHERE +
COUNT) must agree, whatever the nulls, filters and keys.
"""

from __future__ import annotations

import contextlib
from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from cloudinv import app as composition
from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.clock import utcnow
from cloudinv.domain.errors import InvalidArgumentError
from cloudinv.store.jobs import JobRepository
from cloudinv.store.schema import jobs
from tests.support.analytics import conformance_jobs
from tests.support.jobs import job_row

ADMIN = Scope("domain-a", Role.DOMAIN_ADMIN)
GROUP_KEYS = ("status", "collector_id", "plugin_id", "workspace_id", "total_tasks")

job = st.fixed_dictionaries(
    {
        "status": st.sampled_from(["SUCCESS", "FAILURE", "CANCELED", "IN_PROGRESS"]),
        "collector_id": st.sampled_from(["collector-1", "collector-2", "Collector-3", None]),
        "plugin_id": st.sampled_from(["aws-ec2", "gcp", None]),
        "workspace_id": st.sampled_from(["ws-1", "ws-2", "*"]),
        "domain_id": st.sampled_from(["domain-a", "domain-a", "domain-b"]),
        "total_tasks": st.integers(0, 4),
        "age_days": st.integers(0, 9),
    }
)

condition = st.one_of(
    st.builds(lambda o, v: {"k": "status", "v": v, "o": o}, st.sampled_from(["eq", "not"]),
              st.sampled_from(["SUCCESS", "FAILURE"])),
    st.builds(lambda o, v: {"k": "status", "v": v, "o": o}, st.sampled_from(["in", "not_in"]),
              st.lists(st.sampled_from(["SUCCESS", "FAILURE", "CANCELED"]), max_size=2)),
    st.builds(lambda o, v: {"k": "collector_id", "v": v, "o": o}, st.sampled_from(["eq", "not"]),
              st.sampled_from(["collector-1", None])),
    st.builds(lambda v: {"k": "collector_id", "v": v, "o": "contain"}, st.sampled_from(["collector", "3", "C"])),
    st.builds(lambda v: {"k": "plugin_id", "v": v, "o": "exists"}, st.booleans()),
    st.builds(lambda o, v: {"k": "total_tasks", "v": v, "o": o}, st.sampled_from(["gt", "lte"]), st.integers(0, 4)),
    st.builds(lambda o, d: {"k": "created_at", "v": f"now - {d}d", "o": o},
              st.sampled_from(["timediff_gte", "timediff_lt"]), st.integers(0, 9)),
)  # fmt: skip


def _count(application: composition.Application, conditions: list[dict[str, Any]]) -> int:
    return application.jobs.list(ADMIN, {"query": {"filter": conditions, "count_only": True}}).total_count


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    generated=st.lists(job, max_size=20),
    filters=st.lists(condition, max_size=2),
    group_by=st.lists(st.sampled_from(GROUP_KEYS), max_size=2, unique=True),
)
def test_analyze_counts_equal_list_counts(
    application: composition.Application,
    generated: list[dict[str, Any]],
    filters: list[dict[str, Any]],
    group_by: list[str],
) -> None:
    now = utcnow()
    rows = []
    for spec in map(dict, generated):
        age = spec.pop("age_days")
        # Half a day off whole days, so that `now - Nd` cannot flip between here and the server.
        rows.append(job_row(**spec, created_at=now - timedelta(days=age, hours=12)))
    with application.database.begin() as conn:
        conn.execute(delete(jobs))
    JobRepository(application.database).upsert_many(rows)

    query = {"group_by": group_by, "fields": {"n": {"operator": "count"}}, "filter": filters}
    results = application.jobs.analyze(ADMIN, {"query": query})["results"]

    assert sum(result["n"] for result in results) == _count(application, filters)
    for result in results:
        keys = [{"k": key, "v": result[key], "o": "eq"} for key in group_by]
        assert result["n"] == _count(application, [*filters, *keys]), result


# ---- whatever the pipeline, an answer or a client error: never a 500 ----

NAMES = st.sampled_from(["status", "collector_id", "total_tasks", "created_at", "finished_at", "n", "ids", "nope"])
OPERATORS = st.sampled_from(["count", "sum", "average", "max", "min", "first", "last", "add_to_set", "push"])
VALUES = st.one_of(st.none(), st.integers(-1, 5), st.sampled_from(["SUCCESS", "2024-01-01", "x"]), st.booleans())
CONDITION = st.fixed_dictionaries(
    {"key": NAMES, "value": VALUES, "operator": st.sampled_from(["eq", "not", "gt", "lte", "in", "exists"])}
)
GROUP_FIELD = st.fixed_dictionaries(
    {"name": NAMES, "operator": OPERATORS},
    optional={"key": NAMES, "conditions": st.lists(CONDITION, max_size=1),
              "fields": st.lists(st.fixed_dictionaries({"key": NAMES, "name": NAMES}), max_size=2)},
)  # fmt: skip
GROUP_KEY = st.fixed_dictionaries(
    {"key": NAMES, "name": NAMES}, optional={"date_format": st.sampled_from(["year", "day", "%Y-%m-%d", "%H", "%q"])}
)
PROJECT_FIELD = st.fixed_dictionaries(
    {"name": NAMES},
    optional={"key": NAMES, "operator": st.sampled_from(["size", "sum", "add", "divide", "array_to_object"]),
              "fields": st.lists(st.one_of(NAMES, st.integers(0, 2)), max_size=3)},
)  # fmt: skip
STAGE = st.one_of(
    st.builds(lambda k, f: {"group": {"keys": k, "fields": f}}, st.lists(GROUP_KEY, max_size=2),
              st.lists(GROUP_FIELD, max_size=3)),
    st.builds(lambda n: {"count": {"name": n}}, NAMES),
    st.builds(lambda k, d: {"sort": [{"key": k, "desc": d}]}, NAMES, st.booleans()),
    st.builds(lambda f, e: {"project": {"fields": f, "exclude_keys": e}}, st.lists(PROJECT_FIELD, min_size=1,
              max_size=2), st.booleans()),
    st.builds(lambda p, c: {"unwind": {"path": p, "filter": c}}, NAMES, st.lists(CONDITION, max_size=1)),
    st.builds(lambda n: {"limit": n}, st.integers(-1, 3)),
    st.builds(lambda n: {"skip": n}, st.integers(-1, 3)),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(stages=st.lists(STAGE, min_size=1, max_size=4), limit=st.integers(0, 3))
def test_any_pipeline_is_answered_or_refused_as_a_client_error(
    application: composition.Application, stages: list[dict[str, Any]], limit: int
) -> None:
    if not _count(application, []):
        JobRepository(application.database).upsert_many(
            [job_row(**r) for r in conformance_jobs(utcnow())]  # once: the fixture's application lives on
        )
    with contextlib.suppress(InvalidArgumentError):
        application.jobs.stat(ADMIN, {"query": {"aggregate": stages, "page": {"limit": limit}}})
