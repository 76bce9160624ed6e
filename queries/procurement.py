"""政府采购 of a region: scale by category and method, 节约率, 中小企业 and 单一来源 shares, supplier concentration and
the red-flag lists (contracts close to their budget, purchases split just under the 公开招标 threshold).

A purchase belongs to the period by its 合同签订日期 (`contract_date`) and to the region of its purchasing agency.
Topic filters (`method`, `category`, `agency_id`) are keyword arguments; None means all. The drill-through tables
(agencies of a region, then one agency's purchases) are TableSources that read the same filters from the state.
Money in 元 (Decimal).
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

import pandas as pd
import sqlalchemy as sa

from dashboard.core import settings
from dashboard.core.drill import DrillState
from dashboard.core.format import ratio
from dashboard.core.scope import Scope
from dashboard.store import dialect
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import MONEY, agency, procurement, region
from queries._filters import by_child, checked, child_rows, fetch, in_region, month_range, visible_region
from queries._paging import TableSource, table_source

METHODS = ("公开招标", "邀请招标", "竞争性谈判", "竞争性磋商", "询价", "单一来源", "框架协议")
CATEGORIES = ("货物", "工程", "服务")
SINGLE_SOURCE = "单一来源"
OPEN_TENDER = "公开招标"
WORKS = "工程"  # the 公开招标 thresholds of the settings are for goods and services only
SPLIT_WINDOW_DAYS = 30
RED_FLAGS = ("high_ratio", "split")

MEASURES = ["n", "budget", "contract", "sme_contract", "single_source_contract"]
RATES = ["saving_rate", "sme_share", "single_source_share"]
RECORD_COLUMNS = [
    "id",
    "plan_no",
    "agency_id",
    "agency_name",
    "region_code",
    "region_name",
    "method",
    "category",
    "item_name",
    "supplier_name",
    "sme",
    "budget_amount",
    "contract_amount",
    "notice_date",
    "contract_date",
]

p = procurement


def _measures() -> list[sa.ColumnElement]:
    zero = sa.cast(0, MONEY)  # typed, so every engine returns 0.00 rather than 0

    def money(value) -> sa.ColumnElement:
        return sa.func.coalesce(sa.func.sum(value), zero)

    return [
        sa.func.count().label("n"),
        money(p.c.budget_amount).label("budget"),
        money(p.c.contract_amount).label("contract"),
        money(sa.case((p.c.sme, p.c.contract_amount), else_=zero)).label("sme_contract"),
        money(sa.case((p.c.method == SINGLE_SOURCE, p.c.contract_amount), else_=zero)).label("single_source_contract"),
    ]


def with_rates(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (MEASURES columns) with 节约率 = (budget − contract) ÷ budget, 中小企业 share and 单一来源 share of the
    contract amount, computed from the sums of the row (never averaged over rows)."""
    out = frame.copy()
    for column in MEASURES[1:]:
        out[column] = out[column].map(Decimal)
    out["n"] = out["n"].astype(int)
    out["saving_rate"] = [ratio(b - c, b) for b, c in zip(out["budget"], out["contract"])]
    out["sme_share"] = [ratio(s, c) for s, c in zip(out["sme_contract"], out["contract"])]
    out["single_source_share"] = [ratio(s, c) for s, c in zip(out["single_source_contract"], out["contract"])]
    return out


def _selection(
    scope: Scope,
    state: DrillState,
    method: str | None,
    category: str | None,
    agency_id: int | None = None,
    year: int | None = None,
) -> list[sa.ColumnElement[bool]] | None:
    """Predicates for the purchases of the view (None when the region is outside the scope: no rows)."""
    region = visible_region(scope, state.region)
    if region is None:
        return None
    where = [
        *in_region(p, scope.column, scope.root, region.level, region.adcode),
        month_range(p.c.contract_date, year or state.year, state.first_month, state.last_month),
    ]
    if method:
        where.append(p.c.method == method)
    if category:
        where.append(p.c.category == category)
    if agency_id is not None:
        where.append(p.c.agency_id == agency_id)
    return where


def _empty() -> pd.DataFrame:
    return with_rates(pd.DataFrame(columns=MEASURES))


@memoized
def summary(
    scope: Scope,
    state: DrillState,
    *,
    method: str | None = None,
    category: str | None = None,
    agency_id: int | None = None,
) -> pd.DataFrame:
    """The headline of the view: one row with MEASURES and RATES for the period, plus `contract_prev`, the contract
    amount of the same months a year before (同比)."""
    current = _selection(scope, state, method, category, agency_id)
    if current is None:
        return _empty().assign(contract_prev=pd.Series(dtype=object))
    previous = _selection(scope, state, method, category, agency_id, year=state.year - 1)
    frame = with_rates(fetch(sa.select(*_measures()).where(*current), MEASURES))
    prev = fetch(sa.select(_measures()[2]).where(*checked(previous)), ["c"])
    return frame.assign(contract_prev=Decimal(prev.at[0, "c"]))


