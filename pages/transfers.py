"""转移支付与直达资金 (`/transfers`): transfers received from above by kind and program, by region with 本级 as its
own row, and 直达资金 分配进度 / 支付进度 by program and by region against 序时进度; drill down to the tranches."""

from __future__ import annotations

import dash

from dashboard.ui.topic_page import ChartSlot, topic_layout

KEY = "transfers"
FILTERS = (("kind", "转移支付类型"), ("program", "转移支付项目"))
CHARTS = (
    ChartSlot("kind", filter="kind", width=4),
    ChartSlot("program", filter="program", width=8),
    ChartSlot("direct-program", filter="program"),
    ChartSlot("direct-region", filter="region"),
    ChartSlot("direct-amounts", filter="program", width=12),
)


def layout(**query) -> dash.html.Div:
    """The topic skeleton; `callbacks.transfers` fills it from the URL query."""
    return topic_layout(KEY, query, FILTERS, CHARTS, ranking_title="各地区转移支付与直达资金(本级单列)")


dash.register_page(
    __name__,
    path="/transfers",
    name="转移支付",
    title="转移支付与直达资金",
    order=45,
    layout=layout,
    stylesheets=("topics.css",),
)
