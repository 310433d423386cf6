"""Job and task state changes, each a conditional SQL statement, so that racing workers, the reaper and a
cancel can never double-count or double-finish. Every function runs inside the caller's transaction.

Rules (job-api.md section 5, collection.md "Running a sub-task"):
- a sub-task is claimed PENDING -> IN_PROGRESS once; it finishes IN_PROGRESS -> SUCCESS|FAILURE once;
- a sub-task whose worker went silent (heartbeat older than a threshold: the worker died) may be claimed again,
  up to a number of attempts; each claim bumps `attempts`, and the heartbeat and finish of an attempt only
  apply while it is the latest one (a fencing token), so a superseded worker can never count anything;
- the last sub-task of a task finishes the task (FAILURE if any sub-task failed), exactly once;
- a finishing task moves one count of its job, only while the job is IN_PROGRESS; the job's last task gives
  it its terminal status, exactly once; `remained = total - success - failure` holds at every commit;
- aborting a job (cancel, re-collect, timeout) counts its unfinished tasks as failed, so remained is 0.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Integer, Row, and_, bindparam, func, insert, or_, select, update

from cloudinv.domain.clock import utcnow
from cloudinv.domain.counts import Counts, TaskError
from cloudinv.domain.job import (
    ACTIVE_TASK_STATUSES,
    JobStatus,
    JobTaskStatus,
    SubTaskStatus,
    terminal_status_when_done,
)
from cloudinv.store.schema import job_task_errors, job_tasks, jobs, sub_tasks

_ACTIVE = [s.value for s in ACTIVE_TASK_STATUSES]


@dataclass(frozen=True)
class Finished:
    """What finishing a sub-task changed: the task's and the job's terminal statuses, when it set them."""

    task_status: JobTaskStatus | None = None
    job_status: JobStatus | None = None


# Told, after the commit, of every task and job that reached a terminal status, with the job's id: whether a
# sub-task finished it (the runner, the reaper) or the job was aborted (cancel, re-collect, job timeout).
OnFinished = Callable[[Finished, str], None]


def record_errors(conn: Connection, job_task_id: str, job_id: str, errors: list[TaskError]) -> None:
    if not errors:
        return
    now = utcnow()
    conn.execute(
        insert(job_task_errors),
        [
            {"job_task_id": job_task_id, "job_id": job_id, "error_code": e.error_code, "message": e.message,
             "additional": e.additional, "created_at": now}
            for e in errors
        ],
    )  # fmt: skip


# The hot statements are built once, with bind parameters: building SQLAlchemy expressions per call costs more
# than running them on SQLite.
_STALE = and_(
    sub_tasks.c.status == SubTaskStatus.IN_PROGRESS.value,
    sub_tasks.c.heartbeat_at < bindparam("stale_before"),
)
# PENDING, or IN_PROGRESS by a dead worker with attempts left (NULL stale_before: PENDING only). The dead attempt's
# partial counts are reset: they never reached the task, which only adds a sub-task's counts when it finishes.
_CLAIM = (
    update(sub_tasks)
    .where(sub_tasks.c.sub_task_id == bindparam("id"),
           or_(sub_tasks.c.status == SubTaskStatus.PENDING.value,
               and_(_STALE, sub_tasks.c.attempts < bindparam("max_attempts"))))
    .values(status=SubTaskStatus.IN_PROGRESS.value, attempts=sub_tasks.c.attempts + 1, worker=bindparam("worker"),
            started_at=bindparam("now"), heartbeat_at=bindparam("now"), created_count=0, updated_count=0,
            failure_count=0)
    .returning(sub_tasks.c.job_task_id, sub_tasks.c.attempts)
)  # fmt: skip
# The fencing token: the attempt a worker claimed, or NULL (the reaper, a give-up) for whichever attempt is current.
_CURRENT_ATTEMPT = sub_tasks.c.attempts == func.coalesce(bindparam("attempt", type_=Integer), sub_tasks.c.attempts)
_START_TASK = (
    update(job_tasks)
    .where(job_tasks.c.job_task_id == bindparam("task_id"), job_tasks.c.status == JobTaskStatus.PENDING.value)
    .values(status=JobTaskStatus.IN_PROGRESS.value, started_at=bindparam("now"), updated_at=bindparam("now"))
)
_OLDEST_PENDING = (
    select(sub_tasks.c.sub_task_id)
    .where(sub_tasks.c.status == SubTaskStatus.PENDING.value)
    .order_by(sub_tasks.c.created_at)
    .limit(1)
)
_COUNTS: dict[str, Any] = {"created_count": bindparam("created"), "updated_count": bindparam("updated"),
                           "failure_count": bindparam("failure")}  # fmt: skip
_HEARTBEAT = (
    update(sub_tasks)
    .where(
        sub_tasks.c.sub_task_id == bindparam("id"),
        sub_tasks.c.status == SubTaskStatus.IN_PROGRESS.value,
        _CURRENT_ATTEMPT,
    )
    .values(heartbeat_at=bindparam("now"), **_COUNTS)
)
_RETURNED_COUNTS = (sub_tasks.c.job_task_id, sub_tasks.c.job_id, sub_tasks.c.created_count,
                    sub_tasks.c.updated_count, sub_tasks.c.failure_count)  # fmt: skip
_END_SUB_TASK = (
    update(sub_tasks)
    .where(
        sub_tasks.c.sub_task_id == bindparam("id"),
        sub_tasks.c.status == SubTaskStatus.IN_PROGRESS.value,
        _CURRENT_ATTEMPT,
    )
    .values(status=bindparam("status"), finished_at=bindparam("now"), heartbeat_at=bindparam("now"))
)
_FINISH_SUB_TASK = _END_SUB_TASK.values(**_COUNTS).returning(*_RETURNED_COUNTS)
_FINISH_SUB_TASK_AS_IS = _END_SUB_TASK.returning(*_RETURNED_COUNTS)  # the reaper: keep the last heartbeat's
_GIVE_UP = _END_SUB_TASK.where(_STALE, sub_tasks.c.attempts >= bindparam("max_attempts")).returning(*_RETURNED_COUNTS)
_ADD_TO_TASK = (
    update(job_tasks)
    .where(job_tasks.c.job_task_id == bindparam("task_id"))
    .values(
        created_count=job_tasks.c.created_count + bindparam("created"),
        updated_count=job_tasks.c.updated_count + bindparam("updated"),
        failure_count=job_tasks.c.failure_count + bindparam("failure"),
        remained_sub_tasks=job_tasks.c.remained_sub_tasks - 1,
        failed_sub_tasks=job_tasks.c.failed_sub_tasks + bindparam("failed"),
        updated_at=bindparam("now"),
    )
    .returning(job_tasks.c.remained_sub_tasks, job_tasks.c.failed_sub_tasks, job_tasks.c.status)
)
_FINISH_TASK = (
    update(job_tasks)
    .where(job_tasks.c.job_task_id == bindparam("task_id"), job_tasks.c.status.in_(_ACTIVE),
           job_tasks.c.remained_sub_tasks == 0)
    .values(status=bindparam("status"), finished_at=bindparam("now"), updated_at=bindparam("now"))
)  # fmt: skip
_ADD_TO_JOB = (
    update(jobs)
    .where(jobs.c.job_id == bindparam("b_job_id"), jobs.c.status == JobStatus.IN_PROGRESS.value)
    .values(
        success_tasks=jobs.c.success_tasks + bindparam("succeeded"),
        failure_tasks=jobs.c.failure_tasks + bindparam("failed"),
        remained_tasks=jobs.c.remained_tasks - 1,
        updated_at=bindparam("now"),
    )
    .returning(jobs.c.remained_tasks, jobs.c.failure_tasks)
)
_FINISH_JOB = (
    update(jobs)
    .where(jobs.c.job_id == bindparam("b_job_id"), jobs.c.status == JobStatus.IN_PROGRESS.value,
           jobs.c.remained_tasks == 0)
    .values(status=bindparam("status"), finished_at=bindparam("now"), updated_at=bindparam("now"))
)  # fmt: skip


def claim(
    conn: Connection,
    sub_task_id: str,
    worker: str,
    stale_before: datetime | None = None,
    max_attempts: int | None = None,
) -> int | None:
    """PENDING -> IN_PROGRESS, or a takeover of an IN_PROGRESS sub-task whose heartbeat is older than
    `stale_before` and that had fewer than `max_attempts`. The attempt number claimed (the fencing token for
    `heartbeat` and `finish`); None when another delivery or a live worker has it, or it ended, or is gone."""
    now = utcnow()
    params = {"id": sub_task_id, "worker": worker, "now": now, "stale_before": stale_before,
              "max_attempts": max_attempts}  # fmt: skip
    row = conn.execute(_CLAIM, params).first()
    if row is None:
        return None
    conn.execute(_START_TASK, {"task_id": row.job_task_id, "now": now})
    return int(row.attempts)


def claim_next(conn: Connection, worker: str, dialect: str) -> str | None:
    """Claim the oldest PENDING sub-task of any job: the embedded runner's queue is this table."""
    oldest = _OLDEST_PENDING.with_for_update(skip_locked=True) if dialect == "postgresql" else _OLDEST_PENDING
    sub_task_id = conn.execute(oldest).scalar()
    if sub_task_id is None or claim(conn, sub_task_id, worker) is None:
        return None
    return str(sub_task_id)


