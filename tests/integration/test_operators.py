"""Every filter operator, each with a case that tells it apart from its neighbours, on both dialects."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from cloudinv.domain.auth import Role, Scope
from cloudinv.domain.clock import utcnow

ADMIN = Scope("domain-a", Role.DOMAIN_ADMIN)


@pytest.fixture
def jobs(load_jobs: Any) -> dict[str, str]:
    """Five jobs whose plugin ids and collectors make each operator's neighbour give another answer."""
    now = utcnow()
    rows = load_jobs(
        {"plugin_id": "aws-ec2", "collector_id": "collector-1", "total_tasks": 1, "success_tasks": 1,
         "created_at": now - timedelta(days=1)},
        {"plugin_id": "AWS-S3.bucket", "collector_id": "collector-2", "total_tasks": 2, "success_tasks": 2,
         "created_at": now - timedelta(days=3)},
        {"plugin_id": "azure_vm", "collector_id": None, "total_tasks": 3, "success_tasks": 3,
         "created_at": now - timedelta(days=10)},
        {"plugin_id": "gcp%compute", "collector_id": "collector-1", "total_tasks": 4, "success_tasks": 4,
         "created_at": datetime(2024, 1, 2, 3, 4, 5)},
        {"plugin_id": None, "collector_id": "collector-3", "total_tasks": 5, "success_tasks": 5,
         "created_at": datetime(2023, 6, 1)},
    )  # fmt: skip
    return {r["plugin_id"] or "none": r["job_id"] for r in rows}


def ids(application: Any, *conditions: dict[str, Any], **query: Any) -> set[str]:
    body = {"query": {"filter": list(conditions), **query}}
    result = application.jobs.list(ADMIN, body)
    return {row["job_id"] for row in result.rows}


def pick(jobs: dict[str, str], *names: str) -> set[str]:
    return {jobs[n] for n in names}


def cond(key: str, operator: str, value: Any) -> dict[str, Any]:
    return {"key": key, "operator": operator, "value": value}


ALL = ("aws-ec2", "AWS-S3.bucket", "azure_vm", "gcp%compute", "none")


def test_eq_and_not_not_also_matches_null(application: Any, jobs: Any) -> None:
    assert ids(application, cond("plugin_id", "eq", "aws-ec2")) == pick(jobs, "aws-ec2")
    assert ids(application, cond("plugin_id", "not", "aws-ec2")) == pick(jobs, *ALL[1:])
    assert ids(application, cond("plugin_id", "eq", None)) == pick(jobs, "none")


def test_in_versus_not_in_with_null(application: Any, jobs: Any) -> None:
    assert ids(application, cond("plugin_id", "in", ["aws-ec2", "azure_vm"])) == pick(jobs, "aws-ec2", "azure_vm")
    assert ids(application, cond("plugin_id", "in", ["aws-ec2", None])) == pick(jobs, "aws-ec2", "none")
    not_in = ids(application, cond("plugin_id", "not_in", ["aws-ec2", "azure_vm"]))
    assert not_in == pick(jobs, "AWS-S3.bucket", "gcp%compute", "none")
    assert ids(application, cond("plugin_id", "not_in", ["aws-ec2", None])) == pick(jobs, *ALL[1:4])


def test_not_versus_not_in(application: Any, jobs: Any) -> None:
    """`not` takes one value, `not_in` a list: the same exclusion spelled two ways, and type-checked."""
    assert ids(application, cond("plugin_id", "not", "azure_vm")) == ids(
        application, cond("plugin_id", "not_in", ["azure_vm"])
    )
    with pytest.raises(Exception, match="must be a list type"):
        ids(application, cond("plugin_id", "not_in", "azure_vm"))


def test_comparisons(application: Any, jobs: Any) -> None:
    assert ids(application, cond("total_tasks", "lt", 2)) == pick(jobs, "aws-ec2")
    assert ids(application, cond("total_tasks", "lte", 2)) == pick(jobs, "aws-ec2", "AWS-S3.bucket")
    assert ids(application, cond("total_tasks", "gt", 4)) == pick(jobs, "none")
    assert ids(application, cond("total_tasks", "gte", 4)) == pick(jobs, "gcp%compute", "none")


def test_comparison_on_timestamp_parses_iso(application: Any, jobs: Any) -> None:
    assert ids(application, cond("created_at", "lt", "2024-01-01")) == pick(jobs, "none")
    got = ids(application, cond("created_at", "gte", "2024-01-02T03:04:05Z"), cond("created_at", "lt", "2024-02-01"))
    assert got == pick(jobs, "gcp%compute")


def test_exists(application: Any, jobs: Any) -> None:
    assert ids(application, cond("collector_id", "exists", False)) == pick(jobs, "azure_vm")
    assert len(ids(application, cond("collector_id", "exists", True))) == 4


