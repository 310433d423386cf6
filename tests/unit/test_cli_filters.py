"""`-f` expressions as conditions of the query language, and `--query` files."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cloudinv.cli.entry import is_client_command
from cloudinv.cli.filters import FilterError, condition, read_query, value_of, with_filters


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("status=FAILURE", {"k": "status", "v": "FAILURE", "o": "eq"}),
        ("status != FAILURE", {"k": "status", "v": "FAILURE", "o": "not"}),
        ("total_tasks>3", {"k": "total_tasks", "v": 3, "o": "gt"}),
        ("total_tasks>=3", {"k": "total_tasks", "v": 3, "o": "gte"}),
        ("total_tasks<2.5", {"k": "total_tasks", "v": 2.5, "o": "lt"}),
        ("created_at<=2024-01-01", {"k": "created_at", "v": "2024-01-01", "o": "lte"}),
        ("created_at>=now-1d", {"k": "created_at", "v": "now-1d", "o": "timediff_gte"}),
        ("created_at<now/d - 2h", {"k": "created_at", "v": "now/d - 2h", "o": "timediff_lt"}),
        ("job_id~3b12", {"k": "job_id", "v": "3b12", "o": "contain"}),
        ("job_id!~3b12", {"k": "job_id", "v": "3b12", "o": "not_contain"}),
        ("status=FAILURE,CANCELED", {"k": "status", "v": ["FAILURE", "CANCELED"], "o": "in"}),
        ("status!=FAILURE,CANCELED", {"k": "status", "v": ["FAILURE", "CANCELED"], "o": "not_in"}),
        ("job_id~ab,cd", {"k": "job_id", "v": ["ab", "cd"], "o": "contain_in"}),
        ("job_id!~ab,cd", {"k": "job_id", "v": ["ab", "cd"], "o": "not_contain_in"}),
        ('name="a,b"', {"k": "name", "v": "a,b", "o": "eq"}),
        ("name='3'", {"k": "name", "v": "3", "o": "eq"}),
        ("tags.env=prod", {"k": "tags.env", "v": "prod", "o": "eq"}),
        ("finished_at=null", {"k": "finished_at", "v": None, "o": "eq"}),
        ("name=a=b", {"k": "name", "v": "a=b", "o": "eq"}),
        ("name=", {"k": "name", "v": "", "o": "eq"}),
    ],
)
def test_expressions(expression: str, expected: dict[str, Any]) -> None:
    assert condition(expression) == expected


@pytest.mark.parametrize("expression", ["", "=x", "status", "1abc=2", "status FAILURE"])
def test_unreadable_expressions_say_how_to_write_one(expression: str) -> None:
    with pytest.raises(FilterError, match="write KEY=VALUE"):
        condition(expression)


def test_values_are_typed_as_json_reads_them() -> None:
    assert [value_of(t) for t in ("true", "false", "null", "-4", "1e3", "abc", '"true"')] == [
        True, False, None, -4, 1000.0, "abc", "true",
    ]  # fmt: skip


def test_query_files_and_filters(tmp_path: Path) -> None:
    as_body = tmp_path / "body.json"
    as_body.write_text('{"query": {"filter": [{"k": "status", "v": "SUCCESS", "o": "eq"}], "sort": [{"key": "a"}]}}')
    as_yaml = tmp_path / "query.yaml"
    as_yaml.write_text("filter:\n  - {k: status, v: SUCCESS, o: eq}\nsort: [{key: a}]\n")
    assert read_query(as_body) == read_query(as_yaml)
    combined = with_filters(read_query(as_yaml), ["plugin_id=host"])
    assert combined["filter"] == [
        {"k": "status", "v": "SUCCESS", "o": "eq"},
        {"k": "plugin_id", "v": "host", "o": "eq"},
    ]
    assert read_query(None) == {}
    bad = tmp_path / "bad.yaml"
    bad.write_text("- a list\n")
    with pytest.raises(FilterError, match="must hold a JSON/YAML object"):
        read_query(bad)
    with pytest.raises(FilterError, match="cannot read the query file"):
        read_query(tmp_path / "missing.json")


@pytest.mark.parametrize(
    ("args", "client"),
    [
        (["jobs", "list"], True), (["jobs", "import", "f"], False), (["jobs", "--help"], False), (["jobs"], False),
        (["collectors", "collect", "x"], True), (["login", "--url", "u"], True), (["serve"], False), ([], False),
        (["--help"], False),
    ],
)  # fmt: skip
def test_client_commands_start_without_the_server_code(args: list[str], client: bool) -> None:
    assert is_client_command(args) is client
