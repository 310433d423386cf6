"""Timestamps and relative times in query values: ISO 8601 strings and `now[/d|/w|/m] [+|-] N[s|m|h|d|w]`."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from cloudinv.domain.clock import to_naive_utc, utcnow

_TIMEDIFF_RE = re.compile(r"^now(?:/([dwm]))?\s*(?:([+-])\s*(\d+)\s*([smhdw]))?$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_iso(value: object) -> datetime | None:
    """ISO 8601 (date, date-time, `Z` or offsets) to naive UTC; None when it is not one."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return to_naive_utc(parsed)


def parse_timediff(value: object, now: datetime | None = None) -> datetime | None:
    """`now - 5d`, `now/d`, `now/w + 1h`... relative to the current UTC time; None when malformed."""
    if not isinstance(value, str):
        return None
    match = _TIMEDIFF_RE.match(value.strip())
    if match is None:
        return None
    anchor, sign, amount, unit = match.groups()
    base = now if now is not None else utcnow()
    if anchor == "d":
        base = base.replace(hour=0, minute=0, second=0, microsecond=0)
    elif anchor == "w":
        base = base.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=base.weekday())
    elif anchor == "m":
        base = base.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    if sign:
        delta = timedelta(**{_UNITS[unit]: int(amount)})
        base = base + delta if sign == "+" else base - delta
    return base
