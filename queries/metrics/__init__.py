"""The metric layer: every indicator the cockpit shows or warns on, declared once (`catalog.METRICS`) and asked for
by name, in the spirit of a semantic layer (Cube, dbt MetricFlow): metrics × dimensions.

Interface (all values sum first, then divide; money in 元 as Decimal, ratios as float shares of 1):
- `metrics()` — the declared metrics (key, Chinese name, unit, period rule, one-line definition, dimensions);
- `definitions()` — key → the one-line definition shown beside the number (a tooltip);
- `dimensions(key)` — the filters a metric may be cut by (e.g. 'func', 'sanbao', 'program');
- `by_region(scope, state, keys, filters)` — one row for 本级 (code None) and one per child region of the drilled
  region; a parent is 本级 plus its children, so `whole` sums these rows before dividing;
- `whole(scope, state, keys, filters)` — the drilled region as a whole;
- `evaluate(key, sums, period)` — a metric over sums a page read itself for a breakdown the layer has no
  dimension for (its division, period rule and grading still the layer's);
- `by_unit(conn, keys, period, filters)` — per unit (省本级, 市本级, county) of the whole store, for the warning
  rules at an as-of month (`Period(year, 1, month)`).
Each metric `k` comes back as columns `k` (value), `k_num`, `k_den`, `k_benchmark` (序时进度 or the period's own
share, when the metric has one), `k_level` / `k_label` (grade from the settings table), `k_note` (e.g. which year's
综合财力).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd
from sqlalchemy.engine import Connection

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from queries._filters import drill_region, row_name
from queries.metrics import compute
from queries.metrics.catalog import METRICS, METRICS_BY_KEY, Metric, Period
from queries.regions import region_tree

__all__ = [
    "Metric",
    "Period",
    "by_region",
    "by_unit",
    "definitions",
    "dimensions",
    "evaluate",
    "metrics",
    "period_of",
    "whole",
]

Filters = tuple[tuple[str, object], ...]


def metrics() -> tuple[Metric, ...]:
    return METRICS


def definitions() -> dict[str, str]:
    """key → the one-line Chinese definition the UI shows beside the number."""
    return {m.key: m.definition for m in METRICS}


def dimensions(key: str) -> tuple[str, ...]:
    return METRICS_BY_KEY[key].dimensions


def period_of(state: DrillState) -> Period:
    return Period(state.year, state.first_month, state.last_month)


def _metrics(keys: Sequence[str]) -> list[Metric]:
    return [METRICS_BY_KEY[k] for k in keys]


def _columns(keys: Sequence[str]) -> list[str]:
    return [
        c for k in keys for c in (k, f"{k}_num", f"{k}_den", f"{k}_benchmark", f"{k}_level", f"{k}_label", f"{k}_note")
    ]


@memoized
def by_region(scope: Scope, state: DrillState, keys: tuple[str, ...], filters: Filters = ()) -> pd.DataFrame:
    """code (None for 本级), name, is_own_level, then every metric's columns; empty outside the scope."""
    region = drill_region(scope, state)
    head = ["code", "name", "is_own_level"]
    if region is None or scope.column is None or scope.root is None:
        return pd.DataFrame(columns=[*head, *_columns(keys)])
    tree, chosen, period = region_tree(), _metrics(keys), period_of(state)
    select = compute.statement(
        chosen,
        period,
        group="child",
        region=(scope.column, scope.root, region.level, region.adcode),
        filters=dict(filters),
    )
    with finance_engine().connect() as conn:
        found = compute.read(conn, select)
    codes = [None, *(child.adcode for child in tree.children(region.adcode))]
    frame = pd.DataFrame(compute.rows_of(found, codes, chosen))
    frame.insert(1, "name", [row_name(tree, region, c) for c in codes])
    frame.insert(2, "is_own_level", [c is None for c in codes])
    return compute.finish(frame, chosen, period)


def total_of(rows: pd.DataFrame, keys: Sequence[str], state: DrillState) -> pd.Series:
    """The whole region from `by_region` rows: the sums added up, then divided and graded."""
    chosen = _metrics(keys)
    sums = {c: sum(rows[c], compute.ZERO) for c in compute.sum_columns(chosen)}
    return compute.finish(pd.DataFrame([sums]), chosen, period_of(state)).iloc[0]


def evaluate(key: str, sums: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Metric `key` over sums read by a breakdown the layer does not group by (a functional class, a department):
    `sums` holds `<key>_num` and `<key>_den`; the value, benchmark, grade and note come out as from `by_region`, so
    the division, period rule and grading stay the layer's."""
    return compute.finish(sums, _metrics((key,)), period)


def whole(scope: Scope, state: DrillState, keys: tuple[str, ...], filters: Filters = ()) -> pd.Series:
    """The drilled region as a whole (本级 plus every child)."""
    return total_of(by_region(scope, state, keys, filters), keys, state)


def by_unit(
    conn: Connection, keys: Sequence[str], period: Period, filters: Mapping[str, object] | None = None
) -> pd.DataFrame:
    """region (the unit's code), then every metric's columns, for each unit with a row in any term."""
    chosen = _metrics(keys)
    found = compute.read(conn, compute.statement(chosen, period, group="unit", filters=dict(filters or {})))
    codes = sorted(c for c in found if c is not None)
    frame = pd.DataFrame(compute.rows_of(found, codes, chosen), columns=["code", *compute.sum_columns(chosen)])
    return compute.finish(frame, chosen, period).rename(columns={"code": "region"})
