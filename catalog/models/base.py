"""The declarative base shared by every catalog model."""

from __future__ import annotations

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

from wecare.text import normalize as _normalize

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of the catalog schema (one metadata, stable constraint names)."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)

    @staticmethod
    def normalize(value: str) -> str:
        """Return the accent/case/punctuation-insensitive lookup key of ``value``."""
        return _normalize(value)
