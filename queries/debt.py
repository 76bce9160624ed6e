"""Debt and treasury cash of a region: 债务余额 against 债务限额, 债务率, 利息支出率, the maturity profile, and
库款保障水平 of each unit by month.

债务率 and 利息支出率 are yearly: the balance at the end of the year (or the data date, if earlier) against the year's
综合财力 (一般公共预算收入 + 政府性基金收入 + transfers received from above, as `queries.transfers` counts them: a
child's subtree from outside it, the 本级 row what was sent to the region itself).
"""

from __future__ import annotations

import datetime as dt
import functools
from decimal import Decimal
from typing import cast

import pandas as pd
import sqlalchemy as sa

from dashboard.core import grades
from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import (
    bond,
    debt_limit,
    treasury_cash,
)
from dashboard.store.schema import (
    region as region_table,
)
from queries import metrics
from queries._filters import by_child, child_key, child_of, drill_region, in_drill, in_region, row_name
from queries._paging import TableSource, table_source
from queries.regions import region_tree

BOND_KINDS = ("一般", "专项")
DEBT_MONEY = ["general_debt", "special_debt", "general_limit", "special_limit"]
DEBT_COLUMNS = ["code", "name", "is_own_level", *DEBT_MONEY]
MATURITY_YEARS = 5
CASH_COLUMNS = [
    "unit",
    "unit_name",
    "code",
    "name",
    "year",
    "month",
    "closing",
    "average_outflow",
    "cash_level",
    "grade",
    "grade_level",
]


def balance_date(year: int) -> dt.date:
    """The day the year's debt balance is taken: 31 December, or the data date when the year is not over."""
    return min(dt.date(year, 12, 31), current_data_version().data_through)


def _live_bonds(*, kind_filter: bool) -> list[sa.ColumnElement[bool]]:
    """Bonds owed at :balance_date (issued by then, not yet due), optionally of one :bond_kind."""
    where = [bond.c.issue_date <= sa.bindparam("balance_date"), bond.c.maturity_date > sa.bindparam("balance_date")]
    if kind_filter:
        where.append(bond.c.kind == sa.bindparam("bond_kind"))
    return where


@functools.lru_cache(maxsize=16)
def _debt_statement(scope_column: str, level: str) -> sa.Select:
    """Balances by kind per child; limits are kept per unit (`debt_limit` has no ancestry) and added by the
    caller. 综合财力 and interest come from the metric layer (`debt_metrics`), never from here."""
    kinds = {
        "general_debt": sa.func.sum(sa.case((bond.c.kind == "一般", bond.c.principal))),
        "special_debt": sa.func.sum(sa.case((bond.c.kind == "专项", bond.c.principal))),
    }
    return by_child(
        sa.select(*(value.label(name) for name, value in kinds.items())).where(
            *in_drill(bond, scope_column, level), *_live_bonds(kind_filter=False)
        ),
        bond,
        level,
    )


@memoized
def debt_breakdown(scope: Scope, state: DrillState) -> pd.DataFrame:
    """One row for 本级 (code NA) and one per child of `state.region`, in 元 (Decimal), for `state.year`:
    债务余额 by kind at `balance_date` and 债务限额 by kind. Empty outside the scope. Use `debt_ratios` for 综合财力,
    the ratios and grades (the metric layer), `debt_total` for the whole region."""
    region = drill_region(scope, state)
    if region is None:
        return pd.DataFrame(columns=DEBT_COLUMNS)
    tree = region_tree()
    params = {"scope_root": scope.root, "region": region.adcode, "balance_date": balance_date(state.year)}
    units = list(tree.subtree(region.adcode).regions)
    with finance_engine().connect() as conn:
        found = {row.code: row for row in conn.execute(_debt_statement(scope.column, region.level), params)}
        limits = conn.execute(
            sa.select(debt_limit.c.region_code, debt_limit.c.general_limit, debt_limit.c.special_limit).where(
                debt_limit.c.year == state.year, debt_limit.c.region_code.in_(units)
            )
        ).all()
    limit_of: dict[str | None, list[Decimal]] = {}
    for code, general, special in limits:
        total = limit_of.setdefault(child_of(tree, region.adcode, code), [Decimal(0), Decimal(0)])
        total[0] += Decimal(general)
        total[1] += Decimal(special)
    records = []
    for code in [None, *(child.adcode for child in tree.children(region.adcode))]:
        row = found.get(code)
        general_limit, special_limit = limit_of.get(code, [Decimal(0), Decimal(0)])
        values = {
            c: Decimal(getattr(row, c) or 0) if row is not None else Decimal(0)
            for c in DEBT_MONEY
            if c not in ("general_limit", "special_limit")
        }
        values.update(general_limit=general_limit, special_limit=special_limit)
        records.append([code, row_name(tree, region, code), code is None, *(values[c] for c in DEBT_MONEY)])
    return pd.DataFrame(records, columns=DEBT_COLUMNS)


