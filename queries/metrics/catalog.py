"""The indicators, declared once: one `Metric` row each, with its sums, period rule, grading and definition.

A metric is numerator ÷ denominator, each a signed sum of `Term`s over the facts or marts. Every term is a plain
SUM over rows that carry the region ancestry (province_code, city_code, county_code), so a metric rolls up at any
level by summing first and dividing last; 本级 and every child are rows of the same statement, and a parent is their
sum. The period a term reads is one of the `Window`s below, resolved against a `Period` (the drill's year and
months, or a rule's as-of month).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa

from dashboard.core import grades
from dashboard.core.grades import Grade
from dashboard.core.periods import month_after, month_end
from dashboard.store.schema import (
    bond,
    fund_revenue,
    fund_spending,
    mart_indicator_unit_year,
    mart_indicator_year,
    mart_payment_month,
    mart_revenue_month,
    mart_subsidy_month,
    procurement,
    region,
    region_stat,
    transfer,
    treasury_cash,
)

SANBAO_TYPES = ("保工资", "保运转", "保基本民生")
INTEREST_FUNCTION = "232"  # 债务付息支出


@dataclass(frozen=True)
class Period:
    """The months a metric is asked for: `first_month`..`last_month` of `year`. Cumulative when it starts in
    January: only then is an execution rate graded against 序时进度."""

    year: int
    first_month: int
    last_month: int

    @property
    def cumulative(self) -> bool:
        return self.first_month == 1

    @property
    def end(self) -> dt.date:
        return month_end(self.year, self.last_month)

    @property
    def time_progress(self) -> float:
        """序时进度: months elapsed at the period's end ÷ 12."""
        return self.last_month / 12

    @property
    def own_share(self) -> float:
        """The period's own share of the year's budget (1/12 for a single month)."""
        return (self.last_month - self.first_month + 1) / 12

    @property
    def capacity_year(self) -> int:
        """The full year 综合财力 is taken over: this year once December is in, else the last closed year."""
        return self.year if self.last_month == 12 else self.year - 1


# -- windows: which rows of a table a period reads ------------------------------------------------------------------

Window = Callable[[sa.FromClause, Period], list[sa.ColumnElement[bool]]]


def _ym(source: sa.FromClause) -> sa.ColumnElement:
    return source.c.year * 12 + source.c.month


