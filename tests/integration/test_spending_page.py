"""/spending: headline figures, 三保, the ranking and the drill-through tables equal the test's own SQL on the store;
payments trace up to their indicator and down to their (masked) payee; bad filters get notices."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from tests.integration.dash_tree import by_id, figure_in, text_of, walk
from tests.integration.topic_helpers import (
    PAGE_CASES,
    percent,
    render,
    row_count,
    row_links,
    shown,
    table,
    table_rows,
    total_text,
    yuan,
)

CASES = PAGE_CASES


def _period(first: int, last: int) -> str:
    return f"{first}-{last}"


def own_sql(duck, sql: str, **params):
    with duck.connect() as conn:
        return conn.execute(sa.text(sql), params).one()


def paid_and_budget(duck, column, code, year, first, last, where="1=1", budget_where=None):
    """Paid in the period (this year, last year) and the year's budget, from the facts; in `where`, `X.` is the
    payment or the indicator (a column both have), `i.` the indicator, `p.` the payment."""
    paid_where = where.replace("X.", "p.")
    budget_where = budget_where or where.replace("X.", "i.")
    return own_sql(
        duck,
        f"""
        select (select coalesce(sum(p.amount), 0) from payment p
                  join budget_indicator i on i.id = p.indicator_id
                 where p.{column} = :code and extract(year from p.pay_date) = :y
                   and extract(month from p.pay_date) between :a and :b and {paid_where}),
               (select coalesce(sum(p.amount), 0) from payment p
                  join budget_indicator i on i.id = p.indicator_id
                 where p.{column} = :code and extract(year from p.pay_date) = :y - 1
                   and extract(month from p.pay_date) between :a and :b and {paid_where}),
               (select coalesce(sum(i.amount), 0) from budget_indicator i
                 where i.{column} = :code and i.year = :y and {budget_where})
    """,
        code=code,
        y=year,
        a=first,
        b=last,
    )


@pytest.mark.parametrize("code, level, column, year, first, last", CASES)
def test_kpis_equal_the_store(call_callback, duck, code, level, column, year, first, last):
    out = render(call_callback, "spending", {"region": code, "year": str(year), "period": _period(first, last)})
    kpis = out["spending-kpis"]["children"]
    paid, paid_prev, budget = paid_and_budget(duck, column, code, year, first, last)
    assert text_of(by_id(kpis, "kpi-paid")) == shown(paid, level)
    assert text_of(by_id(kpis, "kpi-budget")) == shown(budget, level)
    assert text_of(by_id(kpis, "kpi-rate")) == percent(paid, budget)
    sb_paid, _prev, sb_budget = paid_and_budget(duck, column, code, year, first, last, "i.sanbao_type is not null")
    assert text_of(by_id(kpis, "kpi-sanbao")) == percent(sb_paid, sb_budget)
    assert out["spending-title"]["children"].endswith(f"{year}年{first}-{last}月")


@pytest.mark.parametrize(
    "where, query",
    [
        ("X.func_code = '205'", {"func": "205"}),
        ("X.econ_code = '302'", {"econ": "302"}),
        ("i.sanbao_type = '保工资'", {"sanbao": "保工资"}),
    ],
)
def test_filters_apply_to_the_headline(call_callback, duck, where, query):
    out = render(call_callback, "spending", {"region": "430100", "year": "2024", "period": "1-6", **query})
    paid, _prev, budget = paid_and_budget(duck, "city_code", "430100", 2024, 1, 6, where)
    kpis = out["spending-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-paid")) == shown(paid, "city")
    assert text_of(by_id(kpis, "kpi-budget")) == shown(budget, "city")


def test_pay_type_filter_narrows_payments_not_budget(call_callback, duck):
    out = render(
        call_callback, "spending", {"region": "430100", "year": "2024", "period": "1-6", "pay_type": "授权支付"}
    )
    paid, _prev, budget = paid_and_budget(
        duck, "city_code", "430100", 2024, 1, 6, "p.pay_type = '授权支付'", budget_where="1=1"
    )
    kpis = out["spending-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-paid")) == shown(paid, "city")
    assert text_of(by_id(kpis, "kpi-budget")) == shown(budget, "city")


@pytest.mark.parametrize("code, level, column, year, first, last", CASES[:2])
def test_ranking_is_own_level_plus_children_and_adds_up(call_callback, duck, code, level, column, year, first, last):
    out = render(call_callback, "spending", {"region": code, "year": str(year), "period": _period(first, last)})
    ranking = by_id(out["spending-ranking"]["children"], "spending-ranking-table")
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
            select coalesce({child}, 'own'), sum(amount) from payment where {column} = :code
               and extract(year from pay_date) = :y and extract(month from pay_date) between :a and :b
             group by 1"""),
                {"code": code, "y": year, "a": first, "b": last},
            ).all()
        )
        names = dict(
            conn.execute(sa.text("select name, adcode from region where parent_adcode = :c"), {"c": code}).all()
        )
    total, own, children = rows[0], rows[1], rows[2:]
    assert total[1] == "合计" and total[2] == shown(sum(per_child.values()), level)
    assert own[1].endswith("本级") and own[2] == shown(per_child["own"], level)
    assert {r[1] for r in children} == set(names)
    for rank, row in enumerate(children, start=1):
        assert row[0] == str(rank)
        assert row[2] == shown(per_child.get(names[row[1]], Decimal(0)), level)
    paid = [Decimal(r[2].replace(",", "")) for r in children]
    assert paid == sorted(paid, reverse=True)


