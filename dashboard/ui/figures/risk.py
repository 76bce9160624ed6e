"""The /risk figures: a tidy DataFrame in, a figure dict out (no queries, no callbacks).

Grades always carry their text inside the mark (颜色 never alone), and the grade colours are those of
`dashboard.core.grades`, reserved for risk. The charts are denser than a topic page's (12 px) and never zoom.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.core.grades import GRADE_COLOURS, GRADE_ORDER
from dashboard.core.reporting import UNREPORTED
from dashboard.risk.rules import TOPICS
from dashboard.ui.figures.theme import (
    DESK,
    Figure,
    ThemeLike,
    bare_axis,
    chart,
    figure,
    grade_steps,
    plain,
    resolve_theme,
    stepped_scale,
)

NORMAL_LABEL = "正常"
_LEVELS = (None, *GRADE_ORDER)  # 0 正常 … 4 红
_NORMAL_CELL = "#e9f3ec"
_FONT_PX = 12


def _figure(theme: ThemeLike, trace: dict[str, Any], height: int, **layout: Any) -> Figure:
    return figure(
        resolve_theme(theme, _FONT_PX),
        [trace],
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        hoverlabel={"align": "left"},
        **layout,
    )


def height_style(fig: Figure) -> dict[str, str]:
    """The graph container's style for a figure whose height depends on its rows (the graph is responsive)."""
    return {"height": f"{fig['layout']['height']}px"}


@chart
def risk_heatmap(matrix: pd.DataFrame, *, theme: ThemeLike = DESK) -> Figure:
    """Children (rows) × topics (columns), each cell coloured by the worst open grade with '红 3' written in it;
    the hover shows the top warning's value and threshold.

    A click must name the cell through the point's own x (topic) and y (region code; the axis shows the name as
    tick text): dcc.Graph forwards a point's customdata only when its pointNumber is a number, and a heatmap's is
    [row, column], so the customdata (code, topic, count), kept for other readers, never reaches the server."""
    names = list(dict.fromkeys(matrix["name"]))
    codes = [str(matrix.loc[matrix["name"] == name, "code"].iloc[0]) for name in names]
    grid = matrix.set_index(["name", "topic"])
    z: list[list[int]] = []
    text: list[list[str]] = []
    custom: list[list[list[object]]] = []
    hover: list[list[str]] = []
    for name in names:
        z_row: list[int] = []
        text_row: list[str] = []
        custom_row: list[list[object]] = []
        hover_row: list[str] = []
        for topic in TOPICS:
            cell = grid.loc[(name, topic)]
            grade = cell["grade"] if isinstance(cell["grade"], str) else None
            unreported = not grade and bool(cell.get("unreported", False))
            z_row.append(_LEVELS.index(grade))
            text_row.append(f"{grade} {cell['count']}" if grade else UNREPORTED if unreported else NORMAL_LABEL)
            custom_row.append([cell["code"], topic, int(cell["count"])])
            hover_row.append(
                f"<b>{plain(name)} · {topic}</b><br>{plain(cell['message'])}<br>阈值:{plain(cell['threshold'])}"
                if grade
                else f"<b>{plain(name)} · {topic}</b><br>本期数据未报送,不予评级"
                if unreported
                else f"<b>{plain(name)} · {topic}</b><br>无待处理预警"
            )
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
        hover.append(hover_row)
    trace = {
        "type": "heatmap",
        "z": z,
        "x": list(TOPICS),
        "y": codes,
        "text": text,
        "texttemplate": "%{text}",
        "customdata": custom,
        "hovertext": hover,
        "hovertemplate": "%{hovertext}<extra></extra>",
        "colorscale": stepped_scale(grade_steps(_NORMAL_CELL)),
        "zmin": -0.5,
        "zmax": len(_LEVELS) - 0.5,
        "showscale": False,
        "xgap": 2,
        "ygap": 2,
        "textfont": {"size": 12},
    }
    return _figure(
        theme,
        trace,
        max(220, 34 * len(names) + 60),
        yaxis=bare_axis(
            autorange="reversed", type="category", tickmode="array", tickvals=codes, ticktext=[plain(n) for n in names]
        ),
        xaxis=bare_axis(side="top", tickangle=0),
        clickmode="event",
    )


@chart
def health_ranking(health: pd.DataFrame, *, theme: ThemeLike = DESK) -> Figure:
    """Children's 财政健康指数 as horizontal bars, best on top, each labelled with its value and change."""
    frame = health.dropna(subset=["health_index"]).sort_values("health_index")
    labels = [
        f"{v:.1f}" + (f"(较上季度 {c:+.1f})" if pd.notna(c) else "")
        for v, c in zip(frame["health_index"], frame["change"])
    ]
    trace = {
        "type": "bar",
        "x": frame["health_index"].tolist(),
        "y": frame["name"].tolist(),
        "orientation": "h",
        "text": labels,
        "textposition": "auto",
        "marker": {"color": "#0b5cad"},
        "cliponaxis": False,
        "hovertemplate": "%{y}:财政健康指数 %{x:.1f}<extra></extra>",
    }
    return _figure(
        theme,
        trace,
        max(220, 26 * len(frame) + 70),
        xaxis=bare_axis(range=[0, 100], title={"text": "财政健康指数(0–100)", "standoff": 15}),
        yaxis=bare_axis(),
    )


@chart
def grade_distribution(region_risk: pd.DataFrame, *, theme: ThemeLike = DESK) -> Figure:
    """How many child regions have each worst open grade (正常 included), labelled with their counts."""
    levels = [*reversed(GRADE_ORDER), None]
    counts = [int((region_risk["grade"].fillna("") == (g or "")).sum()) for g in levels]
    trace = {
        "type": "bar",
        "x": [g or NORMAL_LABEL for g in levels],
        "y": counts,
        "text": [f"{n} 个" for n in counts],
        "textposition": "outside",
        "marker": {"color": [GRADE_COLOURS[g] for g in levels]},
        "cliponaxis": False,
        "hovertemplate": "%{x}:%{y} 个区划<extra></extra>",
    }
    return _figure(
        theme,
        trace,
        240,
        yaxis=bare_axis(title={"text": "区划数(个)", "standoff": 15}, rangemode="tozero"),
        xaxis=bare_axis(),
    )
