"""Core access to the SQLModel tables, for bulk statements that skip ORM object overhead."""

from __future__ import annotations

from sqlalchemy import Table
from sqlmodel import SQLModel


def table_of(model: type[SQLModel]) -> Table:
    """The Core table behind a table model."""
    name = str(model.__tablename__)
    return SQLModel.metadata.tables[name]
