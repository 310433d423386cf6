"""Match rules as SQL: a rule's keys (`name`, `account`, `data.vm.vm_id`...) become expressions on the assets
table, and each JSON path gets an index the first time a rule names it, so that resolving a batch is one
indexed query per rule however many assets a domain holds."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Sequence
from functools import lru_cache
from typing import Any

from sqlalchemy import Connection, text

# Keys that are columns of their own.
COLUMN_KEYS = ("name", "account", "provider", "asset_type_id", "region_code", "project_id")
_JSON_ROOTS = ("data", "tags")
_SEGMENT = re.compile(r"^[A-Za-z0-9_\-]+$")


class RuleKeyError(ValueError):
    """A match rule key that cannot be matched on."""


def json_path(key: str) -> tuple[str, tuple[str, ...]]:
    """`data.vm.vm_id` -> ("data", ("vm", "vm_id")); only plain segments, since they become SQL text."""
    root, _, rest = key.partition(".")
    segments = tuple(rest.split(".")) if rest else ()
    if root not in _JSON_ROOTS or not segments or not all(_SEGMENT.match(s) for s in segments):
        raise RuleKeyError(f"match rule key {key!r} is neither a column ({', '.join(COLUMN_KEYS)}) nor data.*/tags.*")
    return root, segments


def key_sql(key: str, dialect: str) -> str:
    """The SQL of a rule key: its column, or the JSON path expression its index is built on (the lookups must
    spell it exactly so for the planner to use that index). A JSON value reads as text, as key_value writes it:
    a string as itself, a number or a boolean as its JSON text (PostgreSQL's `#>>`), JSON null as SQL NULL."""
    if key in COLUMN_KEYS:
        return key
    root, segments = json_path(key)
    if dialect == "postgresql":
        return f"({root} #>> '{{{','.join(segments)}}}')"
    path = f"'$.{'.'.join(segments)}'"
    return (
        f"(CASE json_type({root}, {path}) WHEN 'text' THEN json_extract({root}, {path}) WHEN 'null' THEN NULL "
        f"ELSE {root} -> {path} END)"
    )


def index_name(key: str, dialect: str) -> str:
    """Named after the expression, so that an index of an earlier expression for the same key is not taken
    for this one."""
    return "ix_assets_match_" + hashlib.sha1(key_sql(key, dialect).encode()).hexdigest()[:12]


@lru_cache(maxsize=256)
def lookup_sql(keys: tuple[str, ...], dialect: str) -> str:
    """SELECT asset_id and the keys' values of the assets in (domain, workspace) whose keys take one of the
    wanted value tuples, given as `lookup_params`. The wanted values travel as one parameter per key, never one
    per value: a thousand-value IN list costs more to bind and plan than to run.

    On PostgreSQL each wanted tuple is looked up on its own (a LATERAL subquery that OFFSET 0 keeps from being
    flattened into a join): given thousands of values at once, the planner scans the whole domain instead,
    re-reading every JSON document, as it cannot know what `#>>` costs."""
    expressions = [key_sql(k, dialect) for k in keys]
    if dialect == "postgresql":
        wanted = ", ".join(f"v{i}" for i in range(len(keys)))
        arrays = ", ".join(["%s::text[]"] * len(keys))
        found = ", ".join(f"{e} AS k{i}" for i, e in enumerate(expressions))
        matches = " AND ".join(f"{e} = wanted.v{i}" for i, e in enumerate(expressions))
        return (
            f"SELECT a.asset_id, {', '.join(f'a.k{i}' for i in range(len(keys)))} "
            f"FROM unnest({arrays}) AS wanted({wanted}) CROSS JOIN LATERAL ("
            f"SELECT asset_id, {found} FROM assets WHERE domain_id = %s AND workspace_id = %s AND {matches} "
            "OFFSET 0) AS a"
        )
    columns = ", ".join(expressions)
    if len(keys) == 1:
        condition = f"{expressions[0]} IN (SELECT value FROM json_each(?))"
    else:
        parts = ", ".join(f"json_extract(value, '$[{i}]')" for i in range(len(keys)))
        condition = f"({columns}) IN (SELECT {parts} FROM json_each(?))"
    return f"SELECT asset_id, {columns} FROM assets WHERE domain_id = ? AND workspace_id = ? AND {condition}"


def lookup_params(
    domain_id: str, workspace_id: str, wanted: Collection[tuple[str, ...]], width: int, dialect: str
) -> tuple[Any, ...]:
    """In `lookup_sql`'s order: PostgreSQL takes one text array per key first, SQLite one JSON array last."""
    if dialect == "postgresql":
        return (*([v[i] for v in wanted] for i in range(width)), domain_id, workspace_id)
    return (domain_id, workspace_id, json.dumps([v[0] for v in wanted] if width == 1 else list(wanted)))


def key_value(value: Any) -> str | None:
    """A rule value in the one form both dialects compare: text (JSON text for non-strings). Used for the
    incoming item's values and for the values read back (SQLite returns JSON scalars typed, PostgreSQL text)."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value)


def ensure_indexes(conn: Connection, keys: Sequence[str], dialect: str, known: set[str]) -> None:
    """Create, once, an index on (domain_id, <json path>) for each JSON key of a rule."""
    for key in keys:
        if key in COLUMN_KEYS or key in known:
            continue
        index = index_name(key, dialect)
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {index} ON assets (domain_id, {key_sql(key, dialect)})"))
        known.add(key)
