"""The few expressions whose SQL differs between the store's engines (DuckDB, PostgreSQL, ClickHouse).

Queries and marts build these as SQLAlchemy elements; each compiles to its engine's spelling here, so no query
carries engine-specific SQL and a new engine is one more `@compiles` per element.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

CLICKHOUSE = "clickhousedb"


class bool_or(FunctionElement):  # noqa: N801 - named as the SQL aggregate it stands for
    """True when any row is true (PostgreSQL/DuckDB `bool_or`; ClickHouse has it as `max` over Bool)."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(bool_or)
def _bool_or(element: bool_or, compiler: Any, **kw: Any) -> str:
    return f"bool_or({compiler.process(element.clauses, **kw)})"


@compiles(bool_or, CLICKHOUSE)
def _bool_or_clickhouse(element: bool_or, compiler: Any, **kw: Any) -> str:
    return f"max({compiler.process(element.clauses, **kw)})"


class bit_or(FunctionElement):  # noqa: N801
    """Bitwise OR of the rows (ClickHouse: `groupBitOr`)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(bit_or)
def _bit_or(element: bit_or, compiler: Any, **kw: Any) -> str:
    return f"bit_or({compiler.process(element.clauses, **kw)})"


@compiles(bit_or, CLICKHOUSE)
def _bit_or_clickhouse(element: bit_or, compiler: Any, **kw: Any) -> str:
    return f"groupBitOr({compiler.process(element.clauses, **kw)})"


class month_bit(FunctionElement):  # noqa: N801
    """1 << (month - 1): the bit of a month in a 12-bit mask (ClickHouse spells the shift `bitShiftLeft`)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(month_bit)
def _month_bit(element: month_bit, compiler: Any, **kw: Any) -> str:
    return f"(1 << (({compiler.process(element.clauses, **kw)}) - 1))"


@compiles(month_bit, CLICKHOUSE)
def _month_bit_clickhouse(element: month_bit, compiler: Any, **kw: Any) -> str:
    return f"bitShiftLeft(toUInt32(1), toUInt8(({compiler.process(element.clauses, **kw)}) - 1))"


def create_scratch(conn: Connection, table: sa.Table) -> None:
    """Create a work table of a load (temporary where the engine keeps the session; the caller drops it)."""
    if conn.dialect.name == CLICKHOUSE:
        from dashboard.store.clickhouse import create_scratch as create_clickhouse_scratch

        create_clickhouse_scratch(conn, table)
    else:
        table.create(conn)


def empty(conn: Connection, table: sa.Table) -> None:
    """Remove every row of `table` inside the load (ClickHouse: TRUNCATE; a DELETE would be a mutation)."""
    if conn.dialect.name == CLICKHOUSE:
        conn.exec_driver_sql(f"TRUNCATE TABLE `{table.name}`")
    else:
        conn.execute(table.delete())


class bit_and(FunctionElement):  # noqa: N801
    """a & b (ClickHouse: `bitAnd`)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(bit_and)
def _bit_and(element: bit_and, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"(({a}) & ({b}))"


@compiles(bit_and, CLICKHOUSE)
def _bit_and_clickhouse(element: bit_and, compiler: Any, **kw: Any) -> str:
    a, b = (compiler.process(c, **kw) for c in element.clauses)
    return f"bitAnd({a}, {b})"


@compiles(sa.sql.elements.Cast, CLICKHOUSE)
def _cast_clickhouse(element: sa.sql.elements.Cast, compiler: Any, **kw: Any) -> str:
    """A typed NULL (a UNION's column that only some branches fill) must be Nullable in ClickHouse."""
    target = element.type
    if isinstance(element.clause, sa.sql.elements.Null):
        return f"CAST(NULL AS Nullable({compiler.dialect.type_compiler_instance.process(target)}))"
    if isinstance(target, sa.Numeric) and not isinstance(target, sa.Float) and _is_float(element.clause):
        # ClickHouse truncates a float to a decimal (88.094999… → 88.094999); DuckDB and PostgreSQL round to the
        # nearest at the scale (88.095000). Going through the float's shortest text rounds as they do.
        value = compiler.process(element.clause, **kw)
        return (
            f"CAST(toString(round({value}, {target.scale or 0})) AS Decimal({target.precision}, {target.scale or 0}))"
        )
    source = getattr(element.clause, "type", None)
    if isinstance(target, sa.String) and isinstance(source, sa.Numeric) and not isinstance(source, sa.Float):
        # ClickHouse writes a decimal without its trailing zeros ('0', '1.5'); the others keep the scale
        value = compiler.process(element.clause, **kw)
        return f"toDecimalString({value}, {source.scale or 0})"
    return compiler.visit_cast(element, **kw)


def _is_float(clause: Any) -> bool:
    return isinstance(getattr(clause, "type", None), sa.Float)


class matches(FunctionElement):  # noqa: N801
    """`value` matches the regular expression `pattern` (SQLAlchemy's regexp_match; ClickHouse: `match`, RE2)."""

    type = sa.Boolean()
    inherit_cache = True


@compiles(matches)
def _matches(element: matches, compiler: Any, **kw: Any) -> str:
    value, pattern = element.clauses
    return str(compiler.process(value.regexp_match(pattern), **kw))


@compiles(matches, CLICKHOUSE)
def _matches_clickhouse(element: matches, compiler: Any, **kw: Any) -> str:
    value, pattern = (compiler.process(c, **kw) for c in element.clauses)
    return f"match({value}, {pattern})"


@compiles(sa.sql.elements.BindParameter, CLICKHOUSE)
def _bindparam_clickhouse(element: sa.sql.elements.BindParameter, compiler: Any, **kw: Any) -> str:
    """clickhouse-connect binds on the client as quoted text: a date must say it is one (least(date, '…') has no
    common type in ClickHouse)."""
    rendered = str(compiler.visit_bindparam(element, **kw))
    if isinstance(element.type, sa.Date) and not isinstance(element.type, sa.DateTime):
        return f"toDate({rendered})"
    return rendered


class days_between(FunctionElement):  # noqa: N801
    """Whole days from the second date to the first (`later - earlier`; ClickHouse: dateDiff)."""

    type = sa.Integer()
    inherit_cache = True


@compiles(days_between)
def _days_between(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"(({later}) - ({earlier}))"


@compiles(days_between, CLICKHOUSE)
def _days_between_clickhouse(element: days_between, compiler: Any, **kw: Any) -> str:
    later, earlier = (compiler.process(c, **kw) for c in element.clauses)
    return f"dateDiff('day', {earlier}, {later})"


@compiles(sa.Float, CLICKHOUSE)
@compiles(sa.Double, CLICKHOUSE)
def _float_clickhouse(element: sa.Float, compiler: Any, **kw: Any) -> str:
    """FLOAT is 4 bytes in ClickHouse; the quality scores' rates are computed in doubles, as on PostgreSQL."""
    return "Float64"
