"""What a sub-task did: counts and errors. Added up per task and per job by single SQL statements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class TaskError:
    error_code: str
    message: str
    additional: dict[str, Any] | None = None


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    failure: int = 0
    errors: list[TaskError] = field(default_factory=list)

    def add(self, other: Counts) -> None:
        self.created += other.created
        self.updated += other.updated
        self.failure += other.failure
        self.errors.extend(other.errors)

    def fail(self, code: str, message: str, additional: dict[str, Any] | None = None) -> None:
        self.failure += 1
        self.errors.append(TaskError(code, message, additional))
