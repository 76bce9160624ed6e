"""The leadership cockpit's figures beyond the overview: 直达资金, 库款保障水平, this month's payments, revenue mix,
spending by function, the monthly trend, and (at a leaf region) the top agencies and projects.

The big screen (`/screen`) and the analyst overview (`/`) both read these, so a number means the same on both.
Per-region queries return one row for 本级 (code NA) and one per child region, so a parent is their sum.
"""

from __future__ import annotations

import functools
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.reporting import UNREPORTED, unreported
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import (
    MONEY,
    agency,
    classification,
    mart_payment_agency_month,
    mart_payment_month,
    mart_payment_project_month,
    mart_revenue_month,
    project,
)
from queries import metrics, reporting
from queries._filters import LEVEL_COLUMNS, by_child, in_drill
from queries.overview import region_breakdown
from queries.regions import region_tree

EXTRA_COLUMNS = ["month_spending"]
METRIC_KEYS = ("execution", "direct_pay", "cash_level")  # the cockpit's indicators, from queries.metrics
SUMMED = ["revenue", "revenue_prev", "spending", "spending_prev", "budget", *EXTRA_COLUMNS]
INDICATOR_COLUMNS = [
    "code",
    "name",
    "is_own_level",
    "revenue",
    "revenue_prev",
    "spending",
    "spending_prev",
    "budget",
    *EXTRA_COLUMNS,
    *(c for k in METRIC_KEYS for c in (k, f"{k}_num", f"{k}_den", f"{k}_benchmark", f"{k}_level", f"{k}_label")),
    "lag_points",
    "revenue_yoy",
    "report_units",
    "unreported_units",
    "report_gaps",
]
GRADED = ("execution", "direct_pay", "cash_level")  # the grades a row that has not reported must not show


@functools.lru_cache(maxsize=16)
def _extras_statement(scope_column: str, region_level: str) -> sa.Select:
    """Payments of the period's last month (本月支付) per child, one statement."""
    pay = mart_payment_month
    return by_child(
        sa.select(
            sa.func.coalesce(sa.func.sum(pay.c.amount), 0).label("month_spending"),
        ).where(
            *in_drill(pay, scope_column, region_level),
            pay.c.year == sa.bindparam("year"),
            pay.c.month == sa.bindparam("last_month"),
        ),
        pay,
        region_level,
    )


def _params(scope: Scope, state: DrillState) -> dict:
    return {
        "scope_root": scope.root,
        "region": state.region,
        "year": state.year,
        "prev_year": state.year - 1,
        "first_month": state.first_month,
        "last_month": state.last_month,
    }


