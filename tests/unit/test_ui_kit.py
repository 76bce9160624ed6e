"""The one UI kit: one grade badge and class convention, one KPI card, one theme system for every figure."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import pytest

from dashboard.core.grades import Grade
from dashboard.ui import views
from dashboard.ui.figures import cockpit, risk, topic
from dashboard.ui.figures import theme as theme_module
from dashboard.ui.figures.theme import DESK, SCREEN, resolve_theme


@pytest.mark.parametrize(
    ("level", "expected"),
    [("红", "grade-red"), ("橙", "grade-orange"), ("黄", "grade-yellow"), ("蓝", "grade-blue"), (None, "grade-normal")],
)
def test_grade_class_names_every_level_in_one_convention(level, expected) -> None:
    assert views.grade_class(level) == expected
    assert views.grade_text_class(level) == f"grade {expected}"


def test_grade_class_treats_missing_and_normal_alike() -> None:
    assert views.grade_class(float("nan")) == views.grade_class("正常") == "grade-normal"


def test_grade_badge_says_the_grade_in_words() -> None:
    badge = views.grade_badge("红", "严重滞后", "执行 ")
    assert badge.children == "执行 红·严重滞后" and badge.className == "grade-badge grade-red"
    assert views.grade_badge(None).children == "正常"
    assert views.grade_badge("黄").children == "黄"


def _texts(component) -> list[str]:
    """Every string in a component tree, depth first."""
    if isinstance(component, str):
        return [component]
    children = getattr(component, "children", None)
    if children is None:
        return []
    if not isinstance(children, list):
        children = [children]
    return [text for child in children for text in _texts(child)]


def test_kpi_card_shows_value_unit_note_and_grade_badge() -> None:
    card = views.kpi_card("库款保障水平", "0.42", "个月", "月末库款", kpi_id="kpi-cash", grade=Grade("红", "库款预警"))
    assert _texts(card) == ["库款保障水平", "0.42", "个月", "月末库款", " ", "红·库款预警"]
    assert (card.xs, card.sm, card.lg) == (12, 6, 3)


def test_kpi_row_passes_widths_to_every_card() -> None:
    row = views.kpi_row([views.Kpi("kpi-a", "甲", "1", "", ""), views.Kpi("kpi-b", "乙", "2", "", "")], xs=6, lg=4)
    assert [(c.xs, c.lg) for c in row.children] == [(6, 4), (6, 4)]


def test_theme_by_name_or_value_and_sized() -> None:
    assert resolve_theme("light") is DESK and resolve_theme("dark") is SCREEN
    assert resolve_theme("screen", 20.5).font_px == 20.5 and SCREEN.font_px == 14


def test_every_builder_returns_a_plain_dict_in_its_theme() -> None:
    frame = pd.DataFrame({"name": ["甲"], "amount": [1], "key": ["a"]})
    figures = [
        topic.bars(frame, "name", "amount", "key", "支出", "元", "1—6月"),
        cockpit.function_bars(frame, "元", resolve_theme("screen", 20)),
        risk.grade_distribution(pd.DataFrame({"grade": ["红", None]})),
    ]
    assert all(type(f) is dict and set(f) == {"data", "layout"} for f in figures)
    assert figures[0]["layout"]["font"]["color"] == DESK.text
    assert figures[1]["layout"]["font"] == {**figures[1]["layout"]["font"], "size": 20, "color": SCREEN.text}
    assert figures[2]["data"][0]["y"] == [1, 0, 0, 0, 1]


def test_horizontal_bars_get_room_for_their_labels_before_plotly_measures_them() -> None:
    """The left margin holds the longest label as Noto Sans CJK draws it (11 CJK characters at 13 px are 143 px;
    Plotly needs 13 px more), so automargin has nothing to grow and the chart is drawn once; a donut beside bars
    and the other figures sharing the cockpit's margin dict keep theirs."""
    names = ["教育", "灾害防治及应急管理支出", "其他"]
    frame = pd.DataFrame({"name": names, "amount": [3, 2, 1], "key": ["a", "b", "c"]})
    bars = topic.bars(frame, "name", "amount", "key", "支出", "元", "1—6月")
    assert bars["layout"]["font"]["size"] == 13
    assert 143 + 13 <= bars["layout"]["margin"]["l"] <= 143 + 13 + 12
    assert theme_module.text_width("国有资源(资产)", 13) >= 6 * 13 + 2 * 0.34 * 13  # '(' is narrower than 0.62 em
    wall = resolve_theme("screen", 20)  # its labels: at most 8 characters ('灾害防治及应急…'), ticks at 0.9 × 20 px
    wall_bars = cockpit.function_bars(
        pd.DataFrame({"name": names, "amount": [Decimal(3), Decimal(2), Decimal(1)]}), "元", wall
    )
    assert wall_bars["layout"]["margin"]["l"] >= 8 * 18 + 18
    amounts = [Decimal(3), Decimal(2), Decimal(1)]
    mix = cockpit.revenue_mix(pd.DataFrame({"name": names, "amount": amounts, "kind": ["税收收入"] * 3}), "元")
    assert mix["layout"]["margin"]["l"] < 10  # labels of bars beside the donut sit mid-figure, not in the margin
    assert cockpit._TIGHT["l"] == 4  # a shared margin is never changed in place


