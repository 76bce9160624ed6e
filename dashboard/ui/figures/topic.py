"""The topic pages' figures (/spending, /revenue, /debt …): a tidy DataFrame in, a figure dict out.

Every chart is titled with what it shows, its unit and its period. Money arrives in 元 (Decimal) and is scaled to the
unit on the title, so a chart never shows a bare number. A bar or slice that can cross-filter carries its filter
value in `customdata`; the selected one is drawn at full strength and the others faded, so the page shows which
filter a chart has set. Every builder takes a `theme` (default desk; see `dashboard.ui.figures.theme`).
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from dashboard.core.grades import GRADE_ORDER
from dashboard.ui.figures.theme import (
    CURRENT,
    DESK,
    FONT,
    MONTHS,
    OKABE_ITO,
    PREVIOUS,
    Figure,
    ThemeLike,
    axis,
    chart,
    chart_title,
    figure,
    grade_colours,
    grade_steps,
    plain,
    resolve_theme,
    scaled,
    stepped_scale,
)


def _figure(text: str, unit: str, period: str, which: ThemeLike, height: int = 340) -> Figure:
    """A titled, empty chart: legend below, room for long category labels."""
    t = resolve_theme(which)
    return figure(
        t,
        [],
        colorway=list(OKABE_ITO),
        margin={"l": 56, "r": 16, "t": 56, "b": 40},
        hoverlabel={"font": {"family": FONT}},
        xaxis=axis(t, automargin=True),
        yaxis=axis(t, automargin=True),
        legend={"orientation": "h", "y": -0.18, "x": 0},
        colorscale={"sequential": "Cividis"},
        height=height,
        title=chart_title(text, unit, period),
    )


def _opacity(keys: pd.Series, selected: str | None) -> list[float]:
    return [1.0 if selected is None or str(k) == selected else 0.35 for k in keys]


def _keys(values: pd.Series) -> list[str]:
    return [str(v) for v in values]


def _vline(fig: Figure, x: float, text: str) -> None:
    """A dashed vertical reference line across the plot, labelled at the top (序时进度, a region's own share)."""
    fig["layout"]["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": x,
            "x1": x,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dash", "color": fig["layout"]["font"]["color"]},
        }
    ]
    fig["layout"]["annotations"] = [
        {"xref": "x", "yref": "paper", "x": x, "y": 1, "yanchor": "bottom", "text": plain(text), "showarrow": False}
    ]


def _height(rows: int) -> int:
    return max(300, 26 * rows + 90)


@chart
def empty(title: str, unit: str, period: str, theme: ThemeLike = DESK) -> Figure:
    """A titled chart that says there is nothing to show (instead of an empty grid)."""
    fig = _figure(title, unit, period, theme)
    fig["layout"]["annotations"] = [
        {"text": "本期无数据", "showarrow": False, "font": {"size": 15, "color": "#8c99a6"}}
    ]
    fig["layout"]["xaxis"] = fig["layout"]["yaxis"] = {"visible": False}
    return fig


@chart
def bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    key: str,
    title: str,
    unit: str,
    period: str,
    *,
    selected: str | None = None,
    horizontal: bool = True,
    top: int | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """Amounts by category, largest first (`key` is the filter value a click sets, `label` what is shown)."""
    if frame.empty:
        return empty(title, unit, period, theme)
    data = frame.assign(_v=scaled(frame[value], unit)).sort_values("_v", ascending=horizontal)
    if top is not None:
        data = data.tail(top) if horizontal else data.head(top)
    fig = _figure(title, unit, period, theme, height=_height(len(data)) if horizontal else 340)
    values, labels = data["_v"].tolist(), data[label].tolist()
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h" if horizontal else "v",
            "x": values if horizontal else labels,
            "y": labels if horizontal else values,
            "customdata": _keys(data[key]),
            "marker": {"color": OKABE_ITO[0], "opacity": _opacity(data[key], selected)},
            "hovertemplate": f"%{{{'y' if horizontal else 'x'}}}<br>%{{{'x' if horizontal else 'y'}:,.2f}} "
            f"{unit}<extra></extra>",
        }
    ]
    return fig


