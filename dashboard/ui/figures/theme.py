"""The one theme system of every chart, and the helpers the builders share (layout, titles, axes, grade colours).

Two themes: "desk" (alias "light": the analyst pages, white cards) and "screen" (alias "dark": the big screen, fonts
sized from the viewport by the caller). A builder takes a `Theme` or its name; `resolve_theme("screen", px)` sizes
one.
Colours: the Okabe–Ito palette for categories and cividis for amounts (both colour-blind safe); the grade colours of
`dashboard.core.grades` only for grades, always with their label.

Figures are plain Plotly figure dicts (what `dcc.Graph` receives anyway): building `go.Figure` objects validated
every property and cost ~50 ms a chart, more than all of a page's warm queries together (bench/bench_topics.py).
They carry no template (a full Plotly template is ~10 KB per figure per callback) and no network resources.
"""

from __future__ import annotations

import contextvars
import functools
import math
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from decimal import Decimal
from html import unescape as html_unescape
from typing import Any, ParamSpec

import pandas as pd

from dashboard.core.format import UNITS
from dashboard.core.grades import GRADE_COLOURS, GRADE_ORDER

Figure = dict[str, Any]  # a Plotly figure: {"data": [trace, …], "layout": {…}}
P = ParamSpec("P")

FONT = '"Noto Sans CJK SC", "Noto Sans SC", "Microsoft YaHei", "PingFang SC", sans-serif'
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
CURRENT, PREVIOUS = "#0072B2", "#9aa5b1"
SEQUENTIAL = "Cividis"  # colour-blind safe, ordered by lightness
MONTHS = [f"{m}月" for m in range(1, 13)]


@dataclass(frozen=True)
class Theme:
    """What a chart's look depends on; `font_px` is the base font size (the screen's follows its viewport)."""

    name: str
    font_px: float
    text: str
    muted: str
    grid: str
    zeroline: str
    background: str
    accent: str  # the one series colour of single-series cockpit charts
    second: str  # the second series beside `accent` (非税 against 税收, revenue against spending)
    outline: str  # map region outlines
    selected: str  # the outline of the selected region
    ground: str  # the map's ground below the regions


DESK = Theme(
    "desk",
    13,
    text="#243040",
    muted="#5a6472",
    grid="#e9edf2",
    zeroline="#c7ced6",
    background="#ffffff",
    accent="#0b5cad",
    second="#8b96a8",
    outline="#ffffff",
    selected="#111111",
    ground="#f4f6f9",
)
SCREEN = Theme(
    "screen",
    14,
    text="#e6eefc",
    muted="#8fa3c7",
    grid="rgba(143,163,199,0.18)",
    zeroline="rgba(143,163,199,0.18)",
    background="rgba(0,0,0,0)",
    accent="#3ec5ff",
    second="#a8b4d8",
    outline="#0a1630",
    selected="#ffffff",
    ground="#0c1f4a",
)
THEMES = {"desk": DESK, "light": DESK, "screen": SCREEN, "dark": SCREEN}
ThemeLike = Theme | str


def resolve_theme(which: ThemeLike = DESK, font_px: float | None = None) -> Theme:
    """A theme by value or name (desk / light, screen / dark), at `font_px` when given."""
    found = which if isinstance(which, Theme) else THEMES[which]
    return found if font_px is None else replace(found, font_px=font_px)


def figure(t: Theme, data: list[dict[str, Any]], **layout: Any) -> Figure:
    """A figure in theme `t`: its font and background, then the builder's own `layout` on top."""
    base: dict[str, Any] = {
        "font": {"family": FONT, "size": t.font_px, "color": t.text},
        "paper_bgcolor": t.background,
        "plot_bgcolor": t.background,
        "separators": ".,",  # reads 1,234.5 as in zh-CN
    }
    return {"data": data, "layout": {**base, **layout}}


def axis(t: Theme, **extra: Any) -> dict[str, Any]:
    """An axis in theme `t`: its grid and zero line, with the builder's `extra` settings."""
    return {"gridcolor": t.grid, "zerolinecolor": t.zeroline, **extra}


def bare_axis(**extra: Any) -> dict[str, Any]:
    """An axis without grid or zero line, that a tap or drag never zooms (the /risk charts)."""
    return {"showgrid": False, "zeroline": False, "ticks": "", "fixedrange": True, "automargin": True, **extra}


def chart_title(text: str, unit: str, period: str) -> dict[str, Any]:
    """A chart title that says what it shows, its unit and its period: '各地区收入(亿元 · 2024年1—6月)'."""
    suffix = f"({unit} · {period})" if unit else f"({period})"
    return {"text": plain(f"{text}{suffix}"), "x": 0.01, "font": {"size": 15}}


def scaled(values: Iterable[Any], unit: str) -> list[float | None]:
    """Amounts in 元 → floats in `unit` (亿元 / 万元 / 元), for plotting only (tables use exact Decimals)."""
    divisor = UNITS[unit]
    return [float(Decimal(v) / divisor) if v is not None and not pd.isna(v) else None for v in values]


