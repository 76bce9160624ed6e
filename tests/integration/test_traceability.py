"""Every payment traces to a budget indicator it may draw on: same agency, year, region and classification."""

from __future__ import annotations

import pytest

from tests.integration.region_sql import rows


def test_store_has_payments_and_indicators(duck):
    ((n_pay, n_ind),) = rows(duck, "SELECT (SELECT COUNT(*) FROM payment), (SELECT COUNT(*) FROM budget_indicator)")
    assert n_pay > 10_000 and n_ind > 1_000


def test_every_payment_has_an_existing_indicator(duck):
    orphans = rows(
        duck,
        """
        SELECT p.id, p.indicator_id FROM payment p
        LEFT JOIN budget_indicator i ON i.id = p.indicator_id
        WHERE i.id IS NULL LIMIT 10""",
    )
    assert orphans == []


def test_indicator_ids_are_unique(duck):
    dupes = rows(duck, "SELECT id FROM budget_indicator GROUP BY id HAVING COUNT(*) > 1 LIMIT 10")
    assert dupes == []


def test_payment_agency_is_its_indicators_agency(duck):
    bad = rows(
        duck,
        """
        SELECT p.id, p.agency_id, i.agency_id FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
        WHERE p.agency_id <> i.agency_id LIMIT 10""",
    )
    assert bad == []


def test_payment_is_made_in_its_indicators_year(duck):
    bad = rows(
        duck,
        """
        SELECT p.id, p.pay_date, i.year FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
        WHERE EXTRACT(year FROM p.pay_date) <> i.year LIMIT 10""",
    )
    assert bad == []


def _planted(anomalies: list[dict], kind: str) -> set[str]:
    """The records the demo spoiled on purpose for a data-quality rule (the anomaly manifest's keys)."""
    return {str(a["key"]) for a in anomalies if a["kind"] == kind}


def test_no_indicator_is_paid_beyond_its_amount_except_the_planted_ones(duck, demo_anomalies):
    over = rows(
        duck,
        """
        SELECT i.id FROM budget_indicator i
        JOIN payment p ON p.indicator_id = i.id
        GROUP BY i.id, i.amount HAVING SUM(p.amount) > i.amount""",
    )
    planted = _planted(demo_anomalies, "quality_A01")  # 准确性: paid beyond the indicator
    assert planted and {str(r[0]) for r in over} == planted


@pytest.mark.parametrize("column", ["province_code", "city_code", "county_code"])
def test_payment_region_ancestry_is_its_indicators(duck, column):
    bad = rows(
        duck,
        f"""
        SELECT p.id, p.{column}, i.{column} FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
        WHERE p.{column} IS DISTINCT FROM i.{column} LIMIT 10""",
    )
    assert bad == []


@pytest.mark.parametrize("column", ["func_code", "func_item_code", "econ_code", "econ_item_code"])
def test_payment_classification_is_its_indicators(duck, demo_anomalies, column):
    bad = rows(
        duck,
        f"""
        SELECT p.voucher_no FROM payment p JOIN budget_indicator i ON i.id = p.indicator_id
        WHERE p.{column} IS DISTINCT FROM i.{column}""",
    )
    # 准确性 A06 plants payments whose 款 (func_item_code) is not their indicator's; nothing else differs
    expected = _planted(demo_anomalies, "quality_A06") if column == "func_item_code" else set()
    assert {r[0] for r in bad} == expected


def test_func_item_is_inside_its_func_class(duck):
    bad = rows(
        duck,
        """
        SELECT id, func_code, func_item_code FROM budget_indicator
        WHERE SUBSTRING(func_item_code, 1, 3) <> func_code LIMIT 10""",
    )
    assert bad == []


def test_payment_agency_belongs_to_the_payment_region(duck):
    bad = rows(
        duck,
        """
        SELECT p.id FROM payment p JOIN agency a ON a.id = p.agency_id
        WHERE p.province_code IS DISTINCT FROM a.province_code OR p.city_code IS DISTINCT FROM a.city_code
           OR p.county_code IS DISTINCT FROM a.county_code LIMIT 10""",
    )
    assert bad == []
