"""The reports' tables in the application-state store: generated monthly reports (the PDF as made, with the
figures it was made from) and meeting packs (会议材料包) with their views, frozen with the numbers of one data
version. A finance load never touches them, so a frozen number stays what it was."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.state.engine import state_metadata

report_file = sa.Table(
    "report_file",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),  # 'monthly'
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("month", sa.Integer, nullable=False),
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("data_through", sa.Date, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),  # a username, 'cli:<user>' or 'schedule'
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("figures", sa.Text, nullable=False),  # JSON (`dashboard.report.figures.encode`)
    sa.Column("pdf", sa.LargeBinary, nullable=False),
    sa.UniqueConstraint("kind", "region_code", "year", "month", "data_version", name="uq_report_file_version"),
    sa.Index("ix_report_file_region", "region_code", "year", "month"),
)

meeting_pack = sa.Table(
    "meeting_pack",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("owner", sa.String(64), nullable=False, index=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("frozen_at", sa.DateTime),  # NULL while the pack is still being put together
    sa.Column("data_version", sa.String(64)),
    sa.Column("data_through", sa.Date),
    sa.Column("load_id", sa.Integer),
    sa.Column("shared_with", sa.Text, nullable=False, default="[]"),  # JSON list of usernames
)

meeting_pack_item = sa.Table(
    "meeting_pack_item",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("pack_id", sa.Integer, sa.ForeignKey("meeting_pack.id"), nullable=False, index=True),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("path", sa.String(200), nullable=False),  # the view: a page path and its query string
    sa.Column("query", sa.String(500), nullable=False),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("year", sa.Integer, nullable=False),
    sa.Column("first_month", sa.Integer, nullable=False),
    sa.Column("last_month", sa.Integer, nullable=False),
    sa.Column("note", sa.Text, nullable=False, default=""),
    sa.Column("figures", sa.Text),  # JSON of the view's figures at freezing; NULL before
)
