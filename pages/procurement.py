"""政府采购 (`/procurement`): scale by category and method, 节约率, 中小企业 and 单一来源 shares, supplier
concentration, the red-flag lists, and the drill region → 采购单位 → single purchases."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "procurement"
FILTERS = (("method", "采购方式"), ("category", "采购类别"), ("flag", "风险提示"))
CHARTS = (
    ChartSlot("category", filter="category", width=5),
    ChartSlot("method", filter="method", width=7),
    ChartSlot("single-source"),
    ChartSlot("suppliers"),
)


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.procurement` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区政府采购(本级单列)")


dash.register_page(
    __name__,
    path="/procurement",
    name="采购",
    title="政府采购",
    order=30,
    layout=layout,
    stylesheets=("topics.css", "records.css"),
)
