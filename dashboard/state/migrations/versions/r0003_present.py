"""Presenter mode (三端联动): one row per wall (`present_wall`, see `dashboard/state/present.py`) holding its
pairing code, who presents on it and the view they push.

Revision ID: 0003_present
Revises: 0002_reports
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003_present"
down_revision = "0002_reports"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if "present_wall" in set(sa.inspect(op.get_bind()).get_table_names()):
        return
    op.create_table(
        "present_wall",
        sa.Column("wall_id", sa.String(length=32), nullable=False),
        sa.Column("code", sa.String(length=6), nullable=False),
        sa.Column("code_at", sa.DateTime(), nullable=False),
        sa.Column("wall_user", sa.String(length=64), nullable=False),
        sa.Column("wall_region", sa.String(length=6), nullable=False),
        sa.Column("presenter", sa.String(length=64), nullable=True),
        sa.Column("presenter_name", sa.String(length=64), nullable=True),
        sa.Column("presenter_role", sa.String(length=16), nullable=True),
        sa.Column("presenter_region", sa.String(length=6), nullable=True),
        sa.Column("presenter_seen_at", sa.DateTime(), nullable=True),
        sa.Column("paired_at", sa.DateTime(), nullable=True),
        sa.Column("view", sa.Text(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("wall_id"),
        sa.UniqueConstraint("code"),
    )
    op.create_index(op.f("ix_present_wall_presenter"), "present_wall", ["presenter"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_present_wall_presenter"), table_name="present_wall")
    op.drop_table("present_wall")