@chart
def donut(
    frame: pd.DataFrame,
    label: str,
    value: str,
    key: str,
    title: str,
    unit: str,
    period: str,
    *,
    selected: str | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """Shares of a whole (税收 / 非税, payment types …)."""
    if frame.empty:
        return empty(title, unit, period, theme)
    fig = _figure(title, unit, period, theme)
    fig["data"] = [
        {
            "type": "pie",
            "labels": frame[label].tolist(),
            "values": scaled(frame[value], unit),
            "customdata": _keys(frame[key]),
            "hole": 0.55,
            "sort": False,
            "pull": [0.08 if selected is not None and str(k) == selected else 0 for k in frame[key]],
            "marker": {"colors": list(OKABE_ITO)},
            "textinfo": "label+percent",
            "hovertemplate": f"%{{label}}<br>%{{value:,.2f}} {unit}(%{{percent}})<extra></extra>",
        }
    ]
    fig["layout"]["showlegend"] = False
    return fig


@chart
def monthly_compare(
    frame: pd.DataFrame, title: str, unit: str, year: int, period: str, *, theme: ThemeLike = DESK
) -> Figure:
    """Month by month this year (bars) against the same months last year (line): `frame` has month, current,
    previous."""
    if frame.empty:
        return empty(title, unit, period, theme)
    months = [MONTHS[int(m) - 1] for m in frame["month"]]
    fig = _figure(title, unit, period, theme)
    fig["data"] = [
        {
            "type": "bar",
            "x": months,
            "y": scaled(frame["current"], unit),
            "name": f"{year}年",
            "marker": {"color": CURRENT},
            "hovertemplate": f"%{{x}} %{{y:,.2f}} {unit}<extra>{year}年</extra>",
        },
        {
            "type": "scatter",
            "x": months,
            "y": scaled(frame["previous"], unit),
            "name": f"{year - 1}年",
            "mode": "lines+markers",
            "line": {"color": OKABE_ITO[1], "width": 2},
            "hovertemplate": f"%{{x}} %{{y:,.2f}} {unit}<extra>{year - 1}年</extra>",
        },
    ]
    return fig


@chart
def changes(
    frame: pd.DataFrame,
    label: str,
    value: str,
    key: str,
    title: str,
    unit: str,
    period: str,
    *,
    selected: str | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """What drives a change: signed differences by item, increases in blue and decreases in orange
    (colour-blind safe), biggest movers at the top."""
    if frame.empty:
        return empty(title, unit, period, theme)
    data = frame.assign(_v=scaled(frame[value], unit))
    data = data.reindex(data["_v"].abs().sort_values().index)
    fig = _figure(title, unit, period, theme, height=_height(len(data)))
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": data[label].tolist(),
            "x": data["_v"].tolist(),
            "customdata": _keys(data[key]),
            "marker": {
                "color": [OKABE_ITO[0] if v >= 0 else OKABE_ITO[5] for v in data["_v"]],
                "opacity": _opacity(data[key], selected),
            },
            "hovertemplate": f"%{{y}}<br>%{{x:+,.2f}} {unit}<extra></extra>",
        }
    ]
    return fig


@chart
def progress(
    frame: pd.DataFrame,
    label: str,
    key: str,
    title: str,
    period: str,
    time_progress: float,
    *,
    selected: str | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """预算执行率 by region or department against 序时进度 (the dashed line): `frame` has `rate` (share of 1),
    `grade_level` and `grade_label` from `dashboard.core.grades`; each bar is coloured by its grade and says it."""
    data = frame.dropna(subset=["rate"]) if not frame.empty else frame
    if data.empty:
        return empty(title, "", period, theme)
    data = data.sort_values("rate")
    fig = _figure(title, "%", period, theme, height=_height(len(data)))
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": data[label].tolist(),
            "x": [r * 100 for r in data["rate"]],
            "customdata": _keys(data[key]),
            "marker": {
                "color": grade_colours(data["grade_level"]),
                "opacity": _opacity(data[key], selected),
            },
            "text": [f"{r * 100:.1f}% {g}" for r, g in zip(data["rate"], data["grade_label"])],
            "textposition": "auto",
            "hovertemplate": "%{y}<br>执行率 %{x:.1f}%<extra></extra>",
        }
    ]
    _vline(fig, time_progress * 100, f"序时进度 {time_progress * 100:.1f}%")
    return fig


