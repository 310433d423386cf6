"""Storage: SQLAlchemy Core tables, the engine, repositories, Alembic migrations."""
