"""债务与库款 (`/debt`): 债务余额 against 债务限额, 债务率 and 利息支出率 by region with their grades, 到期债务 of the
next five years, and 库款保障水平 by region by month with its grade; drill down to the bonds."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "debt"
FILTERS = (("bond_kind", "债券类型"),)
CHARTS = (
    ChartSlot("balance", filter="region"),
    ChartSlot("maturity"),
    ChartSlot("debt-ratio", filter="region"),
    ChartSlot("interest-ratio", filter="region"),
    ChartSlot("cash", width=12),
)


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.debt` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区债务与库款(本级单列)")


dash.register_page(
    __name__,
    path="/debt",
    name="债务与库款",
    title="债务与库款",
    order=47,
    layout=layout,
    stylesheets=("topics.css",),
)
