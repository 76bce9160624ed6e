"""The cockpit's figures (/screen and the overview /): a tidy DataFrame in, a figure dict out.

The same builders draw the dark big screen (theme "screen", its font sized from the viewport by the caller) and the
light overview (theme "desk"). The map is a `choroplethmap` on a style with no tile source, its outlines a URL under
/assets, so nothing is fetched from the network.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from dashboard.core import format as fmt
from dashboard.ui.figures.theme import (
    DESK,
    GRADE_RANK_SCALE,
    MONTHS,
    SEQUENTIAL,
    Figure,
    Theme,
    ThemeLike,
    axis,
    chart,
    figure,
    plain,
    resolve_theme,
    scaled,
)

MAP_METRICS = {"execution": "预算执行率", "revenue_yoy": "收入同比", "risk": "风险等级"}
_TIGHT = {"l": 4, "r": 4, "t": 4, "b": 4}


def _figure(t: Theme, data: list[dict[str, Any]], **layout: Any) -> Figure:
    """A cockpit figure: no legend and hardly a margin (the panel around it frames it), unless `layout` says so."""
    return figure(t, data, **{"showlegend": False, "margin": _TIGHT, **layout})


def _short(name: str, most: int = 8) -> str:
    """Axis labels stay on one line beside the bars; the full name is in the hover text."""
    return name if len(name) <= most else name[: most - 1] + "…"


def _headroom(values: list[float | None], room: float = 1.45) -> list[float]:
    """An axis range with room for the amounts printed after the bars (`room` × the largest)."""
    return [0, max((v for v in values if v is not None), default=1) * room or 1]


def map_ground(colour: str) -> list[dict]:
    """The map's ground as a layout layer: one world-sized polygon in `colour`, drawn below the regions.

    The style itself is Plotly's built-in "white-bg" (a background layer, no tile source; its glyph URL is only
    fetched for text layers, and the map has none). A custom style dict does not work: Plotly prunes an empty
    `sources: {}` on update, MapLibre rejects the pruned style and the map stops redrawing, and a style carrying
    a dummy source never reports itself loaded."""
    world = {"type": "Polygon", "coordinates": [[[-180, -85], [180, -85], [180, 85], [-180, 85], [-180, -85]]]}
    return [{"sourcetype": "geojson", "source": world, "type": "fill", "color": colour, "below": "traces"}]


def map_view(bounds: tuple[float, float, float, float], width_px: float, height_px: float) -> tuple[dict, float]:
    """Centre and zoom that fit lon/lat `bounds` (west, south, east, north) into a map of the given pixel size."""
    west, south, east, north = bounds

    def mercator_y(lat: float) -> float:
        return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))

    lon_zoom = math.log2(width_px * 360 / (512 * max(east - west, 1e-6)))
    lat_zoom = math.log2(height_px * 2 * math.pi / (512 * max(mercator_y(north) - mercator_y(south), 1e-9)))
    centre_y = (mercator_y(north) + mercator_y(south)) / 2
    centre = {"lon": (west + east) / 2, "lat": math.degrees(2 * math.atan(math.exp(centre_y)) - math.pi / 2)}
    return centre, round(min(lon_zoom, lat_zoom) - 0.05, 3)


SCALE_STRIP = 0.14  # the right-hand share of a map figure kept for its colour bar, outside every shape


def map_share(metric: str, leaf: bool) -> float:
    """The share of the figure's width the shapes get: all of it unless a colour bar needs its strip."""
    return 1.0 if metric == "risk" or leaf else 1 - SCALE_STRIP


