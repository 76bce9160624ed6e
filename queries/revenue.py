"""收入: 一般公共预算收入 — 税收 (101xx) against 非税 (103xx), by item, 税收占比, 财政自给率, by region, month by month
against last year, the items driving the change, and the drill-through item → collection records.

Charts read `mart_revenue_month` (and `mart_payment_month` for the spending side of 财政自给率); the records table
reads the `revenue` facts. Topic filters: `kind` (101 税收 / 103 非税) and `item` (a 5-digit item); a breakdown by
one of them ignores its own filter.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.memo import memoized
from dashboard.store.schema import MONEY, classification, mart_payment_month, mart_revenue_month, region, revenue
from queries import metrics
from queries._filters import child_key, drill_region, fetch, in_drilled
from queries._paging import TableSource, table_source
from queries.classifications import classification_names
from queries.regions import region_tree

KINDS = {"101": "税收收入", "103": "非税收入"}
ZERO = Decimal("0.00")


def _kind(table: sa.Table) -> sa.ColumnElement:
    return sa.func.substr(table.c.item_code, 1, 3)


def _filters(table: sa.Table, state: DrillState, skip: str | None = None) -> list[sa.ColumnElement[bool]]:
    out = []
    if state.filter("kind") is not None and skip != "kind":
        out.append(_kind(table) == state.filter("kind"))
    if state.filter("item") is not None and skip != "item":
        out.append(table.c.item_code == state.filter("item"))
    return out


def _in_period(mart: sa.Table, state: DrillState) -> list[sa.ColumnElement[bool]]:
    return [mart.c.year.in_([state.year, state.year - 1]), mart.c.month.between(state.first_month, state.last_month)]


def _this(mart: sa.Table, state: DrillState, value: sa.ColumnElement, year_offset: int = 0) -> sa.ColumnElement:
    return sa.func.sum(sa.case((mart.c.year == state.year - year_offset, value)))


def _money(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    for column in columns:
        frame[column] = frame[column].map(lambda v: ZERO if v is None or pd.isna(v) else Decimal(v))
    return frame


def with_ratios(frame: pd.DataFrame, state: DrillState) -> pd.DataFrame:
    """税收占比 (tax ÷ revenue) and 财政自给率 (revenue ÷ 一般公共预算支出) of the metric layer (`queries.metrics`)
    over the rows' sums, with their grades (`tax_share_level` / `_label`, `self_sufficiency_level` / `_label`)."""
    sums = pd.DataFrame(
        {
            "tax_share_num": frame["tax"],
            "tax_share_den": frame["current"],
            "self_sufficiency_num": frame["current"],
            "self_sufficiency_den": frame["spending"],
        },
        index=frame.index,
    )
    period = metrics.period_of(state)
    out = frame.copy()
    for key in ("tax_share", "self_sufficiency"):
        measured = metrics.evaluate(key, sums, period)
        for column in (key, f"{key}_level", f"{key}_label"):
            out[column] = list(measured[column])
    return out


def total_of(regions: pd.DataFrame, state: DrillState) -> pd.Series:
    """The sum of `by_region`'s rows (本级 plus every child is the region), with its ratios and 非税收入."""
    sums = {c: sum(regions[c], Decimal(0)) for c in ("current", "previous", "tax", "spending")}
    total = with_ratios(pd.DataFrame([sums]), state).iloc[0]
    return pd.concat([total, pd.Series({"nontax": total["current"] - total["tax"]})])


