"""Option checking shared by the built-in plugins: clear messages, and tolerance of what gRPC does to numbers.

Options that travel through a `google.protobuf.Struct` arrive as floats (10 → 10.0), so an integral float is
accepted wherever an int is expected; a bool is never a number here, although Python says it is one.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from cloudinv.plugins.protocol import ERROR_INVALID_PLUGIN_OPTIONS, PluginError


def reject_unknown(plugin: str, options: Mapping[str, Any], known: frozenset[str]) -> None:
    """A misspelt option silently falling back to its default would make a benchmark measure the wrong thing."""
    unknown = sorted(set(options) - known)
    if unknown:
        raise PluginError(
            f"{plugin}: unknown option(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}",
            ERROR_INVALID_PLUGIN_OPTIONS,
        )


def int_option(plugin: str, options: Mapping[str, Any], name: str, default: int, minimum: int, maximum: int) -> int:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid(plugin, name, value, "an integer")
    if isinstance(value, float) and not (math.isfinite(value) and value.is_integer()):
        raise _invalid(plugin, name, value, "an integer")
    number = int(value)
    if not minimum <= number <= maximum:
        raise _invalid(plugin, name, value, f"an integer from {minimum} to {maximum}")
    return number


def optional_int_option(plugin: str, options: Mapping[str, Any], name: str, minimum: int, maximum: int) -> int | None:
    """None (or absent) means "never"."""
    if options.get(name) is None:
        return None
    return int_option(plugin, options, name, 0, minimum, maximum)


def float_option(
    plugin: str, options: Mapping[str, Any], name: str, default: float, minimum: float, maximum: float
) -> float:
    value = options.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise _invalid(plugin, name, value, "a number")
    if not minimum <= value <= maximum:
        raise _invalid(plugin, name, value, f"a number from {minimum:g} to {maximum:g}")
    return float(value)


def _invalid(plugin: str, name: str, value: Any, expected: str) -> PluginError:
    return PluginError(f"{plugin}: option {name} must be {expected}, not {value!r}", ERROR_INVALID_PLUGIN_OPTIONS)
