"""The service's Prometheus metrics, in a registry of their own per application (no global state: tests build
several applications in one process, and each must count only its own work)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest
from prometheus_client.registry import Collector

from cloudinv.domain.job import JobStatus, JobTaskStatus

CONTENT_TYPE = CONTENT_TYPE_LATEST
RESOURCE_OUTCOMES = ("created", "updated", "failure", "deleted", "disconnected")

# Job tasks run from a fraction of a second (the synthetic plugin) to an hour (a large cloud account).
_TASK_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600)
# API calls: milliseconds on a list, seconds on a big analyze, minutes on a watch stream.
_API_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300)


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.jobs_started = Counter(
            "cloudinv_jobs_started", "Jobs started, by a collect request or a schedule.", registry=registry
        )
        self.jobs_finished = Counter(
            "cloudinv_jobs_finished",
            "Jobs that reached a terminal status (their last task finished, or they were canceled or timed out).",
            ["status"], registry=registry,
        )  # fmt: skip
        self.tasks_finished = Counter(
            "cloudinv_job_tasks_finished", "Job tasks that finished, by status.", ["status"], registry=registry
        )
        self.task_seconds = Histogram(
            "cloudinv_job_task_duration_seconds",
            "Time from a job task's start to its finish, by status.",
            ["status"], buckets=_TASK_BUCKETS, registry=registry,
        )  # fmt: skip
        self.resources = Counter(
            "cloudinv_resources_ingested",
            "Resources of finished job tasks, by outcome (created, updated, failure, deleted, disconnected).",
            ["outcome"], registry=registry,
        )  # fmt: skip
        self.api_requests = Counter(
            "cloudinv_api_requests",
            "API requests, by transport (rest, grpc), route (REST path or gRPC method) and code.",
            ["transport", "route", "code"], registry=registry,
        )  # fmt: skip
        self.api_seconds = Histogram(
            "cloudinv_api_request_duration_seconds",
            "API request latency (a streaming call: until its stream ends), by transport and route.",
            ["transport", "route"], buckets=_API_BUCKETS, registry=registry,
        )  # fmt: skip
        self._zeroes()

    def _zeroes(self) -> None:
        """Every known label value exported at 0, so that rates and alerts work before the first event."""
        for job_status in (JobStatus.SUCCESS, JobStatus.FAILURE, JobStatus.CANCELED):
            self.jobs_finished.labels(job_status.value)
        for task_status in (JobTaskStatus.SUCCESS, JobTaskStatus.FAILURE):
            self.tasks_finished.labels(task_status.value)
        for outcome in RESOURCE_OUTCOMES:
            self.resources.labels(outcome)

    def observe_request(self, transport: str, route: str, code: str, seconds: float) -> None:
        self.api_requests.labels(transport, route, code).inc()
        self.api_seconds.labels(transport, route).observe(seconds)

    def register(self, collector: Collector) -> None:
        """Add a collector computed at scrape time (e.g. the queue depth read from the database)."""
        self.registry.register(collector)

    def render(self) -> bytes:
        """The text exposition format."""
        return generate_latest(self.registry)
