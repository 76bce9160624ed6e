"""One number: where two views show the same indicator for the same region and period, they show the same value.

Read off the rendered callback outputs of `/`, `/screen`, the topic pages (/spending, /transfers, /debt, /revenue)
and off the warning rules' findings, for the province, a city and a county, and for a cumulative period, a single
month and a full year. A view that computed its own way
(another denominator, another period rule) breaks the equality. Then the corrected definitions, against SQL of our
own: 省本级 综合财力 is net of what it passed down, and a single month is not graded against 序时进度.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.risk import measures
from dashboard.risk.measures import AsOf
from dashboard.risk.rules import RULES_BY_CODE
from queries import metrics
from tests.integration.dash_tree import by_id, text_of
from tests.integration.topic_helpers import render

VIEWPORT = {"width": 1920, "height": 1080}
REGIONS = ("430000", "430100", "431202")
PERIODS = ((1, 6), (6, 6), (1, 12))
SHOWN = {"kpi-execution": "execution", "kpi-direct": "direct_pay", "kpi-cash": "cash_level"}
RULE_OF = {"kpi-execution": "BUDGET_EXEC", "kpi-direct": "DIRECT_PAY", "kpi-cash": "TREASURY_CASH"}


def _period(first: int, last: int) -> str:
    return str(first) if first == last else f"{first}-{last}"


def _overview(call_callback, code: str, first: int, last: int) -> dict[str, str]:
    query = {"region": code, "year": "2024", "period": _period(first, last)}
    top = call_callback("overview-kpis", [("overview-query", "data", query)])["overview-kpis"]["children"]
    more = call_callback(
        "overview-more-kpis",
        [
            ("overview-query", "data", query),
            ("overview-metric", "value", "execution"),
            ("overview-viewport", "data", VIEWPORT),
        ],
    )["overview-more-kpis"]["children"]
    return {
        "kpi-execution": text_of(by_id(top, "kpi-execution")),
        "kpi-direct": text_of(by_id(more, "kpi-direct")),
        "kpi-cash": text_of(by_id(more, "kpi-cash")),
    }


def _screen(call_callback, code: str, first: int, last: int) -> dict[str, str]:
    out = call_callback(
        "screen-kpis",
        [
            ("screen-url", "search", f"?region={code}&year=2024&period={_period(first, last)}"),
            ("screen-viewport", "data", VIEWPORT),
            ("screen-map", "clickData", None),
            ("screen-metric", "value", "execution"),
            ("screen-refresh", "n_intervals", None),
        ],
        state=[("screen-version", "data", None)],
    )
    kpis = out["screen-kpis"]["children"]
    return {kpi: text_of(by_id(kpis, kpi)) for kpi in SHOWN}


def _text(kpi: str, value: float | None) -> str:
    return fmt.number(value) if kpi == "kpi-cash" else fmt.percent(value)


@pytest.mark.parametrize("first, last", PERIODS)
@pytest.mark.parametrize("code", REGIONS)
def test_overview_screen_and_metric_layer_show_one_number(call_callback, use_store, demo_url, code, first, last):
    overview = _overview(call_callback, code, first, last)
    screen = _screen(call_callback, code, first, last)
    use_store(demo_url)
    whole = metrics.whole(Scope("430000", "province"), DrillState(code, 2024, first, last), tuple(SHOWN.values()))
    for kpi, key in SHOWN.items():
        assert overview[kpi] == screen[kpi] == _text(kpi, whole[key]), (kpi, overview[kpi], screen[kpi])


# topic page → (its KPI, the metric it shows)
TOPIC_KPIS = {
    "spending": {"kpi-rate": "execution"},
    "transfers": {"kpi-payment": "direct_pay"},
    "debt": {"kpi-debt-ratio": "debt_ratio", "kpi-interest-ratio": "interest_general", "kpi-cash": "cash_level"},
    "revenue": {"kpi-tax-share": "tax_share", "kpi-self-sufficiency": "self_sufficiency"},
}
ON_OVERVIEW = {"execution": "kpi-execution", "direct_pay": "kpi-direct", "cash_level": "kpi-cash"}


@pytest.mark.parametrize("first, last", PERIODS)
@pytest.mark.parametrize("code", REGIONS)
def test_topic_pages_show_the_metric_layers_number(call_callback, use_store, demo_url, code, first, last):
    """/spending, /transfers, /debt and /revenue show the layer's value, and the same text as / where / shows it."""
    query = {"region": code, "year": "2024", "period": _period(first, last)}
    overview = _overview(call_callback, code, first, last)
    shown = {}
    for page, kpis in TOPIC_KPIS.items():
        out = render(call_callback, page, query)[f"{page}-kpis"]["children"]
        shown.update({key: text_of(by_id(out, kpi)) for kpi, key in kpis.items()})
    use_store(demo_url)
    keys = tuple(shown)
    whole = metrics.whole(Scope("430000", "province"), DrillState(code, 2024, first, last), keys)
    for key, text in shown.items():
        expected = f"{whole[key]:.2f}" if key == "cash_level" else fmt.percent(whole[key])
        assert text == expected, (key, text, expected)
        if key in ON_OVERVIEW:
            assert text == overview[ON_OVERVIEW[key]], key


