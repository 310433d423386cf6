"""Database values of pipeline columns to Python values: numbers as int/float, timestamps as datetime
(each dialect returns its own forms, and JSON aggregates carry timestamps as text), JSON as lists/dicts.

Python stages work on these; `values.plain` renders them for the API at the very end.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from cloudinv.query.kinds import Kind
from cloudinv.query.timeparse import parse_iso
from cloudinv.query.values import json_value, plain

Decode = Callable[[Any], Any]


def _integer(value: Any) -> Any:
    return None if value is None else int(value)


def _float(value: Any) -> Any:
    return None if value is None else float(value)


def _timestamp(value: Any) -> Any:
    if isinstance(value, str):
        return parse_iso(value)
    return value if isinstance(value, datetime) else None


def _same(value: Any) -> Any:
    return value


def decoder(kind: Kind) -> Decode:
    if kind.name == "array":
        item = decoder(kind.item) if kind.item is not None else _same

        def array(value: Any) -> Any:
            items = json_value(value)
            return None if items is None else [item(v) for v in items]

        return array
    if kind.name in ("object", "json"):
        return json_value  # a JSON path's canonical text, too
    return {"integer": _integer, "float": _float, "number": plain, "datetime": _timestamp}.get(kind.name, _same)