@chart
def budget_vs_paid(
    frame: pd.DataFrame,
    label: str,
    key: str,
    title: str,
    unit: str,
    period: str,
    *,
    selected: str | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """Budget against paid side by side (三保 types, programs …): `frame` has budget and paid in 元."""
    if frame.empty or not any(frame["budget"]) and not any(frame["paid"]):
        return empty(title, unit, period, theme)
    fig = _figure(title, unit, period, theme)
    opacity, labels, keys = _opacity(frame[key], selected), frame[label].tolist(), _keys(frame[key])
    fig["data"] = [
        {
            "type": "bar",
            "x": labels,
            "y": scaled(frame["budget"], unit),
            "name": "预算指标",
            "customdata": keys,
            "marker": {"color": PREVIOUS, "opacity": opacity},
            "hovertemplate": f"%{{x}} 预算 %{{y:,.2f}} {unit}<extra></extra>",
        },
        {
            "type": "bar",
            "x": labels,
            "y": scaled(frame["paid"], unit),
            "name": "已支付",
            "customdata": keys,
            "marker": {"color": CURRENT, "opacity": opacity},
            "hovertemplate": f"%{{x}} 已支付 %{{y:,.2f}} {unit}<extra></extra>",
        },
    ]
    fig["layout"]["barmode"] = "group"
    return fig


@chart
def grouped_bars(
    frame: pd.DataFrame,
    label: str,
    key: str,
    series: list[tuple[str, str]],
    title: str,
    unit: str,
    period: str,
    *,
    selected: str | None = None,
    stacked: bool = False,
    theme: ThemeLike = DESK,
) -> Figure:
    """Several amounts per category side by side (债务余额 against 债务限额, 直达资金 到位 / 分配 / 支付) or stacked
    (到期债务 by kind): `series` is [(column in 元, legend name)], drawn in that order."""
    if frame.empty:
        return empty(title, unit, period, theme)
    fig = _figure(title, unit, period, theme)
    opacity, labels, keys = _opacity(frame[key], selected), [str(v) for v in frame[label]], _keys(frame[key])
    fig["data"] = [
        {
            "type": "bar",
            "x": labels,
            "y": scaled(frame[column], unit),
            "name": name,
            "customdata": keys,
            "marker": {"color": OKABE_ITO[i], "opacity": opacity},
            "hovertemplate": f"%{{x}} {name} %{{y:,.2f}} {unit}<extra></extra>",
        }
        for i, (column, name) in enumerate(series)
    ]
    fig["layout"]["barmode"] = "stack" if stacked else "group"
    # Many categories (14 cities): labels of at most 5 characters, slanted, the margin grown to hold them, so they
    # never run into each other or out of the chart; the full name stays the category (and is in the hover).
    crowded = len(labels) > 6
    ticks = (
        {"tickmode": "array", "tickvals": [plain(t) for t in labels], "ticktext": [plain(_tick(t)) for t in labels]}
        if crowded
        else {}
    )
    fig["layout"]["xaxis"] = {
        **fig["layout"]["xaxis"],
        "type": "category",
        "automargin": True,
        **({"tickangle": -45, **ticks} if crowded else {}),
    }
    return fig


def _tick(name: str, most: int = 5) -> str:
    """A category's tick text: its first `most` characters, '…' when cut."""
    return name if len(name) <= most else name[: most - 1] + "…"


@chart
def graded_ratios(
    frame: pd.DataFrame,
    label: str,
    key: str,
    value: str,
    grade: str,
    title: str,
    period: str,
    thresholds: list[tuple[float, str]],
    *,
    selected: str | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """A ratio per region (债务率, 利息支出率; `value` a share of 1) against its grade thresholds (dashed lines,
    labelled with grade and value): each bar is coloured by its grade level (column `<grade>_level`) and says it
    (column `grade`, the label), highest at the top."""
    data = frame.dropna(subset=[value]) if not frame.empty else frame
    if data.empty:
        return empty(title, "%", period, theme)
    data = data.sort_values(value)
    fig = _figure(title, "%", period, theme, height=_height(len(data)))
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": data[label].tolist(),
            "x": [r * 100 for r in data[value]],
            "customdata": _keys(data[key]),
            "marker": {
                "color": grade_colours(data[f"{grade}_level"]),
                "opacity": _opacity(data[key], selected),
            },
            "text": [f"{r * 100:.1f}% {g}" for r, g in zip(data[value], data[grade])],
            "textposition": "auto",
            "hovertemplate": "%{y}<br>%{x:.1f}%<extra></extra>",
        }
    ]
    fig["layout"]["shapes"] = [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": t * 100,
            "x1": t * 100,
            "y0": 0,
            "y1": 1,
            "line": {"dash": "dash", "color": fig["layout"]["font"]["color"], "width": 1},
        }
        for t, _text in thresholds
    ]
    fig["layout"]["annotations"] = [
        {
            "xref": "x",
            "yref": "paper",
            "x": t * 100,
            "y": 1,
            "yanchor": "bottom",
            "text": f"{text} {t * 100:g}%",
            "showarrow": False,
        }
        for t, text in thresholds
    ]
    return fig


