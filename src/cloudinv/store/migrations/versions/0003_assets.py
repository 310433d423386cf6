"""assets, asset changes, asset lookups

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "assets",
        sa.Column("asset_id", sa.String(40), primary_key=True),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("provider", sa.String(255)),
        sa.Column("account", sa.String(255)),
        sa.Column("asset_type_id", sa.String(255)),
        sa.Column("region_code", sa.String(255)),
        sa.Column("ip_addresses", sa.JSON, nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("metadata", sa.JSON, nullable=False),
        sa.Column("tags", sa.JSON, nullable=False),
        sa.Column("domain_id", sa.String(40), nullable=False),
        sa.Column("workspace_id", sa.String(40), nullable=False),
        sa.Column("project_id", sa.String(40)),
        sa.Column("collector_id", sa.String(40)),
        sa.Column("service_account_id", sa.String(40)),
        sa.Column("secret_id", sa.String(40)),
        sa.Column("job_id", sa.String(40)),
        sa.Column("job_task_id", sa.String(40)),
        sa.Column("disconnected_count", sa.Integer, nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
        sa.Column("deleted_at", sa.DateTime),
    )
    op.create_index("ix_assets_domain_created", "assets", ["domain_id", "created_at"])
    op.create_index("ix_assets_domain_name", "assets", ["domain_id", "name"])
    op.create_index("ix_assets_collector_secret", "assets", ["collector_id", "secret_id", "state"])
    op.create_table(
        "asset_changes",
        sa.Column(
            "change_id", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True
        ),
        sa.Column("action", sa.String(12), nullable=False),
        sa.Column("asset_type_id", sa.String(255)),
        sa.Column("asset_count", sa.Integer, nullable=False),
        sa.Column("asset_ids", sa.JSON, nullable=False),
        sa.Column("domain_id", sa.String(40), nullable=False),
        sa.Column("collector_id", sa.String(40)),
        sa.Column("job_id", sa.String(40)),
        sa.Column("job_task_id", sa.String(40)),
        sa.Column("created_at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_asset_changes_job", "asset_changes", ["job_id"])
    op.create_index("ix_asset_changes_task", "asset_changes", ["job_task_id"])
    op.create_table(
        "asset_lookups",
        sa.Column("lookup_id", sa.String(400), primary_key=True),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("domain_id", sa.String(40), nullable=False),
        sa.Column("data", sa.JSON, nullable=False),
        sa.Column("updated_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    for table in ("asset_lookups", "asset_changes", "assets"):
        op.drop_table(table)
