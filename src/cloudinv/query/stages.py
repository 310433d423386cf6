"""The stat `aggregate` pipeline: parsing its stages."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudinv.domain.errors import ERROR_INVALID_PARAMETER, ERROR_LIMIT_EXCEEDED
from cloudinv.query import limits
from cloudinv.query.ast import Stage

STAGE_KINDS = ("group", "count", "sort", "project", "unwind", "limit", "skip")


def parse_stages(items: list[Any]) -> tuple[Stage, ...]:
    if len(items) > limits.MAX_STAGES:
        raise ERROR_LIMIT_EXCEEDED(limit="query.aggregate stages", max=limits.MAX_STAGES)
    stages = []
    for index, item in enumerate(items):
        key = f"query.aggregate[{index}]"
        if not isinstance(item, Mapping):
            raise ERROR_INVALID_PARAMETER(key=key, reason="a stage is an object")
        present = [kind for kind in STAGE_KINDS if item.get(kind) is not None]
        if len(present) != 1 or len(item) != 1:
            reason = f"a stage has exactly one of {', '.join(STAGE_KINDS)}; got {sorted(item)}"
            raise ERROR_INVALID_PARAMETER(key=key, reason=reason)
        stages.append(Stage(kind=present[0], spec=item[present[0]]))
    return tuple(stages)
