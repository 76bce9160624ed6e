"""The overview of a region: revenue, spending and budget of the region itself (本级) and of each child region."""

from __future__ import annotations

import functools
from collections.abc import Mapping
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import MONEY, mart_indicator_year, mart_payment_month, mart_revenue_month
from queries._filters import by_child, in_drill
from queries.regions import region_tree

BREAKDOWN_COLUMNS = ["code", "name", "is_own_level", "revenue", "revenue_prev", "spending", "spending_prev", "budget"]
MONEY_COLUMNS = BREAKDOWN_COLUMNS[3:]


def _branch(mart: sa.Table, values: Mapping[str, sa.ColumnElement], region_level: str, *where) -> sa.Select:
    """One UNION branch: every money column in BREAKDOWN order (typed NULL where the branch has none), then code."""
    columns = [values.get(c, sa.cast(sa.null(), MONEY)).label(c) for c in MONEY_COLUMNS]
    return by_child(sa.select(*columns).where(*where), mart, region_level)


@functools.lru_cache(maxsize=16)
def _breakdown_statement(scope_column: str, region_level: str) -> sa.Select:
    """Revenue, spending (this year and last, over the months) and budget per child, as one UNION ALL statement."""
    branches = []
    for mart, value in ((mart_revenue_month, "revenue"), (mart_payment_month, "spending")):
        sums = {
            value: sa.func.sum(sa.case((mart.c.year == sa.bindparam("year"), mart.c.amount))),
            f"{value}_prev": sa.func.sum(sa.case((mart.c.year == sa.bindparam("prev_year"), mart.c.amount))),
        }
        branches.append(
            _branch(
                mart,
                sums,
                region_level,
                *in_drill(mart, scope_column, region_level),
                mart.c.year.in_([sa.bindparam("year"), sa.bindparam("prev_year")]),
                mart.c.month.between(sa.bindparam("first_month"), sa.bindparam("last_month")),
            )
        )
    mart = mart_indicator_year
    branches.append(
        _branch(
            mart,
            {"budget": sa.func.sum(mart.c.amount)},
            region_level,
            *in_drill(mart, scope_column, region_level),
            mart.c.year == sa.bindparam("year"),
        )
    )
    parts = sa.union_all(*branches).subquery()
    return sa.select(
        parts.c.code, *(sa.func.coalesce(sa.func.sum(parts.c[c]), 0).label(c) for c in MONEY_COLUMNS)
    ).group_by(parts.c.code)


@memoized
def region_breakdown(scope: Scope, state: DrillState) -> pd.DataFrame:
    """One row for 本级 (code NA, is_own_level) and one per child region of `state.region`, in 元 (Decimal).

    revenue / spending: 一般公共预算收入 / 支出 over the period's months of `state.year`; *_prev the same months of the
    year before; budget: the year's budget indicators (指标), the base of 预算执行率. The rows add up to the region.
    Empty when the region is outside the scope. One statement: three mart rollups joined by UNION ALL.
    """
    tree = region_tree()
    if scope.root is None or state.region not in tree or not tree.is_within(state.region, scope.root):
        return pd.DataFrame(columns=BREAKDOWN_COLUMNS)
    region = tree[state.region]
    params = {
        "scope_root": scope.root,
        "region": region.adcode,
        "year": state.year,
        "prev_year": state.year - 1,
        "first_month": state.first_month,
        "last_month": state.last_month,
    }
    with finance_engine().connect() as conn:
        found = {row.code: row for row in conn.execute(_breakdown_statement(scope.column, region.level), params)}
    zero = Decimal("0.00")
    codes = [None] + [child.adcode for child in tree.children(region.adcode)]
    records = []
    for code in codes:
        row = found.get(code)
        records.append(
            [
                code,
                f"{region.name}本级" if code is None else tree.name(code),
                code is None,
                *(Decimal(getattr(row, c)) if row is not None else zero for c in MONEY_COLUMNS),
            ]
        )
    return pd.DataFrame(records, columns=BREAKDOWN_COLUMNS)  # code is NA on the 本级 row
