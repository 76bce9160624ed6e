"""The overview of a region: revenue, spending and budget of the region itself (本级) and of each child region."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.drill import DrillState
from dashboard.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import mart_indicator_year, mart_payment_month, mart_revenue_month
from queries._filters import by_child, region_filter, scope_filter
from queries.regions import region_tree

BREAKDOWN_COLUMNS = ["code", "name", "is_own_level", "revenue", "revenue_prev", "spending", "spending_prev",
                     "budget"]
MONEY_COLUMNS = BREAKDOWN_COLUMNS[3:]


def _period_sums(mart: sa.Table, scope: Scope, state: DrillState, region, value: str) -> sa.Select:
    """Per child: the sum over the period of this year and of the same months last year."""
    this_year = sa.func.sum(sa.case((mart.c.year == state.year, mart.c.amount))).label(value)
    last_year = sa.func.sum(sa.case((mart.c.year == state.year - 1, mart.c.amount))).label(f"{value}_prev")
    query = (sa.select(this_year, last_year)
             .where(scope_filter(mart, scope), region_filter(mart, region),
                    mart.c.year.in_([state.year, state.year - 1]),
                    mart.c.month.between(state.first_month, state.last_month)))
    return by_child(query, mart, region)


def _budget(scope: Scope, state: DrillState, region) -> sa.Select:
    mart = mart_indicator_year
    query = (sa.select(sa.func.sum(mart.c.amount).label("budget"))
             .where(scope_filter(mart, scope), region_filter(mart, region), mart.c.year == state.year))
    return by_child(query, mart, region)


@memoized
def region_breakdown(scope: Scope, state: DrillState) -> pd.DataFrame:
    """One row for 本级 (code None) and one per child region of `state.region`, in 元 (Decimal).

    revenue / spending: 一般公共预算收入 / 支出 over the period's months of `state.year`; *_prev the same months of the
    year before; budget: the year's budget indicators (指标), the base of 预算执行率. The rows add up to the region.
    Empty when the region is outside the scope.
    """
    tree = region_tree()
    if scope.root is None or state.region not in tree or not tree.is_within(state.region, scope.root):
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    region = tree[state.region]
    with finance_engine().connect() as conn:
        parts = [pd.DataFrame(conn.execute(q).mappings().all()) for q in (
            _period_sums(mart_revenue_month, scope, state, region, "revenue"),
            _period_sums(mart_payment_month, scope, state, region, "spending"),
            _budget(scope, state, region))]
    rows = pd.DataFrame({"code": [None] + [c.adcode for c in tree.children(region.adcode)]})
    for part in parts:
        if not part.empty:
            rows = rows.merge(part, on="code", how="outer")
    zero = Decimal("0.00")
    for column in MONEY_COLUMNS:
        if column not in rows:
            rows[column] = zero
        rows[column] = rows[column].map(lambda v: zero if v is None or v != v else v)
    rows["is_own_level"] = rows["code"].isna()
    rows["code"] = rows["code"].astype(object).where(~rows["is_own_level"], None)
    rows["name"] = [f"{region.name}本级" if code is None else tree.name(code) for code in rows["code"]]
    return rows[BREAKDOWN_COLUMNS].reset_index(drop=True)