@memoized
def breakdown(
    scope: Scope,
    state: DrillState,
    by: str,
    *,
    method: str | None = None,
    category: str | None = None,
    agency_id: int | None = None,
) -> pd.DataFrame:
    """Scale by `by` ('category': 货物/工程/服务, or 'method'): every value in its fixed order, zeros included, with
    MEASURES, RATES and `share` (of the view's contract amount)."""
    values = {"category": CATEGORIES, "method": METHODS}[by]
    where = _selection(scope, state, method, category, agency_id)
    found = (
        pd.DataFrame(columns=[by, *MEASURES])
        if where is None
        else fetch(sa.select(p.c[by], *_measures()).where(*where).group_by(p.c[by]), [by, *MEASURES])
    )
    frame = pd.DataFrame({by: list(values)}).merge(found, on=by, how="left")
    frame[MEASURES] = frame[MEASURES].astype(object).where(frame[MEASURES].notna(), 0)
    frame = with_rates(frame)
    total = frame["contract"].sum()
    frame["share"] = [ratio(c, total) for c in frame["contract"]]
    return frame


@memoized
def region_ranking(
    scope: Scope,
    state: DrillState,
    *,
    method: str | None = None,
    category: str | None = None,
    agency_id: int | None = None,
) -> pd.DataFrame:
    """本级 and each child region of the view with MEASURES and RATES; the rows add up to the region."""
    region = visible_region(scope, state.region)
    where = _selection(scope, state, method, category, agency_id)
    if region is None or where is None:
        return with_rates(pd.DataFrame(columns=["code", "name", "is_own_level", *MEASURES]))
    found = fetch(by_child(sa.select(*_measures()).where(*where), p, region.level), [*MEASURES, "code"])
    return with_rates(child_rows(region, found.set_index("code"), dict.fromkeys(MEASURES, 0)))


@memoized
def single_source_trend(
    scope: Scope, state: DrillState, *, category: str | None = None, agency_id: int | None = None
) -> pd.DataFrame:
    """单一来源 and all contracts by month for every year the store holds (year, month, contract,
    single_source_contract), so the chart shows the share's month-to-month course and each year against the last.
    The period does not apply: a trend needs the whole course."""
    region = visible_region(scope, state.region)
    columns = ["year", "month", "contract", "single_source_contract"]
    if region is None:
        return pd.DataFrame(columns=columns)
    year, month = p.c.year, sa.cast(sa.extract("month", p.c.contract_date), sa.Integer)
    where = in_region(p, scope.column, scope.root, region.level, region.adcode)
    if category:
        where.append(p.c.category == category)
    if agency_id is not None:
        where.append(p.c.agency_id == agency_id)
    measures = {m.name: m for m in _measures()}
    frame = fetch(
        sa.select(year, month, measures["contract"], measures["single_source_contract"])
        .where(*where)
        .group_by(year, month)
        .order_by(year, month),
        columns,
    )
    frame[["year", "month"]] = frame[["year", "month"]].astype(int)
    return frame


@memoized
def top_suppliers(
    scope: Scope,
    state: DrillState,
    *,
    method: str | None = None,
    category: str | None = None,
    agency_id: int | None = None,
    limit: int = 10,
) -> pd.DataFrame:
    """The `limit` suppliers with the largest contract amount in the view (supplier_id, supplier_name, sme, n,
    contract, share of the view's contract amount), largest first; the sum of `share` is the concentration."""
    columns = ["supplier_id", "supplier_name", "sme", "n", "contract", "share"]
    where = _selection(scope, state, method, category, agency_id)
    if where is None:
        return pd.DataFrame(columns=columns)
    contract = sa.func.sum(p.c.contract_amount)
    statement = (
        sa.select(
            p.c.supplier_id,
            sa.func.min(p.c.supplier_name),
            dialect.bool_or(p.c.sme),
            sa.func.count(),
            contract,
            sa.func.sum(contract).over(),
        )
        .where(*where)
        .group_by(p.c.supplier_id)
        .order_by(contract.desc(), p.c.supplier_id)
        .limit(limit)
    )
    frame = fetch(statement, [*columns[:-1], "total"])
    frame["contract"] = frame["contract"].map(Decimal)
    frame["share"] = [ratio(c, t) for c, t in zip(frame["contract"], frame["total"])]
    return frame.drop(columns="total")


