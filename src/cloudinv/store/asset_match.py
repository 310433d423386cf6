"""Match rules as SQL: a rule's keys (`name`, `account`, `data.vm.vm_id`...) become expressions on the assets
table, and each JSON path gets an index the first time a rule names it, so that resolving a batch is one
indexed query per rule however many assets a domain holds."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Connection, func, literal_column, text

from cloudinv.store.schema import assets

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


def key_expression(key: str, dialect: str) -> ColumnElement[Any]:
    if key in COLUMN_KEYS:
        return assets.c[key]
    root, segments = json_path(key)
    if dialect == "postgresql":
        path = "{" + ",".join(segments) + "}"
        return literal_column(f"({root} #>> '{path}')")
    return func.json_extract(assets.c[root], literal_column(f"'$.{'.'.join(segments)}'"))


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
        root, segments = json_path(key)
        name = "ix_assets_match_" + hashlib.sha1(key.encode()).hexdigest()[:12]
        if dialect == "postgresql":
            expression = f"(({root} #>> '{{{','.join(segments)}}}'))"
        else:
            expression = f"json_extract({root}, '$.{'.'.join(segments)}')"
        conn.execute(text(f"CREATE INDEX IF NOT EXISTS {name} ON assets (domain_id, {expression})"))
        known.add(key)
