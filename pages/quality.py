"""数据质量 (`/quality`): the data-quality scores of the region and its children (总分 and 规范性 / 完整性 / 及时性 /
准确性), their trend by quarter, each rule with its definition, weight and failures, and the failing records."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "quality"
FILTERS = (("quarter", "季度"), ("rule", "规则"))
CHARTS = (ChartSlot("trend"), ChartSlot("rules", filter="rule"))


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.quality` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区数据质量评分")


dash.register_page(
    __name__,
    path="/quality",
    name="数据质量",
    title="数据质量",
    order=48,
    layout=layout,
    stylesheets=("topics.css", "records.css", "risk.css"),
)