def debt_total(rows: pd.DataFrame) -> pd.Series:
    """The whole region from its rows: balances and limits add up."""
    return rows[DEBT_MONEY].sum()


DEBT_METRICS = ("debt_ratio", "interest_general", "interest_special", "cash_level")


def debt_metrics(scope: Scope, state: DrillState) -> pd.DataFrame:
    """债务率, 利息支出率 (一般 and 专项) and 库款保障水平 of 本级 and each child, from the metric layer
    (`queries.metrics`): what `debt_ratios` and `whole_region` put beside the balances."""
    return metrics.by_region(scope, state, DEBT_METRICS)


def _measured(values: pd.DataFrame | pd.Series) -> dict[str, object]:
    """The page's columns from metric columns (a frame indexed by code, or one total row)."""
    out: dict[str, object] = {
        "capacity": values["debt_ratio_den"],
        "capacity_note": values["debt_ratio_note"],
        "interest": values["interest_general_num"],
        "special_interest": values["interest_special_num"],
    }
    for column, key in (
        ("debt", "debt_ratio"),
        ("interest", "interest_general"),
        ("special_interest", "interest_special"),
        ("cash", "cash_level"),
    ):
        ratio = {"debt": "debt_ratio", "cash": "cash_level"}.get(column, f"{column}_ratio")
        out[ratio] = values[key]
        out[f"{column}_grade"] = values[f"{key}_label"]
        out[f"{column}_grade_level"] = values[f"{key}_level"]
    return out


def debt_ratios(rows: pd.DataFrame, measured: pd.DataFrame) -> pd.DataFrame:
    """`rows` (from `debt_breakdown`) with 债务余额 and 债务限额, and beside them, for the same drill rows, the
    metric layer's 综合财力 (a full year's, `capacity_note` says which), 债务率, 利息支出率 一般 (`interest_ratio`)
    and 专项 (`special_interest_ratio`), 库款保障水平 at the period's end, each with `<x>_grade` (label) and
    `<x>_grade_level` (`measured`: `debt_metrics`)."""
    out = rows.copy()
    out["debt"] = out["general_debt"] + out["special_debt"]
    out["limit"] = out["general_limit"] + out["special_limit"]
    by_code = measured.assign(code=measured["code"].astype(object).fillna("")).set_index("code")
    codes = out["code"].astype(object).fillna("")
    for column, values in _measured(by_code).items():
        out[column] = [cast(pd.Series, values).get(c) for c in codes]
    return out


def whole_region(rows: pd.DataFrame, measured: pd.DataFrame, state: DrillState) -> pd.Series:
    """The 合计 line: `debt_total` of `rows` with the metric layer's ratios and grades of the whole region (sums of
    the rows of `measured` first, then the ratio)."""
    total = debt_total(rows)
    total["debt"] = total["general_debt"] + total["special_debt"]
    total["limit"] = total["general_limit"] + total["special_limit"]
    for column, value in _measured(metrics.total_of(measured, DEBT_METRICS, state)).items():
        total[column] = value
    return total


@functools.lru_cache(maxsize=16)
def _maturity_statement(scope_column: str, level: str, kind_filter: bool) -> sa.Select:
    due_year = sa.cast(sa.extract("year", bond.c.maturity_date), sa.Integer)
    return (
        sa.select(due_year.label("due_year"), bond.c.kind, sa.func.sum(bond.c.principal).label("amount"))
        .where(
            *in_drill(bond, scope_column, level),
            *_live_bonds(kind_filter=kind_filter),
            due_year.between(sa.bindparam("first_year"), sa.bindparam("last_year")),
        )
        .group_by(due_year, bond.c.kind)
    )


@memoized
def maturity_profile(scope: Scope, state: DrillState, bond_kind: str | None = None) -> pd.DataFrame:
    """到期债务: principal of the bonds owed at `balance_date` falling due in each of the next five years, by kind
    (every year × kind present, zero when nothing is due), in 元. `bond_kind` 一般 / 专项 restricts it."""
    columns = ["due_year", "kind", "amount"]
    region = drill_region(scope, state)
    if region is None:
        return pd.DataFrame(columns=columns)
    start = balance_date(state.year)
    params = {
        "scope_root": scope.root,
        "region": region.adcode,
        "balance_date": start,
        "first_year": start.year + 1,
        "last_year": start.year + MATURITY_YEARS,
        "bond_kind": bond_kind,
    }
    with finance_engine().connect() as conn:
        found = {
            (int(r.due_year), r.kind): Decimal(r.amount)
            for r in conn.execute(_maturity_statement(scope.column, region.level, bond_kind is not None), params)
        }
    kinds = BOND_KINDS if bond_kind is None else (bond_kind,)
    return pd.DataFrame(
        [
            (year, kind, found.get((year, kind), Decimal(0)))
            for year in range(start.year + 1, start.year + MATURITY_YEARS + 1)
            for kind in kinds
        ],
        columns=columns,
    )


