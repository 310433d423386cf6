"""Tables. Timestamps are naive UTC; `workspace_id` is "*" on DOMAIN-level rows."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

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
    Column("failed_sub_tasks", Integer, nullable=False, default=0),
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

collectors = Table(
    "collectors",
    metadata,
    Column("collector_id", String(40), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("provider", String(255)),
    Column("plugin_id", String(255), nullable=False),
    Column("plugin_info", JSON, nullable=False),  # {plugin_id, version, options, metadata, upgrade_mode}
    Column("schedule_state", String(20), nullable=False),
    Column("schedule_hours", JSON, nullable=False),  # UTC hours 0-23
    Column("secret_filter_state", String(20), nullable=False),
    Column("secret_filter", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("created_by", String(255)),
    Column("resource_group", String(20), nullable=False),
    Column("domain_id", String(40), nullable=False),
    Column("workspace_id", String(40), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("last_collected_at", DateTime),
    Index("ix_collectors_domain_created", "domain_id", "created_at"),
    Index("ix_collectors_schedule", "schedule_state"),
)

secrets = Table(
    "secrets",
    metadata,
    Column("secret_id", String(40), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("state", String(20), nullable=False),
    Column("schema_id", String(255), nullable=False),
    Column("provider", String(255)),
    Column("encrypted_data", Text, nullable=False),  # Fernet token of the JSON data; never leaves the store
    Column("tags", JSON, nullable=False),
    Column("resource_group", String(20), nullable=False),
    Column("domain_id", String(40), nullable=False),
    Column("workspace_id", String(40), nullable=False),
    Column("project_id", String(40)),
    Column("service_account_id", String(40)),
    Column("trusted_secret_id", String(40)),
    Column("created_at", DateTime, nullable=False),
    Index("ix_secrets_domain_provider", "domain_id", "provider"),
)

# The dispatch records: one row per sub-task, written in the collect transaction. The embedded runner claims
# PENDING rows directly; in distributed mode `dispatched_at` IS NULL marks rows still to hand to the broker.
sub_tasks = Table(
    "sub_tasks",
    metadata,
    Column("sub_task_id", String(40), primary_key=True),
    Column("job_task_id", String(40), nullable=False),
    Column("job_id", String(40), nullable=False),
    Column("status", String(20), nullable=False),
    Column("task_options", JSON, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("created_count", Integer, nullable=False, default=0),
    Column("updated_count", Integer, nullable=False, default=0),
    Column("failure_count", Integer, nullable=False, default=0),
    Column("worker", String(255)),
    Column("created_at", DateTime, nullable=False),
    Column("dispatched_at", DateTime),
    Column("started_at", DateTime),
    Column("heartbeat_at", DateTime),
    Column("finished_at", DateTime),
    Index("ix_sub_tasks_status_created", "status", "created_at"),
    Index("ix_sub_tasks_job_task", "job_task_id"),
    Index("ix_sub_tasks_job", "job_id"),
)

job_task_errors = Table(
    "job_task_errors",
    metadata,
    Column("error_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("job_task_id", String(40), nullable=False),
    Column("job_id", String(40), nullable=False),
    Column("error_code", String(100), nullable=False),
    Column("message", Text, nullable=False),
    Column("additional", JSON),
    Column("created_at", DateTime, nullable=False),
    Index("ix_job_task_errors_task", "job_task_id", "error_id"),
    Index("ix_job_task_errors_job", "job_id"),
)

# One row per collector and UTC hour fired: the unique key is what makes a schedule fire once per hour, however
# many schedulers run.
schedule_runs = Table(
    "schedule_runs",
    metadata,
    Column("collector_id", String(40), nullable=False),
    Column("hour", DateTime, nullable=False),
    Column("job_id", String(40)),
    Column("created_at", DateTime, nullable=False),
    UniqueConstraint("collector_id", "hour", name="uq_schedule_runs_collector_hour"),
)

assets = Table(
    "assets",
    metadata,
    Column("asset_id", String(40), primary_key=True),
    Column("name", String(255), nullable=False),
    Column("state", String(20), nullable=False),  # ACTIVE | DELETED
    Column("provider", String(255)),
    Column("account", String(255)),
    Column("asset_type_id", String(255)),
    Column("region_code", String(255)),
    Column("ip_addresses", JSON, nullable=False),
    Column("data", JSON, nullable=False),
    Column("metadata", JSON, nullable=False),
    Column("tags", JSON, nullable=False),
    Column("domain_id", String(40), nullable=False),
    Column("workspace_id", String(40), nullable=False),
    Column("project_id", String(40)),
    Column("collector_id", String(40)),
    Column("service_account_id", String(40)),
    Column("secret_id", String(40)),
    Column("job_id", String(40)),  # the job (and task) that last created or updated it
    Column("job_task_id", String(40)),
    Column("disconnected_count", Integer, nullable=False, default=0),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("deleted_at", DateTime),
    Index("ix_assets_domain_created", "domain_id", "created_at"),
    Index("ix_assets_domain_name", "domain_id", "name"),
    Index("ix_assets_collector_secret", "collector_id", "secret_id", "state"),
)

# What collection (or a caller) did to assets: one row per batch, action and asset type, with the ids it
# touched, so that "what did this job change?" has an answer without a row per asset per run.
asset_changes = Table(
    "asset_changes",
    metadata,
    Column("change_id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("action", String(12), nullable=False),  # CREATE | UPDATE | DISCONNECT | DELETE
    Column("asset_type_id", String(255)),
    Column("asset_count", Integer, nullable=False),
    Column("asset_ids", JSON, nullable=False),
    Column("domain_id", String(40), nullable=False),
    Column("collector_id", String(40)),
    Column("job_id", String(40)),
    Column("job_task_id", String(40)),
    Column("created_at", DateTime, nullable=False),
    Index("ix_asset_changes_job", "job_id"),
    Index("ix_asset_changes_task", "job_task_id"),
)

# Asset types and regions streamed by plugins: kept for lookup, not counted.
asset_lookups = Table(
    "asset_lookups",
    metadata,
    Column("lookup_id", String(400), primary_key=True),  # kind:domain:key
    Column("kind", String(40), nullable=False),  # asset_type | region
    Column("domain_id", String(40), nullable=False),
    Column("data", JSON, nullable=False),
    Column("updated_at", DateTime, nullable=False),
)
