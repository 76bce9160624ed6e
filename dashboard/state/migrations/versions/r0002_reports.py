"""The reports' tables: generated monthly reports (report_file) and meeting packs with their views (meeting_pack,
meeting_pack_item), see `dashboard/state/report_tables.py`.

Revision ID: 0002_reports
Revises: 0001_baseline
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_reports"
down_revision = "0001_baseline"
branch_labels = None
depends_on = None


def upgrade() -> None:
    present = set(sa.inspect(op.get_bind()).get_table_names())  # a store the app made them in before migrations
    if "report_file" not in present:
        _report_file()
    if "meeting_pack" not in present:
        _meeting_pack()
    if "meeting_pack_item" not in present:
        _meeting_pack_item()


def _report_file() -> None:
    op.create_table(
        "report_file",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("month", sa.Integer(), nullable=False),
        sa.Column("data_version", sa.String(length=64), nullable=False),
        sa.Column("data_through", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("figures", sa.Text(), nullable=False),
        sa.Column("pdf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("kind", "region_code", "year", "month", "data_version", name="uq_report_file_version"),
    )
    op.create_index("ix_report_file_region", "report_file", ["region_code", "year", "month"], unique=False)


def _meeting_pack() -> None:
    op.create_table(
        "meeting_pack",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner", sa.String(length=64), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("frozen_at", sa.DateTime(), nullable=True),
        sa.Column("data_version", sa.String(length=64), nullable=True),
        sa.Column("data_through", sa.Date(), nullable=True),
        sa.Column("load_id", sa.Integer(), nullable=True),
        sa.Column("shared_with", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_meeting_pack_owner"), "meeting_pack", ["owner"], unique=False)


def _meeting_pack_item() -> None:
    op.create_table(
        "meeting_pack_item",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("pack_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("query", sa.String(length=500), nullable=False),
        sa.Column("region_code", sa.String(length=6), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("first_month", sa.Integer(), nullable=False),
        sa.Column("last_month", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("figures", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["pack_id"], ["meeting_pack.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index(op.f("ix_meeting_pack_item_pack_id"), "meeting_pack_item", ["pack_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_meeting_pack_item_pack_id"), table_name="meeting_pack_item")
    op.drop_table("meeting_pack_item")
    op.drop_index(op.f("ix_meeting_pack_owner"), table_name="meeting_pack")
    op.drop_table("meeting_pack")
    op.drop_index("ix_report_file_region", table_name="report_file")
    op.drop_table("report_file")
