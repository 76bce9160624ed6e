"""The report's charts, drawn on the server with matplotlib's Agg canvas (no browser, no network, no service) as
PNG at print resolution (`DPI`), with the same embedded CJK face as the PDF text. Each function takes the figures
(`dashboard.report.figures`) and returns PNG bytes; none reads the store.

Why matplotlib and not plotly + kaleido: kaleido drives a headless Chromium per export (seconds each, a browser
process per worker) and is not installed here; matplotlib renders in-process in tens of milliseconds, needs no
browser, and takes an OpenType font file directly."""

from __future__ import annotations

import io
from decimal import Decimal

import matplotlib
from matplotlib import font_manager
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dashboard.core import format as fmt
from dashboard.core.fonts import font_path, single_face
from dashboard.core.format import UNITS
from dashboard.report.figures import Figures

DPI = 250
WIDTH_IN = 6.9  # the text width of an A4 page with 18 mm margins
BLUE, GREY, ORANGE, RED = "#1f5fa8", "#9aa5b1", "#d9822b", "#c23030"


def _font() -> font_manager.FontProperties:
    path = single_face(font_path())
    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path)


def _figure(height_in: float) -> tuple[Figure, font_manager.FontProperties]:
    font = _font()
    matplotlib.rcParams["font.family"] = font.get_name()
    matplotlib.rcParams["axes.unicode_minus"] = False
    fig = Figure(figsize=(WIDTH_IN, height_in), dpi=DPI)
    FigureCanvasAgg(fig)  # the Agg canvas: no GUI backend, no pyplot state
    return fig, font


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, bbox_inches="tight", pad_inches=0.05)
    return out.getvalue()


def _scaled(value: Decimal | None, unit: str) -> float:
    return 0.0 if value is None else float(value / UNITS[unit])


def trend(f: Figures) -> bytes:
    """Revenue and spending per month, this year against last."""
    meta, unit = f["meta"], f["meta"]["unit"]
    fig, _font = _figure(2.6)
    axes = fig.subplots(1, 2)
    for ax, column, title in ((axes[0], "revenue", "一般公共预算收入"), (axes[1], "spending", "一般公共预算支出")):
        for year, colour, style in ((meta["year"] - 1, GREY, "--"), (meta["year"], BLUE, "-")):
            rows = [r for r in f["trend"] if r["year"] == year and (year < meta["year"] or r["month"] <= meta["month"])]
            ax.plot(
                [r["month"] for r in rows],
                [_scaled(r[column], unit) for r in rows],
                style,
                color=colour,
                marker="o",
                markersize=3,
                linewidth=1.6,
                label=f"{year}年",
            )
        ax.set_title(f"{title}(月度,{unit})", fontsize=9)
        ax.set_xticks(range(1, 13))
        ax.set_xticklabels([f"{m}" for m in range(1, 13)], fontsize=7)
        ax.tick_params(axis="y", labelsize=7)
        ax.grid(axis="y", color="#e5e8eb", linewidth=0.6)
        ax.spines[["top", "right"]].set_visible(False)
        ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return _png(fig)


def _bars(labels: list[str], values: list[float], unit: str, title: str, colour: str, height: float) -> bytes:
    fig, _font = _figure(height)
    ax = fig.subplots()
    positions = list(range(len(labels)))[::-1]
    ax.barh(positions, values, color=colour, height=0.6)
    ax.set_yticks(positions)
    ax.set_yticklabels(labels, fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    top = max(values, default=0) or 1
    for y, v in zip(positions, values):
        ax.text(v + top * 0.01, y, f"{v:,.2f}", va="center", fontsize=7)
    ax.set_xlim(0, top * 1.15)
    ax.set_title(f"{title}(单位:{unit})", fontsize=9)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)


def revenue_items(f: Figures) -> bytes:
    unit, items = f["meta"]["unit"], f["revenue"]["items"]
    return _bars(
        [i["name"] for i in items],
        [_scaled(i["current"], unit) for i in items],
        unit,
        "主要收入项目",
        BLUE,
        0.3 * len(items) + 0.8,
    )


def functions(f: Figures) -> bytes:
    unit, rows = f["meta"]["unit"], f["spending"]["functions"]
    return _bars(
        [r["name"] for r in rows],
        [_scaled(r["paid"], unit) for r in rows],
        unit,
        "支出规模前10类功能科目",
        BLUE,
        0.28 * len(rows) + 0.8,
    )


def ranking(f: Figures) -> bytes:
    """预算执行率 of 本级 and each child against 序时进度 (a line)."""
    rows = [r for r in f["ranking"] if r["execution"] is not None]
    own = [r for r in rows if r["is_own_level"]]
    children = sorted((r for r in rows if not r["is_own_level"]), key=lambda r: -r["execution"])
    shown = own + children
    fig, _font = _figure(max(1.6, 0.24 * len(shown) + 0.8))
    ax = fig.subplots()
    positions = list(range(len(shown)))[::-1]
    colours = [GREY if r["is_own_level"] else (ORANGE if (r["lag_points"] or 0) > 0 else BLUE) for r in shown]
    ax.barh(positions, [r["execution"] * 100 for r in shown], color=colours, height=0.6)
    ax.set_yticks(positions)
    ax.set_yticklabels([r["name"] for r in shown], fontsize=7.5)
    benchmark = f["overall"]["execution_benchmark"]
    if benchmark is not None:
        ax.axvline(benchmark * 100, color=RED, linewidth=1, linestyle="--")
        ax.text(benchmark * 100, len(shown) - 0.3, f" 序时进度 {fmt.percent(benchmark)}", color=RED, fontsize=7)
    for y, r in zip(positions, shown):
        ax.text(r["execution"] * 100 + 0.3, y, fmt.percent(r["execution"]), va="center", fontsize=6.5)
    ax.set_xlabel("预算执行率(%)", fontsize=8)
    ax.tick_params(axis="x", labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    fig.tight_layout()
    return _png(fig)
