"""Comparing API answers with the oracle's: same shape and order, integers as integers over REST, floats
to within rounding (each database averages in its own arithmetic)."""

from __future__ import annotations

import math
from typing import Any


def differences(actual: Any, expected: Any, exact_ints: bool, where: str = "") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return [f"{where}: keys {sorted(actual) if isinstance(actual, dict) else actual!r} != {sorted(expected)}"]
        return [d for k in expected for d in differences(actual[k], expected[k], exact_ints, f"{where}.{k}")]
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{where}: {actual!r} != {expected!r}"]
        return [d for i, (a, e) in enumerate(zip(actual, expected, strict=True))
                for d in differences(a, e, exact_ints, f"{where}[{i}]")]  # fmt: skip
    if isinstance(expected, bool) or expected is None or isinstance(expected, str):
        return [] if actual == expected and type(actual) is type(expected) else [f"{where}: {actual!r} != {expected!r}"]
    if isinstance(expected, int) and exact_ints and (type(actual) is not int or actual != expected):
        return [f"{where}: {actual!r} is not the integer {expected!r}"]
    if isinstance(actual, bool) or not isinstance(actual, int | float):
        return [f"{where}: {actual!r} != {expected!r}"]
    return (
        [] if math.isclose(actual, expected, rel_tol=1e-9, abs_tol=1e-9) else [f"{where}: {actual!r} != {expected!r}"]
    )


def assert_same(actual: Any, expected: Any, exact_ints: bool) -> None:
    found = differences(actual, expected, exact_ints)
    assert not found, "\n".join(found[:10]) + f"\n\nactual:   {actual!r}\nexpected: {expected!r}"
