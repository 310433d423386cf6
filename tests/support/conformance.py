"""What the analyze and stat conformance suites share: the stored fixture rows, and the check of a reply
against the plain-Python oracle."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tests.support import oracle
from tests.support.analytics import Row
from tests.support.compare import assert_same

ORACLES = {"analyze": oracle.analyze, "stat": oracle.stat}


def check_against_oracle(
    client: Any, token: Any, stored: tuple[list[Row], datetime], verb: str, query: dict[str, Any]
) -> None:
    rows, now = stored
    reply = client.call(verb, {"query": query}, token())
    assert reply.ok, reply
    assert_same(reply.data, ORACLES[verb](rows, query, now), exact_ints=client.transport == "rest")
