from __future__ import annotations

from datetime import datetime

import pytest

from cloudinv.query.timeparse import parse_iso, parse_timediff

NOW = datetime(2024, 3, 14, 15, 9, 26)  # a Thursday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW),
        ("now-5d", datetime(2024, 3, 9, 15, 9, 26)),
        ("now - 5d", datetime(2024, 3, 9, 15, 9, 26)),
        ("now+90m", datetime(2024, 3, 14, 16, 39, 26)),
        ("now - 30s", datetime(2024, 3, 14, 15, 8, 56)),
        ("now - 2h", datetime(2024, 3, 14, 13, 9, 26)),
        ("now - 1w", datetime(2024, 3, 7, 15, 9, 26)),
        ("now/d", datetime(2024, 3, 14)),
        ("now/w", datetime(2024, 3, 11)),
        ("now/m", datetime(2024, 3, 1)),
        ("now/d - 1d", datetime(2024, 3, 13)),
    ],
)
def test_timediff(text: str, expected: datetime) -> None:
    assert parse_timediff(text, now=NOW) == expected


@pytest.mark.parametrize("text", ["NOW", "now - 5", "now - 5y", "today", "now/y", "now -- 5d", "", "now 5d"])
def test_bad_timediff(text: str) -> None:
    assert parse_timediff(text, now=NOW) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-02", datetime(2024, 1, 2)),
        ("2024-01-02T03:04:05Z", datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02T12:04:05+09:00", datetime(2024, 1, 2, 3, 4, 5)),
        ("2024-01-02T03:04:05.389Z", datetime(2024, 1, 2, 3, 4, 5, 389000)),
    ],
)
def test_iso(text: str, expected: datetime) -> None:
    assert parse_iso(text) == expected


@pytest.mark.parametrize("text", ["2024-13-01", "yesterday", "", 5, None])
def test_bad_iso(text: object) -> None:
    assert parse_iso(text) is None
