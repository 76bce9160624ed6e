"""惠民惠农补贴 (`/subsidies`): payouts by category and program, by region and township, averages, the monthly
course against last year, the auditors' anomaly lists, and the drill region → 补贴项目 → single payouts."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "subsidies"
FILTERS = (("category", "补贴类别"), ("program", "补贴项目"), ("flag", "疑点类型"))
CHARTS = (
    ChartSlot("category", filter="category"),
    ChartSlot("program", filter="program"),
    ChartSlot("monthly"),
    ChartSlot("township"),
)


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.subsidies` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区补贴发放(本级单列)")


dash.register_page(
    __name__,
    path="/subsidies",
    name="补贴",
    title="惠民惠农补贴",
    order=40,
    layout=layout,
    stylesheets=("topics.css", "records.css"),
)
