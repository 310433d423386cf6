"""Draining the outbox (`sub_tasks`) into a broker: a send right after the collect commits, best effort, and a
relay that resends whatever is due (store/outbox.py). A broker outage delays sub-tasks; it loses none, since a
row is marked dispatched only after the broker took it, and redelivered or duplicate messages do nothing."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

from cloudinv.domain.clock import utcnow
from cloudinv.domain.errors import CloudinvError
from cloudinv.store import outbox
from cloudinv.store.engine import Database

log = logging.getLogger(__name__)


class Publisher(Protocol):
    def publish(self, sub_task_ids: Sequence[str]) -> None:
        """Hand these sub-tasks to the broker; raises when it could not take them all."""
        ...


class Outbox:
    def __init__(self, database: Database, publisher: Publisher, windows: outbox.DueWindows | None = None) -> None:
        self.db = database
        self.publisher = publisher
        self.windows = windows or outbox.DueWindows()

    def submitted(self, sub_task_ids: list[str]) -> None:
        """The Dispatcher port: send now. A failure is logged, not raised: the collect committed, and the
        relay sends what this could not."""
        self.send(sub_task_ids)

    def send(self, sub_task_ids: Sequence[str]) -> bool:
        """Publish, then mark as dispatched; False (logged) when the broker or the database failed."""
        if not sub_task_ids:
            return True
        try:
            self.publisher.publish(sub_task_ids)
        except Exception as exc:  # whatever the broker client raises: the relay will send them
            log.warning("broker unavailable, %d sub-task(s) left to the relay: %s", len(sub_task_ids), exc)
            return False
        try:
            with self.db.begin() as conn:
                outbox.mark_dispatched(conn, list(sub_task_ids), utcnow())
        except CloudinvError as exc:  # sent but not marked: the relay sends them again, which is harmless
            log.warning("could not mark %d sub-task(s) dispatched: %s", len(sub_task_ids), exc.message)
            return False
        return True

    def relay_once(self, batch: int = 500) -> int:
        """Send every due row, in batches; how many were sent. Stops at the first failed batch."""
        sent = 0
        while True:
            with self.db.begin() as conn:
                due = outbox.due(conn, utcnow(), self.windows, limit=batch)
            if not due or not self.send(due):
                break
            sent += len(due)
            if len(due) < batch:
                break
        if sent:
            log.info("outbox relay sent %d sub-task(s)", sent)
        return sent
