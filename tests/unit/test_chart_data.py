"""The "查看数据" table of a chart (dashboard/ui/chart_data.py) shows the numbers the figure draws, formatted as
its hover formats them, for every kind of trace the kit's builders make."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from dash import html

from dashboard.ui import chart_data
from dashboard.ui.figures import cockpit


def rows(value: str) -> list[list[str]]:
    """Header and body rows of every table in a box's `data-table` value, as text."""
    return [row for table in json.loads(value)["tables"] for row in [table["header"], *table["rows"]]]


BAR = {"type": "bar", "orientation": "h", "x": [250.0, 150.5], "y": ["社会保障…", "教育"],
       "customdata": ["社会保障和就业", "教育"], "hovertemplate": "%{customdata} %{x:,.2f}亿元<extra></extra>"}  # fmt: skip
CASES = [
    (
        "horizontal bars, full names from customdata",
        {"data": [BAR]},
        [["项目", "数值"], ["社会保障和就业", "250.00亿元"], ["教育", "150.50亿元"]],
    ),
    (
        "a ring and its top items: one table each",
        {
            "data": [
                {
                    "type": "pie",
                    "labels": ["税收", "非税"],
                    "values": [2270.75, 1178.15],
                    "hovertemplate": "%{label} %{value:,.2f}亿元<extra></extra>",
                },  # fmt: skip
                BAR,
            ]
        },
        [
            ["项目", "数值"],
            ["税收", "2,270.75亿元"],
            ["非税", "1,178.15亿元"],
            ["项目", "数值"],
            ["社会保障和就业", "250.00亿元"],
            ["教育", "150.50亿元"],
        ],  # fmt: skip
    ),
    (
        "lines of two years: a column per trace, months as rows",
        {
            "data": [
                {
                    "type": "scatter",
                    "name": "2024年支出",
                    "x": [1, 2],
                    "y": [650.0, 612.25],
                    "hovertemplate": "2024年%{x}月支出 %{y:,.2f}亿元<extra></extra>",
                },  # fmt: skip
                {
                    "type": "scatter",
                    "name": "2023年支出",
                    "x": [1, 2, 3],
                    "y": [630.0, 600.0, 700.0],
                    "hovertemplate": "2023年%{x}月支出 %{y:,.2f}亿元<extra></extra>",
                },  # fmt: skip
            ]
        },
        [
            ["", "2024年支出", "2023年支出"],
            ["1", "650.00亿元", "630.00亿元"],
            ["2", "612.25亿元", "600.00亿元"],
            ["3", "—", "700.00亿元"],
        ],  # fmt: skip
    ),
    (
        "a map: region names and the label its hover shows",
        {
            "data": [
                {
                    "type": "choroplethmap",
                    "locations": ["430100", "430200"],
                    "z": [99.95, 99.4],
                    "text": ["长沙市", "株洲市"],
                    "customdata": ["100.0%", "99.4%"],
                }
            ]
        },  # fmt: skip
        [["区划", "数值"], ["长沙市", "100.0%"], ["株洲市", "99.4%"]],
    ),
    (
        "a heatmap: rows × columns, the cell's own text",
        {
            "data": [
                {
                    "type": "heatmap",
                    "x": ["预算执行", "库款"],
                    "y": ["长沙市", "株洲市"],
                    "z": [[4, 0], [1, 2]],
                    "text": [["红 3", "正常"], ["蓝 1", "黄 2"]],
                }
            ]
        },  # fmt: skip
        [["", "预算执行", "库款"], ["长沙市", "红 3", "正常"], ["株洲市", "蓝 1", "黄 2"]],
    ),
    (
        "a share in percent keeps its own format",
        {
            "data": [
                {
                    "type": "bar",
                    "orientation": "h",
                    "x": [95.24],
                    "y": ["教育"],
                    "hovertemplate": "%{y}<br>执行率 %{x:.1f}%<extra></extra>",
                }
            ]
        },  # fmt: skip
        [["项目", "数值"], ["教育", "95.2%"]],
    ),
    ("no data", {"data": []}, []),
]


@pytest.mark.parametrize("name, figure, expected", CASES, ids=[c[0] for c in CASES])
def test_the_table_shows_what_the_figure_draws(name, figure, expected):
    table = chart_data.table(figure, "支出结构 · 单位:亿元")
    assert rows(table) == expected
    captions = [t["caption"] for t in json.loads(table)["tables"]]
    assert captions == (["支出结构 · 单位:亿元"] + [""] * (len(captions) - 1) if expected else [])
    assert json.loads(table)["empty"] == "暂无数据"


def test_a_builders_figure_reads_back_to_its_amounts():
    frame = pd.DataFrame({"name": ["教育", "社会保障和就业"], "amount": [1.5e10, 2.5e10]})
    figure = cockpit.function_bars(frame, "亿元", "desk")
    assert rows(chart_data.table(figure))[1:] == [["社会保障和就业", "250.00亿元"], ["教育", "150.00亿元"]]


def test_the_box_is_a_disclosure_except_on_the_wall():
    box = chart_data.slot("overview-trend")
    assert isinstance(box, html.Details) and box.children[0].children == "查看数据"
    assert box.children[1].id == "overview-trend-data"
    assert box.children[1].to_plotly_json()["props"][chart_data.PROP] == ""  # filled by the render callback
    wall = chart_data.slot("screen-trend", hidden=True)
    assert "visually-hidden" in wall.className and wall.children.id == "screen-trend-data"
    topic = {"type": "topic-chart", "page": "spending", "slot": "func", "filter": "func"}
    assert chart_data.data_id(topic) == {"type": "topic-chart-data", "page": "spending", "slot": "func"}
