"""Alembic migrations of the store; applied by `arbridge db upgrade` and at first start."""
