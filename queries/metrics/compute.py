"""Evaluating metrics: every term of the metrics asked for becomes one branch of one UNION ALL statement, grouped by
the row it belongs to (the whole region, each child with 本级 apart, or each unit); sums are read exactly (Decimal)
and divided last, in `finish`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


def statement(
    metrics: Sequence[Metric],
    period: Period,
    *,
    group: str,
    region: tuple[str, str, str, str] | None = None,
    filters: Filters | None = None,
) -> sa.CompoundSelect:
    """(code, term, amount) for every term of `metrics`: `group` is 'child' (NULL code = 本级), 'unit' or 'total';
    `region` is (scope column, scope root, drilled level, drilled code), None for every unit of the store."""
    branches = []
    for metric in metrics:
        for part, terms in (("num", metric.numerator), ("den", metric.denominator)):
            for index, term in enumerate(terms):
                source = term.source()
                where = [
                    *term.window(source, period),
                    *term.where(source),
                    *_filter(term, source, metric, filters or {}),
                ]
                if region is not None:
                    scope_column, scope_root, level, code = region
                    where += [source.c[scope_column] == scope_root, source.c[LEVEL_COLUMNS[level]] == code]
                    key = child_key(source, level) if group == "child" else None  # type: ignore[arg-type]
                else:
                    key = unit_key(source) if group == "unit" else None
                label = sa.literal(f"{metric.key}|{part}|{index}")
                amount = sa.cast(sa.func.sum(source.c[term.amount]), MONEY).label("amount")
                if key is None:
                    branches.append(
                        sa.select(sa.cast(sa.null(), sa.String).label("code"), label.label("term"), amount).where(
                            *where
                        )
                    )
                else:
                    branches.append(
                        sa.select(key.label("code"), label.label("term"), amount).where(*where).group_by(key)
                    )
    return sa.union_all(*branches)


def read(conn: Connection, select: sa.Executable) -> dict[str | None, dict[str, Decimal]]:
    """code → term label → amount (Decimal, 0 where absent)."""
    out: dict[str | None, dict[str, Decimal]] = {}
    for code, term, amount in conn.execute(select):
        cell = out.setdefault(code, {})
        cell[term] = cell.get(term, ZERO) + (Decimal(amount) if amount is not None else ZERO)
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