def _count_params(counts: Counts) -> dict[str, int]:
    return {"created": counts.created, "updated": counts.updated, "failure": counts.failure}


def heartbeat(conn: Connection, sub_task_id: str, counts: Counts, attempt: int | None = None) -> bool:
    """Record progress; False when the sub-task is no longer ours (canceled, timed out, deleted, or taken over
    by a later attempt than `attempt`)."""
    params = {"id": sub_task_id, "now": utcnow(), "attempt": attempt, **_count_params(counts)}
    return bool(conn.execute(_HEARTBEAT, params).rowcount)


def finish(
    conn: Connection, sub_task_id: str, failed: bool, counts: Counts | None, attempt: int | None = None
) -> Finished | None:
    """IN_PROGRESS -> SUCCESS|FAILURE, and what follows from it. `counts` None keeps the last heartbeat's;
    `attempt` None finishes whichever attempt is current (the reaper).

    None when the sub-task was not IN_PROGRESS (finished already, canceled, or deleted) or `attempt` was taken
    over: nothing is written.
    """
    now = utcnow()
    status = SubTaskStatus.FAILURE if failed else SubTaskStatus.SUCCESS
    params = {"id": sub_task_id, "now": now, "status": status, "attempt": attempt}
    if counts is None:
        row = conn.execute(_FINISH_SUB_TASK_AS_IS, params).first()
    else:
        row = conn.execute(_FINISH_SUB_TASK, {**params, **_count_params(counts)}).first()
    return None if row is None else _count_sub_task(conn, row, failed, now)


