"""A fixture of jobs and an oracle for analyze and stat: what each query must answer, computed in plain
Python over the stored rows. It shares no code with cloudinv.query, so the two can only agree by being right.

Semantics written down here (and in the spec): rows are taken in creation order (created_at, then job_id)
for first/last/push; groups come out in ascending key order with null first; a sort is stable over that;
push and add_to_set leave nulls out; sum ignores non-numbers; an average with conditions counts the rows
that fail them as 0 (as the reference does); an aggregate without keys answers one row even over no rows.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

Row = dict[str, Any]

STATUSES = ("SUCCESS", "FAILURE", "SUCCESS", "CANCELED", "IN_PROGRESS", "FAILURE", "SUCCESS")
COLLECTORS = ("collector-a", "collector-b", None, "collector-c", "collector-a", "collector-b", "collector-a")
WORKSPACES = ("ws-1", "ws-2", "*")


def conformance_jobs(now: datetime) -> list[Row]:
    """36 jobs of domain-a over the last nine days (none within 7 hours of a whole-day boundary from `now`,
    so `now - 5d` cannot flip between the oracle and the server), then 4 of domain-b nobody here may see."""
    rows = []
    for i in range(40):
        status = STATUSES[i % 7]
        total = (i * 7) % 10
        failure = min(total, 1 + i % 3) if status == "FAILURE" else 0
        remained = (total - failure) // 2 if status == "IN_PROGRESS" else 0
        created = now - timedelta(days=i % 9, hours=7 + (i * 5) % 10, minutes=i, seconds=i % 60)
        created = created.replace(microsecond=(i * 37 % 1000) * 1000)
        workspace = WORKSPACES[i % 3]
        rows.append(
            {
                "status": status,
                "total_tasks": total,
                "failure_tasks": failure,
                "remained_tasks": remained,
                "success_tasks": total - failure - remained,
                "collector_id": COLLECTORS[i % 7],
                "plugin_id": None if i % 5 == 4 else ("plugin-aws", "plugin-gcp")[i % 2],
                "workspace_id": workspace,
                "resource_group": "DOMAIN" if workspace == "*" else "WORKSPACE",
                "request_secret_id": f"secret-{i % 4}" if i % 3 else None,
                "domain_id": "domain-a" if i < 36 else "domain-b",
                "created_at": created,
                "updated_at": created,
                "finished_at": None if status == "IN_PROGRESS" else created + timedelta(minutes=3 + i % 20),
            }
        )
    return rows


def iso(value: Any) -> Any:
    """Timestamps as the API writes them, inside lists and objects too."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, list):
        return [iso(v) for v in value]
    if isinstance(value, dict):
        return {k: iso(v) for k, v in value.items()}
    return value


def order_key(value: Any) -> tuple[int, Any]:
    """null < numbers < strings < timestamps (enough for the fixture's values)."""
    if value is None:
        return (0, 0)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    return (3, value)


def lookup(row: Row, key: str) -> Any:
    """A column, or a dotted path into an object."""
    if key in row:
        return row[key]
    value: Any = row
    for part in key.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


# ---- filters ----


def _relative(text: str, now: datetime) -> datetime:
    match = re.fullmatch(r"now\s*-\s*(\d+)d", text)
    assert match, f"the oracle only knows 'now - Nd', not {text!r}"
    return now - timedelta(days=int(match.group(1)))


def _as_time(value: Any) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).replace(tzinfo=None)


def condition_holds(row: Row, cond: dict[str, Any], now: datetime) -> bool:
    key, op, value = cond["k"], cond.get("o", "eq"), cond["v"]
    field = row.get(key)
    if op.startswith("timediff_"):
        op, value = op.removeprefix("timediff_"), _relative(value, now)
    elif op.startswith("datetime_"):
        op, value = op.removeprefix("datetime_"), _as_time(value)
    if op in ("lt", "lte", "gt", "gte"):
        if field is None:
            return False
        return {"lt": field < value, "lte": field <= value, "gt": field > value, "gte": field >= value}[op]
    text = "" if field is None else str(field).lower()
    checks = {
        "eq": lambda: field == value,
        "not": lambda: field != value,
        "in": lambda: field in value,
        "not_in": lambda: field not in value,
        "exists": lambda: (field is not None) == value,
        "contain": lambda: field is not None and str(value).lower() in text,
        "not_contain": lambda: field is None or str(value).lower() not in text,
        "regex": lambda: field is not None and re.search(value, str(field), re.IGNORECASE) is not None,
    }
    return bool(checks[op]())


