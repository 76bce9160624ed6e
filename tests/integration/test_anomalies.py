"""The anomalies the demo plants are listed, really are anomalous, and the clean data does not show them.

Each check is our own SQL over the store (not the app's detectors): the rows a rule flags must be exactly the
planted ones, so both a planted row that is not anomalous and a clean row that is break the test.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.integration.region_sql import rows

KINDS = [
    "sanbao_lag",
    "direct_fund_lag",
    "payment_weekend",
    "nontax_jump",
    "debt_ratio",
    "treasury_cash_low",
    "subsidy_duplicate_id",
    "subsidy_after_death",
    "subsidy_above_standard",
    "subsidy_account_name_mismatch",
    "subsidy_public_employee_dibao",
    "procurement_high_ratio",
    "procurement_split",
]
LAST_YEAR = 2024
UNIT = "COALESCE(county_code, city_code, province_code)"  # the spending unit a fact row belongs to


def planted(anomalies, kind: str) -> list[dict]:
    found = [a for a in anomalies if a["kind"] == kind]
    assert found, f"no {kind} planted"
    return found


@pytest.mark.parametrize("kind", KINDS)
def test_anomaly_list_has_every_kind(demo_anomalies, kind):
    assert any(a["kind"] == kind for a in demo_anomalies)


def test_anomaly_json_matches_the_demo_anomaly_table(duck, demo_anomalies):
    stored = sorted(tuple(r) for r in rows(duck, "SELECT kind, key FROM demo_anomaly"))
    assert stored == sorted((a["kind"], a["key"]) for a in demo_anomalies)
    assert len(set(stored)) == len(stored), "duplicate (kind, key) among planted anomalies"


# -- payments ---------------------------------------------------------------------------------------------------


def test_weekend_payments_are_exactly_the_planted_ones(duck, demo_anomalies):
    expected = {int(a["key"]) for a in planted(demo_anomalies, "payment_weekend")}
    found = {r[0] for r in rows(duck, "SELECT id FROM payment WHERE ISODOW(pay_date) IN (6, 7)")}
    assert found == expected
    dates = dict(
        rows(
            duck,
            "SELECT id, CAST(pay_date AS VARCHAR) FROM payment WHERE id IN ({})".format(",".join(map(str, expected))),
        )
    )
    assert dates == {int(a["key"]): a["pay_date"] for a in planted(demo_anomalies, "payment_weekend")}


def _sanbao_rates(duck):
    """(unit, 三保 type) → paid ÷ budgeted for the last year."""
    got = rows(
        duck,
        f"""
        WITH budget AS (SELECT {UNIT} AS u, sanbao_type, SUM(amount) AS amount FROM budget_indicator
                        WHERE year = :y AND sanbao_type IS NOT NULL GROUP BY 1, 2),
             paid AS (SELECT {
            UNIT.replace("county_code", "p.county_code")
            .replace("city_code", "p.city_code")
            .replace("province_code", "p.province_code")
        } AS u, i.sanbao_type,
                             SUM(p.amount) AS amount
                      FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
                      WHERE i.year = :y AND i.sanbao_type IS NOT NULL GROUP BY 1, 2)
        SELECT b.u, b.sanbao_type, COALESCE(p.amount, 0) / b.amount FROM budget b
        LEFT JOIN paid p ON p.u = b.u AND p.sanbao_type = b.sanbao_type""",
        y=LAST_YEAR,
    )
    return {(u, t): r for u, t, r in got}


def test_sanbao_lag_planted_units_pay_70_to_80pct_and_clean_ones_above_95pct(duck, demo_anomalies):
    rates = _sanbao_rates(duck)
    lagging = set()
    for a in planted(demo_anomalies, "sanbao_lag"):
        unit, year, kind = a["key"].split("|")
        assert int(year) == LAST_YEAR
        lagging.add((unit, kind))
        assert Decimal("0.69") <= rates[(unit, kind)] <= Decimal("0.81"), (a["key"], rates[(unit, kind)])
    silent = {a["region"] for a in demo_anomalies if a["kind"] == "report_missing"}  # its December is not in yet
    clean_low = {k: r for k, r in rates.items() if k not in lagging and k[0] not in silent and r < Decimal("0.95")}
    assert clean_low == {}
    assert len(rates) > 300


def _direct_fund_rates(duck) -> dict:
    """unit → paid ÷ budgeted of its 直达资金 indicators in the last year (units without any are absent)."""
    got = rows(
        duck,
        f"""
        WITH budget AS (SELECT {UNIT} AS u, SUM(amount) AS amount FROM budget_indicator
                        WHERE year = :y AND direct_fund GROUP BY 1),
             paid AS (SELECT COALESCE(p.county_code, p.city_code, p.province_code) AS u, SUM(p.amount) AS amount
                      FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
                      WHERE i.year = :y AND i.direct_fund GROUP BY 1)
        SELECT b.u, CAST(COALESCE(p.amount, 0) AS DOUBLE) / CAST(b.amount AS DOUBLE)
        FROM budget b LEFT JOIN paid p ON p.u = b.u""",
        y=LAST_YEAR,
    )
    return dict(got)


def test_direct_fund_lag_planted_units_pay_55_to_65pct_of_their_direct_funds(duck, demo_anomalies):
    rates = _direct_fund_rates(duck)
    for a in planted(demo_anomalies, "direct_fund_lag"):
        unit = a["key"].split("|")[0]
        assert unit in rates, f"{unit}: no 直达资金 indicator in {LAST_YEAR}, the planted lag is invisible"
        assert 0.54 <= rates[unit] <= 0.66, (unit, rates[unit])


def test_direct_fund_clean_units_pay_at_least_70pct(duck, demo_anomalies):
    # clean project indicators are paid at the unit's pace (≥ 0.80 − 0.12·0.71 ≈ 0.715); planted lags at 0.55–0.65
    rates = _direct_fund_rates(duck)
    lagging = {a["key"].split("|")[0] for a in planted(demo_anomalies, "direct_fund_lag")}
    assert {u: r for u, r in rates.items() if u not in lagging and r < 0.70} == {}
    assert len(rates) > 100


# -- revenue ----------------------------------------------------------------------------------------------------


def test_nontax_jump_is_the_only_month_far_above_its_units_other_months(duck, demo_anomalies):
    got = rows(
        duck,
        f"""
        WITH m AS (SELECT {UNIT} AS u, item_code, EXTRACT(year FROM collect_date) AS y,
                          EXTRACT(month FROM collect_date) AS mo, SUM(amount) AS a
                   FROM revenue WHERE item_code LIKE '103%' GROUP BY 1, 2, 3, 4),
             r AS (SELECT u, item_code, y, mo, a, (SUM(a) OVER (PARTITION BY u, item_code, y) - a) / 11 AS other
                   FROM m)
        SELECT u, item_code, CAST(y AS INTEGER), CAST(mo AS INTEGER), a / other FROM r WHERE other > 0""",
    )
    jump_keys = {f"{u}|{y}-{mo:02d}|{item}" for u, item, y, mo, x in got if x >= 10}
    assert jump_keys == {a["key"] for a in planted(demo_anomalies, "nontax_jump")}
    clean_max = max(x for u, item, y, mo, x in got if f"{u}|{y}-{mo:02d}|{item}" not in jump_keys)
    assert clean_max < 5, clean_max


# -- debt -------------------------------------------------------------------------------------------------------


def _debt_ratios(duck, year: int) -> dict[str, Decimal]:
    """unit → 年末债务余额 ÷ 综合财力 (一般公共预算收入 + 政府性基金收入 + 上级转移支付 received)."""
    got = rows(
        duck,
        f"""
        WITH debt AS (SELECT {UNIT} AS u, SUM(principal) AS d FROM bond
                      WHERE issue_date <= :end AND maturity_date > :end GROUP BY 1),
             rev AS (SELECT {UNIT} AS u, SUM(amount) AS a FROM revenue
                     WHERE EXTRACT(year FROM collect_date) = :y GROUP BY 1),
             fund AS (SELECT {UNIT} AS u, SUM(amount) AS a FROM fund_revenue
                      WHERE EXTRACT(year FROM collect_date) = :y GROUP BY 1),
             tr AS (SELECT to_region AS u, SUM(amount) AS a FROM transfer
                    WHERE EXTRACT(year FROM transfer_date) = :y GROUP BY 1)
        SELECT debt.u, debt.d / (COALESCE(rev.a, 0) + COALESCE(fund.a, 0) + COALESCE(tr.a, 0))
        FROM debt LEFT JOIN rev ON rev.u = debt.u LEFT JOIN fund ON fund.u = debt.u LEFT JOIN tr ON tr.u = debt.u
        """,
        end=f"{year}-12-31",
        y=year,
    )
    return dict(got)


GRADE_BANDS = {
    "红": (Decimal("3.0"), Decimal("1e9")),
    "橙": (Decimal("2.0"), Decimal("3.0")),
    "黄": (Decimal("1.2"), Decimal("2.0")),
}


def test_debt_ratio_planted_regions_fall_in_their_grade_band(duck, demo_anomalies):
    ratios = _debt_ratios(duck, LAST_YEAR)
    grades = set()
    for a in planted(demo_anomalies, "debt_ratio"):
        unit, year = a["key"].split("|")
        assert int(year) == LAST_YEAR and unit == a["region"]
        lo, hi = GRADE_BANDS[a["grade"]]
        assert lo <= ratios[unit] < hi, (unit, a["grade"], ratios[unit])
        grades.add(a["grade"])
    assert grades == set(GRADE_BANDS)


def test_debt_ratio_no_clean_unit_reaches_yellow(duck, demo_anomalies):
    ratios = _debt_ratios(duck, LAST_YEAR)
    planted_units = {a["region"] for a in planted(demo_anomalies, "debt_ratio")}
    counties = {r[0] for r in rows(duck, "SELECT adcode FROM region WHERE level = 'county'")}
    assert counties <= set(ratios), "a county without outstanding debt"
    high = {u: r for u, r in ratios.items() if u not in planted_units and r >= Decimal("1.2")}
    assert high == {}
    assert len(ratios) == len(rows(duck, "SELECT adcode FROM region WHERE level IN ('province','city','county')"))


# -- treasury cash ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cash_levels(duck):
    """(region, 'YYYY-MM') → closing ÷ average outflow of the month and the two before (fewer at the start)."""
    got = rows(
        duck,
        """
        SELECT region_code, CAST(year AS INTEGER), CAST(month AS INTEGER), closing,
               AVG(outflow) OVER (PARTITION BY region_code ORDER BY year, month
                                  ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS avg_out
        FROM treasury_cash""",
    )
    return {(r, f"{y}-{m:02d}"): (float(closing) / avg if avg else None) for r, y, m, closing, avg in got}


def _quality_months(demo_anomalies, rule: str) -> set[tuple[str, int, int]]:
    """(region, year, month) of the treasury rows planted out of balance on purpose (data-quality rule `rule`)."""
    out = set()
    for a in planted(demo_anomalies, f"quality_{rule}"):
        region, month = a["key"].split("·")
        out.add((region, int(month[:4]), int(month[5:])))
    return out


def test_treasury_rows_balance(duck, demo_anomalies):
    """Every month balances and opens on the last closing, except the quality defects planted so (A02, A03)."""
    bad = rows(duck, "SELECT region_code, year, month FROM treasury_cash WHERE closing <> opening + inflow - outflow")
    assert {tuple(r) for r in bad} == _quality_months(demo_anomalies, "A02")
    gaps = rows(
        duck,
        """
        SELECT b.region_code, b.year, b.month FROM treasury_cash a JOIN treasury_cash b
          ON b.region_code = a.region_code AND b.year * 12 + b.month = a.year * 12 + a.month + 1
        WHERE b.opening <> a.closing""",
    )
    assert {tuple(r) for r in gaps} == _quality_months(demo_anomalies, "A03")


def test_treasury_cash_low_every_planted_region_has_a_month_below_0_3(cash_levels, demo_anomalies):
    for a in planted(demo_anomalies, "treasury_cash_low"):
        assert a["key"] == f"{a['region']}|{a['months'][0]}"
        levels = [cash_levels[(a["region"], m)] for m in a["months"]]
        assert min(v for v in levels if v is not None) < 0.3, (a["region"], levels)


def test_treasury_cash_low_planted_months_are_below_0_3(cash_levels, demo_anomalies):
    for a in planted(demo_anomalies, "treasury_cash_low"):
        assert len(a["months"]) == 2
        for month in a["months"]:
            level = cash_levels[(a["region"], month)]
            assert level is not None and level < 0.3, (a["region"], month, level)


def test_treasury_cash_clean_region_months_are_at_least_0_5(cash_levels, demo_anomalies):
    low = {(a["region"], m) for a in planted(demo_anomalies, "treasury_cash_low") for m in a["months"]}
    bad = {k: v for k, v in cash_levels.items() if k not in low and v is not None and v < 0.5}
    assert bad == {}
    assert sum(v is not None for v in cash_levels.values()) > 137 * 20


# -- subsidies --------------------------------------------------------------------------------------------------


def test_subsidy_duplicate_id_is_exactly_the_planted_keys(duck, demo_anomalies):
    got = rows(
        duck,
        """
        SELECT recipient_id_number, program_id, STRFTIME(pay_date, '%Y-%m') AS ym,
               LIST(DISTINCT county_code ORDER BY county_code) AS counties
        FROM subsidy_payout GROUP BY 1, 2, 3 HAVING COUNT(DISTINCT county_code) >= 2""",
    )
    found = {f"{rid}|{prog}|{ym}": sorted(c) for rid, prog, ym, c in got}
    expected = {a["key"]: sorted(a["counties"]) for a in planted(demo_anomalies, "subsidy_duplicate_id")}
    assert found == expected


def test_subsidy_after_death_is_exactly_the_planted_payouts(duck, demo_anomalies):
    got = rows(
        duck,
        """
        SELECT s.id, s.recipient_id_number FROM subsidy_payout s
        JOIN person_death d ON d.id_number = s.recipient_id_number
        WHERE s.pay_date > d.death_date""",
    )
    anomalies = planted(demo_anomalies, "subsidy_after_death")
    assert {r[0] for r in got} == {i for a in anomalies for i in a["payout_ids"]}
    assert {r[1] for r in got} == {a["key"] for a in anomalies}
    deaths = dict(rows(duck, "SELECT id_number, CAST(death_date AS VARCHAR) FROM person_death"))
    assert all(deaths[a["key"]] == a["death_date"] for a in anomalies)


def test_subsidy_above_standard_is_exactly_the_planted_payouts(duck, demo_anomalies):
    got = rows(
        duck,
        """
        SELECT s.id FROM subsidy_payout s JOIN subsidy_program p ON p.id = s.program_id
        WHERE s.amount > p.standard_amount""",
    )
    assert {r[0] for r in got} == {int(a["key"]) for a in planted(demo_anomalies, "subsidy_above_standard")}


def test_subsidy_account_name_mismatch_is_exactly_the_planted_payouts(duck, demo_anomalies):
    got = rows(duck, "SELECT id FROM subsidy_payout WHERE account_name <> recipient_name")
    assert {r[0] for r in got} == {int(a["key"]) for a in planted(demo_anomalies, "subsidy_account_name_mismatch")}


def test_public_employees_on_dibao_are_exactly_the_planted_ones(duck, demo_anomalies):
    got = rows(
        duck,
        """
        SELECT DISTINCT s.recipient_id_number FROM subsidy_payout s
        JOIN public_employee e ON e.id_number = s.recipient_id_number
        WHERE s.category = '城乡居民最低生活保障'""",
    )
    assert {r[0] for r in got} == {a["key"] for a in planted(demo_anomalies, "subsidy_public_employee_dibao")}


# -- procurement ------------------------------------------------------------------------------------------------


def test_procurement_high_ratio_is_exactly_the_planted_contracts(duck, demo_anomalies):
    got = rows(duck, "SELECT id FROM procurement WHERE contract_amount >= 0.97 * budget_amount")
    expected = {i for a in planted(demo_anomalies, "procurement_high_ratio") for i in a["procurement_ids"]}
    assert {r[0] for r in got} == expected
    assert len(expected) == 8


_THRESHOLD = """CASE WHEN city_code IS NULL AND county_code IS NULL THEN 4000000 ELSE 2000000 END"""


def test_procurement_split_groups_sit_just_under_the_tender_threshold(duck, demo_anomalies):
    for a in planted(demo_anomalies, "procurement_split"):
        ids = a["procurement_ids"]
        assert len(ids) >= 2
        got = rows(
            duck,
            f"""
            SELECT COUNT(DISTINCT agency_id), COUNT(DISTINCT supplier_id), MAX(notice_date) - MIN(notice_date),
                   MIN(budget_amount / ({_THRESHOLD})), MAX(budget_amount / ({_THRESHOLD})),
                   SUM(budget_amount) / MIN({_THRESHOLD}), COUNT(*) FILTER (WHERE method = '公开招标')
            FROM procurement WHERE id IN ({",".join(map(str, ids))})""",
        )[0]
        agencies, suppliers, span, lo, hi, combined, tendered = got
        assert (agencies, suppliers, tendered) == (1, 1, 0), a
        assert span <= 30 and Decimal("0.8") <= lo and hi < 1, got
        assert combined >= 1, "split parts together must cross the threshold"


def test_clean_non_tender_goods_and_services_stay_out_of_the_band_below_the_threshold(duck, demo_anomalies):
    got = rows(
        duck,
        f"""
        SELECT id FROM procurement
        WHERE category <> '工程' AND method <> '公开招标'
          AND budget_amount >= 0.8 * ({_THRESHOLD}) AND budget_amount < ({_THRESHOLD})""",
    )
    expected = {i for a in planted(demo_anomalies, "procurement_split") for i in a["procurement_ids"]}
    assert {r[0] for r in got} == expected