@memoized
def by_item(scope: Scope, state: DrillState, by: str) -> pd.DataFrame:
    """Revenue of the period (current) and the same months last year (previous), with the change, by `by`:
    'item' (5-digit item) or 'kind' (101 税收 / 103 非税). The other filter applies."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["key", "name", "current", "previous", "change"])
    m = mart_revenue_month
    key = m.c.item_code if by == "item" else _kind(m)
    query = (
        sa.select(
            key.label("key"),
            _this(m, state, m.c.amount).label("current"),
            _this(m, state, m.c.amount, 1).label("previous"),
        )
        .where(*in_drilled(m, scope, state), *_in_period(m, state), *_filters(m, state, skip=by))
        .group_by(key)
        .order_by(key)
    )
    frame = _money(fetch(query), ["current", "previous"])
    names = classification_names("revenue")
    return frame.assign(
        name=frame["key"].map(lambda k: names.get(k, k)),
        change=[c - p for c, p in zip(frame["current"], frame["previous"])],
    )


@memoized
def by_region(scope: Scope, state: DrillState, filtered: bool = False) -> pd.DataFrame:
    """本级 (code None) and each child region: revenue (current, previous), tax, and 一般公共预算支出 (spending) of
    the period, the bases of 税收占比 and 财政自给率. The headline figures are the whole budget; with `filtered`
    the kind / item filters apply to revenue and tax (spending is always whole). One UNION ALL over two marts."""
    columns = ["current", "previous", "tax", "spending"]
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["code", "name", "is_own_level", *columns])
    tree = region_tree()
    level = tree[state.region].level
    r, p = mart_revenue_month, mart_payment_month
    null = sa.cast(sa.null(), MONEY)
    branches = []
    for mart, sums in (
        (
            r,
            [
                _this(r, state, r.c.amount),
                _this(r, state, r.c.amount, 1),
                _this(r, state, sa.case((_kind(r) == "101", r.c.amount))),
                null,
            ],
        ),
        (p, [null, null, null, _this(p, state, p.c.amount)]),
    ):
        key = child_key(mart, level)
        branch = sa.select(
            (key if key is not None else sa.cast(sa.null(), sa.String)).label("code"),
            *(s.label(c) for s, c in zip(sums, columns)),
        ).where(
            *in_drilled(mart, scope, state),
            *_in_period(mart, state),
            *(_filters(mart, state) if mart is r and filtered else []),
        )
        branches.append(branch.group_by(key) if key is not None else branch)
    parts = sa.union_all(*branches).subquery()
    frame = fetch(sa.select(parts.c.code, *(sa.func.sum(parts.c[c]).label(c) for c in columns)).group_by(parts.c.code))
    found = {None if pd.isna(c) else c: row for c, row in _money(frame, columns).set_index("code").iterrows()}
    codes = [None] + [child.adcode for child in tree.children(state.region)]
    return pd.DataFrame(
        [
            [
                code,
                f"{tree.name(state.region)}本级" if code is None else tree.name(code),
                code is None,
                *(found[code][c] if code in found else ZERO for c in columns),
            ]
            for code in codes
        ],
        columns=["code", "name", "is_own_level", *columns],
    )


@memoized
def monthly(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Revenue per month of the period, this year (current) against the same month last year (previous)."""
    if drill_region(scope, state) is None:
        return pd.DataFrame(columns=["month", "current", "previous"])
    m = mart_revenue_month
    query = (
        sa.select(
            m.c.month,
            sa.func.coalesce(_this(m, state, m.c.amount), 0).label("current"),
            sa.func.coalesce(_this(m, state, m.c.amount, 1), 0).label("previous"),
        )
        .where(*in_drilled(m, scope, state), *_in_period(m, state), *_filters(m, state))
        .group_by(m.c.month)
        .order_by(m.c.month)
    )
    return fetch(query)


# -- drill-through: item → collection records ----------------------------------------------------------------


def _item_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """One row per item: the period against the same months last year (from the mart)."""
    if drill_region(scope, state) is None:
        return None
    m = mart_revenue_month
    current = sa.func.coalesce(_this(m, state, m.c.amount), 0)
    previous = sa.func.coalesce(_this(m, state, m.c.amount, 1), 0)
    named = classification.c
    return (
        sa.select(
            sa.cast(m.c.item_code, sa.Integer).label("id"),
            m.c.item_code,
            sa.func.coalesce(named.name, "").label("item_name"),
            sa.case((_kind(m) == "101", KINDS["101"]), else_=KINDS["103"]).label("kind_name"),
            current.label("current"),
            previous.label("previous"),
            (current - previous).label("change"),
        )
        .select_from(m)
        .outerjoin(classification, sa.and_(named.kind == "revenue", named.code == m.c.item_code))
        .where(*in_drilled(m, scope, state), *_in_period(m, state), *_filters(m, state))
        .group_by(m.c.item_code, named.name)
    )


def _record_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The collection records (入库) of one item in the period, each with the region it was collected in."""
    if not drill_region(scope, state) is not None or state.filter("item") is None:
        return None
    f = revenue
    start = dt.date(state.year, state.first_month, 1)
    end = dt.date(state.year + 1, 1, 1) if state.last_month == 12 else dt.date(state.year, state.last_month + 1, 1)
    collected_in = sa.func.coalesce(f.c.county_code, f.c.city_code, f.c.province_code)
    return (
        sa.select(f.c.id, f.c.collect_date, f.c.item_code, region.c.name.label("region_name"), f.c.amount)
        .join_from(f, region, region.c.adcode == collected_in)
        .where(
            *in_drilled(f, scope, state),
            f.c.collect_date >= start,
            f.c.collect_date < end,
            f.c.item_code == state.filter("item"),
        )
    )


ITEMS = table_source(
    TableSource(
        "revenue.items",
        _item_rows,
        ("current", "previous", "change"),
        {"current": "money", "previous": "money", "change": "money", "item_code": "text", "item_name": "text"},
        "current",
    )
)
RECORDS = table_source(
    TableSource(
        "revenue.records",
        _record_rows,
        ("amount",),
        {"amount": "money", "collect_date": "date", "region_name": "text"},
        "amount",
    )
)
