"""`--watch`: follow a job through the watch stream (`POST /cloudinv/v1/job/watch`, server-sent events of the
job with its `tasks`) until it ends. On a terminal: a progress bar for the job and one for each task, with their
counts. Elsewhere (a pipe, CI): one line each time the job changes."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

from cloudinv.cli.client import JOB_CONTROL, Client

TERMINAL = frozenset({"SUCCESS", "FAILURE", "CANCELED"})


def resources(task: dict[str, Any]) -> int:
    return int(task.get("created_count") or 0) + int(task.get("updated_count") or 0)


def summary(job: dict[str, Any]) -> str:
    tasks = job.get("tasks") or []
    return (
        f"{job['job_id']} {job['status']}: {job.get('success_tasks', 0)} of {job.get('total_tasks', 0)} task(s) "
        f"succeeded, {job.get('failure_tasks', 0)} failed; {sum(resources(t) for t in tasks)} resources, "
        f"{sum(int(t.get('failure_count') or 0) for t in tasks)} failures"
    )


class _Bars:
    """One bar for the job (tasks done of total) and one per task (indeterminate until the task ends)."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.job: TaskID | None = None
        self.tasks: dict[str, TaskID] = {}

    def show(self, job: dict[str, Any]) -> None:
        done = int(job.get("success_tasks") or 0) + int(job.get("failure_tasks") or 0)
        counts = f"{job.get('success_tasks', 0)} ok, {job.get('failure_tasks', 0)} failed"
        fields = {"status": job["status"], "counts": counts}
        if self.job is None:
            self.job = self.progress.add_task(job["job_id"], total=job.get("total_tasks") or 1, **fields)
        self.progress.update(self.job, completed=done if job.get("total_tasks") else 1, **fields)
        for task in job.get("tasks") or []:
            self._task(task)

    def _task(self, task: dict[str, Any]) -> None:
        ended = task["status"] in TERMINAL
        fields = {
            "status": task["status"],
            "counts": f"{resources(task)} resources, {task.get('failure_count') or 0} failures",
        }
        task_id = self.tasks.get(task["job_task_id"])
        if task_id is None:
            task_id = self.progress.add_task(f"  {task['job_task_id']}", total=None, **fields)
            self.tasks[task["job_task_id"]] = task_id
        self.progress.update(task_id, total=1 if ended else None, completed=1 if ended else 0, **fields)


def _line(job: dict[str, Any]) -> str:
    tasks = job.get("tasks") or []
    return (
        f"{job['job_id']} {job['status']} tasks {job.get('success_tasks', 0)} ok, {job.get('failure_tasks', 0)} "
        f"failed of {job.get('total_tasks', 0)}; resources {sum(resources(t) for t in tasks)}, "
        f"failures {sum(int(t.get('failure_count') or 0) for t in tasks)}"
    )


def watch(client: Client, job_id: str, console: Console | None = None) -> dict[str, Any]:
    """Follow the job until it is terminal; its last snapshot."""
    console = console or Console(stderr=True)
    stream = client.stream(f"{JOB_CONTROL}/watch", {"job_id": job_id})
    last: dict[str, Any] = {}
    if not console.is_terminal:
        for last in stream:
            console.print(_line(last), highlight=False, soft_wrap=True)
        return last
    columns = (
        TextColumn("{task.description}"), BarColumn(), TextColumn("{task.fields[status]:<11}"),
        TextColumn("{task.fields[counts]}"), TimeElapsedColumn(),
    )  # fmt: skip
    with Progress(*columns, console=console, transient=False) as progress:
        bars = _Bars(progress)
        for last in stream:
            bars.show(last)
    return last