def give_up(
    conn: Connection, sub_task_id: str, stale_before: datetime, max_attempts: int, error: TaskError
) -> Finished | None:
    """IN_PROGRESS -> FAILURE, with `error`, for a sub-task whose worker went silent before `stale_before` on
    its last allowed attempt. None (nothing written) otherwise."""
    now = utcnow()
    params = {"id": sub_task_id, "now": now, "status": SubTaskStatus.FAILURE, "attempt": None,
              "stale_before": stale_before, "max_attempts": max_attempts}  # fmt: skip
    row = conn.execute(_GIVE_UP, params).first()
    if row is None:
        return None
    record_errors(conn, row.job_task_id, row.job_id, [error])
    return _count_sub_task(conn, row, True, now)


def _count_sub_task(conn: Connection, row: Row[Any], failed: bool, now: datetime) -> Finished:
    """Add a finished sub-task to its task; the last one finishes the task, and maybe the job."""
    task = conn.execute(
        _ADD_TO_TASK,
        {"task_id": row.job_task_id, "created": row.created_count, "updated": row.updated_count,
         "failure": row.failure_count, "failed": 1 if failed else 0, "now": now},
    ).first()  # fmt: skip
    if task is None or task.remained_sub_tasks > 0 or task.status not in _ACTIVE:
        return Finished()
    return _finish_task(conn, row.job_task_id, row.job_id, task.failed_sub_tasks > 0, now)


