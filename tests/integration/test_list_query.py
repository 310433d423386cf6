"""list: top-level fields, sort, paging, only, minimal, count_only, keyword."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

JOB_FIELDS = {
    "job_id", "status", "total_tasks", "remained_tasks", "success_tasks", "failure_tasks", "request_secret_id",
    "request_workspace_id", "resource_group", "domain_id", "workspace_id", "collector_id", "plugin_id",
    "created_at", "updated_at", "finished_at",
}  # fmt: skip


def test_default_order_is_newest_first_with_job_id_tie_break(api: Any, token: Any, load_jobs: Any) -> None:
    same = datetime(2024, 5, 1)
    rows = load_jobs({"created_at": same}, {"created_at": same}, {"created_at": same + timedelta(hours=1)})
    listed = [r["job_id"] for r in api.call("list", {}, token()).data["results"]]
    tied = sorted((rows[0]["job_id"], rows[1]["job_id"]), reverse=True)
    assert listed == [rows[2]["job_id"], *tied]


def test_rest_rows_carry_every_field_with_nulls(rest: Any, token: Any, load_jobs: Any) -> None:
    load_jobs({"status": "IN_PROGRESS", "finished_at": None, "remained_tasks": 2, "success_tasks": 0})
    [row] = rest.call("list", {}, token()).data["results"]
    assert set(row) == JOB_FIELDS
    assert row["finished_at"] is None
    assert row["remained_tasks"] == 2


def test_top_level_fields_are_eq_filters(api: Any, token: Any, load_jobs: Any) -> None:
    rows = load_jobs(
        {"status": "FAILURE", "collector_id": "collector-9", "plugin_id": "p1"},
        {"status": "SUCCESS", "collector_id": "collector-9", "plugin_id": "p2"},
        {"status": "FAILURE", "collector_id": "collector-8", "workspace_id": "ws-2"},
    )

    def count(body: dict[str, Any]) -> int:
        return int(api.call("list", body, token()).data.get("total_count", 0))

    assert count({"status": "FAILURE"}) == 2
    assert count({"status": "FAILURE", "collector_id": "collector-9"}) == 1
    assert count({"plugin_id": "p2"}) == 1
    assert count({"workspace_id": "ws-2"}) == 1
    assert count({"job_id": rows[0]["job_id"]}) == 1
    assert count({"status": "JOB_STATE_NONE"}) == 3
    assert count({"status": "TIMEOUT"}) == 0


def test_sort_null_lowest_on_both_dialects(api: Any, token: Any, load_jobs: Any) -> None:
    rows = load_jobs({"collector_id": "collector-b"}, {"collector_id": None}, {"collector_id": "collector-a"})
    ascending = api.call("list", {"query": {"sort": [{"key": "collector_id"}]}}, token()).data["results"]
    assert [r["job_id"] for r in ascending] == [rows[1]["job_id"], rows[2]["job_id"], rows[0]["job_id"]]
    descending = api.call("list", {"query": {"sort": [{"key": "collector_id", "desc": True}]}}, token())
    assert [r["job_id"] for r in descending.data["results"]] == [rows[0]["job_id"], rows[2]["job_id"],
                                                               rows[1]["job_id"]]  # fmt: skip


def test_paging_start_is_one_based_and_total_counts_all(api: Any, token: Any, load_jobs: Any) -> None:
    load_jobs(*({"total_tasks": n, "success_tasks": n} for n in range(1, 8)))
    sort = [{"key": "total_tasks"}]
    page = api.call("list", {"query": {"sort": sort, "page": {"start": 3, "limit": 2}}}, token()).data
    assert [r["total_tasks"] for r in page["results"]] == [3, 4]
    assert page["total_count"] == 7
    below_one = api.call("list", {"query": {"sort": sort, "page": {"start": 0, "limit": 2}}}, token()).data
    assert [r["total_tasks"] for r in below_one["results"]] == [1, 2]


def test_page_limit_is_capped_at_1000(application: Any, load_jobs: Any) -> None:
    from cloudinv.domain.auth import Role, Scope

    load_jobs(*({} for _ in range(1005)))
    scope = Scope("domain-a", Role.DOMAIN_ADMIN)
    assert len(application.jobs.list(scope, {}).rows) == 1000
    assert len(application.jobs.list(scope, {"query": {"page": {"limit": 5000}}}).rows) == 1000
    assert application.jobs.list(scope, {}).total_count == 1005


def test_only_minimal_and_count_only(rest: Any, token: Any, load_jobs: Any) -> None:
    load_jobs({}, {})
    only = rest.call("list", {"query": {"only": ["job_id", "status"]}}, token()).data
    assert [set(r) for r in only["results"]] == [{"job_id", "status"}] * 2
    minimal = rest.call("list", {"query": {"minimal": True}}, token()).data
    assert set(minimal["results"][0]) == {"job_id", "status", "collector_id", "plugin_id", "created_at",
                                          "finished_at"}  # fmt: skip
    counted = rest.call("list", {"query": {"count_only": True}}, token()).data
    assert counted == {"results": [], "total_count": 2}


def test_keyword_matches_any_word_in_job_id_and_is_anded(api: Any, token: Any, load_jobs: Any) -> None:
    rows = load_jobs({"status": "SUCCESS"}, {"status": "FAILURE"}, {"status": "SUCCESS"})
    words = f"{rows[0]['job_id'][-4:].upper()} {rows[1]['job_id'][-4:]}"
    found = api.call("list", {"query": {"keyword": words}}, token()).data
    assert {r["job_id"] for r in found["results"]} == {rows[0]["job_id"], rows[1]["job_id"]}
    narrowed = {"query": {"keyword": words, "filter_or": [{"k": "status", "v": "FAILURE"}, {"k": "status", "v": "x"}]}}
    assert [r["job_id"] for r in api.call("list", narrowed, token()).data["results"]] == [rows[1]["job_id"]]
