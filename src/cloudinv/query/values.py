"""Result values to JSON-safe Python: integers stay integers, timestamps become ISO strings."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from cloudinv.domain.clock import format_timestamp


def plain(value: Any) -> Any:
    """A database value as the API returns it."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return value
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    return value


def json_value(value: Any) -> Any:
    """SQLite returns JSON aggregates as text, PostgreSQL as Python objects."""
    if isinstance(value, str):
        return json.loads(value)
    return value
