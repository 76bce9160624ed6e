"""Evaluating metrics: the terms of the metrics asked for are read by one SELECT per source table and window (so a
table is scanned once however many terms read it), grouped by the row they belong to (the whole region, each child
with 本级 apart, each unit, or each value of a dimension); sums are read exactly (Decimal) and divided last, in
`finish`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.regions import LEVEL_COLUMNS
from dashboard.store.schema import MONEY
from queries._filters import child_key
from queries.metrics.catalog import Metric, Period, Term

Filters = Mapping[str, object]
ZERO = Decimal(0)


def unit_key(source: sa.FromClause) -> sa.ColumnElement:
    """The unit a row belongs to: its county, else city, else province (本级 rows keep their own region's code)."""
    return sa.func.coalesce(source.c.county_code, source.c.city_code, source.c.province_code)


def _filter(term: Term, source: sa.FromClause, metric: Metric, filters: Filters) -> list[sa.ColumnElement[bool]]:
    out = []
    for name, value in filters.items():
        if name not in metric.dimensions:
            raise ValueError(f"{metric.key} cannot be cut by {name}")
        if name not in term.dims:
            continue  # e.g. a bond kind narrows the debt, not 综合财力
        column = source.c[term.dims[name]]
        out.append(column.in_(list(value)) if isinstance(value, (tuple, list)) else column == value)
    return out


@dataclass(frozen=True)
class Branch:
    """One SELECT of a plan: `keys` key columns (the code, then a dimension's value when grouped by one), then one
    SUM per term label in `labels` (NULL where no row matched)."""

    select: sa.Select
    labels: tuple[str, ...]
    keys: int = 1


def statement(
    metrics: Sequence[Metric],
    period: Period,
    *,
    group: str,
    region: tuple[str, str, str, str] | None = None,
    filters: Filters | None = None,
    dimension: str | None = None,
) -> list[Branch]:
    """The SELECTs that read every term of `metrics`, grouped by `group`: 'child' (NULL code = 本级), 'unit' or
    'total', and then by `dimension`'s value when one is given (every term must have it). Terms over the same
    source and window share one SELECT (one scan), each summed under its own condition; `region` is (scope column,
    scope root, drilled level, drilled code), None for every unit of the store."""
    shared: dict[tuple[int, object], list[tuple[str, Term, Metric]]] = {}
    sources: dict[tuple[int, object], sa.FromClause] = {}
    for metric in metrics:
        for part, terms in (("num", metric.numerator), ("den", metric.denominator)):
            for index, term in enumerate(terms):
                source = term.source()
                slot = (id(source), term.window)
                sources.setdefault(slot, source)
                shared.setdefault(slot, []).append((f"{metric.key}|{part}|{index}", term, metric))
    return [
        _branch(sources[slot], members, period, group, region, filters or {}, dimension)
        for slot, members in shared.items()
    ]


def _group_key(source: sa.FromClause, group: str, region) -> sa.ColumnElement | None:
    if region is not None:
        return child_key(source, region[2]) if group == "child" else None  # type: ignore[arg-type]
    return unit_key(source) if group == "unit" else None


def _branch(
    source: sa.FromClause,
    members: list[tuple[str, Term, Metric]],
    period: Period,
    group: str,
    region: tuple[str, str, str, str] | None,
    filters: Filters,
    dimension: str | None,
) -> Branch:
    first = members[0][1]
    where = list(first.window(source, period))
    if region is not None:
        scope_column, scope_root, level, code = region
        where += [source.c[scope_column] == scope_root, source.c[LEVEL_COLUMNS[level]] == code]
    conditions = [[*term.where(source), *_filter(term, source, metric, filters)] for _, term, metric in members]
    if all(conditions):  # every term narrows the rows: read only those that some term wants
        where.append(sa.or_(*(sa.and_(*c) for c in conditions)))
    amounts = [
        sa.cast(
            sa.func.sum(sa.case((sa.and_(*c), source.c[t.amount])) if c else source.c[t.amount]),
            MONEY,
        ).label(f"t{i}")
        for i, ((_, t, _m), c) in enumerate(zip(members, conditions))
    ]
    key = _group_key(source, group, region)
    grouped = [] if key is None else [key]
    columns = [(sa.cast(sa.null(), sa.String) if key is None else key).label("code")]
    if dimension is not None:
        value = source.c[first.dims[dimension]]  # the terms of a metric cut by a dimension all have it
        grouped.append(value)
        columns.append(value.label("value"))
    select = sa.select(*columns, *amounts).where(*where)
    if grouped:
        select = select.group_by(*grouped)
    return Branch(select, tuple(label for label, _, _ in members), len(columns))


def read(conn: Connection, plan: Sequence[Branch]) -> dict:
    """code (or (code, value) when grouped by a dimension) → term label → amount (Decimal, 0 where absent)."""
    out: dict = {}
    for branch in plan:
        for row in conn.execute(branch.select):
            cell = out.setdefault(row[0] if branch.keys == 1 else tuple(row[: branch.keys]), {})
            for label, amount in zip(branch.labels, row[branch.keys :]):
                cell[label] = cell.get(label, ZERO) + (Decimal(amount) if amount is not None else ZERO)
    return out


def sums(metric: Metric, found: Mapping[str, Decimal]) -> tuple[Decimal, Decimal]:
    """(numerator, denominator) of `metric` from the term amounts of one row, signed and scaled."""

    def total(part: str, terms: tuple[Term, ...]) -> Decimal:
        return sum((found.get(f"{metric.key}|{part}|{i}", ZERO) * t.sign * t.factor for i, t in enumerate(terms)), ZERO)

    return total("num", metric.numerator), total("den", metric.denominator)


def ratio(metric: Metric, num: Decimal, den: Decimal) -> float | None:
    """The metric's value from its sums: the amount itself for an amount metric, else num ÷ den (None when the
    denominator is not positive)."""
    if not metric.denominator:
        return float(num)
    return float(num / den) if den > 0 else None


def finish(frame: pd.DataFrame, metrics: Sequence[Metric], period: Period) -> pd.DataFrame:
    """Adds, from `<key>_num` and `<key>_den`, each metric's value `<key>`, its benchmark `<key>_benchmark`, its
    grade `<key>_level` / `<key>_label` and its note `<key>_note`."""
    out = frame.copy()
    for m in metrics:
        values = [ratio(m, n, d) for n, d in zip(out[f"{m.key}_num"], out[f"{m.key}_den"])]
        graded = [m.grading(v, period) for v in values]
        out[m.key] = pd.Series(values, index=out.index, dtype=object)
        out[f"{m.key}_benchmark"] = m.benchmark(period)
        out[f"{m.key}_level"] = [g.level for g in graded]
        out[f"{m.key}_label"] = [g.label for g in graded]
        out[f"{m.key}_note"] = m.note(period)
    return out


def sum_columns(metrics: Sequence[Metric]) -> list[str]:
    return [c for m in metrics for c in (f"{m.key}_num", f"{m.key}_den")]


def rows_of(
    found: Mapping[str | None, Mapping[str, Decimal]], codes: Sequence[str | None], metrics: Sequence[Metric]
) -> list[dict]:
    records = []
    for code in codes:
        cell = found.get(code, {})
        record: dict[str, object] = {"code": code}
        for m in metrics:
            record[f"{m.key}_num"], record[f"{m.key}_den"] = sums(m, cell)
        records.append(record)
    return records
