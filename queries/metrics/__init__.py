"""The metric layer: every indicator the cockpit shows or warns on, declared once (`catalog.METRICS`) and asked for
by name, in the spirit of a semantic layer (Cube, dbt MetricFlow): metrics × dimensions.

Interface (all values sum first, then divide; money in 元 as Decimal, ratios as float shares of 1):
- `metrics()` — the declared metrics (key, Chinese name, unit, period rule, one-line definition, dimensions);
- `definitions()` — key → the one-line definition shown beside the number (a tooltip);
- `dimensions(key)` — the filters a metric may be cut by (e.g. 'func', 'sanbao', 'program');
- `by_region(scope, state, keys, filters)` — one row for 本级 (code None) and one per child region of the drilled
  region; a parent is 本级 plus its children, so `whole` sums these rows before dividing;
- `whole(scope, state, keys, filters)` — the drilled region as a whole;
- `cells(scope, state, keys, dimension, filters)` — 本级 and each child × each value of a dimension (e.g. each
  直达 program) in one pass; `regions_of(cells, …)` gives what `by_region` gives, `values_of(cells, …)` the
  drilled region as a whole per value;
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
    "cells",
    "by_unit",
    "definitions",
    "dimensions",
    "evaluate",
    "metrics",
    "period_of",
    "regions_of",
    "values_of",
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


def _drilled(scope: Scope, state: DrillState) -> tuple[str, str, str, str] | None:
    region = drill_region(scope, state)
    if region is None or scope.column is None or scope.root is None:
        return None
    return (scope.column, scope.root, region.level, region.adcode)


def _region_frame(scope: Scope, state: DrillState, chosen: list[Metric], sums: pd.DataFrame) -> pd.DataFrame:
    """The by_region frame from per-code sums (`code` plus sum columns; a code absent has sums of 0)."""
    region = drill_region(scope, state)
    assert region is not None
    tree = region_tree()
    codes = [None, *(child.adcode for child in tree.children(region.adcode))]
    columns = compute.sum_columns(chosen)
    by_code = {None if pd.isna(r["code"]) else r["code"]: r for r in sums.to_dict("records")}
    frame = pd.DataFrame(
        [{"code": c, **{k: by_code.get(c, {}).get(k, compute.ZERO) for k in columns}} for c in codes],
        columns=["code", *columns],
    )
    frame.insert(1, "name", [row_name(tree, region, c) for c in codes])
    frame.insert(2, "is_own_level", [c is None for c in codes])
    return compute.finish(frame, chosen, period_of(state))


@memoized
def by_region(scope: Scope, state: DrillState, keys: tuple[str, ...], filters: Filters = ()) -> pd.DataFrame:
    """code (None for 本级), name, is_own_level, then every metric's columns; empty outside the scope."""
    drilled, chosen = _drilled(scope, state), _metrics(keys)
    if drilled is None:
        return pd.DataFrame(columns=["code", "name", "is_own_level", *_columns(keys)])
    plan = compute.statement(chosen, period_of(state), group="child", region=drilled, filters=dict(filters))
    with finance_engine().connect() as conn:
        found = compute.read(conn, plan)
    sums = pd.DataFrame(compute.rows_of(found, list(found), chosen), columns=["code", *compute.sum_columns(chosen)])
    return _region_frame(scope, state, chosen, sums)


@memoized
def cells(
    scope: Scope, state: DrillState, keys: tuple[str, ...], dimension: str, filters: Filters = ()
) -> pd.DataFrame:
    """code (None for 本级), `dimension`, then every metric's `<key>_num` / `<key>_den`: one row per row of the drill
    and value of `dimension` with data, read in one pass. `regions_of` and `values_of` roll it up either way."""
    chosen = _metrics(keys)
    for m in chosen:
        if dimension not in m.dimensions:
            raise ValueError(f"{m.key} cannot be cut by {dimension}")
    columns = ["code", dimension, *compute.sum_columns(chosen)]
    drilled = _drilled(scope, state)
    if drilled is None:
        return pd.DataFrame(columns=columns)
    plan = compute.statement(
        chosen, period_of(state), group="child", region=drilled, filters=dict(filters), dimension=dimension
    )
    with finance_engine().connect() as conn:
        found = compute.read(conn, plan)
    records = compute.rows_of(found, list(found), chosen)
    return pd.DataFrame([r | {"code": r["code"][0], dimension: r["code"][1]} for r in records], columns=columns)


def regions_of(found: pd.DataFrame, scope: Scope, state: DrillState, keys: tuple[str, ...]) -> pd.DataFrame:
    """`cells` summed over the dimension: the frame `by_region` gives for the same filters."""
    chosen = _metrics(keys)
    if _drilled(scope, state) is None:
        return pd.DataFrame(columns=["code", "name", "is_own_level", *_columns(keys)])
    columns = compute.sum_columns(chosen)
    sums = found.assign(code=found["code"].astype(object).fillna("")).groupby("code")[columns].sum().reset_index()
    return _region_frame(scope, state, chosen, sums.assign(code=sums["code"].replace("", None)))


def values_of(found: pd.DataFrame, keys: tuple[str, ...], dimension: str, state: DrillState) -> pd.DataFrame:
    """`cells` summed over the drill's rows: `dimension` (each value with data), then every metric's columns of
    the drilled region as a whole."""
    chosen = _metrics(keys)
    columns = compute.sum_columns(chosen)
    sums = found.dropna(subset=[dimension]).groupby(dimension)[columns].sum().reset_index()
    sums[columns] = sums[columns].astype(object)
    return compute.finish(sums, chosen, period_of(state))


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
