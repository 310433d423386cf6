"""The outbox: sub-tasks reach the broker after the collect commits, or later through the relay; a broker outage
delays them and loses none. The broker here is a stub (the real one: tests/distributed)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from cloudinv.dispatch.outbox import Outbox
from cloudinv.domain.clock import utcnow
from cloudinv.store import lifecycle
from cloudinv.store.outbox import DueWindows
from cloudinv.store.schema import sub_tasks
from tests.support.collection import ADMIN, synthetic_collector, synthetic_secret

WINDOWS = DueWindows(unsent_grace=2.0, redispatch_after=300.0, stale_after=60.0)


class StubBroker:
    def __init__(self) -> None:
        self.sent: list[str] = []
        self.down = False

    def publish(self, sub_task_ids: Sequence[str]) -> None:
        if self.down:
            raise ConnectionError("broker down")
        self.sent.extend(sub_task_ids)


@pytest.fixture
def broker(application: Any) -> StubBroker:
    stub = StubBroker()
    application.collectors.dispatcher = Outbox(application.database, stub, WINDOWS)
    return stub


def _collect(application: Any, sub_tasks_per_job: int = 2) -> list[str]:
    collector_id = synthetic_collector(application, sub_tasks=sub_tasks_per_job)
    job_id = application.collectors.collect(ADMIN, {"collector_id": collector_id})["job_id"]
    with application.database.begin() as conn:
        return list(conn.execute(select(sub_tasks.c.sub_task_id).where(sub_tasks.c.job_id == job_id)).scalars())


def _age(application: Any, ids: list[str], **seconds_ago: float) -> None:
    """Move timestamps (created_at, dispatched_at, heartbeat_at) into the past."""
    values = {column: utcnow() - timedelta(seconds=s) for column, s in seconds_ago.items()}
    with application.database.begin() as conn:
        conn.execute(update(sub_tasks).where(sub_tasks.c.sub_task_id.in_(ids)).values(**values))


def _dispatched(application: Any, ids: list[str]) -> list[bool]:
    with application.database.begin() as conn:
        query = select(sub_tasks.c.dispatched_at).where(sub_tasks.c.sub_task_id.in_(ids))
        return [value is not None for value in conn.execute(query).scalars()]


def _outbox(application: Any) -> Outbox:
    outbox = application.collectors.dispatcher
    assert isinstance(outbox, Outbox)
    return outbox


def test_a_collect_sends_its_sub_tasks_and_marks_them(application: Any, broker: StubBroker) -> None:
    synthetic_secret(application)
    ids = _collect(application)
    assert sorted(broker.sent) == sorted(ids)
    assert _dispatched(application, ids) == [True, True]
    _age(application, ids, created_at=10, dispatched_at=10)
    assert _outbox(application).relay_once() == 0  # sent, and not so long ago that the broker may have lost it


def test_a_broker_outage_at_commit_delays_sub_tasks_and_loses_none(application: Any, broker: StubBroker) -> None:
    synthetic_secret(application)
    broker.down = True
    ids = _collect(application)  # the collect itself succeeds
    assert _dispatched(application, ids) == [False, False]
    assert _outbox(application).relay_once() == 0  # within the grace period the commit-time send owns them
    _age(application, ids, created_at=WINDOWS.unsent_grace + 1)
    assert _outbox(application).relay_once() == 0  # broker still down: nothing marked
    assert _dispatched(application, ids) == [False, False]
    broker.down = False
    assert _outbox(application).relay_once() == 2
    assert sorted(broker.sent) == sorted(ids)
    assert _outbox(application).relay_once() == 0


def test_sub_tasks_the_broker_lost_are_sent_again(application: Any, broker: StubBroker) -> None:
    synthetic_secret(application)
    ids = _collect(application)
    broker.sent.clear()
    _age(application, ids, created_at=WINDOWS.redispatch_after + 10, dispatched_at=WINDOWS.redispatch_after + 1)
    assert _outbox(application).relay_once() == 2
    assert sorted(broker.sent) == sorted(ids)


def test_a_dead_workers_sub_task_is_sent_again_once_per_silence(application: Any, broker: StubBroker) -> None:
    synthetic_secret(application)
    ids = _collect(application, sub_tasks_per_job=1)
    with application.database.begin() as conn:
        assert lifecycle.claim(conn, ids[0], "dead-worker") == 1
    broker.sent.clear()
    _age(application, ids, created_at=100, dispatched_at=100, heartbeat_at=WINDOWS.stale_after - 1)
    assert _outbox(application).relay_once() == 0  # silent, but not long enough
    _age(application, ids, heartbeat_at=WINDOWS.stale_after + 1)
    assert _outbox(application).relay_once() == 1
    assert _outbox(application).relay_once() == 0  # just sent: a worker will take it over
    assert broker.sent == ids


def test_finished_and_canceled_sub_tasks_are_never_sent_again(application: Any, broker: StubBroker) -> None:
    synthetic_secret(application)
    done = _collect(application, sub_tasks_per_job=1)
    assert application.runner.run(done[0], "w1")
    canceled_job = _collect(application, sub_tasks_per_job=1)
    with application.database.begin() as conn:
        job_id = conn.execute(select(sub_tasks.c.job_id).where(sub_tasks.c.sub_task_id == canceled_job[0])).scalar()
    application.job_control.cancel(ADMIN, {"job_id": job_id})
    _age(application, done + canceled_job, created_at=1000, dispatched_at=1000, heartbeat_at=1000)
    broker.sent.clear()
    assert _outbox(application).relay_once() == 0
