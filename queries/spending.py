"""支出: spending by function, economic class, payment type and 三保, 预算执行率 against 序时进度 by region and by
department, top agencies and projects, and the drill-through agency → indicator (指标) → payment (支付).

Charts, rankings and the agency table read the marts (region × month × classification, and agency × project ×
款 × month: `mart_payment_unit_month`, `mart_indicator_unit_year`); only the indicator and payment tables of one
agency read the facts. Topic filters (func, econ, pay_type, sanbao) apply to every view that carries the column; a
breakdown by one of them ignores its own filter, so a cross-filtered chart still shows every bar with the chosen one
marked.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import (
    MONEY,
    agency,
    budget_indicator,
    classification,
    mart_indicator_unit_year,
    mart_indicator_year,
    mart_payment_agency_month,
    mart_payment_item_month,
    mart_payment_month,
    mart_payment_project_month,
    mart_payment_unit_month,
    payment,
    project,
    region,
)
from queries import metrics
from queries._filters import child_key, drill_region, fetch, in_drilled
from queries._paging import TableSource, table_source
from queries.classifications import classification_names
from queries.regions import region_tree

FILTER_COLUMNS = {"func": "func_code", "econ": "econ_code", "pay_type": "pay_type", "sanbao": "sanbao_type"}
PAY_TYPES = ("直接支付", "授权支付", "实拨")
SANBAO_TYPES = ("保工资", "保运转", "保基本民生")
ZERO = Decimal("0.00")


def _filters(table: sa.Table, state: DrillState, skip: str | None = None) -> list[sa.ColumnElement[bool]]:
    """The state's topic filters on the columns `table` has (a fact payment's 三保 type lives on its indicator: the
    year's indicators of that type, as the unit mart keeps the indicator's year)."""
    out = []
    for name, column in FILTER_COLUMNS.items():
        value = state.filter(name)
        if value is None or name == skip:
            continue
        if table is mart_payment_unit_month and name == "sanbao":
            out += [table.c.sanbao_type == value, table.c.indicator_year == state.year]
        elif column in table.c:
            out.append(table.c[column] == value)
        elif table is payment and name == "sanbao":
            out.append(
                table.c.indicator_id.in_(
                    sa.select(budget_indicator.c.id).where(
                        budget_indicator.c.sanbao_type == value, budget_indicator.c.year == state.year
                    )
                )
            )
    return out


def with_execution(frame: pd.DataFrame, state: DrillState) -> pd.DataFrame:
    """Adds 预算执行率 of the metric layer (`queries.metrics`, `execution`) over the rows' sums: rate (paid ÷
    budget), benchmark (序时进度, or a period's own share of the year), lag (points behind it) and the grade (a period
    not starting in January is not graded)."""
    sums = pd.DataFrame({"execution_num": frame["paid"], "execution_den": frame["budget"]}, index=frame.index)
    measured = metrics.evaluate("execution", sums, metrics.period_of(state))
    rates, benchmark = list(measured["execution"]), measured["execution_benchmark"]
    return frame.assign(
        rate=rates,
        benchmark=benchmark,
        lag=[None if r is None else (r - b) * 100 for r, b in zip(rates, benchmark)],
        grade_level=list(measured["execution_level"]),
        grade_label=list(measured["execution_label"]),
    )


def total_of(frame: pd.DataFrame, state: DrillState) -> pd.Series:
    """The sum of a breakdown's rows (本级 plus every child is the region) with its rate, lag and grade."""
    sums = {c: sum(frame[c], Decimal(0)) for c in ("paid", "paid_prev", "budget")}
    return with_execution(pd.DataFrame([sums]), state).iloc[0]


