"""ids scoped by workspace and party, commitments, two-party amendments, token expiry

Incident ids are scoped by workspace and notice ids by party: the same id from another party
is another record. Party workspaces' content hashes become HMAC commitments under a
per-workspace secret. Amendments in a store with parties become proposals that every
party's lead accepts. Tokens get an expiry and a last sign-in.

Revision ID: 0005
Revises: 0004
"""
import hashlib
import hmac
import json
import secrets

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RowId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = sa.DateTime(timezone=True)
NAMES = {"uq": "uq_%(table_name)s_%(column_0_N_name)s"}


def _rescope_uniques(table: str, key: str, scope: str) -> None:
    """Replace the unique (key, revision) and (key, content_hash) by ones with `scope` first."""
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        # SQLite keeps these constraints unnamed: name them by convention to drop them.
        with op.batch_alter_table(table, recreate="always", naming_convention=NAMES) as b:
            for other in ("revision", "content_hash"):
                b.drop_constraint(f"uq_{table}_{key}_{other}", type_="unique")
                b.create_unique_constraint(f"uq_{table}_{scope}_{key}_{other}",
                                           [scope, key, other])
        return
    for uq in sa.inspect(bind).get_unique_constraints(table):
        if uq["column_names"][0] == key:
            op.drop_constraint(uq["name"], table, type_="unique")
    for other in ("revision", "content_hash"):
        op.create_unique_constraint(f"uq_{table}_{scope}_{key}_{other}", table,
                                    [scope, key, other])


def _rekey_heads(table: str, revisions: str, key: str, scope: str) -> None:
    """Heads keyed by (scope, id), filled from the revisions they point at."""
    op.create_table(
        f"{table}_new",
        sa.Column(scope, sa.String(100), nullable=False),
        sa.Column(key, sa.String(200), nullable=False),
        sa.Column("row", RowId, sa.ForeignKey(f"{revisions}.row"), nullable=False),
        sa.PrimaryKeyConstraint(scope, key, name=f"pk_{table}"))
    op.execute(f"INSERT INTO {table}_new ({scope}, {key}, row) SELECT r.{scope}, h.{key}, "
               f"h.row FROM {table} h JOIN {revisions} r ON r.row = h.row")
    op.drop_table(table)
    op.rename_table(f"{table}_new", table)
    op.create_index(f"ix_{table}_row", table, ["row"])


