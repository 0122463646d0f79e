"""joint cell: workspaces, scoped verdicts, releases, users, tokens, reviews, audit log

Revision ID: 0003
Revises: 0002
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("incident_revisions") as b:
        b.add_column(sa.Column("workspace", sa.String(100), nullable=False,
                               server_default="joint"))
    with op.batch_alter_table("verdicts") as b:
        b.add_column(sa.Column("scope", sa.String(100), nullable=False, server_default="joint"))
    op.create_table(
        "verdict_scope_heads",
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        sa.Column("verdict_row", RowId, sa.ForeignKey("verdicts.row"), nullable=False),
        sa.Column("incident_row", RowId, sa.ForeignKey("incident_revisions.row"),
                  nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "agreement_id", "scope"))
    op.create_index("ix_verdict_scope_heads_verdict_row", "verdict_scope_heads", ["verdict_row"])
    op.create_index("ix_verdict_scope_heads_incident_row", "verdict_scope_heads",
                    ["incident_row"])
    # Verdicts judged before workspaces existed were judged on everything: the joint scope.
    op.execute("INSERT INTO verdict_scope_heads (incident_id, agreement_id, scope, workspace, "
               "verdict_row, incident_row) SELECT incident_id, agreement_id, 'joint', 'joint', "
               "verdict_row, incident_row FROM verdict_heads")
    op.drop_table("verdict_heads")
    op.create_table(
        "releases",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(200), nullable=False, index=True),
        sa.Column("incident_row", RowId, sa.ForeignKey("incident_revisions.row"),
                  nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        sa.Column("withheld", sa.JSON(), nullable=False),
        sa.Column("released_by", sa.String(200), nullable=False),
        sa.Column("released_at", When, nullable=False))
    op.create_table(
        "users",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("name", sa.String(200), nullable=False, unique=True),
        sa.Column("role", sa.String(40), nullable=False),
        sa.Column("party", sa.String(100)),
        sa.Column("created_at", When, nullable=False))
    op.create_table(
        "tokens",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("user_row", RowId, sa.ForeignKey("users.row"), nullable=False, index=True),
        sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("created_at", When, nullable=False),
        sa.Column("revoked_at", When))
    op.create_table(
        "reviews",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("incident_id", sa.String(200), nullable=False, index=True),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("queried_party", sa.String(100), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("answer", sa.Text()),
        sa.Column("answer_evidence", sa.JSON(), nullable=False),
        sa.Column("opened_by", sa.String(200), nullable=False),
        sa.Column("opened_at", When, nullable=False),
        sa.Column("published_at", When))
    op.create_table(
        "determinations",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("review_row", RowId, sa.ForeignKey("reviews.row"), nullable=False,
                  index=True),
        sa.Column("party", sa.String(100), nullable=False),
        sa.Column("outcome", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("signed_by", sa.String(200), nullable=False),
        sa.Column("signed_at", When, nullable=False),
        sa.UniqueConstraint("review_row", "party"))
    op.create_table(
        "audit_log",
        sa.Column("seq", RowId, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False, unique=True))


def downgrade() -> None:
    raise NotImplementedError("the joint cell's records are not taken out of a store")