@memoized
def breakdown(scope: Scope, state: DrillState, by: str) -> pd.DataFrame:
    """Paid in the period (this year and the same months last year) and the year's budget, by one of
    func / econ / pay_type / sanbao (key: the code) or region (one row for 本级, key None, then each child).

    One UNION ALL statement over the two marts; budget has no payment type, so by pay_type it is NULL. Every other
    topic filter applies. Rows carry rate, lag and the graded lag (see `with_execution`).
    """
    columns = ["key", "paid", "paid_prev", "budget"]
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=columns)
    level = region_tree()[state.region].level
    branches = []
    for mart in (mart_payment_month, mart_indicator_year):
        if by == "region":
            key = child_key(mart, level)
        elif FILTER_COLUMNS[by] in mart.c:
            key = mart.c[FILTER_COLUMNS[by]]
        else:
            continue  # budget has no payment type
        if mart is mart_payment_month:
            sums = [
                sa.func.sum(sa.case((mart.c.year == state.year, mart.c.amount))),
                sa.func.sum(sa.case((mart.c.year == state.year - 1, mart.c.amount))),
                sa.cast(sa.null(), MONEY),
            ]
            when: list[sa.ColumnElement[bool]] = [
                mart.c.year.in_([state.year, state.year - 1]),
                mart.c.month.between(state.first_month, state.last_month),
            ]
        else:
            sums = [sa.cast(sa.null(), MONEY), sa.cast(sa.null(), MONEY), sa.func.sum(mart.c.amount)]
            when = [mart.c.year == state.year]
        branch = sa.select(
            (key if key is not None else sa.cast(sa.null(), sa.String)).label("key"),
            *(s.label(c) for s, c in zip(sums, columns[1:])),
        )
        branch = branch.where(*in_drilled(mart, scope, state), *when, *_filters(mart, state, skip=by))
        branches.append(branch.group_by(key) if key is not None else branch)
    parts = sa.union_all(*branches).subquery()
    query = (
        sa.select(parts.c.key, *(sa.func.sum(parts.c[c]).label(c) for c in columns[1:]))
        .group_by(parts.c.key)
        .order_by(parts.c.key)
    )
    frame = fetch(query)
    for column in columns[1:]:
        frame[column] = frame[column].map(lambda v: ZERO if v is None or pd.isna(v) else Decimal(v))
    if by == "region":
        tree = region_tree()
        found = {None if pd.isna(k) else k: row for k, row in frame.set_index("key").iterrows()}
        codes = [None] + [child.adcode for child in tree.children(state.region)]
        frame = pd.DataFrame(
            [
                [
                    code,
                    f"{tree.name(state.region)}本级" if code is None else tree.name(code),
                    code is None,
                    *(found[code][c] if code in found else ZERO for c in columns[1:]),
                ]
                for code in codes
            ],
            columns=["code", "name", "is_own_level", *columns[1:]],
        )
    elif by == "sanbao":
        frame = frame[frame["key"].isin(SANBAO_TYPES)]
        frame = frame.set_index("key").reindex(list(SANBAO_TYPES), fill_value=ZERO).reset_index()
    else:
        names = _names(by)
        frame = frame.dropna(subset=["key"]).assign(name=lambda f: f["key"].map(lambda k: names.get(k, k)))
    return with_execution(frame.reset_index(drop=True), state)


def _payment_mart(state: DrillState, lean: sa.Table) -> sa.Table:
    """The smallest payment mart that answers the view: `lean` (fewer rows, fewer columns) when it has the column
    of every topic filter set, else the unit mart, which has them all."""
    filters = [FILTER_COLUMNS[name] for name in FILTER_COLUMNS if state.filter(name) is not None]
    return lean if all(column in lean.c for column in filters) else mart_payment_unit_month


def _in_period(mart: sa.Table, state: DrillState) -> list[sa.ColumnElement[bool]]:
    """The period's months of the year on a month mart (what the date range is on the facts)."""
    return [mart.c.year == state.year, mart.c.month.between(state.first_month, state.last_month)]


def _names(by: str) -> dict[str, str]:
    if by == "func":
        return classification_names("function", 3)
    if by == "econ":
        return classification_names("economic", 3)
    return {}


