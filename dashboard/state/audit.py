"""The audit trail (全过程留痕): one call, `record(...)`, for every view, drill, export, unmask, ticket transition,
permission change and denial; stored append-only in the application-state store.

The store itself refuses to change a row and to delete one younger than `AUDIT_MIN_RETENTION_DAYS` (a trigger on
SQLite and PostgreSQL), so "append-only, kept at least 180 days" does not depend on every caller behaving.
Personal data never reaches a row: ID numbers and long digit runs (bank accounts) in `params` and `detail` are
masked on the way in, whatever the caller passed.

Who and where (the signed-in user, the page, the client address) come from a context provider that the web layer
installs (`set_context_provider`): this module sits below the web and never imports flask. Outside a request
(the CLI, a background job) the context is empty.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from dashboard.core.masking import mask_account, mask_id_number
from dashboard.core.scope import User
from dashboard.state.engine import state_engine, state_metadata

AUDIT_MIN_RETENTION_DAYS = 180

audit_event = sa.Table(
    "audit_event",
    state_metadata,
    sa.Column("id", sa.Integer, sa.Identity(), primary_key=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),  # UTC
    sa.Column("username", sa.String(64), index=True),  # who; NULL for a visitor not signed in
    sa.Column("role", sa.String(16)),
    sa.Column("user_region", sa.String(6)),  # the actor's own region when it happened
    sa.Column("action", sa.String(32), nullable=False, index=True),
    sa.Column("page", sa.String(200)),
    sa.Column("region", sa.String(6)),  # the region the event is about
    sa.Column("params", sa.Text),  # JSON, masked
    sa.Column("rows", sa.Integer),
    sa.Column("detail", sa.String(500)),
    sa.Column("outcome", sa.String(16), nullable=False),  # ok / denied / failed
    sa.Column("ip", sa.String(45)),
)

_FORBID_CHANGES = {
    "sqlite": [
        "CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER IF NOT EXISTS audit_event_retention BEFORE DELETE ON audit_event "
        f"WHEN old.at > datetime('now', '-{AUDIT_MIN_RETENTION_DAYS} days') "
        "BEGIN SELECT RAISE(ABORT, 'audit_event rows are kept at least 180 days'); END",
    ],
    "postgresql": [
        "CREATE OR REPLACE FUNCTION audit_event_guard() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        "IF TG_OP = 'UPDATE' OR old.at > (now() at time zone 'utc') - interval "
        f"'{AUDIT_MIN_RETENTION_DAYS} days' THEN RAISE EXCEPTION 'audit_event is append-only (rows kept at least "
        f"{AUDIT_MIN_RETENTION_DAYS} days)'; END IF; RETURN old; END $$",
        "CREATE TRIGGER audit_event_guard BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_guard()",
    ],
}
for _dialect, _statements in _FORBID_CHANGES.items():
    for _statement in _statements:
        sa.event.listen(audit_event, "after_create", sa.DDL(_statement).execute_if(dialect=_dialect))

_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_LONG_DIGITS = re.compile(r"(?<!\d)\d{12,}(?!\d)")


def scrub(text: str) -> str:
    """`text` with anything shaped like an ID number or a bank account masked (audit rows hold no personal data)."""
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group(0)), text)
    return _LONG_DIGITS.sub(lambda m: mask_account(m.group(0)), text)


@dataclass(frozen=True)
class Context:
    """Who acts and where, as the web layer knows it for the current request."""

    user: User | None = None
    page: str | None = None
    ip: str | None = None


_context_provider: Callable[[], Context] = Context


def set_context_provider(provider: Callable[[], Context]) -> None:
    """Install where `record` and `append` learn the current user, page and client address (the app factory)."""
    global _context_provider
    _context_provider = provider


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def append(
    action: str,
    *,
    username: str | None,
    role: str | None = None,
    user_region: str | None = None,
    page: str | None = None,
    region: str | None = None,
    params: dict[str, Any] | None = None,
    rows: int | None = None,
    detail: str | None = None,
    outcome: str = "ok",
) -> None:
    """Write one row with an explicit actor (sign-in events, the CLI); everything else goes through `record`.
    Inside a request, the page and the client address default to the request's."""
    context = _context_provider()
    values = {
        "at": _now(),
        "username": username and username[:64],
        "role": role,
        "user_region": user_region,
        "action": action[:32],
        "page": (page or context.page or "")[:200] or None,
        "region": region and str(region)[:6],
        "params": scrub(json.dumps(params, ensure_ascii=False, sort_keys=True, default=str)) if params else None,
        "rows": rows,
        "detail": scrub(detail)[:500] if detail else None,
        "outcome": outcome,
        "ip": context.ip,
    }
    with state_engine().begin() as conn:
        conn.execute(audit_event.insert().values(**values))


def record(
    action: str,
    *,
    page: str | None = None,
    region: str | None = None,
    params: dict[str, Any] | None = None,
    rows: int | None = None,
    detail: str | None = None,
    outcome: str = "ok",
) -> None:
    """Append one audit event for the current user (never pass personal data unmasked in `params` or `detail`)."""
    user = _context_provider().user
    append(
        action,
        username=user.username if user else None,
        role=user.role if user else None,
        user_region=user.region if user else None,
        page=page,
        region=region,
        params=params,
        rows=rows,
        detail=detail,
        outcome=outcome,
    )


AUDIT_COLUMNS = [c.name for c in audit_event.columns]


def search(
    *,
    username: str | None = None,
    action: str | None = None,
    region: str | None = None,
    outcome: str | None = None,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    limit: int | None = 500,
) -> list[dict[str, Any]]:
    """Audit rows matching every filter given, newest first (the admin search page and `audit export`)."""
    table = audit_event
    query = sa.select(table).order_by(table.c.id.desc())
    for column, value in (("username", username), ("action", action), ("region", region), ("outcome", outcome)):
        if value:
            query = query.where(table.c[column] == value)
    if since:
        query = query.where(table.c.at >= since)
    if until:
        query = query.where(table.c.at < until)
    if limit:
        query = query.limit(limit)
    with state_engine().connect() as conn:
        return [dict(row._mapping) for row in conn.execute(query)]
