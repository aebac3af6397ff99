"""Store: the library database (SQLAlchemy 2.x). The only package that imports SQLAlchemy or Alembic.

The database is the truth; the search index is derived from it. Every write that changes what search sees also
writes an outbox row in the same transaction (see :mod:`vkref.store.repository`).
"""
from vkref.store.database import Database

__all__ = ["Database"]
