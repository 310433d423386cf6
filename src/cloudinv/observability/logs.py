"""Logs: text for people (the default), JSON lines for machines, and on every line that concerns a job the
ids of that job and task.

The ids travel in a context variable rather than in each log call: the runner sets them once around a sub-task
(`log_context`), and every line logged on that thread meanwhile, from any module, carries them. A filter on the
handler copies them onto the record in the logging thread, before any formatting.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

# The fields a line may carry about the work it concerns, in the order they are shown.
CONTEXT_KEYS = ("job_id", "job_task_id", "sub_task_id", "collector_id")

_NONE: Mapping[str, str] = MappingProxyType({})
_context: ContextVar[Mapping[str, str]] = ContextVar("cloudinv_log_context", default=_NONE)


class LogFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


@contextmanager
def log_context(**fields: str | None) -> Iterator[None]:
    """Add fields (e.g. job_id) to every line logged in this context; unset values are left out."""
    token = _context.set({**_context.get(), **{k: v for k, v in fields.items() if v}})
    try:
        yield
    finally:
        _context.reset(token)


def current_context() -> Mapping[str, str]:
    return _context.get()


class ContextFilter(logging.Filter):
    """Copy the context onto the record; fields given explicitly with `extra=` win."""

    def filter(self, record: logging.LogRecord) -> bool:
        for key, value in _context.get().items():
            if not hasattr(record, key):
                setattr(record, key, value)
        return True


def _context_of(record: logging.LogRecord) -> dict[str, str]:
    return {key: str(value) for key in CONTEXT_KEYS if (value := getattr(record, key, None))}


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time (UTC, ms), level, logger, message, the context ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        created = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, Any] = {
            "time": created.strftime("%Y-%m-%dT%H:%M:%S.") + f"{created.microsecond // 1000:03d}Z",
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **_context_of(record),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class TextFormatter(logging.Formatter):
    """The usual text line, with the context ids appended as `key=value`."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        context = _context_of(record)
        if not context:
            return line
        head, sep, tail = line.partition("\n")  # ids on the message line, before any traceback
        ids = " ".join(f"{key}={value}" for key, value in context.items())
        return f"{head} [{ids}]{sep}{tail}"


def configure_logging(log_format: LogFormat = LogFormat.TEXT, level: int = logging.INFO) -> None:
    """One handler on the root logger, on stderr; replaces whatever was configured before."""
    handler = logging.StreamHandler()
    handler.addFilter(ContextFilter())
    handler.setFormatter(JsonFormatter() if log_format == LogFormat.JSON else TextFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