@chart
def region_map(
    frame: pd.DataFrame,
    metric: str,
    geojson_url: str,
    centre: dict,
    zoom: float,
    theme: ThemeLike = DESK,
    selected: str | None = None,
    anchors: dict[str, tuple[float, float]] | None = None,
) -> Figure:
    """Choropleth of regions: `frame` has code, name, value (a share, or a grade rank 0–4 for 'risk') and label
    (the text a viewer reads: '62.5%', '红 · 严重滞后'). Clicking a region sends its code as `location`.

    A leaf shown alone (`selected` is its only row) is one outlined shape in the accent colour, without a colour
    bar (one value has no scale). Shares get a colour bar in a strip right of the shapes (`map_share`). With
    `anchors` (code → lon, lat) the layout's `meta.labels` carries each region's name and label where it is drawn;
    assets/map-labels.js writes them over the map as text (a text layer would fetch glyphs from the network)."""
    t = resolve_theme(theme)
    font_px = t.font_px
    leaf = selected is not None and list(frame["code"]) == [selected]
    widths = [3.0 if code == selected else 0.8 for code in frame["code"]]
    colours = [t.selected if code == selected else t.outline for code in frame["code"]]
    trace: dict[str, Any] = {
        "type": "choroplethmap",
        "geojson": geojson_url,
        "featureidkey": "id",
        "locations": list(frame["code"]),
        "customdata": list(frame["label"]),
        "text": list(frame["name"]),
        "hovertemplate": "%{text}<br>" + MAP_METRICS.get(metric, "") + " %{customdata}<extra></extra>",
        "marker": {"line": {"width": widths, "color": colours}, "opacity": 0.92},
    }
    share = map_share(metric, leaf)
    if leaf:
        trace.update(z=[1] * len(frame), zmin=0, zmax=1, colorscale=[[0, t.accent], [1, t.accent]], showscale=False)
        trace["marker"]["opacity"] = 0.55
    elif metric == "risk":
        trace.update(z=list(frame["value"]), zmin=0, zmax=4, colorscale=GRADE_RANK_SCALE, showscale=False)
    else:
        values = [None if v is None or pd.isna(v) else round(float(v) * 100, 2) for v in frame["value"]]
        if "floor" in frame and "ceiling" in frame and len(frame):  # a fixed range the grades give (map_values)
            trace.update(
                zmin=round(float(frame["floor"].iloc[0]) * 100, 2), zmax=round(float(frame["ceiling"].iloc[0]) * 100, 2)
            )
        trace.update(
            z=values,
            colorscale=SEQUENTIAL,
            colorbar={
                "title": {"text": "%", "side": "top"},
                "thickness": font_px * 0.8,
                "len": 0.6,
                "x": 1.0,
                "xanchor": "right",
                "xpad": 2,
                "outlinewidth": 0,
                "tickfont": {"color": t.text, "size": font_px * 0.85},
                "ticksuffix": "%",
            },
        )
    labels = [
        {"code": code, "name": name, "label": label, "lon": anchors[code][0], "lat": anchors[code][1]}
        for code, name, label in zip(frame["code"], frame["name"], frame["label"])
        if anchors and code in anchors
    ]
    return _figure(
        t,
        _with_blanks(trace, t.muted),
        map={
            "style": "white-bg",
            "center": centre,
            "zoom": zoom,
            "layers": map_ground(t.ground),
            "domain": {"x": [0, share], "y": [0, 1]},
        },
        meta={"labels": labels, "font_px": font_px, "theme": t.name},
        uirevision=geojson_url,
        clickmode="event",
    )


def _with_blanks(trace: dict[str, Any], colour: str) -> list[dict[str, Any]]:
    """`trace` as drawn: regions without a value (未报送) stay on the map as plain shapes in `colour`, in a trace of
    their own without a scale, instead of vanishing (a colour scale has no colour for "no number")."""
    z = trace.get("z")
    blank = [i for i, v in enumerate(z or []) if v is None]
    if not blank:
        return [trace]

    def only(rows: list[int], base: dict[str, Any]) -> dict[str, Any]:
        out = {**base, "marker": {**base["marker"], "line": dict(base["marker"]["line"])}}
        for key in ("locations", "customdata", "text", "z"):
            out[key] = [base[key][i] for i in rows]
        for key in ("width", "color"):
            out["marker"]["line"][key] = [base["marker"]["line"][key][i] for i in rows]
        return out

    shown = only([i for i in range(len(z or [])) if i not in blank], trace)
    blanks = only(blank, trace) | {"z": [0] * len(blank), "colorscale": [[0, colour], [1, colour]], "showscale": False}
    blanks.pop("colorbar", None)
    return [shown, blanks]