def test_sanbao_lag_is_graded_red_beyond_eight_points(call_callback, demo_anomalies):
    """The demo plants 三保 lags > 8 points; the page grades that type 严重滞后 (红) in its chart."""
    planted = next(a for a in demo_anomalies if a["kind"] == "sanbao_lag")
    region, year, kind = planted["key"].split("|")
    out = render(call_callback, "spending", {"region": region, "year": year, "period": "1-12"})
    figure = figure_in(out, "sanbao-rate")
    bar = figure["data"][0]
    labels = dict(zip(bar["y"], bar["text"]))
    assert "严重滞后" in labels[kind]


@pytest.mark.parametrize("code, column, year, first, last", [(c[0], c[2], *c[3:]) for c in CASES])
def test_agency_table_totals_are_the_sum_of_all_its_rows(call_callback, duck, code, column, year, first, last):
    query = {"region": code, "year": str(year), "period": _period(first, last)}
    component, _page = table(call_callback, "spending", query)
    paid, _prev, budget = paid_and_budget(duck, column, code, year, first, last)
    agencies = own_sql(
        duck,
        f"""
        select count(*) from agency a where a.{column} = :code and (
          exists (select 1 from payment p where p.agency_id = a.id and extract(year from p.pay_date) = :y
                    and extract(month from p.pay_date) between :a and :b)
          or exists (select 1 from budget_indicator i where i.agency_id = a.id and i.year = :y))""",
        code=code,
        y=year,
        a=first,
        b=last,
    )[0]
    assert total_text(component, "spending", "paid") == yuan(paid)
    assert total_text(component, "spending", "budget") == yuan(budget)
    assert row_count(component, "spending") == agencies
    assert len(table_rows(component, "spending")) == min(50, agencies)


def _busy_indicator(duck, code="430102"):
    """An indicator of the county paying persons (对个人和家庭的补助), with several payments in 2024 H1."""
    return own_sql(
        duck,
        """
        select i.id, i.agency_id, i.doc_no, count(*) n, sum(p.amount) s from budget_indicator i
          join payment p on p.indicator_id = i.id
         where i.county_code = :code and i.year = 2024 and p.payee_is_person
           and p.pay_date between date '2024-01-01' and date '2024-06-30'
         group by 1, 2, 3 order by n desc, i.id limit 1""",
        code=code,
    )


def test_drill_agency_to_indicators_to_payments(call_callback, duck):
    indicator_id, agency_id, doc_no, n, total = _busy_indicator(duck)
    base = {"region": "430102", "year": "2024", "period": "1-6"}
    component, _ = table(call_callback, "spending", {**base, "agency": str(agency_id)})
    expected = own_sql(
        duck,
        """
        select count(*), sum(amount) from budget_indicator where agency_id = :a and year = 2024""",
        a=agency_id,
    )
    assert row_count(component, "spending") == expected[0]
    assert total_text(component, "spending", "amount") == yuan(expected[1])
    assert any(f"indicator={indicator_id}" in link for link in row_links(component, "spending"))

    component, _ = table(call_callback, "spending", {**base, "agency": str(agency_id), "indicator": str(indicator_id)})
    assert doc_no in text_of(component)
    assert row_count(component, "spending") == n
    assert total_text(component, "spending", "amount") == yuan(total)


def test_payment_traces_up_to_its_indicator_and_down_to_a_masked_payee(call_callback, duck):
    indicator_id, agency_id, doc_no, _n, _total = _busy_indicator(duck)
    payment_id, voucher, name, account = own_sql(
        duck,
        """
        select id, voucher_no, payee_name, payee_account from payment where indicator_id = :i and payee_is_person
         order by id limit 1""",
        i=indicator_id,
    )
    amount, paid = own_sql(
        duck,
        """
        select i.amount, (select sum(amount) from payment where indicator_id = i.id) from budget_indicator i
         where i.id = :i""",
        i=indicator_id,
    )
    out = render(
        call_callback,
        "spending",
        {
            "region": "430102",
            "year": "2024",
            "period": "1-6",
            "agency": str(agency_id),
            "indicator": str(indicator_id),
            "payment": str(payment_id),
        },
    )
    facts = text_of(by_id(out["spending-trace"]["children"], "spending-trace-facts"))
    assert voucher in facts and doc_no in facts
    assert f"{yuan(amount)} 元" in facts
    assert f"{yuan(amount - paid)} 元" in facts  # balance
    assert name not in facts and account not in facts
    assert f"{name[0]}*" in facts and f"****{account[-4:]}" in facts


@pytest.mark.parametrize(
    "query, words",
    [
        ({"func": "999"}, ["功能分类“999”无效"]),
        ({"pay_type": "现金"}, ["支付方式“现金”无效"]),
        ({"agency": "99999999"}, ["预算单位“99999999”无效"]),
        ({"payment": "abc"}, ["支付凭证“abc”无效"]),
    ],
)
def test_bad_filters_show_a_notice_and_are_dropped(call_callback, duck, query, words):
    out = render(call_callback, "spending", {"region": "430100", "year": "2024", "period": "1-6", **query})
    notices = text_of(out["spending-notices"]["children"])
    for word in words:
        assert word in notices
    paid, _prev, _budget = paid_and_budget(duck, "city_code", "430100", 2024, 1, 6)
    assert text_of(by_id(out["spending-kpis"]["children"], "kpi-paid")) == shown(paid, "city")


def test_agency_of_another_region_is_not_a_valid_drill(call_callback, duck):
    """An agency id from outside the drilled region is refused, so no link can show another region's books."""
    other = own_sql(duck, "select id from agency where city_code = '430200' order by id limit 1")[0]
    out = render(call_callback, "spending", {"region": "430100", "agency": str(other)})
    assert "预算单位" in text_of(out["spending-notices"]["children"])
    component, _ = table(call_callback, "spending", {"region": "430100", "agency": str(other)})
    assert "预算单位支出明细" in text_of(component)
