"""One order for values of any type, in Python: null lowest (as in SQL with NULLS FIRST), then numbers,
strings, objects, lists, booleans, timestamps (the reference's BSON order). Strings compare by code point,
like the C collation and SQLite."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


def sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)
    if isinstance(value, bool):
        return (5, value)
    if isinstance(value, int | float):
        return (1, value)
    if isinstance(value, str):
        return (2, value)
    if isinstance(value, dict):
        return (3, _json(value))
    if isinstance(value, list):
        return (4, _json(value))
    if isinstance(value, datetime):
        return (6, value)
    return (7, str(value))


def hashable(value: Any) -> Any:
    """A value usable as a dict key (group keys may be lists or objects in Python stages)."""
    if isinstance(value, dict | list):
        return (type(value).__name__, _json(value))
    if isinstance(value, bool):
        return ("bool", value)  # True == 1 in Python; not as a group key
    return value
