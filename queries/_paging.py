"""Drill-through tables: keyset paging, totals over every row, and whole-result reads for export.

A topic query describes a table as a `TableSource`: a function building one SQLAlchemy Core select of its rows
(one row per record or per group, with a unique `id`) for a scope and drill state. This module pages it by
keyset (sort key, then `id` as tie-break: `WHERE (key, id) > (:key, :id) ORDER BY key, id LIMIT 51`), so page 1,000
costs what page 1 costs on 10M rows, and sums its money columns over ALL its rows in SQL, so the totals above a
table are the sum of every page. Export reads the same select in full, so a file equals the screen.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import TEXT_MAX, DrillState, ascii_int
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from queries._filters import fetch

PAGE_SIZE = 50


@dataclass(frozen=True)
class TableSource:
    """A drill-through table. `rows(scope, state)` returns the select of its rows (every column labelled, `id`
    unique; None when the state is outside the scope); `money` names the columns totalled above the table;
    `sortable` maps a column to its kind ('money', 'text', 'date', 'int') for typed keyset cursors."""

    name: str
    rows: Callable[[Scope, DrillState], sa.Select | None]
    money: tuple[str, ...]
    sortable: dict[str, str]
    default_sort: str
    default_descending: bool = True


SOURCES: dict[str, TableSource] = {}


def table_source(source: TableSource) -> TableSource:
    """Register `source` under its name (the paging callbacks and the export route find it there)."""
    SOURCES[source.name] = source
    return source


@dataclass(frozen=True)
class PageRequest:
    """Which page of a table: sort column and direction, and the cursor (sort value, id) of the previous page's
    last row (None for the first page). Built from browser state, so it is validated against the source."""

    sort: str
    descending: bool
    after: tuple[str, int] | None = None

    @property
    def key(self) -> str:
        return f"{self.sort}|{int(self.descending)}|{self.after!r}"

    @classmethod
    def of(
        cls, source: TableSource, sort: object = None, descending: object = None, after: object = None
    ) -> PageRequest:
        """A safe request: an unknown sort column falls back to the default, a cursor that is not (a value of the
        sort column's type, a row id in ASCII digits) to page 1."""
        if not isinstance(sort, str) or sort not in source.sortable:
            sort, descending = source.default_sort, source.default_descending
        cursor = None
        if isinstance(after, list | tuple) and len(after) == 2:
            value, ident = after
            row_id = ascii_int(ident.removeprefix("-") if isinstance(ident, str) else ident, 18)
            if row_id is not None and isinstance(value, str | int) and _typed_or_none(source.sortable[sort], value):
                cursor = (str(value), -row_id if str(ident).strip().startswith("-") else row_id)
        return cls(sort, descending is True, cursor)


_MONEY = re.compile(r"-?[0-9]{1,18}(\.[0-9]{1,4})?")


def _typed_or_none(kind: str, value: str | int) -> bool:
    """Whether `value` reads as a value of a sort column of `kind` (what `_typed` will turn it into)."""
    text = str(value)
    if len(text) > TEXT_MAX:
        return False
    if kind == "money":
        return _MONEY.fullmatch(text) is not None
    if kind == "int":
        return ascii_int(text.removeprefix("-"), 18) is not None
    if kind == "date":
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return False
        return re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text) is not None
    return True


def _typed(kind: str, text: str):
    if kind == "money":
        return Decimal(text)
    if kind == "int":
        return int(text)
    if kind == "date":
        return dt.date.fromisoformat(text)
    return text


def cursor_of(row: pd.Series, sort: str) -> tuple[str, int]:
    """The keyset cursor of a row, as JSON-safe text (dates ISO, money exact)."""
    value = row[sort]
    return (value.isoformat() if isinstance(value, dt.date) else str(value), int(row["id"]))


@dataclass
class Page:
    rows: pd.DataFrame
    has_next: bool


def _paged(source: TableSource, select: sa.Select, request: PageRequest) -> sa.Select:
    sub = select.subquery()
    key, ident = sub.c[request.sort], sub.c.id
    query = sa.select(sub)
    if request.after is not None:
        value = _typed(source.sortable[request.sort], request.after[0])
        beyond = (key < value) if request.descending else (key > value)
        tie = ident < request.after[1] if request.descending else ident > request.after[1]
        query = query.where(sa.or_(beyond, sa.and_(key == value, tie)))
    order = [key.desc(), ident.desc()] if request.descending else [key.asc(), ident.asc()]
    return query.order_by(*order).limit(PAGE_SIZE + 1)


@memoized
def table_page(scope: Scope, state: DrillState, source_name: str, request: PageRequest) -> Page:
    """One page (≤ 50 rows) of a table, by keyset; `has_next` tells whether another page follows."""
    source = SOURCES[source_name]
    select = source.rows(scope, state)
    if select is None:
        return Page(pd.DataFrame(columns=["id"]), False)
    frame = fetch(_paged(source, select, request))
    return Page(frame.head(PAGE_SIZE).reset_index(drop=True), len(frame) > PAGE_SIZE)


@memoized
def table_totals(scope: Scope, state: DrillState, source_name: str) -> pd.Series:
    """`rows` (the count) and the sum of every money column over ALL rows of the table, in one statement."""
    source = SOURCES[source_name]
    select = source.rows(scope, state)
    if select is None:
        return pd.Series({"rows": 0, **{c: Decimal("0.00") for c in source.money}}, dtype=object)
    sub = select.subquery()
    query = sa.select(
        sa.func.count().label("rows"), *(sa.func.coalesce(sa.func.sum(sub.c[c]), 0).label(c) for c in source.money)
    ).select_from(sub)  # named: a table without money columns would otherwise count one row
    with finance_engine().connect() as conn:
        row = conn.execute(query).mappings().one()
    return pd.Series({"rows": int(row["rows"]), **{c: Decimal(row[c]) for c in source.money}}, dtype=object)


def table_all(scope: Scope, state: DrillState, source_name: str, request: PageRequest, limit: int) -> pd.DataFrame:
    """Every row of the table in the screen's order, at most `limit` (export refuses larger views rather than
    cutting them, so a file's totals always equal the screen's). Not memoised: files are one-off."""
    source = SOURCES[source_name]
    select = source.rows(scope, state)
    if select is None:
        return pd.DataFrame(columns=["id"])
    sub = select.subquery()
    key, ident = sub.c[request.sort], sub.c.id
    order = [key.desc(), ident.desc()] if request.descending else [key.asc(), ident.asc()]
    return fetch(sa.select(sub).order_by(*order).limit(limit))