def matching(rows: list[Row], query: dict[str, Any], now: datetime) -> list[Row]:
    """The rows of domain-a the query's filter, filter_or and keyword keep, in creation order."""
    kept = []
    for row in rows:
        if row["domain_id"] != "domain-a":
            continue
        if not all(condition_holds(row, c, now) for c in query.get("filter", [])):
            continue
        ors = query.get("filter_or", [])
        if ors and not any(condition_holds(row, c, now) for c in ors):
            continue
        words = query.get("keyword", "").lower().split()
        if words and not any(w in row["job_id"].lower() for w in words):
            continue
        kept.append(row)
    return sorted(kept, key=lambda r: (r["created_at"], r["job_id"]))


# ---- one group's aggregates ----


def _numbers(values: list[Any]) -> list[Any]:
    return [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]


def _extreme(operator: str, values: list[Any]) -> Any:
    present = [v for v in values if v is not None]
    if operator in ("max", "min"):
        return (max if operator == "max" else min)(present, key=order_key) if present else None
    if operator == "add_to_set":
        return sorted(set(present), key=order_key)
    merged: dict[str, Any] = {}  # merge_objects
    for value in present:
        merged.update(value)
    return merged


def aggregate(members: list[Row], operator: str, key: str | None, sub: dict[str, str], when: list[Any]) -> Any:
    def passes(row: Row) -> bool:
        return all(_compare(lookup(row, c["key"]), c["operator"], c["value"]) for c in when)

    values = [lookup(row, key) if key else None for row in members]
    if operator == "count":
        return sum(1 for row in members if passes(row))
    if operator in ("sum", "average"):
        picked = _numbers([v if passes(row) else 0 for row, v in zip(members, values, strict=True)])
        if operator == "sum":
            return sum(picked)
        return sum(picked) / len(picked) if picked else None
    if operator in ("first", "last"):
        return (values[0] if operator == "first" else values[-1]) if values else None
    if operator == "push":
        if sub:
            return [{out: lookup(row, src) for out, src in sub.items()} for row in members]
        return [v for v in values if v is not None]
    return _extreme(operator, values)


def _compare(field: Any, op: str, value: Any) -> bool:
    if isinstance(field, datetime) and isinstance(value, str):
        value = _as_time(value)
    if op == "eq":
        return bool(field == value)
    if op == "not":
        return bool(field != value)
    if field is None:
        return False
    return {"gt": field > value, "gte": field >= value, "lt": field < value, "lte": field <= value}[op]


def group(rows: list[Row], keys: list[tuple[str, str, str]], fields: list[tuple[str, str, Any, Any, Any]]) -> list[Row]:
    """keys: (source, name, date_format); fields: (name, operator, key, sub-fields, conditions)."""
    groups: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        values = tuple(date_format(lookup(row, source), fmt) for source, _, fmt in keys)
        groups.setdefault(values, []).append(row)
    if not keys and not groups:
        groups[()] = []
    out = []
    for values in sorted(groups, key=lambda vs: [order_key(v) for v in vs]):
        item = {name: value for (_, name, _), value in zip(keys, values, strict=True)}
        for name, operator, key, sub, when in fields:
            item[name] = aggregate(groups[values], operator, key, sub or {}, when or [])
        out.append(item)
    return out


def date_format(value: Any, fmt: str) -> Any:
    if not fmt or value is None:
        return value
    if fmt in ("year", "month", "day"):
        return getattr(value, fmt)
    return value.strftime(fmt)


def sort_rows(rows: list[Row], keys: list[dict[str, Any]]) -> list[Row]:
    for key in reversed(keys):
        rows = sorted(rows, key=lambda r, k=key["key"]: order_key(lookup(r, k)), reverse=key.get("desc", False))
    return rows