def months_of_period(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """The period's own months (year and month columns)."""
    return [source.c.year == p.year, source.c.month.between(p.first_month, p.last_month)]


def january_to_end(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """Cumulative from January to the period's end (year and month columns)."""
    return [source.c.year == p.year, source.c.month <= p.last_month]


def same_months_last_year(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """The period's months a year before (year and month columns)."""
    return [source.c.year == p.year - 1, source.c.month.between(p.first_month, p.last_month)]


def budget_year(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    return [source.c.year == p.year]


def month_of_end(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """The period's last month alone (month-end balances)."""
    return [_ym(source) == p.year * 12 + p.last_month]


def three_months_to_end(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """The period's last month and the two before it (across a year boundary)."""
    now = p.year * 12 + p.last_month
    return [_ym(source).between(now - 2, now)]


@functools.cache  # one window object per (column, rule): terms over the same table and window then share a scan
def dated(column: str, rule: str) -> Window:
    """A window over a date column: 'period' (the period's months), 'ytd' (January to the period's end),
    'capacity' (the whole of `Period.capacity_year`), 'issued' (the year's rows dated by the period's end)."""

    def window(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
        c = source.c[column]
        if rule == "period":
            return [c >= dt.date(p.year, p.first_month, 1), c < month_after(p.year, p.last_month)]
        if rule == "ytd":
            return [c >= dt.date(p.year, 1, 1), c < month_after(p.year, p.last_month)]
        if rule == "capacity":
            return [c >= dt.date(p.capacity_year, 1, 1), c < dt.date(p.capacity_year + 1, 1, 1)]
        if rule == "issued":
            return [source.c.year == p.year, c <= p.end]
        raise ValueError(rule)

    return window


def issued_by_end(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """The year's indicators issued by the period's end (a unit mart row keeps its month of issue)."""
    return [source.c.year == p.year, source.c.issue_ym <= p.year * 12 + p.last_month]


def capacity_months(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    return [source.c.year == p.capacity_year]


def live_at_end(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """Bonds owed at the period's end: issued by then, not yet due."""
    return [source.c.issue_date <= p.end, source.c.maturity_date > p.end]


def due_within_a_year(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """Bonds owed at the period's end that fall due in the 12 months after it."""
    return [*live_at_end(source, p), source.c.maturity_date <= month_end(p.year + 1, p.last_month)]


# -- terms ---------------------------------------------------------------------------------------------------------


def _ancestry_of(area: sa.FromClause, parent: sa.FromClause) -> tuple[sa.ColumnElement, ...]:
    """(province_code, city_code, county_code) of a region row `area` joined to its parent row `parent`, as the
    facts carry them (a county directly under the province has no city)."""
    province = sa.case(
        (area.c.level == "province", area.c.adcode),
        (area.c.level == "city", area.c.parent_adcode),
        (parent.c.level == "city", parent.c.parent_adcode),
        else_=area.c.parent_adcode,
    )
    city = sa.case(
        (area.c.level == "city", area.c.adcode),
        (sa.and_(area.c.level == "county", parent.c.level == "city"), parent.c.adcode),
    )
    county = sa.case((area.c.level == "county", area.c.adcode))
    return province, city, county


def _given() -> sa.Subquery:
    """Transfers seen from the giver: each row with the ancestry of `from_region` (transfers from outside the
    province have no ancestry here, so they are never subtracted)."""
    t, giver, parent = transfer, region.alias("giver"), region.alias("giver_parent")
    province, city, county = _ancestry_of(giver, parent)
    return (
        sa.select(
            t.c.amount,
            t.c.transfer_date,
            t.c.direct_fund,
            t.c.program,
            province.label("province_code"),
            city.label("city_code"),
            county.label("county_code"),
        )
        .select_from(
            t.join(giver, giver.c.adcode == t.c.from_region).outerjoin(parent, parent.c.adcode == giver.c.parent_adcode)
        )
        .where(giver.c.level.in_(["province", "city", "county"]))
        .subquery("transfer_given")
    )


@dataclass(frozen=True)
class Term:
    """SUM(`amount`) × `sign` over the rows of `source` inside `window` and matching `where`.

    `dims` maps a dimension (a filter a caller may cut by) to the source's column; `factor` scales the sum
    exactly after it is read (a three-month average divides by 3)."""

    name: str
    source: Callable[[], sa.FromClause]
    amount: str
    window: Window
    where: Callable[[sa.FromClause], list[sa.ColumnElement[bool]]] = lambda _s: []
    dims: dict[str, str] = field(default_factory=dict)
    sign: int = 1
    factor: Decimal = Decimal(1)


def _is(column: str, value: object) -> Callable[[sa.FromClause], list[sa.ColumnElement[bool]]]:
    return lambda s: [s.c[column] == value]


SPENDING_DIMS = {"func": "func_code", "econ": "econ_code", "sanbao": "sanbao_type", "direct": "direct_fund"}
PAID_DIMS = {**SPENDING_DIMS, "pay_type": "pay_type"}


def paid(window: Window, where=lambda _s: [], name: str = "paid") -> Term:
    return Term(name, lambda: mart_payment_month, "amount", window, where, PAID_DIMS)


def budget(where=lambda _s: [], name: str = "budget") -> Term:
    return Term(name, lambda: mart_indicator_year, "amount", budget_year, where, SPENDING_DIMS)


def revenue_of(window: Window, where=lambda _s: [], name: str = "revenue") -> Term:
    return Term(name, lambda: mart_revenue_month, "amount", window, where, {"item": "item_code"})


def _sanbao(kind: str | None):
    if kind is None:
        return lambda s: [s.c.sanbao_type.in_(SANBAO_TYPES)]
    return _is("sanbao_type", kind)


def _direct(s: sa.FromClause) -> list[sa.ColumnElement[bool]]:
    return [s.c.direct_fund.is_(True)]


DIRECT_DIMS = {"program": "program"}


CAPACITY_TERMS = (
    revenue_of(capacity_months, name="capacity_revenue"),
    Term("capacity_fund_revenue", lambda: fund_revenue, "amount", dated("collect_date", "capacity")),
    Term(
        "capacity_transfers_received",
        lambda: transfer,
        "amount",
        dated("transfer_date", "capacity"),
    ),
    Term("capacity_transfers_given", _given, "amount", dated("transfer_date", "capacity"), sign=-1),
)


@functools.cache  # one subquery object: every term over it shares one scan
def residents() -> sa.Subquery:
    """`region_stat` with the region ancestry of each row, keeping each region's finest rows of a year (a region
    none of whose children has a row that year): a county, or a city given without its counties. The contract has a
    parent equal the sum of its children, so summing the finest rows gives every level's total; 本级 (a city or the
    province itself) has no residents of its own and so no per-capita figure."""
    s, area, parent = region_stat, region.alias("stat_region"), region.alias("stat_parent")
    child, child_region = region_stat.alias("stat_child"), region.alias("stat_child_region")
    province, city, county = _ancestry_of(area, parent)
    # (region, year) pairs that have a child row that year; uncorrelated, so every engine plans it as one join
    finer = sa.tuple_(s.c.region_code, s.c.year).in_(
        sa.select(child_region.c.parent_adcode, child.c.year)
        .select_from(child.join(child_region, child_region.c.adcode == child.c.region_code))
        .where(child_region.c.parent_adcode.is_not(None))
    )
    return (
        sa.select(
            s.c.year,
            s.c.population,
            s.c.gdp,
            province.label("province_code"),
            city.label("city_code"),
            county.label("county_code"),
        )
        .select_from(
            s.join(area, area.c.adcode == s.c.region_code).outerjoin(parent, parent.c.adcode == area.c.parent_adcode)
        )
        .where(area.c.level.in_(["province", "city", "county"]), ~finer)
        .subquery("residents")
    )


def statistics_year(source: sa.FromClause, p: Period) -> list[sa.ColumnElement[bool]]:
    """The statistics of the latest year up to the period's year (a yearbook comes out the year after), or of the
    earliest year held when all are later."""
    years = region_stat.alias("stat_years")
    latest = sa.select(sa.func.max(years.c.year)).where(years.c.year <= p.year).scalar_subquery()
    earliest = sa.select(sa.func.min(years.c.year)).scalar_subquery()
    return [source.c.year == sa.func.coalesce(latest, earliest)]


POPULATION = Term("population", residents, "population", statistics_year)
PER_CAPITA_RULE = "分子按期间;常住人口取不晚于当年的最近统计年度"


def _per_capita(key: str, name: str, numerator: Term, what: str, dimensions: tuple[str, ...] = ()) -> Metric:
    return Metric(
        key,
        name,
        "元/人",
        (numerator,),
        (POPULATION,),
        PER_CAPITA_RULE,
        f"{what} ÷ 年末常住人口(元/人;人口取不晚于当年的最近统计年度;本级无常住人口,不计人均)",
        dimensions=dimensions,
        note=lambda p: "常住人口取不晚于当年的最近统计年度",
    )


# -- gradings and benchmarks ----------------------------------------------------------------------------------------


def _ungraded(_value: float | None, _p: Period) -> Grade:
    return grades.NORMAL


def _plain(grading: Callable[[float | None], Grade]) -> Callable[[float | None, Period], Grade]:
    return lambda value, _p: grading(value)


def lag_grade(value: float | None, p: Period) -> Grade:
    """Against 序时进度 only when the period is cumulative from January; a period of its own months is shown
    beside its own share of the budget and not graded."""
    if not p.cumulative:
        return Grade(None, "当期不评级")
    return grades.execution_lag(value, p.time_progress)


def as_of_lag_grade(value: float | None, p: Period) -> Grade:
    """An as-of-the-period's-end rate is cumulative by construction: always against 序时进度."""
    return grades.execution_lag(value, p.time_progress)


def time_progress(p: Period) -> float | None:
    return p.time_progress if p.cumulative else p.own_share


def end_progress(p: Period) -> float | None:
    return p.time_progress


# -- the table ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Metric:
    """One indicator. `unit` is 'ratio' (a share of 1), 'months', 'times' (a multiple) or '元'; `benchmark` is
    what the value is set against on screen (序时进度, or the period's own share of the year); `definition` is the
    one line shown beside the number; `period_rule` says in words which months it reads."""

    key: str
    name: str
    unit: str
    numerator: tuple[Term, ...]
    denominator: tuple[Term, ...]
    period_rule: str
    definition: str
    grading: Callable[[float | None, Period], Grade] = _ungraded
    benchmark: Callable[[Period], float | None] = lambda _p: None
    dimensions: tuple[str, ...] = ()
    note: Callable[[Period], str] = lambda _p: ""


def _execution(key: str, name: str, only, what: str) -> Metric:
    return Metric(
        key,
        name,
        "ratio",
        (paid(months_of_period, only),),
        (budget(only),),
        "期间各月支付 ÷ 全年预算指标;自1月起累计时对照序时进度",
        f"{what}本期支付 ÷ 全年预算指标;1月起累计的期间对照序时进度(月份 ÷ 12),"
        "单月或中段期间对照其自身月份占全年的比例,不评级",
        lag_grade,
        time_progress,
        ("func", "econ", "sanbao", "direct"),
    )


METRICS: tuple[Metric, ...] = (
    _execution("execution", "预算执行率", lambda _s: [], ""),
    _execution("sanbao", "三保执行率", _sanbao(None), "三保(保工资、保运转、保基本民生)指标:"),
    _execution("sanbao_wage", "保工资执行率", _sanbao("保工资"), "保工资指标:"),
    _execution("sanbao_running", "保运转执行率", _sanbao("保运转"), "保运转指标:"),
    _execution("sanbao_livelihood", "保基本民生执行率", _sanbao("保基本民生"), "保基本民生指标:"),
    Metric(
        "direct_pay",
        "直达资金支付进度",
        "ratio",
        (
            Term(
                "direct_paid",
                lambda: mart_payment_month,
                "amount",
                january_to_end,
                _direct,
                {"program": "transfer_program"},
            ),
        ),
        (
            Term(
                "direct_allocated",
                lambda: mart_indicator_unit_year,
                "amount",
                issued_by_end,
                _direct,
                {"program": "transfer_program"},
            ),
        ),
        "截至期末:1月起累计支付 ÷ 期末前已分配的指标",
        "截至期末,直达资金累计支付 ÷ 已分配到最终用款单位的直达资金指标,对照序时进度",
        as_of_lag_grade,
        end_progress,
        ("program",),
    ),
    Metric(
        "direct_allocate",
        "直达资金分配进度",
        "ratio",
        (
            Term(
                "direct_allocated",
                lambda: mart_indicator_unit_year,
                "amount",
                issued_by_end,
                _direct,
                {"program": "transfer_program"},
            ),
        ),
        (
            Term("direct_received", lambda: transfer, "amount", dated("transfer_date", "ytd"), _direct, DIRECT_DIMS),
            Term("direct_given", _given, "amount", dated("transfer_date", "ytd"), _direct, DIRECT_DIMS, sign=-1),
        ),
        "截至期末:期末前已分配的指标 ÷ 1月起收到的直达资金(扣除转拨下级)",
        "截至期末,已分配到最终用款单位的直达资金指标 ÷ 1月起收到的直达资金扣除转拨下级的部分(留在本级及所辖的资金)",
        _plain(grades.direct_allocation),
        dimensions=("program",),
    ),
    Metric(
        "cash_level",
        "库款保障水平",
        "months",
        (Term("cash_closing", lambda: treasury_cash, "closing", month_of_end),),
        (Term("cash_outflow_avg", lambda: treasury_cash, "outflow", three_months_to_end, factor=Decimal(1) / 3),),
        "期末月",
        "期末月末库款余额 ÷ 近3个月(含当月)月均库款流出",
        _plain(grades.cash_level),
    ),
    Metric(
        "capacity",
        "综合财力",
        "元",
        CAPACITY_TERMS,
        (),
        "全年:当年已满12个月取当年,否则取上一完整年度",
        "一般公共预算收入 + 政府性基金收入 + 上级转移支付 − 补助下级支出(全年)",
        note=lambda p: f"按{p.capacity_year}年全年",
    ),
    Metric(
        "debt_ratio",
        "债务率",
        "ratio",
        (Term("debt", lambda: bond, "principal", live_at_end, dims={"bond_kind": "kind"}),),
        CAPACITY_TERMS,
        "债务余额截至期末;综合财力取全年(当年满12个月取当年,否则取上一完整年度)",
        "期末债务余额 ÷ 全年综合财力(一般公共预算收入 + 政府性基金收入 + 上级转移支付 − 补助下级支出)",
        _plain(grades.debt_ratio),
        note=lambda p: f"综合财力按{p.capacity_year}年全年",
    ),
    Metric(
        "maturity_cover",
        "到期债务偿还压力",
        "times",
        (Term("maturing", lambda: bond, "principal", due_within_a_year, dims={"bond_kind": "kind"}),),
        (Term("cash_closing", lambda: treasury_cash, "closing", month_of_end),),
        "期末月:未来12个月到期本金 ÷ 期末月末库款余额",
        "期末后 12 个月内到期的债务本金 ÷ 期末月末库款余额(倍)",
        _plain(grades.maturity_cover),
    ),
    Metric(
        "interest_general",
        "一般债务利息支出率",
        "ratio",
        (paid(months_of_period, _is("func_code", INTEREST_FUNCTION), "general_interest"),),
        (paid(months_of_period, name="general_spending"),),
        "期间各月",
        "一般债务付息支出(功能科目 232)÷ 一般公共预算支出",
        _plain(grades.interest_ratio),
    ),
    Metric(
        "interest_special",
        "专项债务利息支出率",
        "ratio",
        (
            Term(
                "special_interest",
                lambda: fund_spending,
                "amount",
                dated("pay_date", "period"),
                _is("func_code", INTEREST_FUNCTION),
            ),
        ),
        (Term("fund_spending", lambda: fund_spending, "amount", dated("pay_date", "period")),),
        "期间各月",
        "专项债务付息支出(政府性基金预算 232)÷ 政府性基金预算支出",
        _plain(grades.interest_ratio),
    ),
    Metric(
        "tax_share",
        "税收占比",
        "ratio",
        (revenue_of(months_of_period, lambda s: [s.c.item_code.like("101%")], "tax"),),
        (revenue_of(months_of_period),),
        "期间各月",
        "税收收入(101 类)÷ 一般公共预算收入",
        _plain(grades.tax_share),
    ),
    Metric(
        "self_sufficiency",
        "财政自给率",
        "ratio",
        (revenue_of(months_of_period),),
        (paid(months_of_period, name="spending"),),
        "期间各月",
        "一般公共预算收入 ÷ 一般公共预算支出",
        _plain(grades.self_sufficiency),
    ),
    Metric(
        "revenue_growth",
        "一般公共预算收入同比",
        "ratio",
        (revenue_of(months_of_period, name="revenue_now"),),
        (revenue_of(same_months_last_year, name="revenue_before"),),
        "期间各月 ÷ 上年同期",
        "一般公共预算收入 ÷ 上年同期(1.05 即增长 5%)",
        _plain(lambda v: grades.revenue_decline(None if v is None else v - 1)),
    ),
    Metric(
        "single_source",
        "单一来源采购占比",
        "ratio",
        (
            Term(
                "single_source_budget",
                lambda: procurement,
                "budget_amount",
                dated("contract_date", "issued"),
                _is("method", "单一来源"),
            ),
        ),
        (Term("procurement_budget", lambda: procurement, "budget_amount", dated("contract_date", "issued")),),
        "本年截至期末签订的采购",
        "单一来源采购预算 ÷ 全部采购预算(本年截至期末签订合同的采购)",
        _plain(grades.single_source_share),
    ),
)

PER_CAPITA: tuple[Metric, ...] = (
    Metric(
        "population",
        "常住人口",
        "人",
        (POPULATION,),
        (),
        "不晚于当年的最近统计年度",
        "年末常住人口(统计部门;不晚于当年的最近统计年度;上级为下级之和)",
    ),
    _per_capita("revenue_per_capita", "人均一般公共预算收入", revenue_of(months_of_period), "期间一般公共预算收入"),
    _per_capita(
        "spending_per_capita", "人均一般公共预算支出", paid(months_of_period, name="spending"), "期间一般公共预算支出"
    ),
    _per_capita(
        "debt_per_capita",
        "人均债务",
        Term("debt", lambda: bond, "principal", live_at_end, dims={"bond_kind": "kind"}),
        "期末债务余额",
        ("bond_kind",),
    ),
    _per_capita(
        "subsidy_per_capita",
        "人均补贴",
        Term("subsidy_paid", lambda: mart_subsidy_month, "amount", months_of_period),
        "期间惠民惠农补贴发放金额",
    ),
    _per_capita(
        "gdp_per_capita",
        "人均地区生产总值",
        Term("gdp", residents, "gdp", statistics_year),
        "地区生产总值(统计年度同常住人口)",
    ),
)
METRICS = METRICS + PER_CAPITA
METRICS_BY_KEY = {m.key: m for m in METRICS}
