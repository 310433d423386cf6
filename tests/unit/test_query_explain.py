"""`cloudinv query explain`: the SQL a request compiles to, per dialect, without a database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from cloudinv.cli.main import cli

COLLECTOR_STATUS = {"query": {
    "group_by": ["collector_id"],
    "fields": {"jobs": {"operator": "push", "fields": {"status": "status", "finished_at": "finished_at"}}},
    "filter": [{"k": "created_at", "v": "now - 5d", "o": "timediff_gte"}],
}}  # fmt: skip
DAILY = {"query": {"aggregate": [
    {"group": {"keys": [{"key": "created_at", "name": "day", "date_format": "%Y-%m-%d"}],
               "fields": [{"name": "n", "operator": "count"}]}},
    {"sort": [{"key": "n", "desc": True}]},
], "page": {"limit": 5}}}  # fmt: skip


def _explain(tmp_path: Path, body: Any, *options: str) -> Any:
    file = tmp_path / "body.json"
    file.write_text(json.dumps(body))
    return CliRunner().invoke(cli, ["query", "explain", *options, str(file)])


@pytest.mark.parametrize(
    ("dialect", "expected"),
    [("sqlite", ["json_group_array", "json_object"]), ("postgresql", ["json_agg", "json_build_object"])],
)
def test_analyze_is_explained_per_dialect(tmp_path: Path, dialect: str, expected: list[str]) -> None:
    result = _explain(tmp_path, COLLECTOR_STATUS, "--verb", "analyze", "--dialect", dialect, "--domain-id", "domain-x")
    assert result.exit_code == 0, result.output
    assert "GROUP BY" in result.output
    assert "row_number() OVER (PARTITION BY jobs.collector_id" in result.output
    assert "jobs.domain_id = 'domain-x'" in result.output
    for word in expected:
        assert word in result.output


def test_stat_shows_the_page_and_the_count(tmp_path: Path) -> None:
    result = _explain(tmp_path, DAILY, "--verb", "stat", "--dialect", "postgresql")
    assert result.exit_code == 0, result.output
    assert "to_char(" in result.output and "'YYYY'" in result.output
    assert "-- the total count (before paging)" in result.output
    assert "LIMIT 5" in result.output


def test_stages_left_to_python_are_named(tmp_path: Path) -> None:
    body = {"query": {"aggregate": [
        {"group": {"keys": [{"key": "status", "name": "s"}], "fields": [{"name": "ids", "operator": "push",
                                                                           "key": "job_id"}]}},
        {"unwind": {"path": "ids"}},
    ]}}  # fmt: skip
    result = _explain(tmp_path, body, "--verb", "stat")
    assert result.exit_code == 0, result.output
    assert "strftime" not in result.output
    assert "then in Python, over those rows: query.aggregate[1].unwind" in result.output


def test_list_shows_the_page_and_the_count(tmp_path: Path) -> None:
    body = {"query": {"filter": [{"k": "status", "v": ["SUCCESS", "FAILURE"], "o": "in"}], "page": {"limit": 3}}}
    result = _explain(tmp_path, body)
    assert result.exit_code == 0, result.output
    assert "jobs.status IN ('SUCCESS', 'FAILURE')" in result.output
    assert "ORDER BY jobs.created_at DESC, jobs.job_id DESC" in result.output
    assert "count(*)" in result.output


@pytest.mark.parametrize(
    ("body", "mentions"),
    [({"query": {"group_by": ["status"]}}, "query.fields"), ({"query": {"fields": {"n": {"operator": "x"}}}}, "'x'")],
)
def test_a_bad_query_is_reported(tmp_path: Path, body: Any, mentions: str) -> None:
    result = _explain(tmp_path, body, "--verb", "analyze")
    assert result.exit_code == 1
    assert mentions in result.output


def test_a_file_that_is_not_json_is_reported(tmp_path: Path) -> None:
    file = tmp_path / "body.json"
    file.write_text("{nope")
    result = CliRunner().invoke(cli, ["query", "explain", str(file)])
    assert result.exit_code == 1
    assert "is not JSON" in result.output
