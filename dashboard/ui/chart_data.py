"""A chart's numbers as a table (issue 20, WCAG 1.1.1): every chart of the cockpit has a "查看数据" box under it
(`slot`) that its render callback fills with `table(figure)`, the same figure dict it draws, so the table shows
exactly what the chart does, read by a screen reader and by anyone who would rather read figures than bars. A
native `<details>` (keyboard and screen readers know it; no callback); on the wall screen, where there is no room,
the table is in the page but visually hidden (`hidden=True`).

The callback fills the box's `data-table` attribute (`PROP`) with the tables as JSON (caption, header, rows of
text), and `assets/chart-data.js` writes them into the box as plain `<table>` markup (text set as text, never as
HTML). Not as Dash components: a table of 50 cells is 60 components, and the Dash renderer's cost grows with the
components on the page times the store updates of every callback (on /spending the seven tables were a third of
the page's components).

The figure is read as the kit's builders make it (`dashboard/ui/figures`): a pie's labels and values, a map's region
names and the label its hover shows, a heatmap's rows × columns (the cell's text when it has one), and bars or lines
as a category column and one column per trace (a single trace: 项目 · 数值). Values are formatted the way the
chart's hover formats them (`%{x:,.2f}亿元` → `1,234.50亿元`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from dash import html

from dashboard.ui.props import wildcard

LABEL = "查看数据"
EMPTY = "暂无数据"
PROP = "data-table"  # the box's attribute that the render callback fills (JSON; assets/chart-data.js draws it)
Table = dict[str, Any]  # {"caption": str, "header": [str], "rows": [[str]]}
_PLACEHOLDER = r"%\{{{axis}(?::([^}}]*))?\}}[ ]?([^\s<%{{]{{0,4}}%?|%)?"
_UNIT = re.compile(r"^(%|[万亿]?元|个月|个百分点|笔|人|户|个)$")
_TAGS = re.compile(r"<[^>]*>")


def data_id(graph_id: Any) -> Any:
    """The id of the "查看数据" box of the chart `graph_id` (a topic chart's pattern id gets its own type)."""
    if isinstance(graph_id, Mapping):
        return {"type": "topic-chart-data", "page": graph_id["page"], "slot": graph_id["slot"]}
    return f"{graph_id}-data"


def slot(graph_id: Any, *, hidden: bool = False) -> html.Div | html.Details:
    """The box under a chart that its callback fills with `table(figure)`."""
    box = html.Div(id=data_id(graph_id), className="chart-data-body", **wildcard({PROP: ""}))
    if hidden:
        return html.Div(box, className="visually-hidden chart-data")
    return html.Details([html.Summary(LABEL, className="chart-data-toggle"), box], className="chart-data")


def _plain(value: Any) -> str:
    return _TAGS.sub(" ", str(value)).replace("  ", " ").strip()


def _value_axis(trace: Mapping[str, Any]) -> str:
    kind = trace.get("type", "scatter")
    if kind == "pie":
        return "value"
    if kind in ("heatmap", "choroplethmap", "choropleth", "choroplethmapbox"):
        return "z"
    return "x" if trace.get("orientation") == "h" else "y"


def _format(trace: Mapping[str, Any]) -> tuple[str, str]:
    """(format spec, unit) of the value in a trace's hover template ('', '' when it says none)."""
    pattern = _PLACEHOLDER.format(axis=_value_axis(trace))
    found = re.search(pattern, str(trace.get("hovertemplate") or ""))
    if not found:
        return "", ""
    spec, unit = found.group(1) or "", found.group(2) or ""
    return spec, unit if _UNIT.match(unit) else ""


def _value(value: Any, spec: str, unit: str) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "—"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            text = format(value, spec or ",.2f")
        except ValueError:
            text = f"{value:,.2f}"
        return text + unit
    return _plain(value)


def _list(trace: Mapping[str, Any], key: str) -> list:
    value = trace.get(key)
    return list(value) if isinstance(value, (list, tuple)) else []


def _categories(trace: Mapping[str, Any]) -> tuple[list, list]:
    """(labels, values) of a bar or line trace: the category axis and the value axis."""
    horizontal = trace.get("orientation") == "h"
    labels, values = (_list(trace, "y"), _list(trace, "x")) if horizontal else (_list(trace, "x"), _list(trace, "y"))
    names = _list(trace, "customdata")
    template = str(trace.get("hovertemplate") or "")
    if template.startswith("%{customdata}") and len(names) == len(labels):
        labels = names  # the bar's label may be shortened; its full name is in customdata
    return labels, values


def _table(caption: str, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Table:
    """One table: a row's first cell is its header (`<th scope="row">`), the header's cells `<th scope="col">`."""
    return {"caption": caption, "header": [str(h) for h in header], "rows": [[str(c) for c in row] for row in rows]}


def _title(figure: Mapping[str, Any]) -> str:
    title = (figure.get("layout") or {}).get("title")
    text = title.get("text") if isinstance(title, Mapping) else title
    return _plain(text) if text else ""


def _pie(trace: Mapping[str, Any], caption: str) -> Table:
    spec, unit = _format(trace)
    rows = [[_plain(k), _value(v, spec, unit)] for k, v in zip(_list(trace, "labels"), _list(trace, "values"))]
    return _table(caption, ["项目", "数值"], rows)


def _map(trace: Mapping[str, Any], caption: str) -> Table:
    spec, unit = _format(trace)
    names, shown = _list(trace, "text") or _list(trace, "locations"), _list(trace, "customdata")
    values = shown if len(shown) == len(names) else [_value(z, spec, unit) for z in _list(trace, "z")]
    return _table(caption, ["区划", "数值"], [[_plain(n), _plain(v)] for n, v in zip(names, values)])


def _heatmap(trace: Mapping[str, Any], caption: str) -> Table:
    spec, unit = _format(trace)
    columns, rows_of, cells = _list(trace, "x"), _list(trace, "y"), _list(trace, "text") or _list(trace, "z")
    body = [
        [_plain(label), *(_value(c, spec, unit) for c in (cells[i] if i < len(cells) else []))]
        for i, label in enumerate(rows_of)
    ]
    return _table(caption, ["", *(_plain(c) for c in columns)], body)


def _series(traces: Sequence[Mapping[str, Any]], caption: str) -> Table:
    """Bars and lines: one row per category, one column per trace (one trace: 项目 · 数值)."""
    if len(traces) == 1:
        spec, unit = _format(traces[0])
        labels, values = _categories(traces[0])
        return _table(caption, ["项目", "数值"], [[_plain(k), _value(v, spec, unit)] for k, v in zip(labels, values)])
    order: list = []
    cells_by: list[dict] = []
    for trace in traces:
        labels, values = _categories(trace)
        spec, unit = _format(trace)
        cells: dict = {}
        for label, value in zip(labels, values):
            if label not in order:
                order.append(label)
            cells[label] = _value(value, spec, unit)
        cells_by.append(cells)
    header = ["", *(_plain(t.get("name") or f"系列{i + 1}") for i, t in enumerate(traces))]
    body = [[_plain(label), *(cells.get(label, "—") for cells in cells_by)] for label in order]
    return _table(caption, header, body)


def tables(figure: Mapping[str, Any] | None, caption: str = "") -> list[Table]:
    """The figure's numbers as tables (`caption`, else the figure's own title, names the first); a figure that
    combines kinds (a donut beside the bars of its top items) gets one table per kind, in the figure's order; a
    figure with nothing drawn none (the box says 暂无数据)."""
    traces = [t for t in (figure or {}).get("data") or [] if t.get("visible", True) is not False]
    caption = caption or _title(figure or {})
    found: list[Table] = []
    series = [t for t in traces if t.get("type", "scatter") in ("bar", "scatter")]
    for trace in traces:
        kind = trace.get("type", "scatter")
        shown_caption = "" if found else caption
        if kind == "pie":
            found.append(_pie(trace, shown_caption))
        elif kind in ("choroplethmap", "choropleth", "choroplethmapbox"):
            found.append(_map(trace, shown_caption))
        elif kind == "heatmap":
            found.append(_heatmap(trace, shown_caption))
        elif trace is (series[0] if series else None):
            found.append(_series(series, shown_caption))
    return found


def table(figure: Mapping[str, Any] | None, caption: str = "") -> str:
    """The value of the box's `PROP`: `tables(figure, caption)` as JSON, and what to say when there are none."""
    return json.dumps({"tables": tables(figure, caption), "empty": EMPTY}, ensure_ascii=False, separators=(",", ":"))
