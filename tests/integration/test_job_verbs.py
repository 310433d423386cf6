"""Every verb over REST and gRPC, including the seed document's examples."""

from __future__ import annotations

from typing import Any


def test_get_returns_the_job_with_iso_timestamps(api: Any, token: Any, load_jobs: Any) -> None:
    [row] = load_jobs({"status": "SUCCESS"})
    reply = api.call("get", {"job_id": row["job_id"]}, token())
    assert reply.ok, reply
    assert reply.data["job_id"] == row["job_id"]
    assert reply.data["status"] == "SUCCESS"
    assert reply.data["created_at"] == row["created_at"].strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_get_unknown_job_is_not_found(api: Any, token: Any) -> None:
    reply = api.call("get", {"job_id": "job-123456789012"}, token())
    assert reply.code == "ERROR_NOT_FOUND"
    assert reply.message == "Resource cannot be found or access is denied. (job_id = job-123456789012)"


def test_seed_list_example_pages(api: Any, token: Any, load_jobs: Any) -> None:
    load_jobs(*({} for _ in range(7)))
    reply = api.call("list", {"query": {"page": {"start": 1, "limit": 5}}}, token())
    assert reply.ok, reply
    assert reply.data["total_count"] == 7
    assert len(reply.data["results"]) == 5


def test_seed_stat_example(api: Any, token: Any, load_jobs: Any) -> None:
    load_jobs({"status": "SUCCESS"}, {"status": "FAILURE"}, {"status": "CANCELED"}, {"status": "IN_PROGRESS"})
    reply = api.call("stat", {"query": {"distinct": "status"}}, token())
    assert reply.ok, reply
    assert reply.data == {"results": ["CANCELED", "FAILURE", "IN_PROGRESS", "SUCCESS"]}


def test_seed_analyze_example_with_unknown_key_summing_zero(api: Any, token: Any, load_jobs: Any) -> None:
    load_jobs({"total_tasks": 3, "success_tasks": 2, "failure_tasks": 1})
    query = {
        "group_by": ["job_id", "status"],
        "page": {"start": 1, "limit": 5},
        "fields": {
            "total_tasks_sum": {"key": "total_tasks", "operator": "sum"},
            "remain_tasks_sum": {"key": "remain_tasks", "operator": "sum"},
            "failure_tasks_sum": {"key": "failure_tasks", "operator": "sum"},
        },
    }
    reply = api.call("analyze", {"query": query}, token())
    assert reply.ok, reply
    [result] = reply.data["results"]
    assert result["total_tasks_sum"] == 3
    assert result["remain_tasks_sum"] == 0
    assert result["failure_tasks_sum"] == 1
    assert reply.data["more"] is False


def test_delete_removes_the_job(api: Any, token: Any, load_jobs: Any) -> None:
    [row] = load_jobs({})
    assert api.call("delete", {"job_id": row["job_id"]}, token()).ok
    assert api.call("get", {"job_id": row["job_id"]}, token()).code == "ERROR_NOT_FOUND"
    assert api.call("delete", {"job_id": row["job_id"]}, token()).code == "ERROR_NOT_FOUND"
