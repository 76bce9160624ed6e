"""What the admin pages share: only a 管理员 gets their layout (their callbacks check again, fail closed)."""

from __future__ import annotations

import functools

import dash_bootstrap_components as dbc

from dashboard.core.roles import may
from dashboard.web.context import current_user


def admin_only(layout):
    """Wrap a page layout: anyone but a 管理员 sees a refusal instead of the page."""

    @functools.wraps(layout)
    def guarded(**query):
        if not may(current_user(), "admin"):
            return dbc.Alert("无权访问此页面(仅限管理员)。", color="danger", id="admin-refused")
        return layout(**query)

    return guarded
