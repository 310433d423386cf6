"""What analyze and stat must answer for a request body, in plain Python over the fixture rows
(tests/support/analytics.py has the rows and the per-group arithmetic)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support.analytics import Row, group, iso, lookup, matching, order_key, sort_rows

TOTALS = {"count": "sum", "sum": "sum", "average": "average", "max": "max", "min": "min"}


def calculate(row: Row, spec: dict[str, Any]) -> Any:
    operator = spec["operator"]
    if operator in ("size", "sum", "array_to_object", "object_to_array"):
        value = lookup(row, spec["key"])
        if operator == "size":
            return None if value is None else len(value)
        if operator == "sum":
            return sum(value) if isinstance(value, list) else (value or 0)
        if operator == "array_to_object":
            return None if value is None else {item["k"]: item["v"] for item in value}
        return None if value is None else [{"k": k, "v": v} for k, v in value.items()]
    values = []
    for operand in spec["fields"]:
        if isinstance(operand, dict):
            values.append(calculate(row, operand))
        else:
            values.append(lookup(row, operand) if isinstance(operand, str) else operand)
    if None in values:
        return None
    if operator == "add":
        return sum(values)
    if operator == "subtract":
        return values[0] - values[1]
    if operator == "divide":
        return None if values[1] == 0 else values[0] / values[1]
    product = 1
    for value in values:
        product *= value
    return product


def _pivot(rows: list[Row], query: dict[str, Any]) -> list[Row]:
    pivoted = query["field_group"]
    names = [g if isinstance(g, str) else g["name"] for g in query.get("group_by", [])]
    kept = [n for n in names if n not in pivoted and (not query.get("select") or n in query["select"])]
    buckets: dict[tuple[Any, ...], list[Row]] = {}
    for row in rows:
        buckets.setdefault(tuple(row.get(k) for k in kept), []).append(row)
    out = []
    for values in sorted(buckets, key=lambda vs: [order_key(v) for v in vs]):
        members = buckets[values]
        item = dict(zip(kept, values, strict=True))
        for name, spec in query["fields"].items():
            column = [m.get(name) for m in members]
            numbers = [v for v in column if v is not None]
            total = TOTALS.get(spec["operator"])
            if total == "sum":
                item[f"_total_{name}"] = sum(numbers)
            elif total == "average":
                item[f"_total_{name}"] = sum(numbers) / len(numbers) if numbers else None
            elif total:
                item[f"_total_{name}"] = (max if total == "max" else min)(numbers, key=order_key) if numbers else None
            item[name] = [{"value": m.get(name), **{k: m.get(k) for k in pivoted}} for m in members]
        out.append(item)
    return out


def analyze(rows: list[Row], query: dict[str, Any], now: datetime) -> dict[str, Any]:
    keys = [
        (g, g.rsplit(".", 1)[-1], "") if isinstance(g, str) else (g["key"], g["name"], g.get("date_format", ""))
        for g in query.get("group_by", [])
    ]
    fields = [(n, s["operator"], s.get("key"), s.get("fields"), None) for n, s in query["fields"].items()]
    out = group(matching(rows, query, now), keys, fields)
    if query.get("select"):
        select = query["select"].items()
        out = [{n: lookup(r, s) if isinstance(s, str) else calculate(r, s) for n, s in select} for r in out]
    sort = query.get("sort", [])
    if query.get("field_group"):
        out = _pivot(out, query)
        sort = [{**s, "key": f"_total_{s['key']}" if s["key"] in query["fields"] else s["key"]} for s in sort]
    out = sort_rows(out, sort)
    page = query.get("page", {})
    start, limit = max(page.get("start", 1), 1) - 1, min(page.get("limit") or 1000, 1000)
    return {"results": iso(out[start : start + limit]), "more": len(out) > start + limit}


def _stage(rows: list[Row], kind: str, spec: Any, keys: list[str]) -> tuple[list[Row], list[str]]:
    if kind == "group":
        group_keys = [(k["key"], k["name"], k.get("date_format", "")) for k in spec.get("keys", [])]
        fields = [
            (f["name"], f["operator"], f.get("key"), {s["name"]: s["key"] for s in f.get("fields", [])},
             f.get("conditions"))
            for f in spec.get("fields", [])
        ]  # fmt: skip
        return group(rows, group_keys, fields), [k[1] for k in group_keys]
    if kind == "count":
        return [{spec["name"]: len(rows)}], []
    if kind == "sort":
        return sort_rows(rows, spec), keys
    if kind == "project":
        kept = [] if spec.get("exclude_keys") else keys
        out = []
        for row in rows:
            item = {k: row.get(k) for k in kept}
            for f in spec["fields"]:
                item[f["name"]] = calculate(row, f) if f.get("operator") else lookup(row, f["key"])
            out.append(item)
        return out, kept
    if kind == "unwind":
        out = []
        for row in rows:
            value = row.get(spec["path"])
            for element in value if isinstance(value, list) else [] if value is None else [value]:
                item = {**row, spec["path"]: element}
                if all(lookup(item, c["k"]) == c["v"] for c in spec.get("filter", [])):
                    out.append(item)
        return out, keys
    return (rows[:spec] if kind == "limit" else rows[spec:]), keys


def stat(rows: list[Row], query: dict[str, Any], now: datetime) -> dict[str, Any]:
    kept = matching(rows, query, now)
    if "distinct" in query:
        out: list[Any] = sorted({r[query["distinct"]] for r in kept if r[query["distinct"]] is not None})
    else:
        out, keys = kept, []
        for stage in query["aggregate"]:
            [(kind, spec)] = stage.items()
            out, keys = _stage(out, kind, spec, keys)
    limit = query.get("page", {}).get("limit", 0)
    if not limit:
        return {"results": iso(out)}
    start = max(query["page"].get("start", 1), 1) - 1
    return {"results": iso(out[start : start + limit]), "total_count": len(out)}
