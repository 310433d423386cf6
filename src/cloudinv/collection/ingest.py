"""What a batch of the plugin stream becomes. `Ingestor` is the port; `CountingIngestor` counts each item by
its type and state without storing assets (asset storage replaces it)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from cloudinv.domain.counts import Counts
from cloudinv.plugins.protocol import ASSET, CLOUD_SERVICE, CLOUD_SERVICE_TYPE, ERROR_RESOURCE, REGION


@dataclass(frozen=True)
class TaskContext:
    """What ingestion needs to know about the sub-task it serves."""

    job_id: str
    job_task_id: str
    sub_task_id: str
    domain_id: str
    workspace_id: str
    collector_id: str
    secret_id: str | None
    provider: str | None
    project_id: str | None
    service_account_id: str | None


class Ingestor(Protocol):
    def ingest(self, context: TaskContext, items: Sequence[Mapping[str, Any]]) -> Counts: ...


def classify(item: Any, counts: Counts) -> str | None:
    """The item's kind ("asset", "lookup") or None after counting it as a failure, with the reason."""
    if not isinstance(item, Mapping):
        counts.fail("ERROR_PLUGIN", f"malformed item: {type(item).__name__}")
        return None
    resource_type = item.get("resource_type")
    if item.get("state") == "FAILURE" or resource_type == ERROR_RESOURCE:
        counts.fail("ERROR_PLUGIN", str(item.get("message") or "the plugin reported a failure"))
        return None
    if resource_type in (CLOUD_SERVICE, ASSET):
        return "asset"
    if resource_type in (CLOUD_SERVICE_TYPE, REGION):
        return "lookup"
    counts.fail("ERROR_UNSUPPORTED_RESOURCE_TYPE", f"unsupported resource type: {resource_type!r}")
    return None


class CountingIngestor:
    def ingest(self, context: TaskContext, items: Sequence[Mapping[str, Any]]) -> Counts:
        counts = Counts()
        for item in items:
            if classify(item, counts) == "asset":
                counts.created += 1
        return counts
