"""The one `dcc.Graph` of the cockpit and its config: every chart is made here, so none offers Plotly's cloud.

plotly.js 3 shows a "Share chart…" button by default (`showSendToCloud`), which posts the chart's data to an outside
host; Chart Studio's edit link is the older form of it. Both are off, the Plotly logo is gone, and the mode bar
(where a chart has one) speaks Chinese: the zh-CN locale is loaded from assets/plotly-locale-zh-cn.js.
"""

from __future__ import annotations

from typing import Any

from dash import dcc

LOCALE = "zh-CN"
CLOUD_BUTTONS = ("sendChartToCloud", "sendDataToCloud", "editInChartStudio")
_BASE: dict[str, Any] = {
    "locale": LOCALE,
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "plotlyServerURL": "",
}


def graph_config(*, mode_bar: bool = True, **extra: Any) -> dcc.Graph.Config:
    """The config of every chart: with `mode_bar` the download and zoom buttons (lasso and box select are of no use
    on these charts), without it none; `extra` for a page's own keys (scroll zoom off on the wall screen)."""
    config: dict[str, Any] = {
        **_BASE,
        "displayModeBar": "hover" if mode_bar else False,
        "modeBarButtonsToRemove": [*CLOUD_BUTTONS, "lasso2d", "select2d"],
        **extra,
    }
    return config  # type: ignore[return-value]  # a TypedDict built from a dict


# What a chart shows until its callback sends the figure: nothing, not Plotly's default axes (-1 to 6 with a grid),
# which flashed on every page and cost a tick-label measurement pass per chart.
PLACEHOLDER: dict[str, Any] = {
    "data": [],
    "layout": {
        "xaxis": {"visible": False},
        "yaxis": {"visible": False},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
    },
}


def graph(graph_id: Any, *, mode_bar: bool = True, config: dict[str, Any] | None = None, **props: Any) -> dcc.Graph:
    """A `dcc.Graph` with the cockpit's config (`config` adds keys to it), empty until its figure comes."""
    props.setdefault("figure", PLACEHOLDER)
    return dcc.Graph(id=graph_id, config=graph_config(mode_bar=mode_bar, **(config or {})), **props)
