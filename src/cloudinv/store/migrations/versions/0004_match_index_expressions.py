"""match-rule indexes rebuilt on their current expressions

The JSON-path indexes that ingestion creates for match rules are named after their expression now; on SQLite
the expression changed (a JSON number or boolean reads as its JSON text, as on PostgreSQL). Indexes of the
former names are dropped here and created again, under the new names, the first time a rule uses them.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


# Listed from the catalogs: SQLAlchemy's reflection leaves out indexes on expressions.
_LIST = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'assets'",
    "postgresql": "SELECT indexname FROM pg_indexes WHERE tablename = 'assets' AND schemaname = current_schema()",
}


def upgrade() -> None:
    bind = op.get_bind()
    for name in bind.execute(sa.text(_LIST[bind.dialect.name])).scalars().all():
        if name.startswith("ix_assets_match_"):
            op.drop_index(name, table_name="assets")


def downgrade() -> None:
    pass  # ingestion creates the indexes it needs
