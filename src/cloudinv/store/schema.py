"""Tables. Timestamps are naive UTC; `workspace_id` is "*" on DOMAIN-level rows."""

from __future__ import annotations

from sqlalchemy import JSON, Column, DateTime, Index, Integer, MetaData, String, Table

metadata = MetaData()

jobs = Table(
    "jobs",
    metadata,
    Column("job_id", String(40), primary_key=True),
    Column("status", String(20), nullable=False),
    Column("total_tasks", Integer, nullable=False, default=0),
    Column("remained_tasks", Integer, nullable=False, default=0),
    Column("success_tasks", Integer, nullable=False, default=0),
    Column("failure_tasks", Integer, nullable=False, default=0),
    Column("request_secret_id", String(40)),
    Column("request_workspace_id", String(40)),
    Column("resource_group", String(20), nullable=False),
    Column("domain_id", String(40), nullable=False),
    Column("workspace_id", String(40), nullable=False),
    Column("collector_id", String(40)),
    Column("plugin_id", String(255)),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    # The default listing (newest first within a domain) and the usual filters.
    Index("ix_jobs_domain_created", "domain_id", "created_at", "job_id"),
    Index("ix_jobs_domain_workspace_created", "domain_id", "workspace_id", "created_at"),
    Index("ix_jobs_domain_status_created", "domain_id", "status", "created_at"),
    Index("ix_jobs_domain_collector_created", "domain_id", "collector_id", "created_at"),
)

job_tasks = Table(
    "job_tasks",
    metadata,
    Column("job_task_id", String(40), primary_key=True),
    Column("job_id", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("provider", String(255)),
    Column("total_sub_tasks", Integer, nullable=False, default=0),
    Column("remained_sub_tasks", Integer, nullable=False, default=0),
    Column("created_count", Integer, nullable=False, default=0),
    Column("updated_count", Integer, nullable=False, default=0),
    Column("deleted_count", Integer, nullable=False, default=0),
    Column("disconnected_count", Integer, nullable=False, default=0),
    Column("failure_count", Integer, nullable=False, default=0),
    Column("errors", JSON),
    Column("secret_id", String(40)),
    Column("service_account_id", String(40)),
    Column("project_id", String(40)),
    Column("resource_group", String(20), nullable=False),
    Column("domain_id", String(40), nullable=False),
    Column("workspace_id", String(40), nullable=False),
    Column("collector_id", String(40)),
    Column("plugin_id", String(255)),
    Column("created_at", DateTime, nullable=False),
    Column("started_at", DateTime),
    Column("updated_at", DateTime, nullable=False),
    Column("finished_at", DateTime),
    Index("ix_job_tasks_job", "job_id"),
    Index("ix_job_tasks_domain_created", "domain_id", "created_at"),
)
