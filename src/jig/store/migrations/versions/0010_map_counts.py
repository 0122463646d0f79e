"""map_counts: the map's counts by verdict per grid cell and block of days, kept ahead of the
question (`jig.store.mapcounts`), and made here from the verdict heads already stored

Revision ID: 0010
Revises: 0009
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.orm import Session

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

OUTCOMES = ("breach", "undetermined", "excepted", "complies", "not_applicable")


def upgrade() -> None:
    from jig.store import mapcounts

    op.create_table(
        "map_counts",
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("span", sa.Integer(), nullable=False),
        sa.Column("block", sa.Integer(), nullable=False),
        sa.Column("x", sa.Integer(), nullable=False),
        sa.Column("y", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        *[sa.Column(f"{c}_{v}", sa.BigInteger(), nullable=False, server_default="0")
          for v in OUTCOMES for c in ("n", "lon", "lat")],
        sa.PrimaryKeyConstraint("agreement_id", "level", "span", "block", "x", "y", "scope",
                                "workspace", name="pk_map_counts"))
    mapcounts.rebuild(Session(bind=op.get_bind()))


def downgrade() -> None:
    op.drop_table("map_counts")
