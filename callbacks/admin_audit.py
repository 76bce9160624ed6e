"""审计日志: search the trail (newest first, at most AUDIT_PAGE_ROWS rows on screen)."""

from __future__ import annotations

import datetime as dt

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State

from dashboard.core.regions import national_tree
from dashboard.core.roles import may
from dashboard.state import audit
from dashboard.ui import admin_views
from dashboard.web.context import current_user

AUDIT_PAGE_ROWS = 500


def _day(text: str | None) -> dt.datetime | None:
    try:
        return dt.datetime.strptime(text[:10], "%Y-%m-%d") if text else None
    except ValueError:
        return None


def register(app: Dash) -> None:
    @app.callback(
        Output("audit-results", "children"),
        Input("audit-search", "n_clicks"),
        State("audit-user", "value"),
        State("audit-region", "value"),
        State("audit-action", "value"),
        State("audit-outcome", "value"),
        State("audit-dates", "start_date"),
        State("audit-dates", "end_date"),
    )
    def search_audit(_clicks, username, region, action, outcome, start, end):
        if not may(current_user(), "admin"):
            audit.record("denied", page="/admin/audit", detail="not an administrator", outcome="denied")
            return dbc.Alert("无权查看审计日志(仅限管理员)。", color="danger")
        until = _day(end)
        rows = audit.search(
            username=(username or "").strip() or None,
            region=(region or "").strip() or None,
            action=action,
            outcome=outcome,
            since=_day(start),
            until=until + dt.timedelta(days=1) if until else None,
            limit=AUDIT_PAGE_ROWS,
        )
        return admin_views.audit_table(rows, national_tree(), AUDIT_PAGE_ROWS)