def _finish_task(conn: Connection, job_task_id: str, job_id: str, failed: bool, now: datetime) -> Finished:
    status = JobTaskStatus.FAILURE if failed else JobTaskStatus.SUCCESS
    if not conn.execute(_FINISH_TASK, {"task_id": job_task_id, "status": status, "now": now}).rowcount:
        return Finished()
    params = {"b_job_id": job_id, "succeeded": 0 if failed else 1, "failed": 1 if failed else 0, "now": now}
    job = conn.execute(_ADD_TO_JOB, params).first()
    if job is None or job.remained_tasks > 0:
        return Finished(task_status=status)
    return Finished(task_status=status, job_status=_finish_job(conn, job_id, job.failure_tasks, now))


def _finish_job(conn: Connection, job_id: str, failure_tasks: int, now: datetime) -> JobStatus | None:
    status = terminal_status_when_done(failure_tasks)
    moved = conn.execute(_FINISH_JOB, {"b_job_id": job_id, "status": status, "now": now}).rowcount
    return status if moved else None


def abort_job(conn: Connection, job_id: str, status: JobStatus, error: TaskError) -> Finished | None:
    """End an IN_PROGRESS job now (CANCELED, or FAILURE on timeout): its unfinished tasks end with `error`
    and count as failed, its sub-tasks stop. What it finished (the job), or None when it was not IN_PROGRESS."""
    now = utcnow()
    moved = conn.execute(
        update(jobs)
        .where(jobs.c.job_id == job_id, jobs.c.status == JobStatus.IN_PROGRESS)
        .values(status=status, failure_tasks=jobs.c.failure_tasks + jobs.c.remained_tasks, remained_tasks=0,
                finished_at=now, updated_at=now)
    ).rowcount  # fmt: skip
    if not moved:
        return None
    unfinished = list(
        conn.execute(
            select(job_tasks.c.job_task_id).where(job_tasks.c.job_id == job_id, job_tasks.c.status.in_(_ACTIVE))
        ).scalars()
    )
    task_status = JobTaskStatus.CANCELED if status == JobStatus.CANCELED else JobTaskStatus.FAILURE
    conn.execute(
        update(job_tasks)
        .where(job_tasks.c.job_id == job_id, job_tasks.c.status.in_(_ACTIVE))
        .values(status=task_status, finished_at=now, updated_at=now)
    )
    for job_task_id in unfinished:
        record_errors(conn, job_task_id, job_id, [error])
    conn.execute(
        update(sub_tasks)
        .where(sub_tasks.c.job_id == job_id, sub_tasks.c.status.in_([SubTaskStatus.PENDING, SubTaskStatus.IN_PROGRESS]))
        .values(status=SubTaskStatus.CANCELED, finished_at=now)
    )
    return Finished(job_status=status)


def stale_sub_tasks(conn: Connection, before: datetime) -> list[str]:
    """IN_PROGRESS sub-tasks whose last sign of life is older than `before` (task timeout)."""
    query = select(sub_tasks.c.sub_task_id).where(
        sub_tasks.c.status == SubTaskStatus.IN_PROGRESS,
        func.coalesce(sub_tasks.c.heartbeat_at, sub_tasks.c.created_at) < before,
    )
    return [str(v) for v in conn.execute(query).scalars()]
