"""status records of must_by commitments, and the commitment findings judged on them

Revision ID: 0006
Revises: 0005
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "status_revisions",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("status_id", sa.String(200), nullable=False),
        sa.Column("party", sa.String(100), nullable=False, server_default=""),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("received_at", When, nullable=False),
        sa.UniqueConstraint("party", "status_id", "revision"),
        sa.UniqueConstraint("party", "status_id", "content_hash"))
    op.create_table(
        "status_heads",
        sa.Column("party", sa.String(100), primary_key=True),
        sa.Column("status_id", sa.String(200), primary_key=True),
        sa.Column("row", RowId, sa.ForeignKey("status_revisions.row"), nullable=False,
                  index=True))
    op.create_table(
        "commitment_findings",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("agreement_row", RowId, sa.ForeignKey("agreement_versions.row"),
                  nullable=False, index=True),
        sa.Column("clause", sa.String(200), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("deadline", sa.String(40), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("evidence", sa.JSON(), nullable=False),
        sa.Column("as_of", When, nullable=False),
        sa.Column("judged_at", When, nullable=False))
    op.create_table(
        "commitment_heads",
        sa.Column("agreement_id", sa.String(200), primary_key=True),
        sa.Column("clause", sa.String(200), primary_key=True),
        sa.Column("actor", sa.String(200), primary_key=True),
        sa.Column("row", RowId, sa.ForeignKey("commitment_findings.row"), nullable=False,
                  index=True))


def downgrade() -> None:
    for table in ("commitment_heads", "commitment_findings", "status_heads",
                  "status_revisions"):
        op.drop_table(table)