@functools.lru_cache(maxsize=16)
def _cash_statement(scope_column: str, level: str) -> sa.Select:
    c = treasury_cash
    month_index = c.c.year * 12 + c.c.month
    key = child_key(c, level)
    windowed = (
        sa.select(
            c.c.region_code.label("unit"),
            (key if key is not None else sa.null()).label("code"),
            c.c.year,
            c.c.month,
            c.c.closing,
            sa.func.avg(c.c.outflow)
            .over(partition_by=c.c.region_code, order_by=month_index, rows=(-2, 0))
            .label("average_outflow"),
            month_index.label("month_index"),
        )
        .where(
            *in_drill(c, scope_column, level),
            month_index.between(sa.bindparam("first_index") - 2, sa.bindparam("last_index")),
        )
        .subquery()
    )
    return (
        sa.select(
            windowed.c.unit,
            windowed.c.code,
            windowed.c.year,
            windowed.c.month,
            windowed.c.closing,
            windowed.c.average_outflow,
        )
        .where(windowed.c.month_index >= sa.bindparam("first_index"))
        .order_by(windowed.c.unit, windowed.c.year, windowed.c.month)
    )


@memoized
def cash_levels(scope: Scope, state: DrillState) -> pd.DataFrame:
    """库款保障水平 of every unit (treasury) in the region's subtree for each month of the period: month-end cash ÷
    average outflow of that month and the two before (fewer at the start of the data), graded by
    `grades.cash_level` (`grade` its label, `grade_level` its level). `code` / `name` say which row of the drill the
    unit belongs to (code NA: 本级). Closing and average outflow in 元. Empty outside the scope."""
    region = drill_region(scope, state)
    if region is None:
        return pd.DataFrame(columns=CASH_COLUMNS)
    tree = region_tree()
    params = {
        "scope_root": scope.root,
        "region": region.adcode,
        "first_index": state.year * 12 + state.first_month,
        "last_index": state.year * 12 + state.last_month,
    }
    with finance_engine().connect() as conn:
        rows = conn.execute(_cash_statement(scope.column, region.level), params).all()
    records = []
    for r in rows:
        average = Decimal(r.average_outflow)
        level = float(Decimal(r.closing) / average) if average else None
        grade = grades.cash_level(level)
        records.append(
            [
                r.unit,
                tree.name(r.unit),
                r.code,
                row_name(tree, region, r.code),
                int(r.year),
                int(r.month),
                Decimal(r.closing),
                average,
                level,
                grade.label,
                grade.level,
            ]
        )
    return pd.DataFrame(records, columns=CASH_COLUMNS)


def cash_by_row(levels: pd.DataFrame) -> pd.DataFrame:
    """`cash_levels` summed per row of the drill and month (本级 and each child: cash and average outflow of all
    its units, sums first, then the ratio) with the grade of that ratio."""
    out = (
        levels.assign(code=levels["code"].astype(object))
        .groupby(["code", "name", "year", "month"], dropna=False, sort=False)[["closing", "average_outflow"]]
        .sum()
        .reset_index()
    )
    out["cash_level"] = [float(c / a) if a else None for c, a in zip(out["closing"], out["average_outflow"])]
    graded = [grades.cash_level(level) for level in out["cash_level"]]
    out["grade"] = [g.label for g in graded]
    out["grade_level"] = [g.level for g in graded]
    return out


def _bond_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The bonds owed at the year's `balance_date` in the region (a bond is the record behind 债务余额), under the
    bond-kind filter; the table's total is the page's 债务余额."""
    drilled = drill_region(scope, state)
    if drilled is None:
        return None
    b = bond
    where = [
        *in_region(b, scope.column, scope.root, drilled.level, drilled.adcode),
        b.c.issue_date <= balance_date(state.year),
        b.c.maturity_date > balance_date(state.year),
    ]
    if state.filter("bond_kind") is not None:
        where.append(b.c.kind == state.filter("bond_kind"))
    unit = sa.func.coalesce(b.c.county_code, b.c.city_code, b.c.province_code)
    return (
        sa.select(
            b.c.id,
            b.c.name,
            region_table.c.name.label("region_name"),
            b.c.kind,
            b.c.issue_date,
            b.c.maturity_date,
            sa.cast(b.c.rate, sa.Numeric(6, 2)).label("rate"),
            b.c.principal,
        )
        .select_from(b.join(region_table, region_table.c.adcode == unit))
        .where(*where)
    )


BONDS = table_source(
    TableSource(
        "debt.bonds",
        _bond_rows,
        ("principal",),
        {"principal": "money", "maturity_date": "date", "issue_date": "date", "name": "text"},
        "principal",
    )
)
