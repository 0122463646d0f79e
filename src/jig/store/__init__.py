"""The durable store: SQLAlchemy 2 over SQLite (default) or PostgreSQL, Alembic migrations."""

from jig.store.queries import Filters, Row, finding_dict, search
from jig.store.revisions import Stored
from jig.store.store import Store

__all__ = ["Filters", "Row", "Store", "Stored", "finding_dict", "search"]
