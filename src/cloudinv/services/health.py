"""Reachability of what serving depends on: the database and, in distributed mode, the broker."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import text

from cloudinv.store.engine import Database


class Reachable(Protocol):
    def reachable(self) -> bool: ...


@dataclass(frozen=True)
class HealthReport:
    database: bool
    broker: bool | None  # None: no broker configured (embedded mode)

    @property
    def serving(self) -> bool:
        return self.database and self.broker is not False

    def as_json(self) -> dict[str, Any]:
        def state(up: bool | None) -> str:
            return "not configured" if up is None else "up" if up else "down"

        return {
            "status": "SERVING" if self.serving else "NOT_SERVING",
            "database": state(self.database),
            "broker": state(self.broker),
        }


class HealthCheck:
    """Probes on demand; a report younger than `max_age` seconds is reused, so that frequent probes (a load
    balancer, the gRPC watcher) cost the database and the broker one round trip a second at most."""

    def __init__(self, database: Database, broker: Reachable | None, max_age: float = 1.0) -> None:
        self.database = database
        self.broker = broker
        self.max_age = max_age
        self._lock = threading.Lock()
        self._last: tuple[float, HealthReport] | None = None

    def check(self) -> HealthReport:
        with self._lock:
            if self._last is not None and time.monotonic() - self._last[0] < self.max_age:
                return self._last[1]
            report = HealthReport(self._database_up(), None if self.broker is None else self.broker.reachable())
            self._last = (time.monotonic(), report)
            return report

    def _database_up(self) -> bool:
        try:
            with self.database.begin() as conn:
                conn.execute(text("SELECT 1"))
        except Exception:  # unreachable, refused, timed out: all mean "down" here
            return False
        return True
