"""What the plugin stream becomes: `Ingestor` is the port (collection/asset_ingest.py stores assets);
`classify` sorts each item by its type and state.

Ingestion has two halves so that they can overlap: `prepare` turns one item into what storing it needs (pure
Python, run on the thread that pulls the plugin's stream), `store` writes a batch of prepared items (mostly
database time, during which the pulling thread prepares the next batch).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, NamedTuple, Protocol

from sqlalchemy import Connection

from cloudinv.domain.counts import Counts
from cloudinv.domain.task import TaskContext
from cloudinv.plugins.protocol import ASSET, CLOUD_SERVICE, CLOUD_SERVICE_TYPE, ERROR_RESOURCE, REGION


class Rejected(NamedTuple):
    """A prepared item that is a counted failure, with its reason."""

    code: str
    message: str


class Ingestor(Protocol):
    def preparer(self, context: TaskContext) -> Callable[[Any], Any]:
        """What prepares each item of this sub-task's stream; it never raises for a bad item."""
        ...

    def store(self, context: TaskContext, prepared: Sequence[Any]) -> Counts:
        """Store one batch of prepared items; its counts and errors."""
        ...

    def after_task(self, conn: Connection, context: TaskContext) -> None:
        """In the transaction that ended the task successfully."""
        ...


def classify(item: Any) -> str | Rejected:
    """The item's kind ("asset", "lookup"), or why it is a failure."""
    if type(item) is not dict and not isinstance(item, Mapping):  # the exact check first: nearly always a dict
        return Rejected("ERROR_PLUGIN", f"malformed item: {type(item).__name__}")
    resource_type = item.get("resource_type")
    if item.get("state") == "FAILURE" or resource_type == ERROR_RESOURCE:
        return Rejected("ERROR_PLUGIN", str(item.get("message") or "the plugin reported a failure"))
    if resource_type in (CLOUD_SERVICE, ASSET):
        return "asset"
    if resource_type in (CLOUD_SERVICE_TYPE, REGION):
        return "lookup"
    return Rejected("ERROR_UNSUPPORTED_RESOURCE_TYPE", f"unsupported resource type: {resource_type!r}")
