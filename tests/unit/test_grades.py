"""Grade boundaries follow the settings table, on both sides of every threshold."""

import pytest

from dashboard.core import grades


@pytest.mark.parametrize(
    "execution, progress, level",
    [
        (0.50, 0.50, None),
        (0.60, 0.50, None),
        (0.49, 0.50, "黄"),
        (0.42, 0.50, "黄"),  # exactly 8 points: 黄
        (0.419, 0.50, "红"),
        (None, 0.5, None),
    ],
)
def test_execution_lag(execution, progress, level):
    assert grades.execution_lag(execution, progress).level == level


@pytest.mark.parametrize(
    "months, level, label",
    [
        (0.29, "红", "库款预警"),
        (0.30, None, "正常"),
        (0.8, None, "正常"),
        (0.81, "蓝", "资金闲置"),
    ],
)
def test_cash_level(months, level, label):
    grade = grades.cash_level(months)
    assert (grade.level, grade.label) == (level, label)


@pytest.mark.parametrize(
    "ratio, level", [(1.19, None), (1.2, "黄"), (1.99, "黄"), (2.0, "橙"), (2.99, "橙"), (3.0, "红")]
)
def test_debt_ratio(ratio, level):
    assert grades.debt_ratio(ratio).level == level


@pytest.mark.parametrize(
    "ratio, level, label",
    [(0.0999, None, "正常"), (0.10, "红", "付息压力大"), (0.25, "红", "付息压力大"), (None, None, "正常")],
)
def test_interest_ratio(ratio, level, label):
    grade = grades.interest_ratio(ratio)
    assert (grade.level, grade.label) == (level, label)


def test_interest_ratio_threshold_comes_from_settings(monkeypatch):
    monkeypatch.setenv("COCKPIT_INTEREST_RATIO_RED", "0.08")
    assert grades.interest_ratio(0.085).level == "红"
    assert grades.interest_ratio(0.079).level is None


def test_thresholds_come_from_settings(monkeypatch):
    monkeypatch.setenv("COCKPIT_DEBT_RATIO_RED", "2.5")
    assert grades.debt_ratio(2.6).level == "红"
    assert grades.debt_ratio(2.6).rank > grades.debt_ratio(1.3).rank


@pytest.mark.parametrize(
    "grading, value, level",
    [
        (grades.interest_ratio, 0.0999, None),
        (grades.interest_ratio, 0.10, "红"),
        (grades.interest_ratio, None, None),
        (grades.self_sufficiency, 0.30, None),
        (grades.self_sufficiency, 0.2999, "黄"),
        (grades.tax_share, 0.60, None),
        (grades.tax_share, 0.5999, "黄"),
        (grades.nontax_jump, 4.99, None),
        (grades.nontax_jump, 5.0, "黄"),
        (grades.nontax_jump, 9.99, "黄"),
        (grades.nontax_jump, 10.0, "红"),
        (grades.revenue_decline, -0.0999, None),
        (grades.revenue_decline, -0.10, "黄"),
        (grades.revenue_decline, -0.1999, "黄"),
        (grades.revenue_decline, -0.20, "橙"),
        (grades.revenue_decline, 0.5, None),
        (grades.direct_allocation, 0.90, None),
        (grades.direct_allocation, 0.8999, "黄"),
        (grades.direct_allocation, 0.70, "黄"),
        (grades.direct_allocation, 0.6999, "红"),
        (grades.maturity_cover, 1.99, None),
        (grades.maturity_cover, 2.0, "黄"),
        (grades.maturity_cover, 2.99, "黄"),
        (grades.maturity_cover, 3.0, "橙"),
        (grades.maturity_cover, 4.99, "橙"),
        (grades.maturity_cover, 5.0, "红"),
        (grades.single_source_share, 0.1999, None),
        (grades.single_source_share, 0.2, "黄"),
        (grades.year_end_share, 0.2499, None),
        (grades.year_end_share, 0.25, "黄"),
        (grades.year_end_share, 0.3499, "黄"),
        (grades.year_end_share, 0.35, "橙"),
    ],
)
def test_risk_rule_gradings_on_both_sides_of_every_boundary(grading, value, level):
    grade = grading(value)
    assert grade.level == level
    assert grade.label  # colour never alone: every grade, normal included, has its words


def test_risk_rule_gradings_follow_their_settings(monkeypatch):
    monkeypatch.setenv("COCKPIT_INTEREST_RATIO_RED", "0.2")
    assert grades.interest_ratio(0.15).level is None
    monkeypatch.setenv("COCKPIT_MATURITY_CASH_RED", "2.5")
    assert grades.maturity_cover(2.6).level == "红"