@chart
def cash_heatmap(frame: pd.DataFrame, title: str, period: str, *, theme: ThemeLike = DESK) -> Figure:
    """库款保障水平 by row (本级, each child) and month: the cell colour is the grade (grey when normal) and the
    cell text the level with its grade label, so colour never carries the meaning alone. `frame` has name, month,
    cash_level, grade (the label) and grade_level (from `queries.debt.cash_by_row`)."""
    data = frame.dropna(subset=["cash_level"]) if not frame.empty else frame
    if data.empty:
        return empty(title, "", period, theme)
    names = list(dict.fromkeys(data["name"]))
    months = sorted(set(data["month"]))
    cells = {
        (n, m): (v, g if isinstance(g, str) else None, label)
        for n, m, v, g, label in zip(
            data["name"], data["month"], data["cash_level"], data["grade_level"], data["grade"]
        )
    }
    ranks = {level: rank for rank, level in enumerate((None, *GRADE_ORDER))}
    z = [[ranks[cells[(n, m)][1]] if (n, m) in cells else None for m in months] for n in names]
    text = [[_cash_text(cells.get((n, m))) for m in months] for n in names]
    fig = _figure(title, "", period, theme, height=max(260, 30 * len(names) + 110))
    fig["data"] = [
        {
            "type": "heatmap",
            "x": [MONTHS[m - 1] for m in months],
            "y": names,
            "z": z,
            "zmin": 0,
            "zmax": 5,
            "text": text,
            "texttemplate": "%{text}",
            "showscale": False,
            "xgap": 2,
            "ygap": 2,
            "colorscale": stepped_scale(grade_steps()),
            "hovertemplate": "%{y} %{x}<br>库款保障水平 %{text}<extra></extra>",
        }
    ]
    fig["layout"]["yaxis"] = {**fig["layout"]["yaxis"], "autorange": "reversed"}
    return fig


def _cash_text(cell: tuple[float, str | None, str] | None) -> str:
    """'0.16 库款预警' for a graded cell, '0.94' for a normal one, '' for a month without data."""
    if cell is None:
        return ""
    level, grade, label = cell
    return f"{level:.2f}" + ("" if grade is None else f" {label}")


@chart
def percent_bars(
    frame: pd.DataFrame,
    label: str,
    value: str,
    key: str,
    title: str,
    period: str,
    *,
    selected: str | None = None,
    reference: tuple[float, str] | None = None,
    theme: ThemeLike = DESK,
) -> Figure:
    """Shares (of 1) by category as horizontal percentage bars, e.g. 财政自给率 by region; `reference` draws a
    labelled dashed line (value, label) such as the whole region's own share."""
    data = frame.dropna(subset=[value])
    if data.empty:
        return empty(title, "%", period, theme)
    data = data.sort_values(value)
    shares = [float(v) * 100 for v in data[value]]
    fig = _figure(title, "%", period, theme, height=_height(len(data)))
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h",
            "y": data[label].tolist(),
            "x": shares,
            "customdata": _keys(data[key]),
            "marker": {"color": OKABE_ITO[2], "opacity": _opacity(data[key], selected)},
            "text": [f"{v:.1f}%" for v in shares],
            "textposition": "auto",
            "hovertemplate": "%{y}<br>%{x:.1f}%<extra></extra>",
        }
    ]
    if reference is not None:
        _vline(fig, reference[0] * 100, f"{reference[1]} {reference[0] * 100:.1f}%")
    return fig


