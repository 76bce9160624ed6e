"""Grade boundaries follow the settings table, on both sides of every threshold."""

import pytest

from dashboard import grades


@pytest.mark.parametrize("execution, progress, level", [
    (0.50, 0.50, None), (0.60, 0.50, None), (0.49, 0.50, "黄"), (0.42, 0.50, "黄"),  # exactly 8 points: 黄
    (0.419, 0.50, "红"), (None, 0.5, None),
])
def test_execution_lag(execution, progress, level):
    assert grades.execution_lag(execution, progress).level == level


@pytest.mark.parametrize("months, level, label", [
    (0.29, "红", "库款预警"), (0.30, "黄", "偏低"), (0.49, "黄", "偏低"), (0.5, None, "正常"), (2.0, None, "正常"),
    (2.01, "蓝", "闲置"),
])
def test_cash_level(months, level, label):
    grade = grades.cash_level(months)
    assert (grade.level, grade.label) == (level, label)


@pytest.mark.parametrize("ratio, level", [(1.19, None), (1.2, "黄"), (1.99, "黄"), (2.0, "橙"), (2.99, "橙"),
                                          (3.0, "红")])
def test_debt_ratio(ratio, level):
    assert grades.debt_ratio(ratio).level == level


@pytest.mark.parametrize("ratio, level, label", [(0.0999, None, "正常"), (0.10, "红", "付息压力大"),
                                                 (0.25, "红", "付息压力大"), (None, None, "正常")])
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
