"""JSON text of asset columns: orjson where it can, the standard encoder for what it refuses, same meaning."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import pytest

from cloudinv.store.jsontext import json_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"a": 1, "b": [True, None, "x"]}, {"a": 1, "b": [True, None, "x"]}),
        ({"big": 2**70}, {"big": 2**70}),  # past 64 bits: orjson refuses, the fallback writes it
        ({1: "int key"}, {"1": "int key"}),
        ({"nan": float("nan"), "inf": [float("inf")]}, {"nan": None, "inf": [None]}),
        ({"big": 2**70, "nan": float("nan")}, {"big": 2**70, "nan": None}),  # both at once: still null
        ({"when": datetime(2026, 1, 2, 3, 4, 5)}, {"when": "2026-01-02T03:04:05"}),
        ({"price": Decimal("1.50")}, {"price": "1.50"}),
        ({"text": "héllo \u2603 \x00"}, {"text": "héllo \u2603 \x00"}),
    ],
)
def test_json_text_reads_back_as_the_value(value: object, expected: object) -> None:
    assert json.loads(json_text(value)) == expected


def test_the_fallback_writes_datetimes_as_orjson_does() -> None:
    value = {"big": 2**70, "when": datetime(2026, 1, 2, 3, 4, 5)}
    assert json.loads(json_text(value))["when"] == "2026-01-02T03:04:05"
