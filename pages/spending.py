"""支出分析 (`/spending`): by function and economic class, payment types, 三保, 预算执行率 against 序时进度 by region
and department, top agencies and projects, and the drill agency → 指标 → 支付 with each payment traced."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "spending"
FILTERS = (("func", "功能分类"), ("econ", "经济分类"), ("pay_type", "支付方式"), ("sanbao", "三保类型"))
CHARTS = (
    ChartSlot("func", filter="func"),
    ChartSlot("func-items"),
    ChartSlot("econ", filter="econ"),
    ChartSlot("pay-type", filter="pay_type"),
    ChartSlot("sanbao-amount", filter="sanbao"),
    ChartSlot("sanbao-rate", filter="sanbao"),
    ChartSlot("region-rate", filter="region"),
    ChartSlot("dept-rate"),
    ChartSlot("monthly", width=12),
    ChartSlot("top-agencies", filter="agency"),
    ChartSlot("top-projects"),
)


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.spending` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区支出与预算执行(本级单列)")


dash.register_page(
    __name__,
    path="/spending",
    name="支出",
    title="支出分析",
    order=20,
    layout=layout,
    stylesheets=("topics.css",),
)
