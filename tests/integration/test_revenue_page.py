"""/revenue: headline figures (收入, 税收, 税收占比, 财政自给率), the ranking, the items driving the change and the
drill-through tables equal the test's own SQL on the store."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
import sqlalchemy as sa

from tests.integration.dash_tree import by_id, figure_in, text_of, walk
from tests.integration.topic_helpers import (
    PAGE_CASES,
    numbers,
    percent,
    render,
    row_count,
    row_links,
    shown,
    table,
    total_text,
    yuan,
)

CASES = PAGE_CASES

IN_PERIOD = "extract(year from {d}) = :y and extract(month from {d}) between :a and :b"


def store(duck, column, code, year, first, last):
    """Revenue, tax, last year's revenue and 一般公共预算支出 of the subtree over the months, from the facts."""
    revenue_period = IN_PERIOD.format(d="collect_date")
    with duck.connect() as conn:
        return conn.execute(
            sa.text(f"""
            select (select coalesce(sum(amount), 0) from revenue where {column} = :code and {revenue_period}),
                   (select coalesce(sum(amount), 0) from revenue where {column} = :code and {revenue_period}
                      and item_code like '101%'),
                   (select coalesce(sum(amount), 0) from revenue where {column} = :code
                      and {revenue_period.replace(":y", ":y - 1")}),
                   (select coalesce(sum(amount), 0) from payment where {column} = :code
                      and {IN_PERIOD.format(d="pay_date")})"""),
            {"code": code, "y": year, "a": first, "b": last},
        ).one()


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_kpis_equal_the_store(call_callback, duck, code, level, column, year, first, last):
    out = render(call_callback, "revenue", {"region": code, "year": str(year), "period": f"{first}-{last}"})
    revenue, tax, previous, spending = store(duck, column, code, year, first, last)
    kpis = out["revenue-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-revenue")) == shown(revenue, level)
    assert text_of(by_id(kpis, "kpi-tax")) == shown(tax, level)
    assert text_of(by_id(kpis, "kpi-tax-share")) == percent(tax, revenue)
    assert text_of(by_id(kpis, "kpi-self-sufficiency")) == percent(revenue, spending)
    if previous:
        change = ((revenue - previous) / previous * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        assert f"同比 {'+' if change > 0 else ''}{change}%" in text_of(kpis)
    else:  # the store starts in 2023: no base year
        assert "同比 —" in text_of(kpis)


@pytest.mark.parametrize("code, level, column, year, first, last", CASES[:2])
def test_ranking_has_own_level_and_every_child_and_adds_up(call_callback, duck, code, level, column, year, first, last):
    out = render(call_callback, "revenue", {"region": code, "year": str(year), "period": f"{first}-{last}"})
    ranking = by_id(out["revenue-ranking"]["children"], "revenue-ranking-table")
    rows = [
        [text_of(td) for td in tr["props"]["children"]]
        for tr in walk(ranking)
        if tr["type"] == "Tr" and tr["props"].get("className", "").startswith("row-")
    ]
    child = "coalesce(city_code, county_code)" if level == "province" else "county_code"
    with duck.connect() as conn:
        per_child = dict(
            conn.execute(
                sa.text(f"""
            select coalesce({child}, 'own'), sum(amount) from revenue where {column} = :code
               and {IN_PERIOD.format(d="collect_date")} group by 1"""),
                {"code": code, "y": year, "a": first, "b": last},
            ).all()
        )
        names = dict(
            conn.execute(sa.text("select name, adcode from region where parent_adcode = :c"), {"c": code}).all()
        )
    total, own, children = rows[0], rows[1], rows[2:]
    assert total[2] == shown(sum(per_child.values()), level)
    assert own[1].endswith("本级") and own[2] == shown(per_child["own"], level)
    assert {r[1]: r[2] for r in children} == {n: shown(per_child.get(c, Decimal(0)), level) for n, c in names.items()}


def test_drivers_chart_shows_the_planted_non_tax_jump(call_callback, demo_anomalies):
    """The demo plants a sudden 罚没收入 (10305) jump in one unit and month: it leads that month's drivers."""
    planted = next(a for a in demo_anomalies if a["kind"] == "nontax_jump")
    region, month, item = planted["key"].split("|")
    year, month = month.split("-")
    out = render(call_callback, "revenue", {"region": region, "year": year, "period": str(int(month))})
    figure = figure_in(out, "drivers")
    bar = figure["data"][0]
    biggest = max(zip(numbers(bar["x"]), bar["customdata"]), key=lambda pair: abs(pair[0]))
    assert biggest[1] == item and biggest[0] > 0


@pytest.mark.parametrize("code, column, year, first, last", [(c[0], c[2], *c[3:]) for c in CASES])
def test_item_table_totals_equal_the_store(call_callback, duck, code, column, year, first, last):
    component, _ = table(call_callback, "revenue", {"region": code, "year": str(year), "period": f"{first}-{last}"})
    revenue, _tax, previous, _spending = store(duck, column, code, year, first, last)
    assert total_text(component, "revenue", "current") == yuan(revenue)
    assert total_text(component, "revenue", "previous") == yuan(previous)
    assert total_text(component, "revenue", "change") == yuan(revenue - previous)
    assert any("item=10101" in link for link in row_links(component, "revenue"))


def test_item_drills_to_its_collection_records(call_callback, duck):
    query = {"region": "430100", "year": "2024", "period": "1-6", "item": "10101"}
    component, page = table(call_callback, "revenue", query)
    with duck.connect() as conn:
        count, total = conn.execute(
            sa.text(f"""
            select count(*), sum(amount) from revenue where city_code = '430100' and item_code = '10101'
               and {IN_PERIOD.format(d="collect_date")}"""),
            {"y": 2024, "a": 1, "b": 6},
        ).one()
    assert row_count(component, "revenue") == count
    assert total_text(component, "revenue", "amount") == yuan(total)
    assert "入库明细" in text_of(component)
    assert (page["next"] is not None) == (count > 50)


def test_cross_filter_by_kind_narrows_the_other_charts(call_callback, duck):
    out = render(call_callback, "revenue", {"region": "430000", "year": "2024", "period": "1-6", "kind": "103"})
    items = figure_in(out, "items")["data"][0]
    assert items["customdata"] and all(code.startswith("103") for code in items["customdata"])
    kind = figure_in(out, "kind")["data"][0]
    assert set(kind["customdata"]) == {"101", "103"}  # a chart does not filter itself