def _records(where: list[sa.ColumnElement[bool]], *extra: sa.ColumnElement) -> sa.Select:
    return (
        sa.select(
            p.c.id,
            p.c.plan_no,
            p.c.agency_id,
            agency.c.name,
            agency.c.region_code,
            region.c.name,
            p.c.method,
            p.c.category,
            p.c.item_name,
            p.c.supplier_name,
            p.c.sme,
            p.c.budget_amount,
            p.c.contract_amount,
            p.c.notice_date,
            p.c.contract_date,
            *extra,
        )
        .select_from(p.join(agency, agency.c.id == p.c.agency_id).join(region, region.c.adcode == agency.c.region_code))
        .where(*where)
    )


@memoized
def high_ratio_contracts(
    scope: Scope,
    state: DrillState,
    *,
    method: str | None = None,
    category: str | None = None,
    agency_id: int | None = None,
) -> pd.DataFrame:
    """Red flag: purchases whose contract is at least CONTRACT_RATIO_FLAG of the budget (almost no 节约, a sign the
    budget was written to the price); RECORD_COLUMNS and `contract_ratio`, highest ratio first."""
    where = _selection(scope, state, method, category, agency_id)
    if where is None:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, "contract_ratio"])
    frame = fetch(_records([*where, *_flag_predicates("high_ratio")]), RECORD_COLUMNS)
    frame["contract_ratio"] = [ratio(c, b) for c, b in zip(frame["contract_amount"], frame["budget_amount"])]
    return frame.sort_values(["contract_ratio", "id"], ascending=[False, True], ignore_index=True)


def tender_threshold(table: sa.FromClause) -> sa.ColumnElement:
    """The 公开招标 threshold (元) that applies to a purchase: the province's own agencies, or city and county ones."""
    return sa.case(
        (
            sa.and_(table.c.city_code.is_(None), table.c.county_code.is_(None)),
            settings.get("TENDER_THRESHOLD_PROVINCE"),
        ),
        else_=settings.get("TENDER_THRESHOLD_LOCAL"),
    )


def _just_under_threshold(table: sa.FromClause) -> list[sa.ColumnElement[bool]]:
    threshold = tender_threshold(table)
    return [
        table.c.category != WORKS,
        table.c.method != OPEN_TENDER,
        table.c.budget_amount >= threshold * Decimal(str(settings.get("SPLIT_BAND"))),
        table.c.budget_amount < threshold,
    ]


def _flag_predicates(flag: str) -> list[sa.ColumnElement[bool]]:
    """What makes a purchase a red flag of kind `flag` (RED_FLAGS)."""
    if flag == "high_ratio":
        return [p.c.contract_amount >= p.c.budget_amount * Decimal(str(settings.get("CONTRACT_RATIO_FLAG")))]
    # the purchases that have a partner, as one uncorrelated self-join on the agency (every engine runs it as a
    # hash join; ClickHouse's correlated EXISTS gave no rows here)
    me, other = p.alias("me"), p.alias("other")
    partnered = (
        sa.select(me.c.id)
        .select_from(me.join(other, other.c.agency_id == me.c.agency_id))
        .where(
            other.c.id != me.c.id,
            sa.or_(other.c.supplier_id == me.c.supplier_id, other.c.item_name == me.c.item_name),
            sa.func.abs(dialect.days_between(other.c.notice_date, me.c.notice_date)) <= SPLIT_WINDOW_DAYS,
            *_just_under_threshold(me),
            *_just_under_threshold(other),
        )
    )
    return [*_just_under_threshold(p), p.c.id.in_(partnered)]


@memoized
def split_purchases(
    scope: Scope,
    state: DrillState,
    *,
    method: str | None = None,
    category: str | None = None,
    agency_id: int | None = None,
) -> pd.DataFrame:
    """Red flag: goods and services bought without 公开招标 at SPLIT_BAND or more of the threshold, where the same
    agency bought from the same supplier or the same item, also just under the threshold, within 30 days — one
    purchase split to avoid a tender. RECORD_COLUMNS and `threshold`, grouped by agency then date. The partner may
    lie outside the period or the topic filter; only the view's own purchases are listed."""
    where = _selection(scope, state, method, category, agency_id)
    if where is None:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, "threshold"])
    statement = _records([*where, *_flag_predicates("split")], tender_threshold(p))
    frame = fetch(statement, [*RECORD_COLUMNS, "threshold"])
    frame["threshold"] = frame["threshold"].map(Decimal)
    return frame.sort_values(["agency_name", "notice_date", "id"], ignore_index=True)


# -- drill-through: region → agency → purchases ---------------------------------------------------------------------


class ViewFilters(TypedDict):
    method: str | None
    category: str | None
    agency_id: int | None


