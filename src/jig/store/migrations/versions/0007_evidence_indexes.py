"""indexes for finding evidence and re-judged acts by workspace, time and place

Judging one record looks up the incidents of its workspace in a time window and a box around
it. With only (t_start, t_end) and (lon, lat) indexes, SQLite chose the workspace's unique
index and read every record of the workspace: intake slowed as the store filled. The scope,
time and place index serves both backends; the partial index on long spans lets the search
for acts overlapping a window bound their start (see `judging.LONG_SPAN_S`).

Revision ID: 0007
Revises: 0006
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

LONG = sa.text("t_end - t_start > 172800")


def upgrade() -> None:
    op.create_index("ix_incident_revisions_scope_time", "incident_revisions",
                    ["workspace", "t_start", "lon", "lat"])
    op.create_index("ix_incident_revisions_long_spans", "incident_revisions",
                    ["workspace", "t_start"], sqlite_where=LONG, postgresql_where=LONG)


def downgrade() -> None:
    op.drop_index("ix_incident_revisions_long_spans", "incident_revisions")
    op.drop_index("ix_incident_revisions_scope_time", "incident_revisions")