@chart
def revenue_mix(items: pd.DataFrame, unit: str, theme: ThemeLike = DESK, top: int = 6) -> Figure:
    """Tax against non-tax (a ring) and the largest items (bars), amounts in `unit`."""
    t = resolve_theme(theme)
    font_px = t.font_px
    by_kind = items.groupby("kind", sort=False)["amount"].sum() if not items.empty else pd.Series(dtype=object)
    kinds = [k for k in ("税收收入", "非税收入") if k in by_kind.index]
    shares = [float(by_kind[k] / by_kind.sum()) if by_kind.sum() else 0.0 for k in kinds]
    ring = {
        "type": "pie",
        "labels": kinds,
        "values": scaled([by_kind[k] for k in kinds], unit),
        "hole": 0.64,
        "sort": False,
        "direction": "clockwise",
        "domain": {"x": [0, 0.34], "y": [0.05, 0.95]},
        "marker": {"colors": [t.accent, t.second][: len(kinds)]},
        "textinfo": "none",
        "hovertemplate": "%{label} %{value:,.2f}" + unit + "<extra></extra>",
    }
    centre = "<br>".join(f"{plain(k[:-2])} {fmt.percent(share)}" for k, share in zip(kinds, shares))
    head = items.head(top).iloc[::-1]
    amounts = scaled(head["amount"], unit)
    bars = {
        "type": "bar",
        "x": amounts,
        "y": [_short(n) for n in head["name"]],
        "orientation": "h",
        "marker": {"color": [t.accent if k == "税收收入" else t.second for k in head["kind"]]},
        "text": [fmt.money(v, unit) for v in head["amount"]],
        "textposition": "outside",
        "constraintext": "none",
        "textfont": {"size": font_px * 0.85},
        "cliponaxis": False,
        "customdata": list(head["name"]),
        "hovertemplate": "%{customdata} %{x:,.2f}" + unit + "<extra></extra>",
    }
    return _figure(
        t,
        [ring, bars],
        xaxis={"domain": [0.6, 1], "visible": False, "range": _headroom(amounts, 1.75)},  # a narrow domain
        annotations=[
            {
                "text": centre,
                "x": 0.17,
                "y": 0.5,
                "xref": "paper",
                "yref": "paper",
                "showarrow": False,
                "font": {"size": font_px * 0.9, "color": t.text},
            }
        ],
        yaxis={"automargin": True, "anchor": "x", "tickfont": {"size": font_px * 0.9}},
        margin={"l": 4, "r": 8, "t": 4, "b": 4},
    )


@chart
def function_bars(frame: pd.DataFrame, unit: str, theme: ThemeLike = DESK, top: int = 10) -> Figure:
    """Spending by function (类), the `top` largest, amounts in `unit` printed on the bars."""
    t = resolve_theme(theme)
    font_px = t.font_px
    head = frame.head(top).iloc[::-1]
    amounts = scaled(head["amount"], unit)
    bars = {
        "type": "bar",
        "x": amounts,
        "y": [_short(n.removesuffix("支出")) for n in head["name"]],
        "orientation": "h",
        "marker": {"color": t.accent},
        "cliponaxis": False,
        "text": [fmt.money(v, unit) for v in head["amount"]],
        "textposition": "outside",
        "constraintext": "none",
        "textfont": {"size": font_px * 0.85},
        "customdata": list(head["name"]),
        "hovertemplate": "%{customdata} %{x:,.2f}" + unit + "<extra></extra>",
    }
    return _figure(
        t,
        [bars],
        xaxis={"visible": False, "range": _headroom(amounts)},
        yaxis={"automargin": True, "tickfont": {"size": font_px * 0.9}},
        bargap=0.28,
    )


@chart
def monthly_trend(frame: pd.DataFrame, year: int, unit: str, theme: ThemeLike = DESK) -> Figure:
    """Revenue and spending per month, `year` (solid) against the year before (dotted), amounts in `unit`."""
    t = resolve_theme(theme)
    font_px = t.font_px
    lines = []
    for column, label, colour in (("spending", "支出", t.accent), ("revenue", "收入", t.second)):
        for shown_year, dash in ((year, "solid"), (year - 1, "dot")):
            rows = frame[frame["year"] == shown_year]
            lines.append(
                {
                    "type": "scatter",
                    "x": list(rows["month"]),
                    "y": scaled(rows[column], unit),
                    "mode": "lines+markers",
                    "name": f"{shown_year}年{label}",
                    "line": {"color": colour, "dash": dash, "width": font_px * 0.18},
                    "marker": {"size": font_px * 0.35},
                    "hovertemplate": f"{shown_year}年%{{x}}月{label} %{{y:,.2f}}{unit}<extra></extra>",
                }
            )
    return _figure(
        t,
        lines,
        showlegend=True,
        xaxis=axis(t, color=t.muted, tickmode="array", tickvals=list(range(1, 13)), ticktext=MONTHS),
        yaxis=axis(
            t,
            color=t.muted,
            title={"text": unit, "standoff": font_px * 0.6},
            automargin=True,
            tickformat=",~g",  # 140,000 under 万元, never Plotly's SI "140k"
            exponentformat="none",
        ),
        legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0, "font": {"size": font_px * 0.85}},
        margin={"l": 4, "r": 8, "t": font_px * 2.2, "b": 4},
    )