def state_filters(state: DrillState) -> ViewFilters:
    """The topic filters of a drill state as query keyword arguments (the agency as its integer id)."""
    agency_text = state.filter("agency")
    return {
        "method": state.filter("method"),
        "category": state.filter("category"),
        "agency_id": int(agency_text) if agency_text else None,
    }


def _agency_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """One row per purchasing agency of the view (id = the agency's id)."""
    filters = state_filters(state)
    where = _selection(scope, state, filters["method"], filters["category"])
    if where is None:
        return None
    budget, contract = sa.func.sum(p.c.budget_amount), sa.func.sum(p.c.contract_amount)
    keys = [agency.c.id, agency.c.name, region.c.name]
    return (
        sa.select(
            agency.c.id.label("id"),
            agency.c.name.label("agency_name"),
            region.c.name.label("region_name"),
            sa.func.count().label("n"),
            budget.label("budget"),
            contract.label("contract"),
            (budget - contract).label("saving"),
        )
        .select_from(p.join(agency, agency.c.id == p.c.agency_id).join(region, region.c.adcode == agency.c.region_code))
        .where(*where)
        .group_by(*keys)
    )


def _purchase_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The single purchases of the view (one agency's, once the drill has chosen one)."""
    where = _selection(scope, state, **state_filters(state))
    if where is None:
        return None
    return (
        sa.select(
            p.c.id.label("id"),
            p.c.plan_no.label("plan_no"),
            agency.c.name.label("agency_name"),
            p.c.method.label("method"),
            p.c.category.label("category"),
            p.c.item_name.label("item_name"),
            p.c.supplier_name.label("supplier_name"),
            sa.case((p.c.sme, "是"), else_="否").label("sme"),
            p.c.budget_amount.label("budget_amount"),
            p.c.contract_amount.label("contract_amount"),
            p.c.notice_date.label("notice_date"),
            p.c.contract_date.label("contract_date"),
        )
        .select_from(p.join(agency, agency.c.id == p.c.agency_id))
        .where(*where)
    )


def _flagged_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """Every purchase of the view that red flag `flag` (the state's filter) caught, for paging and export."""
    filters, flag = state_filters(state), state.filter("flag")
    where = _selection(scope, state, **filters)
    if where is None or flag is None or flag not in RED_FLAGS:
        return None
    return (
        sa.select(
            p.c.id.label("id"),
            p.c.plan_no.label("plan_no"),
            agency.c.name.label("agency_name"),
            region.c.name.label("region_name"),
            p.c.method.label("method"),
            p.c.category.label("category"),
            p.c.item_name.label("item_name"),
            p.c.supplier_name.label("supplier_name"),
            p.c.budget_amount.label("budget_amount"),
            p.c.contract_amount.label("contract_amount"),
            (p.c.contract_amount / p.c.budget_amount).label("contract_ratio"),
            tender_threshold(p).label("threshold"),
            p.c.notice_date.label("notice_date"),
            p.c.contract_date.label("contract_date"),
        )
        .select_from(p.join(agency, agency.c.id == p.c.agency_id).join(region, region.c.adcode == agency.c.region_code))
        .where(*where, *_flag_predicates(flag))
    )


FLAGGED_TABLE = table_source(
    TableSource(
        "procurement.flagged",
        _flagged_rows,
        money=("budget_amount", "contract_amount"),
        sortable={
            "contract_amount": "money",
            "budget_amount": "money",
            "notice_date": "date",
            "agency_name": "text",
            "plan_no": "text",
        },
        default_sort="contract_amount",
    )
)
AGENCY_TABLE = table_source(
    TableSource(
        "procurement.agencies",
        _agency_rows,
        money=("budget", "contract", "saving"),
        sortable={"contract": "money", "budget": "money", "saving": "money", "n": "int", "agency_name": "text"},
        default_sort="contract",
    )
)
PURCHASE_TABLE = table_source(
    TableSource(
        "procurement.purchases",
        _purchase_rows,
        money=("budget_amount", "contract_amount"),
        sortable={
            "contract_amount": "money",
            "budget_amount": "money",
            "contract_date": "date",
            "notice_date": "date",
            "supplier_name": "text",
            "plan_no": "text",
        },
        default_sort="contract_amount",
    )
)


@memoized
def agency_name(scope: Scope, state: DrillState, agency_id: str) -> str | None:
    """The name of a purchasing agency inside the drilled region (and so the scope), or None: an agency id from a
    URL is checked here, so no link can open another region's purchases."""
    region = visible_region(scope, state.region)
    if region is None or not agency_id.isdigit():
        return None
    where = in_region(agency, scope.column, scope.root, region.level, region.adcode)
    with finance_engine().connect() as conn:
        return conn.execute(sa.select(agency.c.name).where(agency.c.id == int(agency_id), *where)).scalar()
