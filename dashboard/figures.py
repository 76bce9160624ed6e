"""Pure figure builders: a tidy DataFrame in, a themed Plotly figure out (no queries, no callbacks).

Every chart is titled with what it shows, its unit and its period. Money arrives in 元 (Decimal) and is scaled here to
the unit on the title, so a chart never shows a bare number. Colours: the Okabe–Ito palette for categories and
cividis for amounts (both colour-blind safe); the four grade colours of `dashboard.grades` only for grades, always
with their label. A bar or slice that can cross-filter carries its filter value in `customdata`; the selected one
is drawn at full strength and the others faded, so the page shows which filter a chart has set.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboard.format import UNITS
from dashboard.grades import GRADE_COLOURS

OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CURRENT, PREVIOUS = "#0072B2", "#9aa5b1"
FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
MONTHS = [f"{m}月" for m in range(1, 13)]

pio.templates["cockpit"] = go.layout.Template(layout=go.Layout(
    font={"family": FONT, "size": 13, "color": "#243040"},
    colorway=list(OKABE_ITO),
    paper_bgcolor="#ffffff", plot_bgcolor="#ffffff",
    separators=".,",  # zh-CN: 1,234.5
    margin={"l": 56, "r": 16, "t": 56, "b": 40},
    hoverlabel={"font": {"family": FONT}},
    xaxis={"gridcolor": "#e9edf2", "zerolinecolor": "#c7ced6", "automargin": True},
    yaxis={"gridcolor": "#e9edf2", "zerolinecolor": "#c7ced6", "automargin": True},
    legend={"orientation": "h", "y": -0.18, "x": 0},
    colorscale={"sequential": "cividis"},
))


def scaled(values: pd.Series, unit: str) -> pd.Series:
    """Amounts in 元 → floats in `unit` (亿元 / 万元 / 元), for plotting only (tables use exact Decimals)."""
    divisor = UNITS[unit]
    return values.map(lambda v: float(Decimal(v) / divisor) if v is not None and not pd.isna(v) else None)


def _figure(title: str, unit: str, period: str, height: int = 340) -> go.Figure:
    suffix = f"({unit} · {period})" if unit else f"({period})"
    return go.Figure(layout={"template": "cockpit", "height": height,
                             "title": {"text": f"{title}{suffix}", "x": 0.01, "font": {"size": 15}}})


def _opacity(keys: pd.Series, selected: str | None) -> list[float]:
    return [1.0 if selected is None or str(k) == selected else 0.35 for k in keys]


def empty(title: str, unit: str, period: str) -> go.Figure:
    """A titled chart that says there is nothing to show (instead of an empty grid)."""
    fig = _figure(title, unit, period)
    fig.add_annotation(text="本期无数据", showarrow=False, font={"size": 15, "color": "#8c99a6"})
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig


def bars(frame: pd.DataFrame, label: str, value: str, key: str, title: str, unit: str, period: str, *,
         selected: str | None = None, horizontal: bool = True, top: int | None = None) -> go.Figure:
    """Amounts by category, largest first (`key` is the filter value a click sets, `label` what is shown)."""
    if frame.empty:
        return empty(title, unit, period)
    data = frame.assign(_v=scaled(frame[value], unit)).sort_values("_v", ascending=not horizontal)
    if top is not None:
        data = data.tail(top) if horizontal else data.head(top)
    fig = _figure(title, unit, period, height=max(300, 26 * len(data) + 90) if horizontal else 340)
    trace = dict(customdata=data[key].astype(str), marker={"color": OKABE_ITO[0],
                                                           "opacity": _opacity(data[key], selected)},
                 hovertemplate=f"%{{{'y' if horizontal else 'x'}}}<br>%{{{'x' if horizontal else 'y'}:,.2f}} {unit}"
                               "<extra></extra>")
    if horizontal:
        fig.add_bar(y=data[label], x=data["_v"], orientation="h", **trace)
    else:
        fig.add_bar(x=data[label], y=data["_v"], **trace)
    return fig


def donut(frame: pd.DataFrame, label: str, value: str, key: str, title: str, unit: str, period: str, *,
          selected: str | None = None) -> go.Figure:
    """Shares of a whole (税收 / 非税, payment types …); the centre names the unit."""
    if frame.empty:
        return empty(title, unit, period)
    values = scaled(frame[value], unit)
    pull = [0.08 if selected is not None and str(k) == selected else 0 for k in frame[key]]
    fig = _figure(title, unit, period)
    fig.add_pie(labels=frame[label], values=values, customdata=frame[key].astype(str), hole=0.55, sort=False,
                pull=pull, marker={"colors": list(OKABE_ITO)}, textinfo="label+percent",
                hovertemplate=f"%{{label}}<br>%{{value:,.2f}} {unit}(%{{percent}})<extra></extra>")
    fig.update_layout(showlegend=False)
    return fig


def monthly_compare(frame: pd.DataFrame, title: str, unit: str, year: int, period: str) -> go.Figure:
    """Month by month this year (bars) against the same months last year (line): `frame` has month, current,
    previous."""
    if frame.empty:
        return empty(title, unit, period)
    months = [MONTHS[m - 1] for m in frame["month"]]
    fig = _figure(title, unit, period)
    fig.add_bar(x=months, y=scaled(frame["current"], unit), name=f"{year}年", marker_color=CURRENT,
                hovertemplate=f"%{{x}} %{{y:,.2f}} {unit}<extra>{year}年</extra>")
    fig.add_scatter(x=months, y=scaled(frame["previous"], unit), name=f"{year - 1}年", mode="lines+markers",
                    line={"color": OKABE_ITO[1], "width": 2},
                    hovertemplate=f"%{{x}} %{{y:,.2f}} {unit}<extra>{year - 1}年</extra>")
    return fig


def changes(frame: pd.DataFrame, label: str, value: str, key: str, title: str, unit: str, period: str, *,
            selected: str | None = None) -> go.Figure:
    """What drives a change: signed differences by item, increases in blue and decreases in orange
    (colour-blind safe), biggest movers at the top."""
    if frame.empty:
        return empty(title, unit, period)
    data = frame.assign(_v=scaled(frame[value], unit))
    data = data.reindex(data["_v"].abs().sort_values().index)
    fig = _figure(title, unit, period, height=max(300, 26 * len(data) + 90))
    fig.add_bar(y=data[label], x=data["_v"], orientation="h", customdata=data[key].astype(str),
                marker={"color": [OKABE_ITO[0] if v >= 0 else OKABE_ITO[5] for v in data["_v"]],
                        "opacity": _opacity(data[key], selected)},
                hovertemplate=f"%{{y}}<br>%{{x:+,.2f}} {unit}<extra></extra>")
    return fig


def progress(frame: pd.DataFrame, label: str, key: str, title: str, period: str, time_progress: float, *,
             selected: str | None = None) -> go.Figure:
    """预算执行率 by region or department against 序时进度 (the dashed line): `frame` has `rate` (share of 1),
    `grade_level` and `grade_label` from `dashboard.grades`; each bar is coloured by its grade and says it."""
    if frame.empty:
        return empty(title, "", period)
    data = frame.sort_values("rate")
    fig = _figure(title, "%", period, height=max(300, 26 * len(data) + 90))
    colours = [GRADE_COLOURS.get(level, GRADE_COLOURS[None]) if level else CURRENT for level in data["grade_level"]]
    fig.add_bar(y=data[label], x=data["rate"] * 100, orientation="h", customdata=data[key].astype(str),
                marker={"color": colours, "opacity": _opacity(data[key], selected)},
                text=[f"{r * 100:.1f}% {g}" for r, g in zip(data["rate"], data["grade_label"])],
                textposition="auto", hovertemplate="%{y}<br>执行率 %{x:.1f}%<extra></extra>")
    fig.add_vline(x=time_progress * 100, line={"dash": "dash", "color": "#243040"},
                  annotation_text=f"序时进度 {time_progress * 100:.1f}%", annotation_position="top")
    return fig


def budget_vs_paid(frame: pd.DataFrame, label: str, key: str, title: str, unit: str, period: str, *,
                   selected: str | None = None) -> go.Figure:
    """Budget against paid side by side (三保 types, programs …): `frame` has budget and paid in 元."""
    if frame.empty:
        return empty(title, unit, period)
    fig = _figure(title, unit, period)
    opacity = _opacity(frame[key], selected)
    fig.add_bar(x=frame[label], y=scaled(frame["budget"], unit), name="预算指标", customdata=frame[key].astype(str),
                marker={"color": PREVIOUS, "opacity": opacity},
                hovertemplate=f"%{{x}} 预算 %{{y:,.2f}} {unit}<extra></extra>")
    fig.add_bar(x=frame[label], y=scaled(frame["paid"], unit), name="已支付", customdata=frame[key].astype(str),
                marker={"color": CURRENT, "opacity": opacity},
                hovertemplate=f"%{{x}} 已支付 %{{y:,.2f}} {unit}<extra></extra>")
    fig.update_layout(barmode="group")
    return fig


def percent_bars(frame: pd.DataFrame, label: str, value: str, key: str, title: str, period: str, *,
                 selected: str | None = None, reference: tuple[float, str] | None = None) -> go.Figure:
    """Shares (of 1) by category as horizontal percentage bars, e.g. 财政自给率 by region; `reference` draws a
    labelled dashed line (value, label) such as the whole region's own share."""
    data = frame.dropna(subset=[value])
    if data.empty:
        return empty(title, "%", period)
    data = data.sort_values(value)
    fig = _figure(title, "%", period, height=max(300, 26 * len(data) + 90))
    fig.add_bar(y=data[label], x=data[value].astype(float) * 100, orientation="h", customdata=data[key].astype(str),
                marker={"color": OKABE_ITO[2], "opacity": _opacity(data[key], selected)},
                text=[f"{v * 100:.1f}%" for v in data[value].astype(float)], textposition="auto",
                hovertemplate="%{y}<br>%{x:.1f}%<extra></extra>")
    if reference is not None:
        fig.add_vline(x=reference[0] * 100, line={"dash": "dash", "color": "#243040"},
                      annotation_text=f"{reference[1]} {reference[0] * 100:.1f}%", annotation_position="top")
    return fig


