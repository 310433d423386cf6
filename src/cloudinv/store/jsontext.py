"""JSON text as the ingest path stores it: orjson, about ten times json.dumps for an asset's `data`.

What orjson refuses (an int past 64 bits, a key that is not a string or number) falls back to the standard
encoder. Either way datetimes become ISO 8601 text, other values JSON has no type for (a Decimal...) their
`str()`, and NaN and the infinities null, where json.dumps would write text no JSON parser (nor PostgreSQL)
reads.
"""

from __future__ import annotations

import json
import math
from datetime import date
from typing import Any

import orjson

_OPTIONS = orjson.OPT_NON_STR_KEYS


def _default(value: Any) -> str:
    return value.isoformat() if isinstance(value, date) else str(value)


_fallback = json.JSONEncoder(default=_default, separators=(",", ":")).encode


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def json_text(value: Any) -> str:
    try:
        return orjson.dumps(value, default=_default, option=_OPTIONS).decode()
    except orjson.JSONEncodeError:
        return _fallback(_finite(value))
