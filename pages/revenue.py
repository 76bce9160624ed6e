"""收入分析 (`/revenue`): 税收 against 非税, by item, 税收占比, 财政自给率, by region, month by month against last year,
the items driving the change, and the drill item → collection records."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "revenue"
FILTERS = (("kind", "收入类别"), ("item", "收入科目"))
CHARTS = (
    ChartSlot("kind", filter="kind", width=4),
    ChartSlot("items", filter="item", width=8),
    ChartSlot("monthly", width=12),
    ChartSlot("drivers", filter="item"),
    ChartSlot("regions", filter="region"),
    ChartSlot("tax-share", filter="region"),
    ChartSlot("self-sufficiency", filter="region"),
)


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.revenue` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区收入与财政自给率(本级单列)")


dash.register_page(
    __name__,
    path="/revenue",
    name="收入",
    title="收入分析",
    order=10,
    layout=layout,
    stylesheets=("topics.css",),
)