# -- charts: one config, no cloud, text from data shown as text ------------------------------------------------------

EVIL = '<a href="https://evil.example/">外链</a>'


def _strings(node) -> list[str]:
    if isinstance(node, str):
        return [node]
    if isinstance(node, dict):
        return [s for v in node.values() for s in _strings(v)]
    if isinstance(node, list | tuple):
        return [s for v in node for s in _strings(v)]
    return []


def _figure_strings(fig: dict) -> list[str]:
    """Every string of a figure a browser could render as markup (templates are the kit's own, not data)."""
    strings = []
    for trace in fig["data"]:
        strings += _strings({k: v for k, v in trace.items() if not k.endswith("template")})
    return strings + _strings(fig["layout"])


def test_every_figure_builder_of_the_kit_escapes_its_labels() -> None:
    import inspect

    builders = [
        (module.__name__, name)
        for module in (topic, cockpit, risk)
        for name, fn in vars(module).items()
        if inspect.isfunction(fn)
        and not name.startswith("_")
        and fn.__module__ == module.__name__
        and inspect.signature(fn).return_annotation == "Figure"
    ]
    assert len(builders) >= 15
    assert [
        b for b in builders if not getattr(getattr(__import__(b[0], fromlist=["x"]), b[1]), "escapes_labels", 0)
    ] == []


def test_an_agency_named_like_a_link_is_text_in_every_chart() -> None:
    frame = pd.DataFrame(
        {
            "name": [EVIL, "乙单位"],
            "amount": [Decimal(5), Decimal(3)],
            "key": ["k1", "k2"],
            "rate": [0.5, 0.7],
            "grade_label": ["正常", "正常"],
            "grade_level": [None, None],
            "budget": [Decimal(9), Decimal(9)],
            "paid": [Decimal(5), Decimal(3)],
            "change": [1.0, None],
            "health_index": [70.0, 80.0],
            "kind": ["税收收入", "非税收入"],
        }
    )
    figures = [
        topic.bars(frame, "name", "amount", "key", "支出", "元", "1—6月"),
        topic.bars(frame, "name", "amount", "key", "支出", "元", "1—6月", horizontal=False),
        topic.donut(frame, "name", "amount", "key", "支出", "元", "1—6月"),
        topic.changes(frame, "name", "amount", "key", "支出", "元", "1—6月"),
        topic.progress(frame, "name", "key", "执行", "1—6月", 0.5),
        topic.budget_vs_paid(frame, "name", "key", "预算", "元", "1—6月"),
        topic.grouped_bars(frame, "name", "key", [("budget", "预算"), ("paid", "已付")], "对比", "元", "1—6月"),
        cockpit.function_bars(frame, "元"),
        cockpit.revenue_mix(frame.assign(kind=["税收收入", "非税收入"]), "元"),
        risk.health_ranking(frame),
    ]
    for fig in figures:
        strings = _figure_strings(fig)
        assert not [s for s in strings if "<a" in s], fig["data"][0]["type"]
        shown = [s for s in strings if "evil.example" in s]
        assert shown and all("&lt;a href=" in s for s in shown)
    assert figures[0]["data"][0]["customdata"] == ["k2", "k1"]  # the click key is not touched
    assert "%{customdata}" in figures[7]["data"][0]["hovertemplate"]
    assert EVIL not in str(figures[7]["data"][0]["customdata"])  # shown in the hover: escaped


def test_every_graph_uses_the_one_config_without_cloud_buttons_in_chinese() -> None:
    from pathlib import Path

    from dashboard.ui.graph import graph, graph_config

    root = Path(__file__).resolve().parents[2]
    makers = [
        p.relative_to(root).as_posix()
        for folder in ("pages", "dashboard", "callbacks")
        for p in (root / folder).rglob("*.py")
        if "dcc.Graph(" in p.read_text(encoding="utf-8")
    ]
    assert makers == ["dashboard/ui/graph.py"]
    for config in (graph_config(), graph_config(mode_bar=False), graph("g", config={"scrollZoom": False}).config):
        assert config["locale"] == "zh-CN" and config["displaylogo"] is False
        assert config["showSendToCloud"] is False and config["showEditInChartStudio"] is False
        assert {"sendChartToCloud", "sendDataToCloud", "editInChartStudio"} <= set(config["modeBarButtonsToRemove"])
    assert (root / "assets" / "plotly-locale-zh-cn.js").is_file()
