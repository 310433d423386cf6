"""jobs and job_tasks

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def _timestamps() -> list[sa.Column]:
    return [
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime),
    ]


def _tenancy() -> list[sa.Column]:
    return [
        sa.Column("resource_group", sa.String(20), nullable=False),
        sa.Column("domain_id", sa.String(40), nullable=False),
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("collector_id", sa.String(40)),
        sa.Column("plugin_id", sa.String(255)),
    ]


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("job_id", sa.String(40), primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("total_tasks", sa.Integer, nullable=False),
        sa.Column("remained_tasks", sa.Integer, nullable=False),
        sa.Column("success_tasks", sa.Integer, nullable=False),
        sa.Column("failure_tasks", sa.Integer, nullable=False),
        sa.Column("request_secret_id", sa.String(40)),
        sa.Column("request_workspace_id", sa.String(40)),
        *_tenancy(),
        *_timestamps(),
    )
    op.create_index("ix_jobs_domain_created", "jobs", ["domain_id", "created_at", "job_id"])
    op.create_index("ix_jobs_domain_workspace_created", "jobs", ["domain_id", "workspace_id", "created_at"])
    op.create_index("ix_jobs_domain_status_created", "jobs", ["domain_id", "status", "created_at"])
    op.create_index("ix_jobs_domain_collector_created", "jobs", ["domain_id", "collector_id", "created_at"])
    op.create_table(
        "job_tasks",
        sa.Column("job_task_id", sa.String(40), primary_key=True),
        sa.Column("job_id", sa.String(40), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(255)),
        sa.Column("total_sub_tasks", sa.Integer, nullable=False),
        sa.Column("remained_sub_tasks", sa.Integer, nullable=False),
        sa.Column("created_count", sa.Integer, nullable=False),
        sa.Column("updated_count", sa.Integer, nullable=False),
        sa.Column("deleted_count", sa.Integer, nullable=False),
        sa.Column("disconnected_count", sa.Integer, nullable=False),
        sa.Column("failure_count", sa.Integer, nullable=False),
        sa.Column("errors", sa.JSON),
        sa.Column("secret_id", sa.String(40)),
        sa.Column("service_account_id", sa.String(40)),
        sa.Column("project_id", sa.String(40)),
        *_tenancy(),
        sa.Column("started_at", sa.DateTime),
        *_timestamps(),
    )
    op.create_index("ix_job_tasks_job", "job_tasks", ["job_id"])
    op.create_index("ix_job_tasks_domain_created", "job_tasks", ["domain_id", "created_at"])


def downgrade() -> None:
    op.drop_table("job_tasks")
    op.drop_table("jobs")
