"""The Celery adapter: one task, `cloudinv.run_sub_task(sub_task_id)`, published through the outbox by the API
and the relay, run by `cloudinv worker` (dispatch/worker.py).

Delivery is at least once: tasks are acknowledged late (after they ran), a task whose worker process died is
requeued, each worker holds one unacknowledged message per process, and the Redis visibility timeout is longer
than any sub-task can legitimately run (a job's timeout + a task's), so a live task is never redelivered for
being slow. A duplicate or redelivered message is harmless: the claim in the database decides who runs.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from celery import Celery

TASK_NAME = "cloudinv.run_sub_task"

# A publish waits for the broker at most about this long: one reconnect (a broker that restarted drops the pooled
# connection) and no more. After that the collect returns anyway and the relay sends the sub-tasks later.
_PUBLISH_RETRY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.2}


@dataclass(frozen=True)
class BrokerSettings:
    url: str
    queue: str = "cloudinv"
    visibility_timeout: float = 3 * 3600.0
    connect_timeout: float = 3.0


def _transport_options(broker: BrokerSettings) -> dict[str, Any]:
    if broker.url.startswith(("redis://", "rediss://", "redis+socket://")):
        return {"visibility_timeout": broker.visibility_timeout, "socket_connect_timeout": broker.connect_timeout}
    # RabbitMQ: a publish returns once the broker has the message (not merely once it left this process).
    return {"confirm_publish": True}


def create_celery(broker: BrokerSettings) -> Celery:
    """A Celery app for publishing or working; never the process-wide "current" app (explicit wiring)."""
    app = Celery("cloudinv", broker=broker.url, set_as_current=False)
    app.conf.update(
        task_default_queue=broker.queue,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_acks_on_failure_or_timeout=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        broker_transport_options=_transport_options(broker),
        broker_connection_timeout=broker.connect_timeout,
        broker_connection_retry_on_startup=True,
        broker_connection_max_retries=None,  # a worker waits for its broker however long it is away
        # A running sub-task records its outcome in the database, not through its ack: losing the broker
        # connection is no reason to abandon it.
        worker_cancel_long_running_tasks_on_connection_loss=False,
        worker_send_task_events=False,
        worker_hijack_root_logger=False,
    )
    return app


class CeleryBroker:
    """The publishing side, as the outbox's Publisher, and a reachability probe for health checks."""

    def __init__(self, broker: BrokerSettings, app: Celery | None = None) -> None:
        self.settings = broker
        self.app = app or create_celery(broker)

    def publish(self, sub_task_ids: Sequence[str]) -> None:
        with self.app.producer_or_acquire() as producer:
            for sub_task_id in sub_task_ids:
                self.app.send_task(
                    TASK_NAME, args=(sub_task_id,), queue=self.settings.queue, producer=producer,
                    retry=True, retry_policy=_PUBLISH_RETRY,
                )  # fmt: skip

    def reachable(self) -> bool:
        """A fresh connection (a pooled one may look alive on a dead socket) that answers."""
        try:
            with self.app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, interval_start=0, timeout=self.settings.connect_timeout)
        except Exception:  # whatever the transport raises, the broker is not usable
            return False
        return True

    def close(self) -> None:
        self.app.close()
