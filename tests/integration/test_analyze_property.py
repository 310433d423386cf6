"""Property: over random jobs, for a random filter and group_by, analyze's counts are list's counts.

Each group's `count` equals the total_count of `list` with the same filter plus `eq` on the group's keys, and
the counts add up to list's total_count for the filter alone. Two independent paths (GROUP BY versus WHERE +
COUNT) must agree, whatever the nulls, filters and keys.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete

from cloudinv import app as composition
from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.clock import utcnow
from cloudinv.store.jobs import JobRepository
from cloudinv.store.schema import jobs
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
