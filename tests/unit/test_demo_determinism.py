"""The demo generator is deterministic by seed, and `scale` changes row counts, never money."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.demo.generate import generate

SCALE = 0.05


@pytest.fixture(scope="module")
def run_a():
    return generate(scale=SCALE, seed=7)


@pytest.fixture(scope="module")
def run_b():
    return generate(scale=SCALE, seed=7)


@pytest.fixture(scope="module")
def run_other_seed():
    return generate(scale=SCALE, seed=8)


@pytest.fixture(scope="module")
def run_bigger():
    return generate(scale=0.1, seed=7)


def _frame_hash(frame: pd.DataFrame) -> int:
    return int(pd.util.hash_pandas_object(frame.astype(str), index=True).sum())


def test_same_seed_gives_identical_frames(run_a, run_b):
    assert sorted(run_a.frames) == sorted(run_b.frames)
    different = [
        name
        for name in run_a.frames
        if not run_a.frames[name].equals(run_b.frames[name])
        or _frame_hash(run_a.frames[name]) != _frame_hash(run_b.frames[name])
    ]
    assert different == []
    assert run_a.anomalies == run_b.anomalies
    assert run_a.data_through == run_b.data_through
    assert run_a.counts == run_b.counts


def test_generated_store_has_every_fact_table_with_rows(run_a):
    for name in (
        "payment",
        "budget_indicator",
        "revenue",
        "fund_revenue",
        "transfer",
        "bond",
        "treasury_cash",
        "subsidy_payout",
        "procurement",
        "region",
        "agency",
    ):
        assert len(run_a.frames[name]) > 0, name


def test_different_seed_gives_different_payments(run_a, run_other_seed):
    a, b = run_a.frames["payment"], run_other_seed.frames["payment"]
    assert not a.equals(b)
    assert _frame_hash(a) != _frame_hash(b)
    # not just a relabelling: the amounts themselves differ
    assert sorted(a["amount"].head(1000)) != sorted(b["amount"].head(1000))
    assert run_a.anomalies != run_other_seed.anomalies


def _sums(frame: pd.DataFrame, date_col: str) -> pd.Series:
    unit = frame["county_code"].fillna(frame["city_code"]).fillna(frame["province_code"])
    year = pd.to_datetime(frame[date_col]).dt.year
    return frame.groupby([year.rename("year"), unit.rename("unit")])["amount"].sum().astype("int64")


@pytest.mark.parametrize("table,date_col", [("payment", "pay_date"), ("revenue", "collect_date")])
def test_scale_changes_rows_not_money(run_a, run_bigger, table, date_col):
    """Apart from the county that has not reported the last month (the same one at every scale; the month it
    lacks holds a scale-dependent share of its year)."""
    silent = [a["region"] for a in run_a.anomalies if a["kind"] == "report_missing"]
    assert silent == [a["region"] for a in run_bigger.anomalies if a["kind"] == "report_missing"]
    small, big = (run.frames[table][run.frames[table]["county_code"] != silent[0]] for run in (run_a, run_bigger))
    if table == "payment":
        assert len(small) != len(big)
    # per year totals, to the fen
    small_year = _sums(small, date_col).groupby(level="year").sum()
    big_year = _sums(big, date_col).groupby(level="year").sum()
    assert small_year.to_dict() == big_year.to_dict()
    assert set(small_year.index) == {2023, 2024}
    # and per spending unit (省本级, 市本级, county) and year
    assert _sums(small, date_col).to_dict() == _sums(big, date_col).to_dict()


def test_scale_does_not_change_fund_revenue_totals(run_a, run_bigger):
    small = _sums(run_a.frames["fund_revenue"], "collect_date").groupby(level="year").sum()
    big = _sums(run_bigger.frames["fund_revenue"], "collect_date").groupby(level="year").sum()
    assert small.to_dict() == big.to_dict()