def test_contain_is_literal_and_case_insensitive_unlike_regex(application: Any, jobs: Any) -> None:
    assert ids(application, cond("plugin_id", "contain", "aws")) == pick(jobs, "aws-ec2", "AWS-S3.bucket")
    # A regex metacharacter is literal for contain ...
    assert ids(application, cond("plugin_id", "contain", "s3.")) == pick(jobs, "AWS-S3.bucket")
    assert ids(application, cond("plugin_id", "contain", "s.")) == set()
    # ... and a LIKE wildcard too.
    assert ids(application, cond("plugin_id", "contain", "%")) == pick(jobs, "gcp%compute")
    assert ids(application, cond("plugin_id", "contain", "_")) == pick(jobs, "azure_vm")
    # regex interprets the same text.
    assert ids(application, cond("plugin_id", "contain", "s\\d")) == set()
    assert ids(application, cond("plugin_id", "regex", "s\\d")) == pick(jobs, "AWS-S3.bucket")
    assert ids(application, cond("plugin_id", "regex", "^aws")) == pick(jobs, "aws-ec2", "AWS-S3.bucket")


def test_contain_with_a_number_searches_its_digits(api: Any, token: Any, load_jobs: Any) -> None:
    [row] = load_jobs({"job_id": "job-000000153444"})
    body = {"query": {"filter": [cond("job_id", "contain", 153444)]}}
    assert [r["job_id"] for r in api.call("list", body, token()).data["results"]] == [row["job_id"]]


def test_not_contain_matches_null(application: Any, jobs: Any) -> None:
    got = ids(application, cond("plugin_id", "not_contain", "aws"))
    assert got == pick(jobs, "azure_vm", "gcp%compute", "none")


def test_contain_in_is_any_and_not_contain_in_is_none_of(application: Any, jobs: Any) -> None:
    assert ids(application, cond("plugin_id", "contain_in", ["ec2", "vm"])) == pick(jobs, "aws-ec2", "azure_vm")
    # The reference would also return aws-ec2 (it lacks "vm"): "none of" must exclude it.
    got = ids(application, cond("plugin_id", "not_contain_in", ["ec2", "vm"]))
    assert got == pick(jobs, "AWS-S3.bucket", "gcp%compute", "none")


def test_regex_in(application: Any, jobs: Any) -> None:
    assert ids(application, cond("plugin_id", "regex_in", ["^azure", "compute$"])) == pick(
        jobs, "azure_vm", "gcp%compute"
    )


def test_datetime_operators(application: Any, jobs: Any) -> None:
    assert ids(application, cond("created_at", "datetime_lt", "2024-01-01")) == pick(jobs, "none")
    assert ids(application, cond("created_at", "datetime_lte", "2024-01-02T03:04:05+00:00")) == pick(
        jobs, "gcp%compute", "none"
    )
    # +09:00 is nine hours ahead of UTC: 12:04:05+09:00 is 03:04:05Z.
    assert (
        ids(
            application,
            cond("created_at", "datetime_gt", "2024-01-02T12:04:05+09:00"),
            cond("created_at", "datetime_lt", "2024-02-01"),
        )
        == set()
    )
    assert ids(application, cond("created_at", "datetime_gte", "2024-01-02T12:04:05+09:00"),
               cond("created_at", "datetime_lt", "2024-02-01")) == pick(jobs, "gcp%compute")  # fmt: skip


@pytest.mark.parametrize("expression", ["now-5d", "now - 5d", "now -5d"])
def test_timediff_spacing_variants(application: Any, jobs: Any, expression: str) -> None:
    assert ids(application, cond("created_at", "timediff_gte", expression)) == pick(jobs, "aws-ec2", "AWS-S3.bucket")


def test_timediff_lt_and_anchors(application: Any, jobs: Any) -> None:
    older = ids(application, cond("created_at", "timediff_lt", "now - 5d"))
    assert older == pick(jobs, "azure_vm", "gcp%compute", "none")
    assert ids(application, cond("created_at", "timediff_gt", "now/d + 1d")) == set()
    assert ids(application, cond("created_at", "timediff_lte", "now")) == pick(jobs, *ALL)


def test_filter_or_and_filter_are_anded(application: Any, jobs: Any) -> None:
    body = {"filter_or": [cond("plugin_id", "eq", "aws-ec2"), cond("plugin_id", "eq", "azure_vm")]}
    assert ids(application, **body) == pick(jobs, "aws-ec2", "azure_vm")
    assert ids(application, cond("collector_id", "exists", True), **body) == pick(jobs, "aws-ec2")


def test_short_condition_names(application: Any, jobs: Any) -> None:
    assert ids(application, {"k": "plugin_id", "v": "aws-ec2", "o": "eq"}) == pick(jobs, "aws-ec2")
    # The long name wins when both are given.
    both = {"k": "plugin_id", "key": "collector_id", "v": "collector-3", "o": "eq"}
    assert ids(application, both) == pick(jobs, "none")
