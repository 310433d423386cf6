"""collectors, secrets, sub-tasks, task errors, schedule runs

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("job_tasks") as batch:
        batch.add_column(sa.Column("failed_sub_tasks", sa.Integer, nullable=False, server_default="0"))
    op.create_table(
        "collectors",
        sa.Column("collector_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(255)),
        sa.Column("plugin_id", sa.String(255), nullable=False),
        sa.Column("plugin_info", sa.JSON, nullable=False),
        sa.Column("schedule_state", sa.String(20), nullable=False),
        sa.Column("schedule_hours", sa.JSON, nullable=False),
        sa.Column("secret_filter_state", sa.String(20), nullable=False),
        sa.Column("secret_filter", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("created_by", sa.String(255)),
        sa.Column("resource_group", sa.String(20), nullable=False),
        sa.Column("domain_id", sa.String(40), nullable=False),
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("last_collected_at", sa.DateTime),
    )
    op.create_index("ix_collectors_domain_created", "collectors", ["domain_id", "created_at"])
    op.create_index("ix_collectors_schedule", "collectors", ["schedule_state"])
    op.create_table(
        "secrets",
        sa.Column("secret_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("schema_id", sa.String(255), nullable=False),
        sa.Column("provider", sa.String(255)),
        sa.Column("encrypted_data", sa.Text, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("resource_group", sa.String(20), nullable=False),
        sa.Column("domain_id", sa.String(40), nullable=False),
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("project_id", sa.String(40)),
        sa.Column("service_account_id", sa.String(40)),
        sa.Column("trusted_secret_id", sa.String(40)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_secrets_domain_provider", "secrets", ["domain_id", "provider"])
    op.create_table(
        "sub_tasks",
        sa.Column("sub_task_id", sa.String(40), primary_key=True),
        sa.Column("job_task_id", sa.String(40), nullable=False),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("task_options", sa.JSON, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("created_count", sa.Integer, nullable=False),
        sa.Column("updated_count", sa.Integer, nullable=False),
        sa.Column("failure_count", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(255)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("dispatched_at", sa.DateTime),
        sa.Column("started_at", sa.DateTime),
        sa.Column("heartbeat_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
    )
    op.create_index("ix_sub_tasks_status_created", "sub_tasks", ["status", "created_at"])
    op.create_index("ix_sub_tasks_job_task", "sub_tasks", ["job_task_id"])
    op.create_index("ix_sub_tasks_job", "sub_tasks", ["job_id"])
    op.create_table(
        "job_task_errors",
        sa.Column("error_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("job_task_id", sa.String(40), nullable=False),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("error_code", sa.String(100), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("additional", sa.JSON),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_job_task_errors_task", "job_task_errors", ["job_task_id", "error_id"])
    op.create_index("ix_job_task_errors_job", "job_task_errors", ["job_id"])
    op.create_table(
        "schedule_runs",
        sa.Column("collector_id", sa.String(40), nullable=False),
        sa.Column("hour", sa.DateTime, nullable=False),
        sa.Column("job_id", sa.String(40)),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.UniqueConstraint("collector_id", "hour", name="uq_schedule_runs_collector_hour"),
    )


def downgrade() -> None:
    for table in ("schedule_runs", "job_task_errors", "sub_tasks", "secrets", "collectors"):
        op.drop_table(table)
    with op.batch_alter_table("job_tasks") as batch:
        batch.drop_column("failed_sub_tasks")
