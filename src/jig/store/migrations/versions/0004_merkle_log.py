"""the log as a Merkle tree: entries with row images, salted parts and signed heads;
signed determinations

Revision ID: 0004
Revises: 0003
"""
import json
import secrets

import sqlalchemy as sa
from alembic import op

from jig import merkle
from jig.store.audit import canonical, leaf_of

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    conn = op.get_bind()
    old = list(conn.execute(sa.text(
        "SELECT seq, at, actor, action, subject, detail, prev_hash, hash FROM audit_log "
        "ORDER BY seq")))
    # Any state row calls for the marker, not only an agreement: a store with records and no
    # agreement yet was left with rows no entry held, which verify named for ever.
    has_state = any(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                    for table in ("agreement_versions", "incident_revisions",
                                  "notice_revisions", "users"))
    log = op.create_table(
        "audit_log_v4",
        sa.Column("seq", RowId, primary_key=True, autoincrement=False),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(60), nullable=False),
        sa.Column("subject", sa.String(300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("leaf_hash", sa.String(64), nullable=False),
        sa.Column("root_hash", sa.String(64), nullable=False),
        sa.Column("signature", sa.String(100)))
    rows = []
    # The chained entries become leaves (their chain hashes kept in the body, for whoever
    # saved one); a marker then asks the store to log every state row once (`audit`).
    entries = [{"seq": r.seq, "at": r.at, "acts": [{
        "actor": r.actor, "action": r.action, "subject": r.subject,
        "detail": r.detail if isinstance(r.detail, dict) else json.loads(r.detail or "{}")}],
        "rows": [], "chain": {"prev_hash": r.prev_hash, "hash": r.hash}} for r in old]
    if old or has_state:
        entries.append({"seq": len(old) + 1, "at": old[-1].at if old else "",
                        "acts": [{"actor": "system", "action": "log.upgrade",
                                  "subject": "migration 0004", "detail": {}}], "rows": []})
    # No key here to sign with: these entries are unsigned, and bound by the first signed
    # entry after them, whose head covers them.
    tree = merkle.Tree()
    for body in entries:
        body["salt"] = secrets.token_hex(16)
        first = body["acts"][0]
        tree.append(merkle.leaf_hash(canonical(leaf_of(body))))
        rows.append({"seq": body["seq"], "at": body["at"], "actor": first["actor"],
                     "action": first["action"], "subject": first["subject"],
                     "body": canonical(body).decode(), "leaf_hash": tree.leaves[-1].hex(),
                     "root_hash": tree.root().hex(), "signature": None})
    if rows:
        op.bulk_insert(log, rows)
    op.drop_table("audit_log")
    op.rename_table("audit_log_v4", "audit_log")
    op.create_index("ix_audit_log_action", "audit_log", ["action"])
    with op.batch_alter_table("determinations") as b:
        b.add_column(sa.Column("signature", sa.String(100)))


def downgrade() -> None:
    raise NotImplementedError("the log cannot go back to a hash chain without losing rows")