@memoized
def monthly(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Paid per month of the period, this year (current) and the same month last year (previous), from the mart."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["month", "current", "previous"])
    m = mart_payment_month
    query = (
        sa.select(
            m.c.month,
            sa.func.sum(sa.case((m.c.year == state.year, m.c.amount), else_=0)).label("current"),
            sa.func.sum(sa.case((m.c.year == state.year - 1, m.c.amount), else_=0)).label("previous"),
        )
        .where(
            *in_drilled(m, scope, state),
            m.c.year.in_([state.year, state.year - 1]),
            m.c.month.between(state.first_month, state.last_month),
            *_filters(m, state),
        )
        .group_by(m.c.month)
        .order_by(m.c.month)
    )
    return fetch(query)


@memoized
def function_items(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Paid in the period by 款 (func_item_code): of the chosen 类 when `func` is set, else the largest overall.
    From the unit mart (it keeps the 款)."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["key", "name", "paid"])
    p = _payment_mart(state, mart_payment_item_month)
    query = (
        sa.select(p.c.func_item_code.label("key"), sa.func.sum(p.c.amount).label("paid"))
        .where(*in_drilled(p, scope, state), *_in_period(p, state), *_filters(p, state))
        .group_by(p.c.func_item_code)
        .order_by(sa.func.sum(p.c.amount).desc())
        .limit(15)
    )
    names = classification_names("function", 5)
    frame = fetch(query)
    return frame.assign(name=frame["key"].map(lambda k: names.get(k, k)))


@memoized
def top_agencies(scope: Scope, state: DrillState, limit: int = 10) -> pd.DataFrame:
    """The agencies (预算单位) that paid most in the period, with every topic filter applied."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["key", "name", "paid"])
    p, a = _payment_mart(state, mart_payment_agency_month), agency
    paid = (
        sa.select(p.c.agency_id, sa.func.sum(p.c.amount).label("paid"))
        .where(*in_drilled(p, scope, state), *_in_period(p, state), *_filters(p, state))
        .group_by(p.c.agency_id)
        .order_by(sa.func.sum(p.c.amount).desc(), p.c.agency_id)
        .limit(limit)
        .subquery()
    )
    query = (
        sa.select(paid.c.agency_id.label("key"), a.c.name, paid.c.paid)
        .join_from(paid, a, a.c.id == paid.c.agency_id)
        .order_by(paid.c.paid.desc(), paid.c.agency_id)
    )
    return fetch(query)


@memoized
def top_projects(scope: Scope, state: DrillState, limit: int = 10) -> pd.DataFrame:
    """The projects (项目) paid most in the period (payments → their indicator's project)."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["key", "name", "paid"])
    p, pr = _payment_mart(state, mart_payment_project_month), project
    paid = (
        sa.select(p.c.project_id, sa.func.sum(p.c.amount).label("paid"))
        .where(*in_drilled(p, scope, state), *_in_period(p, state), p.c.project_id.is_not(None), *_filters(p, state))
        .group_by(p.c.project_id)
        .order_by(sa.func.sum(p.c.amount).desc(), p.c.project_id)
        .limit(limit)
        .subquery()
    )
    query = (
        sa.select(paid.c.project_id.label("key"), pr.c.name, paid.c.paid)
        .join_from(paid, pr, pr.c.id == paid.c.project_id)
        .order_by(paid.c.paid.desc(), paid.c.project_id)
    )
    return fetch(query)


@memoized
def by_department(scope: Scope, state: DrillState) -> pd.DataFrame:
    """预算执行率 by department (部门, an agency's `department`): paid in the period ÷ the year's budget."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["key", "name", "paid", "budget"])
    p, i, a = _payment_mart(state, mart_payment_agency_month), mart_indicator_unit_year, agency
    paid = (
        sa.select(
            a.c.department.label("key"),
            sa.func.sum(p.c.amount).label("paid"),
            sa.cast(sa.null(), MONEY).label("budget"),
        )
        .join_from(p, a, a.c.id == p.c.agency_id)
        .where(*in_drilled(p, scope, state), *_in_period(p, state), *_filters(p, state))
        .group_by(a.c.department)
    )
    budget = (
        sa.select(
            a.c.department.label("key"),
            sa.cast(sa.null(), MONEY).label("paid"),
            sa.func.sum(i.c.amount).label("budget"),
        )
        .join_from(i, a, a.c.id == i.c.agency_id)
        .where(*in_drilled(i, scope, state), i.c.year == state.year, *_filters(i, state))
        .group_by(a.c.department)
    )
    parts = sa.union_all(paid, budget).subquery()
    frame = fetch(
        sa.select(
            parts.c.key,
            sa.func.coalesce(sa.func.sum(parts.c.paid), 0).label("paid"),
            sa.func.coalesce(sa.func.sum(parts.c.budget), 0).label("budget"),
        )
        .group_by(parts.c.key)
        .order_by(parts.c.key)
    )
    frame = frame.assign(name=frame["key"], paid=frame["paid"].map(Decimal), budget=frame["budget"].map(Decimal))
    frame = frame.sort_values(["budget", "key"], ascending=[False, True], kind="stable").head(20)
    return with_execution(frame.reset_index(drop=True), state)


# -- drill-through: agency → indicator → payment ---------------------------------------------------------------


def _agency_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """One row per agency of the region: paid in the period, the year's budget, payments counted."""
    if drill_region(scope, state) is None:
        return None
    p, i, a = _payment_mart(state, mart_payment_agency_month), mart_indicator_unit_year, agency
    paid = (
        sa.select(
            p.c.agency_id,
            sa.func.sum(p.c.amount).label("paid"),
            sa.cast(sa.func.sum(p.c.n), sa.BigInteger).label("payments"),
        )
        .where(*in_drilled(p, scope, state), *_in_period(p, state), *_filters(p, state))
        .group_by(p.c.agency_id)
        .subquery()
    )
    budget = (
        sa.select(i.c.agency_id, sa.func.sum(i.c.amount).label("budget"))
        .where(*in_drilled(i, scope, state), i.c.year == state.year, *_filters(i, state))
        .group_by(i.c.agency_id)
        .subquery()
    )
    return (
        sa.select(
            a.c.id.label("id"),
            a.c.name.label("agency_name"),
            a.c.department,
            region.c.name.label("region_name"),
            sa.func.coalesce(budget.c.budget, 0).label("budget"),
            sa.func.coalesce(paid.c.paid, 0).label("paid"),
            sa.func.coalesce(paid.c.payments, 0).label("payments"),
        )
        .select_from(
            a.join(region, region.c.adcode == a.c.region_code)
            .outerjoin(paid, paid.c.agency_id == a.c.id)
            .outerjoin(budget, budget.c.agency_id == a.c.id)
        )
        .where(*in_drilled(a, scope, state), sa.or_(paid.c.agency_id.is_not(None), budget.c.agency_id.is_not(None)))
    )


def _indicator_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The agency's indicators of the year: amount, paid in the period, and balance (amount − paid up to the end
    of the period)."""
    agency_id = state.filter("agency")
    if not drill_region(scope, state) is not None or agency_id is None:
        return None
    p, i = payment, budget_indicator
    start, end = state.dates
    paid = (
        sa.select(
            p.c.indicator_id,
            sa.func.sum(sa.case((p.c.pay_date >= start, p.c.amount), else_=0)).label("paid"),
            sa.func.sum(p.c.amount).label("paid_to_date"),
        )
        .where(
            *in_drilled(p, scope, state),
            p.c.agency_id == int(agency_id),
            p.c.pay_date >= dt.date(state.year, 1, 1),
            p.c.pay_date < end,
            *_filters(p, state),
        )
        .group_by(p.c.indicator_id)
        .subquery()
    )
    func, econ = classification.alias("func_name"), classification.alias("econ_name")
    return (
        sa.select(
            i.c.id.label("id"),
            i.c.doc_no,
            i.c.source,
            _code_and_name(i.c.func_code, func).label("func_code"),
            _code_and_name(i.c.econ_code, econ).label("econ_code"),
            sa.func.coalesce(i.c.sanbao_type, "").label("sanbao_type"),
            i.c.amount,
            sa.func.coalesce(paid.c.paid, 0).label("paid"),
            (i.c.amount - sa.func.coalesce(paid.c.paid_to_date, 0)).label("balance"),
        )
        .select_from(
            i.outerjoin(paid, paid.c.indicator_id == i.c.id)
            .outerjoin(func, sa.and_(func.c.kind == "function", func.c.code == i.c.func_code))
            .outerjoin(econ, sa.and_(econ.c.kind == "economic", econ.c.code == i.c.econ_code))
        )
        .where(
            *in_drilled(i, scope, state), i.c.agency_id == int(agency_id), i.c.year == state.year, *_filters(i, state)
        )
    )


def _code_and_name(code: sa.ColumnElement, names: sa.FromClause) -> sa.ColumnElement:
    """'205 教育支出': a 科目 code with its name from the classification (the code alone where it has none)."""
    return sa.func.trim(code + " " + sa.func.coalesce(names.c.name, ""))


def _payment_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The payments of one indicator in the period: the records, with their payee (masked by the view)."""
    indicator_id = state.filter("indicator")
    if not drill_region(scope, state) is not None or indicator_id is None:
        return None
    p = payment
    start, end = state.dates
    econ = classification.alias("econ_name")
    joined = p.outerjoin(econ, sa.and_(econ.c.kind == "economic", econ.c.code == p.c.econ_item_code))
    return (
        sa.select(
            p.c.id,
            p.c.voucher_no,
            p.c.pay_date,
            p.c.pay_type,
            _code_and_name(p.c.econ_item_code, econ).label("econ_item_code"),
            p.c.payee_name,
            p.c.payee_account,
            p.c.payee_is_person,
            p.c.amount,
        )
        .select_from(joined)
        .where(
            *in_drilled(p, scope, state),
            p.c.indicator_id == int(indicator_id),
            p.c.pay_date >= start,
            p.c.pay_date < end,
            *_filters(p, state, skip="sanbao"),
        )
    )


AGENCIES = table_source(
    TableSource(
        "spending.agencies",
        _agency_rows,
        ("budget", "paid"),
        {"paid": "money", "budget": "money", "agency_name": "text", "payments": "int"},
        "paid",
    )
)
INDICATORS = table_source(
    TableSource(
        "spending.indicators",
        _indicator_rows,
        ("amount", "paid", "balance"),
        {"amount": "money", "paid": "money", "balance": "money", "doc_no": "text"},
        "amount",
    )
)
PAYMENTS = table_source(
    TableSource(
        "spending.payments",
        _payment_rows,
        ("amount",),
        {"amount": "money", "pay_date": "date", "voucher_no": "text"},
        "pay_date",
    )
)


def _label_of(query: sa.Select) -> str | None:
    with finance_engine().connect() as conn:
        return conn.execute(query).scalar()


@memoized
def agency_label(scope: Scope, state: DrillState, agency_id: str) -> str | None:
    """The agency's name if it exists inside the drilled region and scope, else None (an invalid drill)."""
    if not drill_region(scope, state) is not None or not agency_id.isdigit():
        return None
    return _label_of(sa.select(agency.c.name).where(agency.c.id == int(agency_id), *in_drilled(agency, scope, state)))


@memoized
def indicator_label(scope: Scope, state: DrillState, indicator_id: str) -> str | None:
    """The indicator's 文号 if it belongs to the chosen agency (when one is set) inside the region and scope."""
    agency_id = state.filter("agency")
    if drill_region(scope, state) is None or not indicator_id.isdigit():
        return None
    i = budget_indicator
    where: list[sa.ColumnElement[bool]] = [i.c.id == int(indicator_id), *in_drilled(i, scope, state)]
    if agency_id is not None:
        where.append(i.c.agency_id == int(agency_id))
    return _label_of(sa.select(i.c.doc_no).where(*where))


@memoized
def payment_trace(scope: Scope, state: DrillState, payment_id: str) -> pd.DataFrame:
    """One payment traced up to its indicator (文号, source, amount, paid in total, balance) and its agency and
    project, and down to its payee. Empty when the payment is outside the region or scope."""
    columns = ["id"]
    if not drill_region(scope, state) is not None or not payment_id.isdigit():
        return pd.DataFrame(columns=columns)
    p, i, a, pr = payment, budget_indicator, agency, project
    same_indicator = payment.alias("same_indicator")
    paid = (
        sa.select(sa.func.sum(same_indicator.c.amount)).where(same_indicator.c.indicator_id == i.c.id).scalar_subquery()
    )
    query = (
        sa.select(
            p.c.id,
            p.c.voucher_no,
            p.c.pay_date,
            p.c.pay_type,
            p.c.amount,
            p.c.payee_name,
            p.c.payee_account,
            p.c.payee_is_person,
            p.c.func_item_code,
            p.c.econ_item_code,
            i.c.id.label("indicator_id"),
            i.c.doc_no,
            i.c.source,
            i.c.issue_date,
            i.c.amount.label("indicator_amount"),
            paid.label("indicator_paid"),
            (i.c.amount - paid).label("indicator_balance"),
            i.c.sanbao_type,
            i.c.direct_fund,
            a.c.id.label("agency_id"),
            a.c.name.label("agency_name"),
            pr.c.name.label("project_name"),
        )
        .select_from(
            p.join(i, i.c.id == p.c.indicator_id)
            .join(a, a.c.id == p.c.agency_id)
            .outerjoin(pr, pr.c.id == i.c.project_id)
        )
        .where(p.c.id == int(payment_id), *in_drilled(p, scope, state))
    )
    return fetch(query)
