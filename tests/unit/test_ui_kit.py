"""The one UI kit: one grade badge and class convention, one KPI card, one theme system for every figure."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.core.grades import Grade
from dashboard.ui import views
from dashboard.ui.figures import cockpit, risk, topic
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