@chart
def share_trend(
    frame: pd.DataFrame, part: str, whole: str, title: str, period: str, *, theme: ThemeLike = DESK
) -> Figure:
    """The share `part` ÷ `whole` month by month, one line per year, so both the course within a year and each
    year against the last show (单一来源 share of the contract amount …); the legend gives each year's share over
    the whole year. `frame` has year, month, `part` and `whole` (in 元)."""
    data = frame[frame[whole].map(bool)]
    if data.empty:
        return empty(title, "%", period, theme)
    fig = _figure(title, "%", period, theme)
    years = sorted(data["year"].unique())
    for i, year in enumerate(years):
        rows = data[data["year"] == year]
        share = [float(Decimal(p) / Decimal(w)) * 100 for p, w in zip(rows[part], rows[whole])]
        overall = float(sum(map(Decimal, rows[part])) / sum(map(Decimal, rows[whole]))) * 100
        fig["data"].append(
            {
                "type": "scatter",
                "x": [MONTHS[int(m) - 1] for m in rows["month"]],
                "y": share,
                "name": f"{year}年(全年 {overall:.1f}%)",
                "mode": "lines+markers",
                "line": {"color": CURRENT if year == years[-1] else OKABE_ITO[1 + i % 6], "width": 2},
                "hovertemplate": f"{year}年%{{x}} %{{y:.1f}}%<extra></extra>",
            }
        )
    fig["layout"]["xaxis"] = {**fig["layout"]["xaxis"], "categoryorder": "array", "categoryarray": MONTHS}
    fig["layout"]["yaxis"] = {**fig["layout"]["yaxis"], "ticksuffix": "%", "rangemode": "tozero"}
    return fig


@chart
def score_trend(frame: pd.DataFrame, items: list[str], title: str, period: str, *, theme: ThemeLike = DESK) -> Figure:
    """Scores (0–100) quarter by quarter, one line per item (总分 first, drawn strongest); `frame` has year,
    quarter and a column per item (None where nothing was checked)."""
    if frame.empty:
        return empty(title, "分", period, theme)
    fig = _figure(title, "分", period, theme)
    labels = [f"{int(y)}Q{int(q)}" for y, q in zip(frame["year"], frame["quarter"])]
    for i, item in enumerate(items):
        values = [None if v is None or pd.isna(v) else float(v) for v in frame[item]]
        fig["data"].append(
            {
                "type": "scatter",
                "x": labels,
                "y": values,
                "name": item,
                "mode": "lines+markers",
                "line": {"color": CURRENT if i == 0 else OKABE_ITO[i % 7], "width": 3 if i == 0 else 1.5},
                "hovertemplate": f"{item} %{{x}} %{{y:.2f}} 分<extra></extra>",
            }
        )
    fig["layout"]["xaxis"] = {**fig["layout"]["xaxis"], "type": "category"}
    shown = [v for item in items for v in frame[item] if v is not None and not pd.isna(v)]
    floor = max(0.0, min(shown, default=0.0) - 5.0) // 5 * 5  # room to see a dip without losing the 100 line
    fig["layout"]["yaxis"] = {**fig["layout"]["yaxis"], "range": [floor, 100.5]}
    return fig


@chart
def rule_failures(
    frame: pd.DataFrame, title: str, period: str, *, selected: str | None = None, theme: ThemeLike = DESK
) -> Figure:
    """Failing records per rule (a click sets the rule filter); `frame` has code, name and failed."""
    data = frame[frame["failed"] > 0].sort_values("failed")
    if data.empty:
        fig = empty(title, "条", period, theme)
        fig["layout"]["annotations"][0]["text"] = "各规则均未发现问题"
        return fig
    fig = _figure(title, "条", period, theme, height=_height(len(data)))
    fig["data"] = [
        {
            "type": "bar",
            "orientation": "h",
            "x": [int(v) for v in data["failed"]],
            "y": [f"{c} {n}" for c, n in zip(data["code"], data["name"])],
            "customdata": _keys(data["code"]),
            "marker": {"color": OKABE_ITO[0], "opacity": _opacity(data["code"], selected)},
            "hovertemplate": "%{y}<br>未通过 %{x:,} 条<extra></extra>",
        }
    ]
    return fig