def grade_colours(levels: Iterable[object], otherwise: str = CURRENT) -> list[str]:
    """The colour of each grade level (蓝 / 黄 / 橙 / 红); `otherwise` for a normal (missing) one."""
    return [GRADE_COLOURS[level] if isinstance(level, str) else otherwise for level in levels]


def grade_steps(normal: str = GRADE_COLOURS[None]) -> list[str]:
    """Normal, then 蓝 … 红: the colour of each grade rank 0–4."""
    return [normal, *(GRADE_COLOURS[g] for g in GRADE_ORDER)]


def stepped_scale(colours: list[str]) -> list[list[float | str]]:
    """A colorscale of even flat bands, one per colour (a heatmap cell's z picks its band, never a blend)."""
    n = len(colours)
    return [[b, colour] for i, colour in enumerate(colours) for b in (i / n, (i + 1) / n)]


GRADE_RANK_SCALE = [(i / 4, colour) for i, colour in enumerate(grade_steps())]  # a map's z is the rank 0–4


# --- text from data -------------------------------------------------------------------------------------------------
# Plotly renders a subset of HTML in labels, tick labels and hover text (<a href>, <b>, <br>, entities): a name from
# the store (an agency called `<a href="https://evil.example/">外链</a>`) would become a live link. Every text from
# data is escaped before it reaches a chart; Plotly turns the entities back into the characters, shown as text.

LABEL_KEYS = ("x", "y", "labels", "text", "name")  # category labels, texts drawn on a trace, its legend name


def plain(value: object) -> str:
    """`value` as text Plotly shows literally: & < > as entities (quotes need none outside a tag)."""
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _escaped(values: Any) -> Any:
    if isinstance(values, str):
        return plain(values)
    if isinstance(values, list | tuple):
        return [_escaped(v) for v in values]
    return values


def escape_labels(fig: Figure) -> Figure:
    """`fig` with the strings of every trace's labels and texts escaped, and its customdata where a hover template
    shows it (elsewhere customdata is the key a click sends back, kept as is). Hover texts a builder composes with
    markup (`hovertext`) are escaped piecewise by the builder, with `plain`."""
    for trace in fig.get("data", []):
        keys = [k for k in LABEL_KEYS if k in trace]
        templates = f"{trace.get('hovertemplate', '')} {trace.get('texttemplate', '')}"
        if "%{customdata" in templates:
            keys.append("customdata")
        for key in keys:
            trace[key] = _escaped(trace[key])
    return fig


# --- room for category labels --------------------------------------------------------------------------------------
# With `automargin` Plotly draws a chart, measures its tick labels, and when they need more room than the margin it
# draws the whole chart again (doAutoMargin: a third of the drawing time of /spending's charts went there). A
# horizontal bar chart's left margin is sized here from its category labels, as wide as Noto Sans CJK draws them
# (a CJK character is 1 em, others at most 0.62 em), so the first drawing fits; automargin stays on as the net.


def text_width(text: str, font_px: float) -> float:
    """An upper bound of the width of `text` in px at `font_px` (CJK and full-width characters 1 em, others 0.62)."""
    return sum(font_px if unicodedata.east_asian_width(c) in "WFA" else 0.62 * font_px for c in text)


def fit_category_labels(fig: Figure) -> Figure:
    """`fig` with its left margin wide enough for the category labels of its horizontal bars (never narrower). Only
    a chart of bars alone whose plot starts at the left edge: a donut beside bars has their labels mid-figure."""
    layout = fig.get("layout", {})
    traces = fig.get("data", [])
    if any(trace.get("type") != "bar" for trace in traces) or layout.get("xaxis", {}).get("domain", [0])[0] > 0:
        return fig
    yaxis = layout.get("yaxis", {})
    labels = [
        html_unescape(label)
        for trace in traces
        if trace.get("orientation") == "h" and trace.get("yaxis", "y") == "y"
        for label in (yaxis.get("ticktext") or trace.get("y") or [])
        if isinstance(label, str)
    ]
    if not labels or yaxis.get("visible") is False:
        return fig
    font_px = yaxis.get("tickfont", {}).get("size") or layout.get("font", {}).get("size") or 12
    needed = math.ceil(max(text_width(label, font_px) for label in labels) + font_px + 6)
    margin = layout.get("margin", {})  # a new dict: builders share their margin dicts (cockpit's _TIGHT)
    layout["margin"] = {**margin, "l": max(margin.get("l", 80), needed)}
    return fig


_BUILDING: contextvars.ContextVar[bool] = contextvars.ContextVar("building_chart", default=False)


def chart(builder: Callable[P, Figure]) -> Callable[P, Figure]:
    """Mark a figure builder of the kit: what it returns has its labels escaped (`escape_labels`) and room for its
    category labels (`fit_category_labels`)."""

    @functools.wraps(builder)
    def build(*args: P.args, **kwargs: P.kwargs) -> Figure:
        if _BUILDING.get():  # a builder inside another (`bars` falling back to `empty`): the outer one escapes
            return builder(*args, **kwargs)
        token = _BUILDING.set(True)
        try:
            return fit_category_labels(escape_labels(builder(*args, **kwargs)))
        finally:
            _BUILDING.reset(token)

    build.escapes_labels = True  # type: ignore[attr-defined]  # what the kit's test checks every builder for
    return build
