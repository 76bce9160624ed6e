"""Totals reconcile at every level of the province: marts equal facts, and a parent is its 本级 plus its children.

All sums are taken once, in a handful of GROUP BY queries; each region's test looks its numbers up. The parent
check uses the `region` table for who the children are, so a fact row whose ancestry disagrees with the region
tree (a county under the wrong city, a county row missing its city) breaks it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard.core.regions import national_tree

PROVINCE = "430000"
_TREE = national_tree().subtree(PROVINCE)
REGIONS = sorted((r.adcode, r.level) for r in _TREE.regions.values() if r.level in ("province", "city", "county"))
PARENTS = [(code, level) for code, level in REGIONS if level != "county"]

# (fact table, its year expression, the mart that rolls it up)
PAIRS = [
    ("payment", "EXTRACT(year FROM pay_date)", "mart_payment_month"),
    ("revenue", "EXTRACT(year FROM collect_date)", "mart_revenue_month"),
    ("budget_indicator", "year", "mart_indicator_year"),
]
LEVEL_COLUMN = {"province": "province_code", "city": "city_code", "county": "county_code"}
ZERO = Decimal(0)


def _sums(conn, table: str, year_expr: str) -> dict:
    """(kind, level, code, year) → SUM(amount); kind is 'total' (subtree) or 'own' (本级); year None = all years."""
    out: dict = defaultdict(lambda: ZERO)
    for level, column in LEVEL_COLUMN.items():
        sql = (
            f"SELECT {column}, CAST({year_expr} AS INTEGER), SUM(amount) FROM {table} "
            f"WHERE {column} IS NOT NULL GROUP BY 1, 2"
        )
        for code, year, amount in conn.execute(sa.text(sql)):
            out[("total", level, code, int(year))] += amount
            out[("total", level, code, None)] += amount
    own = {
        "province": ("province_code", "city_code IS NULL AND county_code IS NULL"),
        "city": ("city_code", "city_code IS NOT NULL AND county_code IS NULL"),
    }
    for level, (column, where) in own.items():
        sql = f"SELECT {column}, CAST({year_expr} AS INTEGER), SUM(amount) FROM {table} WHERE {where} GROUP BY 1, 2"
        for code, year, amount in conn.execute(sa.text(sql)):
            out[("own", level, code, int(year))] += amount
            out[("own", level, code, None)] += amount
    return dict(out)


@pytest.fixture(scope="module")
def sums(duck):
    with duck.connect() as conn:
        facts = {fact: _sums(conn, fact, year_expr) for fact, year_expr, _mart in PAIRS}
        marts = {mart: _sums(conn, mart, "year") for _fact, _y, mart in PAIRS}
        store_regions = sorted(
            tuple(r)
            for r in conn.execute(
                sa.text("SELECT adcode, level FROM region WHERE level IN ('province', 'city', 'county')")
            )
        )
        children = defaultdict(list)
        for code, level, parent in conn.execute(
            sa.text("SELECT adcode, level, parent_adcode FROM region WHERE level IN ('city', 'county')")
        ):
            children[parent].append((code, level))
        years = sorted(
            int(y) for (y,) in conn.execute(sa.text("SELECT DISTINCT EXTRACT(year FROM pay_date) FROM payment"))
        )
    return {"facts": facts, "marts": marts, "regions": store_regions, "children": dict(children), "years": years}


def test_parametrized_regions_are_exactly_the_stores_regions(sums):
    assert sums["regions"] == REGIONS
    assert len([r for r in REGIONS if r[1] == "county"]) > 100
    assert sums["years"] == [2023, 2024]


def test_no_fact_row_outside_the_region_tree(duck):
    with duck.connect() as conn:
        for table, _y, _m in PAIRS:
            bad = conn.execute(
                sa.text(f"""
                SELECT t.province_code, t.city_code, t.county_code, COUNT(*) FROM {table} t
                LEFT JOIN region c ON c.adcode = t.city_code AND c.level = 'city'
                LEFT JOIN region k ON k.adcode = t.county_code AND k.level = 'county'
                WHERE t.province_code <> '{PROVINCE}'
                   OR (t.city_code IS NOT NULL AND c.adcode IS NULL)
                   OR (t.county_code IS NOT NULL AND k.adcode IS NULL)
                GROUP BY 1, 2, 3 LIMIT 10""")
            ).all()
            assert bad == [], table


@pytest.mark.parametrize("code,level", REGIONS, ids=[f"{lv}-{c}" for c, lv in REGIONS])
def test_marts_equal_facts_for_region(sums, code, level):
    mismatches = []
    for fact, _y, mart in PAIRS:
        for year in [*sums["years"], None]:
            key = ("total", level, code, year)
            f, m = sums["facts"][fact].get(key, ZERO), sums["marts"][mart].get(key, ZERO)
            if f != m:
                mismatches.append((fact, mart, year, f, m))
    assert mismatches == []
    # not vacuous: every region spends and collects revenue in every year
    for year in sums["years"]:
        assert sums["facts"]["payment"].get(("total", level, code, year), ZERO) > 0, (code, year)
        assert sums["facts"]["revenue"].get(("total", level, code, year), ZERO) > 0, (code, year)


@pytest.mark.parametrize("code,level", PARENTS, ids=[f"{lv}-{c}" for c, lv in PARENTS])
def test_parent_total_is_own_level_plus_children(sums, code, level):
    kids = sums["children"].get(code, [])
    if level == "province":
        assert kids, "the province has no children in the region table"
    mismatches = []
    for source in (*sums["facts"].values(), *sums["marts"].values()):
        for year in [*sums["years"], None]:
            total = source.get(("total", level, code, year), ZERO)
            own = source.get(("own", level, code, year), ZERO)
            children = sum((source.get(("total", kl, kc, year), ZERO) for kc, kl in kids), ZERO)
            if total != own + children:
                mismatches.append((year, total, own, children, total - own - children))
    assert mismatches == []


def test_province_own_level_plus_children_grouped_by_first_lower_code(duck):
    """The brief's form: 省 total = 省本级 + Σ over COALESCE(city_code, county_code) groups, per fact and year."""
    with duck.connect() as conn:
        for table, year_expr, _m in PAIRS:
            total = dict(
                conn.execute(
                    sa.text(
                        f"SELECT CAST({year_expr} AS INTEGER), SUM(amount) FROM {table} "
                        f"WHERE province_code = '{PROVINCE}' GROUP BY 1"
                    )
                ).all()
            )
            own = dict(
                conn.execute(
                    sa.text(
                        f"SELECT CAST({year_expr} AS INTEGER), SUM(amount) FROM {table} "
                        f"WHERE city_code IS NULL AND county_code IS NULL GROUP BY 1"
                    )
                ).all()
            )
            per_child = conn.execute(
                sa.text(
                    f"SELECT CAST({year_expr} AS INTEGER), COALESCE(city_code, county_code) AS child, SUM(amount) "
                    f"FROM {table} WHERE NOT (city_code IS NULL AND county_code IS NULL) GROUP BY 1, 2"
                )
            ).all()
            children = defaultdict(lambda: ZERO)
            child_codes = set()
            for year, child, amount in per_child:
                children[year] += amount
                child_codes.add(child)
            assert child_codes == {c for c, lv in REGIONS if lv == "city"}, table  # 湖南: no 省直管 counties
            for year in total:
                assert total[year] == own.get(year, ZERO) + children[year], (table, year)
                assert own.get(year, ZERO) > 0, (table, year)
