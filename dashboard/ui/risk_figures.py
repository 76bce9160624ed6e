"""Pure figure builders for /risk: DataFrame in, themed plotly Figure out (no queries, no callbacks).

Grades always carry their text inside the mark (颜色 never alone), and the grade colours are those of
`dashboard.core.grades`, reserved for risk.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.core.grades import GRADE_COLOURS, GRADE_ORDER
from dashboard.risk.rules import TOPICS

NORMAL_LABEL = "正常"
_LEVELS = (None, *GRADE_ORDER)  # 0 正常 … 4 红
_NORMAL_CELL = "#e9f3ec"


def _layout(fig: go.Figure, height: int, **extra) -> go.Figure:
    fig.update_layout(
        height=height,
        margin={"l": 8, "r": 8, "t": 8, "b": 8},
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        font={"size": 12},
        **extra,
    )
    return fig


def height_style(fig: go.Figure) -> dict:
    """The graph container's style for a figure whose height depends on its rows (the graph is responsive)."""
    return {"height": f"{fig.layout.height}px"}


def risk_heatmap(matrix: pd.DataFrame) -> go.Figure:
    """Children (rows) × topics (columns), each cell coloured by the worst open grade with '红 3' written in it;
    customdata carries (code, topic, count) for the click, the hover shows the top warning's value and threshold."""
    names = list(dict.fromkeys(matrix["name"]))
    grid = matrix.set_index(["name", "topic"])
    z, text, custom, hover = [], [], [], []
    for name in names:
        z_row, text_row, custom_row, hover_row = [], [], [], []
        for topic in TOPICS:
            cell = grid.loc[(name, topic)]
            grade = cell["grade"] if isinstance(cell["grade"], str) else None
            z_row.append(_LEVELS.index(grade))
            text_row.append(f"{grade} {cell['count']}" if grade else NORMAL_LABEL)
            custom_row.append([cell["code"], topic, int(cell["count"])])
            hover_row.append(
                f"<b>{name} · {topic}</b><br>{cell['message']}<br>阈值:{cell['threshold']}"
                if grade
                else f"<b>{name} · {topic}</b><br>无待处理预警"
            )
        z.append(z_row)
        text.append(text_row)
        custom.append(custom_row)
        hover.append(hover_row)
    step = 1 / len(_LEVELS)
    colours = [_NORMAL_CELL, *(GRADE_COLOURS[g] for g in GRADE_ORDER)]
    scale = [x for i, c in enumerate(colours) for x in ([i * step, c], [(i + 1) * step, c])]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=list(TOPICS),
            y=names,
            text=text,
            texttemplate="%{text}",
            customdata=custom,
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            colorscale=scale,
            zmin=-0.5,
            zmax=len(_LEVELS) - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
            textfont={"size": 12},
        )
    )
    fig.update_yaxes(autorange="reversed", fixedrange=True, automargin=True)
    fig.update_xaxes(side="top", fixedrange=True, automargin=True, tickangle=0)
    return _layout(fig, max(220, 34 * len(names) + 60), clickmode="event")


def health_ranking(health: pd.DataFrame) -> go.Figure:
    """Children's 财政健康指数 as horizontal bars, best on top, each labelled with its value and change."""
    frame = health.dropna(subset=["health_index"]).sort_values("health_index")
    labels = [
        f"{v:.1f}" + (f"(较上季度 {c:+.1f})" if pd.notna(c) else "")
        for v, c in zip(frame["health_index"], frame["change"])
    ]
    fig = go.Figure(
        go.Bar(
            x=frame["health_index"],
            y=frame["name"],
            orientation="h",
            text=labels,
            textposition="auto",
            marker_color="#0b5cad",
            cliponaxis=False,
            hovertemplate="%{y}:财政健康指数 %{x:.1f}<extra></extra>",
        )
    )
    fig.update_xaxes(range=[0, 100], fixedrange=True, title_text="财政健康指数(0–100)")
    fig.update_yaxes(fixedrange=True, automargin=True)
    return _layout(fig, max(220, 26 * len(frame) + 70))


def grade_distribution(region_risk: pd.DataFrame) -> go.Figure:
    """How many child regions have each worst open grade (正常 included), labelled with their counts."""
    levels = [*reversed(GRADE_ORDER), None]
    counts = [int((region_risk["grade"].fillna("") == (g or "")).sum()) for g in levels]
    names = [g or NORMAL_LABEL for g in levels]
    fig = go.Figure(
        go.Bar(
            x=names,
            y=counts,
            text=[f"{n} 个" for n in counts],
            textposition="outside",
            marker_color=[GRADE_COLOURS[g] for g in levels],
            cliponaxis=False,
            hovertemplate="%{x}:%{y} 个区划<extra></extra>",
        )
    )
    fig.update_yaxes(title_text="区划数(个)", fixedrange=True, rangemode="tozero")
    fig.update_xaxes(fixedrange=True)
    return _layout(fig, 240)