def share_trend(frame: pd.DataFrame, part: str, whole: str, title: str, period: str) -> go.Figure:
    """The share `part` ÷ `whole` month by month, one line per year, so both the course within a year and each
    year against the last show (单一来源 share of the contract amount …); the legend gives each year's share over
    the whole year. `frame` has year, month, `part` and `whole` (in 元)."""
    data = frame[frame[whole].map(lambda v: bool(v))]
    if data.empty:
        return empty(title, "%", period)
    fig = _figure(title, "%", period)
    years = sorted(data["year"].unique())
    for i, year in enumerate(years):
        rows = data[data["year"] == year]
        share = [float(Decimal(p) / Decimal(w)) * 100 for p, w in zip(rows[part], rows[whole])]
        overall = float(sum(map(Decimal, rows[part])) / sum(map(Decimal, rows[whole]))) * 100
        fig.add_scatter(x=[MONTHS[m - 1] for m in rows["month"]], y=share, name=f"{year}年(全年 {overall:.1f}%)",
                        mode="lines+markers",
                        line={"color": CURRENT if year == years[-1] else OKABE_ITO[1 + i % 6], "width": 2},
                        hovertemplate=f"{year}年%{{x}} %{{y:.1f}}%<extra></extra>")
    fig.update_xaxes(categoryorder="array", categoryarray=MONTHS)
    fig.update_yaxes(ticksuffix="%", rangemode="tozero")
    return fig
