"""The risk tables of the application-state store: rule runs, warnings, tickets, their history and attachments.

They live beside users and the audit trail (`dashboard.state.engine`), never in the finance store, so reloading finance
data never loses a ticket. A warning is identified by its key, rule + region + period: re-running the rules updates
the open warning with that key instead of adding a second one. People are referred to by username (a string).
"""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.state.engine import state_metadata

# warning states: 待处理 (open: the latest run still finds it), 已解除 (a later run of the same period no longer
# finds it), 已销号 (its ticket was accepted)
WARNING_OPEN, WARNING_CLEARED, WARNING_CLOSED = "待处理", "已解除", "已销号"

risk_run = sa.Table(
    "risk_run",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("seconds", sa.Float, nullable=False),
    sa.Column("data_version", sa.String(64), nullable=False),
    sa.Column("as_of", sa.String(7), nullable=False),  # YYYY-MM the rules looked from
    sa.Column("rules", sa.Integer, nullable=False),
    sa.Column("findings", sa.Integer, nullable=False),
    sa.Column("new_warnings", sa.Integer, nullable=False),
    sa.Column("tickets_issued", sa.Integer, nullable=False),
)

risk_warning = sa.Table(
    "risk_warning",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("key", sa.String(96), nullable=False, unique=True),  # rule|region|period
    sa.Column("rule_code", sa.String(32), nullable=False),
    sa.Column("topic", sa.String(16), nullable=False),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("period", sa.String(16), nullable=False),
    sa.Column("period_label", sa.String(32), nullable=False),
    sa.Column("grade", sa.String(2), nullable=False),  # 蓝 / 黄 / 橙 / 红
    sa.Column("grade_label", sa.String(16), nullable=False),
    sa.Column("value", sa.Float),
    sa.Column("value_text", sa.String(200), nullable=False),
    sa.Column("threshold", sa.String(200), nullable=False),
    sa.Column("message", sa.Text, nullable=False),
    sa.Column("evidence", sa.Text, nullable=False),  # JSON, personal data masked
    sa.Column("state", sa.String(8), nullable=False),
    sa.Column("raised_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("last_run_id", sa.Integer, nullable=False),
    sa.Index("ix_risk_warning_region", "region_code", "state"),
)

risk_ticket = sa.Table(
    "risk_ticket",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("warning_id", sa.Integer, sa.ForeignKey("risk_warning.id"), nullable=False, unique=True),
    sa.Column("region_code", sa.String(6), nullable=False),
    sa.Column("state", sa.String(8), nullable=False),
    sa.Column("issued_at", sa.DateTime, nullable=False),
    sa.Column("deadline", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Index("ix_risk_ticket_region", "region_code", "state"),
)

risk_attachment = sa.Table(
    "risk_attachment",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("risk_ticket.id"), nullable=False),
    sa.Column("filename", sa.String(128), nullable=False),
    sa.Column("content_type", sa.String(96), nullable=False),
    sa.Column("size", sa.Integer, nullable=False),
    sa.Column("content", sa.LargeBinary, nullable=False),
    sa.Column("uploaded_by", sa.String(64), nullable=False),
    sa.Column("uploaded_at", sa.DateTime, nullable=False),
)

risk_ticket_event = sa.Table(
    "risk_ticket_event",
    state_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("risk_ticket.id"), nullable=False, index=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),  # username, or 'system'
    sa.Column("role", sa.String(8), nullable=False),
    sa.Column("action", sa.String(8), nullable=False),
    sa.Column("from_state", sa.String(8)),
    sa.Column("to_state", sa.String(8), nullable=False),
    sa.Column("comment", sa.Text, nullable=False, default=""),
    sa.Column("rectification", sa.Text, nullable=False, default=""),
    sa.Column("attachment_id", sa.Integer, sa.ForeignKey("risk_attachment.id")),
)