def test_debt_page_says_which_years_capacity_the_ratio_uses(call_callback):
    """A year still running: 综合财力 is the last closed year's, and the page says so."""
    out = render(call_callback, "debt", {"region": "430100", "year": "2024", "period": "1-6"})
    assert "综合财力按2023年全年" in text_of(out["debt-kpis"]["children"])


def _rule_value(conn, kpi: str, unit: str, as_of: AsOf) -> float | None:
    """The rule's value for `unit`: from its finding when it warned, else from the measure it grades."""
    found = RULES_BY_CODE[RULE_OF[kpi]].evaluate(conn, as_of)
    mine = found[(found["region"] == unit) & (found["period"] == as_of.key)]
    if not mine.empty:
        return mine.iloc[0]["value"]
    if kpi == "kpi-cash":
        frame = measures.cash_levels(conn, as_of).query(f"month == {as_of.month}")
    else:
        frame = measures.execution(conn, as_of, SHOWN[kpi])
    return frame.set_index("region")["value"].get(unit)


@pytest.mark.parametrize("last", (6, 12))
def test_a_rule_finds_the_number_the_pages_show_for_a_county(call_callback, duck, last):
    """Rules judge units as of a month (January to its end): at a county the unit is the region itself."""
    county = "431202"
    shown = _screen(call_callback, county, 1, last)
    with duck.connect() as conn:
        for kpi in RULE_OF:
            assert _text(kpi, _rule_value(conn, kpi, county, AsOf(2024, last))) == shown[kpi], kpi


def test_province_own_level_capacity_is_net_of_what_it_passed_down(duck, use_store, demo_url):
    """本级 综合财力 = own revenue + fund revenue + transfers received − transfers passed down (full year 2024)."""
    sql = """
        select
          (select coalesce(sum(amount), 0) from revenue where province_code = '430000' and city_code is null
             and county_code is null and extract(year from collect_date) = 2024)
        + (select coalesce(sum(amount), 0) from fund_revenue where province_code = '430000' and city_code is null
             and county_code is null and extract(year from collect_date) = 2024)
        + (select coalesce(sum(amount), 0) from transfer where to_region = '430000'
             and extract(year from transfer_date) = 2024)
        - (select coalesce(sum(amount), 0) from transfer where from_region = '430000'
             and extract(year from transfer_date) = 2024)
    """
    with duck.connect() as conn:
        expected = Decimal(conn.execute(sa.text(sql)).scalar_one())
        passed_down = Decimal(
            conn.execute(sa.text("select sum(amount) from transfer where from_region = '430000'")).scalar_one()
        )
    assert passed_down > 0
    use_store(demo_url)
    rows = metrics.by_region(Scope("430000", "province"), DrillState("430000", 2024, 1, 12), ("capacity",))
    own = rows[rows["is_own_level"]].iloc[0]
    assert own["capacity_num"] == expected
    assert own["capacity_note"] == "按2024年全年"
    whole = metrics.total_of(rows, ("capacity",), DrillState("430000", 2024, 1, 12))
    assert whole["capacity_num"] == sum(rows["capacity_num"], Decimal(0))


