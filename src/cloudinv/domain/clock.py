"""Time: one UTC clock and the one wire format for timestamps."""

from __future__ import annotations

from datetime import UTC, datetime


def utcnow() -> datetime:
    """Naive UTC, as stored: the database columns carry no zone, every value is UTC."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_naive_utc(value: datetime) -> datetime:
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value


def format_timestamp(value: datetime | None) -> str | None:
    """`2022-01-01T10:00:01.389Z`: ISO 8601 UTC with milliseconds."""
    if value is None:
        return None
    value = to_naive_utc(value)
    return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
