"""Run one sub-task: claim it, stream the plugin into the ingestor, finish it. Safe to call twice for the same
sub-task (a redelivery): the second call finds it claimed and does nothing, unless the first one's worker died
(its heartbeat went silent), in which case the sub-task is run again as a new attempt, or failed after the last."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import Connection, bindparam, select

from cloudinv.collection.ingest import Ingestor
from cloudinv.collection.pump import StreamTimeout, batches
from cloudinv.domain.clock import utcnow
from cloudinv.domain.counts import Counts, TaskError
from cloudinv.domain.errors import ERROR_UNAVAILABLE
from cloudinv.domain.job import JobTaskStatus
from cloudinv.domain.task import TaskContext
from cloudinv.observability.logs import log_context
from cloudinv.plugins.protocol import CancellableStream, PluginError
from cloudinv.plugins.registry import PluginRegistry
from cloudinv.store import lifecycle
from cloudinv.store.engine import Database
from cloudinv.store.schema import collectors, job_tasks, sub_tasks

log = logging.getLogger(__name__)

SecretReader = Callable[[str, str], Mapping[str, Any]]  # (domain_id, secret_id) -> secret data


@dataclass
class RunnerSettings:
    task_timeout: float = 600.0
    # Bigger batches write less: each commit rewrites the index pages its rows touched, about as many for 5,000
    # rows as for 1,000 (bench/ingest.py measures it); the pump holds two batches, so memory stays small.
    batch_size: int = 5000
    # How long a started batch may wait to fill: a batch costs a transaction, and a stream slower than its
    # ingestion (a plugin over gRPC) was otherwise stored a few items at a time (bench/ingest.py: 2x slower).
    batch_linger: float = 0.25
    heartbeat_interval: float = 1.0
    # A heartbeat older than this means the worker died: a redelivery may take the sub-task over. Must be well
    # above heartbeat_interval (a live worker beats even while its plugin is slow).
    stale_after: float = 60.0
    max_attempts: int = 3  # after that many claims lost their worker, a redelivery fails the sub-task


# What a sub-task needs to run, in one query (built once: it runs for every sub-task).
_LOAD = (
    select(sub_tasks.c.task_options, job_tasks, collectors.c.plugin_info)
    .join(job_tasks, job_tasks.c.job_task_id == sub_tasks.c.job_task_id)
    .join(collectors, collectors.c.collector_id == job_tasks.c.collector_id)
    .where(sub_tasks.c.sub_task_id == bindparam("b_sub_task_id"))
)


class SubTaskRunner:
    def __init__(
        self,
        database: Database,
        plugins: PluginRegistry,
        read_secret: SecretReader,
        ingestor: Ingestor,
        settings: RunnerSettings | None = None,
        on_finished: lifecycle.OnFinished | None = None,
    ) -> None:
        self.db = database
        self.plugins = plugins
        self.read_secret = read_secret
        self.ingestor = ingestor
        self.settings = settings or RunnerSettings()
        self.on_finished = on_finished

    def run(self, sub_task_id: str, worker: str) -> bool:
        """Claim and run one sub-task by id (the broker's delivery); False when there was nothing to do: it
        ended, is gone, runs elsewhere with a live heartbeat, or has just been failed for having no attempts
        left."""
        stale_before = utcnow() - timedelta(seconds=self.settings.stale_after)
        loaded = None
        with self.db.begin() as conn:  # the claim and what the run needs, in one transaction
            attempt = lifecycle.claim(conn, sub_task_id, worker, stale_before, self.settings.max_attempts)
            if attempt is None:
                lifecycle.give_up(conn, sub_task_id, stale_before, self.settings.max_attempts, self._worker_lost())
            else:
                loaded = self._read(conn, sub_task_id)
        if loaded is None:
            return False
        self._execute(*loaded, attempt)
        return True

    def _worker_lost(self) -> TaskError:
        return TaskError(
            "ERROR_WORKER_LOST",
            f"the worker running it was lost on each of {self.settings.max_attempts} attempts",
        )

    def run_next(self, worker: str) -> bool:
        """Claim and run the oldest pending sub-task (the embedded pool); False when there was none."""
        loaded = None
        with self.db.begin() as conn:
            sub_task_id = lifecycle.claim_next(conn, worker, self.db.dialect)
            if sub_task_id is not None:
                loaded = self._read(conn, sub_task_id)
        if sub_task_id is None:
            return False
        if loaded is not None:
            self._execute(*loaded, None)
        return True

    def execute(self, sub_task_id: str, attempt: int | None = None) -> None:
        """Run a claimed sub-task to its end. Whatever the plugin does, the sub-task finishes, unless the database
        goes away (ERROR_UNAVAILABLE is raised: the attempt is abandoned, and taken over once stale) or a later
        attempt took it over (`attempt` None: whichever is current)."""
        with self.db.begin() as conn:
            loaded = self._read(conn, sub_task_id)
        if loaded is not None:
            self._execute(*loaded, attempt)

    def _execute(
        self, context: TaskContext, plugin_info: Mapping[str, Any], task_options: Mapping[str, Any], attempt: int | None
    ) -> None:
        # Every line logged while it runs, and the on_finished hook, know which job and task this is.
        with log_context(job_id=context.job_id, job_task_id=context.job_task_id, sub_task_id=context.sub_task_id):
            self._run(context, plugin_info, task_options, attempt)

    def _run(
        self, context: TaskContext, plugin_info: Mapping[str, Any], task_options: Mapping[str, Any], attempt: int | None
    ) -> None:
        sub_task_id = context.sub_task_id
        counts = Counts()
        failed = True
        try:
            failed = self._stream(context, plugin_info, task_options, counts, attempt)
        except _Gone:
            return
        except ERROR_UNAVAILABLE:  # our database, not the plugin: this attempt cannot record anything
            raise
        except PluginError as exc:
            counts.fail(exc.code, exc.message)
        except StreamTimeout as exc:
            counts.fail("ERROR_TASK_TIMEOUT", str(exc))
        except Exception as exc:  # a plugin's own exception, or a stream cut: recorded, the task ends
            log.warning("sub-task %s failed: %s", sub_task_id, exc)
            counts.fail("ERROR_COLLECTOR_PLUGIN", f"{type(exc).__name__}: {exc}")
        self._finish(context, failed, counts, attempt)

    @staticmethod
    def _read(conn: Connection, sub_task_id: str) -> tuple[TaskContext, Mapping[str, Any], Mapping[str, Any]] | None:
        """What running the sub-task needs; None when it is gone (its job was deleted)."""
        row = conn.execute(_LOAD, {"b_sub_task_id": sub_task_id}).mappings().first()
        if row is None:
            return None
        context = TaskContext(
            job_id=row["job_id"], job_task_id=row["job_task_id"], sub_task_id=sub_task_id,
            domain_id=row["domain_id"], workspace_id=row["workspace_id"], collector_id=row["collector_id"],
            secret_id=row["secret_id"], provider=row["provider"], project_id=row["project_id"],
            service_account_id=row["service_account_id"],
        )  # fmt: skip
        return context, row["plugin_info"], row["task_options"] or {}

    def _stream(
        self,
        context: TaskContext,
        plugin_info: Mapping[str, Any],
        task_options: Mapping[str, Any],
        counts: Counts,
        attempt: int | None,
    ) -> bool:
        """Stream and ingest; True when the sub-task failed. Raises _Gone when it was canceled meanwhile."""
        plugin = self.plugins.get(plugin_info["plugin_id"])
        secret = self.read_secret(context.domain_id, context.secret_id) if context.secret_id else {}
        stream = iter(plugin.collect(plugin_info.get("options") or {}, secret, task_options))
        try:
            return self._ingest(context, stream, counts, attempt)
        finally:
            if isinstance(stream, CancellableStream):  # a plugin given up on (timeout, cancel) stops sending
                stream.cancel()

    def _ingest(
        self,
        context: TaskContext,
        stream: Iterator[Any],
        counts: Counts,
        attempt: int | None,
    ) -> bool:
        last_beat = time.monotonic()
        interval = self.settings.heartbeat_interval
        # An empty batch every heartbeat interval while the plugin is silent: the heartbeat is the worker's sign
        # of life, so that only a dead worker's sub-task is ever taken over (a hung plugin is StreamTimeout).
        prepare = self.ingestor.preparer(context)
        timeout, size, linger = self.settings.task_timeout, self.settings.batch_size, self.settings.batch_linger
        for batch in batches(stream, timeout, size, idle=interval, prepare=prepare, linger=linger):
            if batch:
                counts.add(self.ingestor.store(context, batch))
            # Progress is recorded at most once a heartbeat interval: a short task only writes its finish.
            if time.monotonic() - last_beat >= interval or len(counts.errors) > 1000:
                self._heartbeat(context, counts, attempt)
                last_beat = time.monotonic()
        return counts.failure > 0

    def _heartbeat(self, context: TaskContext, counts: Counts, attempt: int | None) -> None:
        with self.db.begin() as conn:
            alive = lifecycle.heartbeat(conn, context.sub_task_id, counts, attempt)
            if alive:  # errors of a task that was canceled or deleted meanwhile are not kept
                lifecycle.record_errors(conn, context.job_task_id, context.job_id, counts.errors)
        counts.errors.clear()  # recorded; those of later batches and the final one are recorded at the finish
        if not alive:
            raise _Gone()

    def _finish(self, context: TaskContext, failed: bool, counts: Counts, attempt: int | None) -> None:
        with self.db.begin() as conn:
            finished = lifecycle.finish(conn, context.sub_task_id, failed, counts, attempt)
            if finished is not None:
                lifecycle.record_errors(conn, context.job_task_id, context.job_id, counts.errors)
            if finished is not None and finished.task_status == JobTaskStatus.SUCCESS:
                self.ingestor.after_task(conn, context)
        if finished is not None and self.on_finished is not None:
            self.on_finished(finished, context.job_id)


class _Gone(Exception):
    """The sub-task was canceled, timed out, deleted or taken over while running: write nothing more."""