def test_a_single_month_is_not_graded_against_the_cumulative_line(call_callback, duck):
    """?period=6: June's payments ÷ the year's budget, set against June's own 1/12 and not graded."""
    with duck.connect() as conn:
        paid, budget = conn.execute(
            sa.text(
                "select (select sum(amount) from payment where extract(year from pay_date) = 2024 "
                "and extract(month from pay_date) = 6), (select sum(amount) from budget_indicator where year = 2024)"
            )
        ).one()
    out = call_callback(
        "overview-kpis", [("overview-query", "data", {"region": "430000", "year": "2024", "period": "6"})]
    )["overview-kpis"]["children"]
    text = text_of(out)
    assert text_of(by_id(out, "kpi-execution")) == fmt.percent(float(Decimal(paid) / Decimal(budget)))
    assert "当期预算占比 8.3%" in text
    assert "序时进度 50.0%" not in text
    screen = _screen(call_callback, "430000", 6, 6)
    assert screen["kpi-execution"] == text_of(by_id(out, "kpi-execution"))


TOPIC_RULES = {
    "debt_ratio": "DEBT_RATIO",
    "interest_general": "DEBT_INTEREST",
    "tax_share": "REVENUE_TAX_SHARE",
    "self_sufficiency": "REVENUE_SELF_SUFFICIENCY",
}


@pytest.mark.parametrize("last", (6, 12))
def test_a_rule_finds_the_number_the_topic_pages_show_for_a_county(call_callback, duck, last):
    county, as_of = "431202", AsOf(2024, last)
    query = {"region": county, "year": "2024", "period": f"1-{last}"}
    shown = {}
    for page in ("debt", "revenue"):
        out = render(call_callback, page, query)[f"{page}-kpis"]["children"]
        shown.update({key: text_of(by_id(out, kpi)) for kpi, key in TOPIC_KPIS[page].items()})
    with duck.connect() as conn:
        for key, code in TOPIC_RULES.items():
            found = RULES_BY_CODE[code].evaluate(conn, as_of)
            mine = found[found["region"] == county]
            value = (
                mine.iloc[0]["value"]
                if not mine.empty
                else measures.metric(conn, key, as_of).set_index("region")["value"].get(county)
            )
            assert fmt.percent(value) == shown[key], (key, code)


@pytest.mark.parametrize("region", ("430000", "430100"))
def test_the_allocation_rule_reads_the_transfers_pages_allocation(duck, use_store, demo_url, region):
    """直达资金分配进度 of the DIRECT_ALLOCATE rule per unit equals /transfers' row of that unit (本级 included),
    at the province (which passes 直达 funds down) and at a city."""
    from queries import transfers

    use_store(demo_url)
    state = DrillState(region, 2024, 1, 6)
    scope = Scope("430000", "province")
    rows = transfers.direct_fund_progress(
        transfers.direct_fund_flows(scope, state), "code", transfers.direct_payment(scope, state, "code")
    )
    shown = {region if r.is_own_level else r.code: r.allocation_rate for r in rows.itertuples()}
    with duck.connect() as conn:
        rule = measures.direct_allocation(conn, AsOf(2024, 6)).set_index("region")["value"]
    own = shown.pop(region)
    assert own == pytest.approx(rule[region], abs=1e-12)
    leaves = [c for c in shown if c in rule.index and c[4:] != "00"]  # counties under a province hang from cities
    for code in leaves:
        assert shown[code] == pytest.approx(rule[code], abs=1e-12), code