def _commit_party_hashes() -> None:
    """Party workspaces' content hashes become HMACs under a new secret per workspace."""
    bind = op.get_bind()
    for table, scope in (("incident_revisions", "workspace"), ("air_notice_revisions", "party")):
        spaces = [w for (w,) in bind.execute(sa.text(f"SELECT DISTINCT {scope} FROM {table}"))
                  if w != "joint"]
        for w in spaces:
            secret = bind.execute(sa.text("SELECT secret FROM workspace_secrets WHERE "
                                          "workspace = :w"), {"w": w}).scalar()
            if secret is None:
                secret = secrets.token_hex(32)
                bind.execute(sa.text("INSERT INTO workspace_secrets (workspace, secret) "
                                     "VALUES (:w, :s)"), {"w": w, "s": secret})
            rows = bind.execute(sa.text(f"SELECT row, record FROM {table} WHERE {scope} = :w"),
                                {"w": w}).all()
            for row, record in rows:
                rec = json.loads(record) if isinstance(record, str) else record
                said = json.dumps({k: v for k, v in rec.items() if k != "dataset"},
                                  sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                                  default=str).encode()
                digest = hmac.new(bytes.fromhex(secret), said, hashlib.sha256).hexdigest()
                bind.execute(sa.text(f"UPDATE {table} SET content_hash = :h WHERE row = :r"),
                             {"h": digest, "r": row})


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    # (SQLite: the tables rebuilt here are referred to by others; env.py runs migrations with
    # foreign keys off and checks them before the commit.)
    op.create_table(
        "workspace_secrets",
        sa.Column("workspace", sa.String(100), primary_key=True),
        sa.Column("secret", sa.String(200), nullable=False))
    with op.batch_alter_table("notice_revisions") as b:
        b.add_column(sa.Column("party", sa.String(100), nullable=False, server_default=""))
    party = "json_extract(record, '$.party')" if sqlite else "record->>'party'"
    op.execute(f"UPDATE notice_revisions SET party = COALESCE({party}, '')")
    _rescope_uniques("incident_revisions", "incident_id", "workspace")
    _rescope_uniques("notice_revisions", "notice_id", "party")
    _rescope_uniques("air_notice_revisions", "notice_id", "party")
    _rekey_heads("incident_heads", "incident_revisions", "incident_id", "workspace")
    _rekey_heads("notice_heads", "notice_revisions", "notice_id", "party")
    _rekey_heads("air_notice_heads", "air_notice_revisions", "notice_id", "party")
    # Verdict heads: the incident's workspace joins the key.
    op.create_table(
        "verdict_scope_heads_new",
        sa.Column("incident_id", sa.String(200), nullable=False),
        sa.Column("agreement_id", sa.String(200), nullable=False),
        sa.Column("scope", sa.String(100), nullable=False),
        sa.Column("workspace", sa.String(100), nullable=False),
        sa.Column("verdict_row", RowId, sa.ForeignKey("verdicts.row"), nullable=False),
        sa.Column("incident_row", RowId, sa.ForeignKey("incident_revisions.row"),
                  nullable=False),
        sa.PrimaryKeyConstraint("incident_id", "agreement_id", "scope", "workspace",
                                name="pk_verdict_scope_heads"))
    op.execute("INSERT INTO verdict_scope_heads_new SELECT incident_id, agreement_id, scope, "
               "workspace, verdict_row, incident_row FROM verdict_scope_heads")
    op.drop_table("verdict_scope_heads")
    op.rename_table("verdict_scope_heads_new", "verdict_scope_heads")
    op.create_index("ix_verdict_scope_heads_verdict_row", "verdict_scope_heads", ["verdict_row"])
    op.create_index("ix_verdict_scope_heads_incident_row", "verdict_scope_heads",
                    ["incident_row"])
    _commit_party_hashes()
    with op.batch_alter_table("reviews") as b:
        b.add_column(sa.Column("incident_workspace", sa.String(100), nullable=False,
                               server_default="joint"))
        b.add_column(sa.Column("parties", sa.JSON(), nullable=True))
    with op.batch_alter_table("tokens") as b:
        b.add_column(sa.Column("expires_at", When))
        b.add_column(sa.Column("last_login_at", When))
    op.create_table(
        "agreement_proposals",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("agreement_id", sa.String(200), nullable=False, index=True),
        sa.Column("content_hash", sa.String(64), nullable=False),
        sa.Column("title", sa.Text()),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("effective_from", When, nullable=False),
        sa.Column("base_row", RowId, sa.ForeignKey("agreement_versions.row"), nullable=False),
        sa.Column("parties", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("proposed_by", sa.String(200), nullable=False),
        sa.Column("proposed_party", sa.String(100), nullable=False),
        sa.Column("proposed_at", When, nullable=False),
        sa.Column("version_row", RowId, sa.ForeignKey("agreement_versions.row")))
    op.create_table(
        "proposal_acceptances",
        sa.Column("row", RowId, primary_key=True, autoincrement=True),
        sa.Column("proposal_row", RowId, sa.ForeignKey("agreement_proposals.row"),
                  nullable=False, index=True),
        sa.Column("party", sa.String(100), nullable=False),
        sa.Column("accepted_by", sa.String(200), nullable=False),
        sa.Column("accepted_at", When, nullable=False),
        sa.UniqueConstraint("proposal_row", "party"))


def downgrade() -> None:
    raise NotImplementedError("scoped ids are not merged back into one namespace")
