"""What a batch of the plugin stream becomes: `Ingestor` is the port (collection/asset_ingest.py stores assets);
`classify` sorts each item by its type and state."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from sqlalchemy import Connection

from cloudinv.domain.counts import Counts
from cloudinv.domain.task import TaskContext
from cloudinv.plugins.protocol import ASSET, CLOUD_SERVICE, CLOUD_SERVICE_TYPE, ERROR_RESOURCE, REGION


class Ingestor(Protocol):
    def ingest(self, context: TaskContext, items: Sequence[Mapping[str, Any]]) -> Counts:
        """Store one batch of the stream; its counts and errors."""
        ...

    def after_task(self, conn: Connection, context: TaskContext) -> None:
        """In the transaction that ended the task successfully."""
        ...


def classify(item: Any, counts: Counts) -> str | None:
    """The item's kind ("asset", "lookup") or None after counting it as a failure, with the reason."""
    if type(item) is not dict and not isinstance(item, Mapping):  # the exact check first: nearly always a dict
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