@memoized
def region_extras(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Per 本级 (code NA) and child region of `state.region`: month_spending, the payments of the period's last
    month (本月支付), in 元 (Decimal). Empty outside the scope."""
    if scope.column is None or not scope.sees(region_tree(), state.region):
        return pd.DataFrame(columns=["code", *EXTRA_COLUMNS])
    tree = region_tree()
    region = tree[state.region]
    with finance_engine().connect() as conn:
        found = {
            row.code: row for row in conn.execute(_extras_statement(scope.column, region.level), _params(scope, state))
        }
    zero = Decimal("0.00")
    records = []
    for code in [None] + [child.adcode for child in tree.children(region.adcode)]:
        row = found.get(code)
        records.append([code, *(Decimal(getattr(row, c)) if row is not None else zero for c in EXTRA_COLUMNS)])
    return pd.DataFrame(records, columns=["code", *EXTRA_COLUMNS])


def _yoy(current, previous) -> float | None:
    return None if not previous else float((Decimal(current) - Decimal(previous)) / Decimal(previous))


def _with_derived(frame: pd.DataFrame) -> pd.DataFrame:
    """lag_points = (benchmark − 预算执行率) × 100 (the benchmark is the metric's: 序时进度, or the period's own
    share of the year), revenue_yoy as a share."""
    frame["lag_points"] = [
        None if e is None or pd.isna(e) else (b - e) * 100
        for e, b in zip(frame["execution"], frame["execution_benchmark"])
    ]
    frame["revenue_yoy"] = [_yoy(c, p) for c, p in zip(frame["revenue"], frame["revenue_prev"])]
    return frame


def _unreported(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows none of whose units reported the whole period are 未报送: no grade and no lag from their part-figures
    (a county that has not sent December is not a county that stopped paying)."""
    silent = pd.Series(
        [unreported(u, n) for u, n in zip(frame["report_units"], frame["unreported_units"])], index=frame.index
    )
    for key in GRADED:
        frame[f"{key}_level"] = frame[f"{key}_level"].astype(object).where(~silent, None)
        frame[f"{key}_label"] = frame[f"{key}_label"].astype(object).where(~silent, UNREPORTED)
    frame["lag_points"] = frame["lag_points"].astype(object).where(~silent, None)
    return frame


@memoized
def region_indicators(scope: Scope, state: DrillState) -> pd.DataFrame:
    """The overview breakdown joined with this month's payments and the cockpit's metrics (`METRIC_KEYS`, from
    `queries.metrics`, with their sums, benchmark and grade). First row 本级, then the children."""
    base = region_breakdown(scope, state)
    if base.empty:
        return pd.DataFrame(columns=INDICATOR_COLUMNS)
    extras = region_extras(scope, state)
    measured = metrics.by_region(scope, state, METRIC_KEYS)
    reported = reporting.row_reporting(scope, state)
    frame = pd.concat(
        [
            base.reset_index(drop=True),
            extras[EXTRA_COLUMNS].reset_index(drop=True),
            measured.drop(columns=["code", "name", "is_own_level"]).reset_index(drop=True),
            reported.drop(columns=["code"])
            .rename(columns={"units": "report_units", "unreported": "unreported_units", "gaps": "report_gaps"})
            .reset_index(drop=True),
        ],
        axis=1,
    )
    return _unreported(_with_derived(frame))[INDICATOR_COLUMNS]


def region_totals(indicators: pd.DataFrame, state: DrillState) -> pd.Series:
    """The drilled region as a whole from `region_indicators`: 本级 plus every child, sums first, the metrics
    divided and graded by `queries.metrics`; 未报送 when no unit of the region reported the whole period."""
    sums = indicators[SUMMED].sum()
    measured = metrics.total_of(indicators, METRIC_KEYS, state)
    counts = pd.Series(
        {
            "report_units": int(indicators["report_units"].sum()),
            "unreported_units": int(indicators["unreported_units"].sum()),
            "report_gaps": ";".join(g for g in indicators["report_gaps"] if g),
        }
    )
    frame = pd.DataFrame([pd.concat([sums, measured, counts])])
    return _unreported(_with_derived(frame)).iloc[0]


@memoized
def revenue_items(scope: Scope, state: DrillState) -> pd.DataFrame:
    """一般公共预算收入 by item (款) over the period: item_code, name, kind ('税收收入' / '非税收入'), amount (元),
    largest first. Answers "how good is the revenue": tax against non-tax and the items that carry it."""
    if scope.column is None or not scope.sees(region_tree(), state.region):
        return pd.DataFrame(columns=["item_code", "name", "kind", "amount"])
    region = region_tree()[state.region]
    m, c, k = mart_revenue_month, classification.alias("item"), classification.alias("kind")
    statement = (
        sa.select(m.c.item_code, c.c.name, k.c.name.label("kind"), sa.func.sum(m.c.amount).label("amount"))
        .select_from(
            m.join(c, sa.and_(c.c.kind == "revenue", c.c.code == m.c.item_code)).join(
                k, sa.and_(k.c.kind == "revenue", k.c.code == c.c.parent_code)
            )
        )
        .where(
            *in_drill(m, scope.column, region.level),
            m.c.year == sa.bindparam("year"),
            m.c.month.between(sa.bindparam("first_month"), sa.bindparam("last_month")),
        )
        .group_by(m.c.item_code, c.c.name, k.c.name)
        .order_by(sa.func.sum(m.c.amount).desc(), m.c.item_code)
    )
    with finance_engine().connect() as conn:
        return pd.DataFrame(
            conn.execute(statement, _params(scope, state)).all(), columns=["item_code", "name", "kind", "amount"]
        )


@memoized
def spending_by_function(scope: Scope, state: DrillState) -> pd.DataFrame:
    """一般公共预算支出 by function (类) over the period: func_code, name, amount (元), largest first."""
    if scope.column is None or not scope.sees(region_tree(), state.region):
        return pd.DataFrame(columns=["func_code", "name", "amount"])
    region = region_tree()[state.region]
    m, c = mart_payment_month, classification
    statement = (
        sa.select(m.c.func_code, c.c.name, sa.func.sum(m.c.amount).label("amount"))
        .select_from(m.join(c, sa.and_(c.c.kind == "function", c.c.code == m.c.func_code)))
        .where(
            *in_drill(m, scope.column, region.level),
            m.c.year == sa.bindparam("year"),
            m.c.month.between(sa.bindparam("first_month"), sa.bindparam("last_month")),
        )
        .group_by(m.c.func_code, c.c.name)
        .order_by(sa.func.sum(m.c.amount).desc(), m.c.func_code)
    )
    with finance_engine().connect() as conn:
        return pd.DataFrame(
            conn.execute(statement, _params(scope, state)).all(), columns=["func_code", "name", "amount"]
        )


@memoized
def monthly_trend(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Revenue and spending per month of `state.year` and the year before (all months the store holds):
    year, month, revenue, spending (元). The trend ignores the period filter: it shows the whole year so far."""
    if scope.column is None or not scope.sees(region_tree(), state.region):
        return pd.DataFrame(columns=["year", "month", "revenue", "spending"])
    region = region_tree()[state.region]
    null = sa.cast(sa.null(), MONEY)
    branches = []
    for mart, value in ((mart_revenue_month, "revenue"), (mart_payment_month, "spending")):
        amount = sa.func.sum(mart.c.amount)
        branches.append(
            sa.select(
                mart.c.year,
                mart.c.month,
                (amount if value == "revenue" else null).label("revenue"),
                (amount if value == "spending" else null).label("spending"),
            )
            .where(
                *in_drill(mart, scope.column, region.level),
                mart.c.year.in_([sa.bindparam("year"), sa.bindparam("prev_year")]),
            )
            .group_by(mart.c.year, mart.c.month)
        )
    parts = sa.union_all(*branches).subquery()
    statement = (
        sa.select(
            parts.c.year,
            parts.c.month,
            sa.func.coalesce(sa.func.sum(parts.c.revenue), 0),
            sa.func.coalesce(sa.func.sum(parts.c.spending), 0),
        )
        .group_by(parts.c.year, parts.c.month)
        .order_by(parts.c.year, parts.c.month)
    )
    with finance_engine().connect() as conn:
        rows = conn.execute(statement, _params(scope, state)).all()
    frame = pd.DataFrame(rows, columns=["year", "month", "revenue", "spending"])
    frame[["year", "month"]] = frame[["year", "month"]].astype(int)
    return frame


@memoized
def top_payees(scope: Scope, state: DrillState, by: str, limit: int = 8) -> pd.DataFrame:
    """The agencies (by='agency') or projects (by='project') a region itself paid most to over the period, from the
    payment marts (agency × month, project × month): name, amount (元), payments. Shown where the drill
    ends (a county, a city without counties), so a leader sees who spends the money. Only the region's own payments
    (本级), never a child's."""
    if scope.column is None or not scope.sees(region_tree(), state.region) or by not in ("agency", "project"):
        return pd.DataFrame(columns=["name", "amount", "payments"])
    region = region_tree()[state.region]
    p = mart_payment_agency_month if by == "agency" else mart_payment_project_month
    levels = list(LEVEL_COLUMNS)
    own_level = [
        p.c[LEVEL_COLUMNS[region.level]] == sa.bindparam("region"),
        *(p.c[LEVEL_COLUMNS[lower]].is_(None) for lower in levels[levels.index(region.level) + 1 :]),
    ]
    if by == "agency":
        source, name = p.join(agency, agency.c.id == p.c.agency_id), agency.c.name
    else:
        source, name = p.join(project, project.c.id == p.c.project_id), project.c.name
    statement = (
        sa.select(
            name.label("name"),
            sa.func.sum(p.c.amount).label("amount"),
            sa.cast(sa.func.sum(p.c.n), sa.BigInteger).label("payments"),
        )
        .select_from(source)
        .where(
            p.c[scope.column] == sa.bindparam("scope_root"),
            *own_level,
            p.c.year == sa.bindparam("year"),
            p.c.month.between(sa.bindparam("first"), sa.bindparam("last")),
        )
        .group_by(name)
        .order_by(sa.func.sum(p.c.amount).desc(), name)
        .limit(limit)
    )
    with finance_engine().connect() as conn:
        rows = conn.execute(
            statement,
            {
                "scope_root": scope.root,
                "region": state.region,
                "year": state.year,
                "first": state.first_month,
                "last": state.last_month,
            },
        ).all()
    return pd.DataFrame(rows, columns=["name", "amount", "payments"])
