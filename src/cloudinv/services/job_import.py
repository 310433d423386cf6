"""`cloudinv jobs import`: JobInfo-shaped JSON Lines into storage, all or nothing, idempotent by job_id."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from google.protobuf import json_format
from spaceone.api.inventory_v2.v1 import job_pb2

from cloudinv.domain.ids import is_valid_id
from cloudinv.domain.job import ALL_WORKSPACES, JobStatus, ResourceGroup
from cloudinv.query.timeparse import parse_iso
from cloudinv.store.jobs import JobRepository

_COUNTERS = ("total_tasks", "success_tasks", "failure_tasks")
_TIMESTAMPS = ("created_at", "updated_at", "finished_at")


@dataclass
class ImportFailure(Exception):
    line: int
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


def _fail(line: int, field: str, reason: str) -> ImportFailure:
    return ImportFailure(line=line, field=field, reason=reason)


def _timestamps(record: dict[str, Any], number: int) -> dict[str, Any]:
    values: dict[str, datetime | None] = {}
    for name in _TIMESTAMPS:
        text = record.get(name)
        if text in (None, ""):
            values[name] = None
            continue
        parsed = parse_iso(text)
        if parsed is None:
            raise _fail(number, name, f"'{text}' is not an ISO 8601 timestamp")
        values[name] = parsed
    if values["created_at"] is None:
        raise _fail(number, "created_at", "required")
    values["updated_at"] = values["updated_at"] or values["created_at"]
    return values


def _checked(record: dict[str, Any], number: int) -> dict[str, Any]:
    try:
        json_format.ParseDict(record, job_pb2.JobInfo())
    except json_format.ParseError as exc:
        raise _fail(number, "record", str(exc)) from exc
    if not is_valid_id(str(record.get("job_id", "")), "job"):
        raise _fail(number, "job_id", "required, as job- and 12 lowercase hex characters")
    if not record.get("domain_id"):
        raise _fail(number, "domain_id", "required")
    status = record.get("status")
    if status not in JobStatus.__members__:
        raise _fail(number, "status", f"one of {', '.join(JobStatus)} required")
    counts = {name: int(record.get(name, 0)) for name in _COUNTERS}
    if any(v < 0 for v in counts.values()):
        raise _fail(number, "total_tasks", "counters must not be negative")
    remained = counts["total_tasks"] - counts["success_tasks"] - counts["failure_tasks"]
    if int(record.get("remained_tasks", remained)) != remained:
        raise _fail(number, "remained_tasks", "must equal total_tasks - success_tasks - failure_tasks")
    workspace_id = record.get("workspace_id") or ALL_WORKSPACES
    default_group = ResourceGroup.DOMAIN if workspace_id == ALL_WORKSPACES else ResourceGroup.WORKSPACE
    return {
        "job_id": record["job_id"],
        "status": status,
        **counts,
        "remained_tasks": remained,
        "request_secret_id": record.get("request_secret_id") or None,
        "request_workspace_id": record.get("request_workspace_id") or None,
        "resource_group": record.get("resource_group") or default_group.value,
        "domain_id": record["domain_id"],
        "workspace_id": workspace_id,
        "collector_id": record.get("collector_id") or None,
        "plugin_id": record.get("plugin_id") or None,
        **_timestamps(record, number),
    }


def parse_lines(lines: Iterable[str]) -> Iterator[dict[str, Any]]:
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise _fail(number, "line", f"not valid JSON ({exc.msg})") from exc
        if not isinstance(record, dict):
            raise _fail(number, "line", "must be a JSON object")
        yield _checked(record, number)


def import_jobs(repository: JobRepository, lines: Iterable[str]) -> int:
    """Every line is checked before anything is written; then all rows go in one transaction."""
    rows = list(parse_lines(lines))
    return repository.upsert_many(rows)
