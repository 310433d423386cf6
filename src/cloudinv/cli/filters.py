"""`-f KEY<op>VALUE` filters, compiled into conditions of the query language, and `--query FILE`.

| written | condition |
|---|---|
| `status=FAILURE` | eq |
| `status!=FAILURE` | not |
| `total_tasks>3`, `>=`, `<`, `<=` | gt, gte, lt, lte (a date is compared as a time on a timestamp field) |
| `created_at>=now-1d` | timediff_gte (likewise for the other comparisons): `now[/d|/w|/m] [+-] N[s|m|h|d|w]` |
| `job_id~3b12` / `job_id!~3b12` | contain / not_contain (case-insensitive) |
| `status=FAILURE,CANCELED` | in (a comma makes a list: `!=` gives not_in, `~` contain_in, `!~` not_contain_in) |

Values are typed as JSON would read them: `3` is a number, `true`/`false` booleans, `null` null; anything
else is a string. Quotes make a string of anything, commas included: `name="a,b"`, `name='3'`.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml


class FilterError(ValueError):
    """A filter or query file the CLI cannot read; the message names it."""


_EXPRESSION = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(>=|<=|!=|!~|=|>|<|~)(.*)$", re.DOTALL)
_SCALAR = {"=": "eq", "!=": "not", ">": "gt", ">=": "gte", "<": "lt", "<=": "lte", "~": "contain",
           "!~": "not_contain"}  # fmt: skip
_LIST = {"=": "in", "!=": "not_in", "~": "contain_in", "!~": "not_contain_in"}
_TIMEDIFF = re.compile(r"^now(/[dwm])?(\s*[+-]\s*\d+[smhdw])?$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?([eE][+-]?\d+)?$")
_WORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


def _quoted(text: str) -> bool:
    return len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'"


def value_of(text: str) -> Any:
    """A typed value: quoted → string, number, true/false/null, else the text itself."""
    text = text.strip()
    if _quoted(text):
        return text[1:-1]
    if text in _WORDS:
        return _WORDS[text]
    if _NUMBER.match(text):
        return float(text) if any(c in text for c in ".eE") else int(text)
    return text


def condition(expression: str) -> dict[str, Any]:
    """One `-f` expression as a condition `{k, v, o}`."""
    match = _EXPRESSION.match(expression)
    if match is None:
        raise FilterError(f"cannot read the filter {expression!r}: write KEY=VALUE (or !=, >, >=, <, <=, ~, !~)")
    key, op, raw = match.group(1), match.group(2), match.group(3).strip()
    if op in _LIST and "," in raw and not _quoted(raw):
        return {"k": key, "v": [value_of(part) for part in raw.split(",")], "o": _LIST[op]}
    if op in (">", ">=", "<", "<=") and _TIMEDIFF.match(raw):
        return {"k": key, "v": raw, "o": f"timediff_{_SCALAR[op]}"}
    return {"k": key, "v": value_of(raw), "o": _SCALAR[op]}


def read_query(path: Path | None) -> dict[str, Any]:
    """The query in a JSON or YAML file (`-` for standard input): either the query itself or a request body
    `{"query": {...}}`. No file: an empty query."""
    if path is None:
        return {}
    try:
        text = sys.stdin.read() if str(path) == "-" else path.read_text(encoding="utf-8")
        data = yaml.safe_load(text) if text.strip() else {}
    except (OSError, yaml.YAMLError) as exc:
        raise FilterError(f"cannot read the query file {path}: {exc}") from exc
    if isinstance(data, Mapping) and isinstance(data.get("query"), Mapping):
        data = data["query"]
    if not isinstance(data, Mapping):
        raise FilterError(f"the query file {path} must hold a JSON/YAML object")
    return dict(data)


def with_filters(query: Mapping[str, Any], expressions: Sequence[str]) -> dict[str, Any]:
    """The query with the `-f` conditions ANDed to its `filter`."""
    result = dict(query)
    if expressions:
        result["filter"] = [*(query.get("filter") or []), *(condition(e) for e in expressions)]
    return result


def parse_json_option(text: str | None, name: str) -> Any:
    """A JSON option value (`--options '{"a": 1}'`), or `@FILE` for a JSON/YAML file."""
    if text is None:
        return None
    try:
        if text.startswith("@"):
            return yaml.safe_load(Path(text[1:]).read_text(encoding="utf-8"))
        return json.loads(text)
    except (OSError, ValueError, yaml.YAMLError) as exc:
        raise FilterError(f"{name}: {exc}") from exc
