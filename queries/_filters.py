"""What every drill query shares: the region drilled into (inside the scope or nothing), its rows, the period's
dates, the child region a fact row belongs to, and reading a statement into a frame."""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.periods import months_bounds
from dashboard.core.regions import LEVEL_COLUMNS, Region, RegionTree
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from queries.regions import region_tree

__all__ = [
    "LEVEL_COLUMNS",
    "by_child",
    "child_key",
    "child_of",
    "child_rows",
    "drill_region",
    "fetch",
    "in_drill",
    "in_drilled",
    "in_region",
    "month_range",
    "row_name",
    "visible_region",
]


def checked(where: list[sa.ColumnElement[bool]] | None) -> list[sa.ColumnElement[bool]]:
    """The predicates of a selection made after its scope was checked (so never None: outside the scope the
    caller has already returned)."""
    if where is None:
        raise ValueError("selection outside the scope")
    return where


def fetch(statement: sa.Executable, columns: list[str] | None = None) -> pd.DataFrame:
    """The rows of `statement` on the finance store as a frame, with `columns` as names (default: its own)."""
    with finance_engine().connect() as conn:
        result = conn.execute(statement)
        return pd.DataFrame(result.fetchall(), columns=columns if columns is not None else list(result.keys()))


def child_key(table: sa.Table, region_level: str) -> sa.ColumnElement | None:
    """The column naming the child region a row belongs to (NULL for rows spent by the region itself, 本级), or None
    when a region of this level has no children to group by (a county).

    Under a province a child is a city, or a county that hangs directly on the province (city_code NULL).
    """
    if region_level == "province":
        return sa.func.coalesce(table.c.city_code, table.c.county_code)
    if region_level == "city":
        return table.c.county_code
    return None


def by_child(query: sa.Select, table: sa.Table, region_level: str) -> sa.Select:
    """`query` with a trailing `code` column naming the child region, grouped by it (all 本级 at a county)."""
    key = child_key(table, region_level)
    if key is None:
        return query.add_columns(sa.null().label("code"))
    return query.add_columns(key.label("code")).group_by(key)


def visible_region(scope: Scope, region_code: str) -> Region | None:
    """The drilled region when the scope lets the caller see it, else None (the query then returns no rows)."""
    tree = region_tree()
    return tree[region_code] if scope.sees(tree, region_code) else None


def drill_region(scope: Scope, state: DrillState) -> Region | None:
    """The region `state` drills into, or None when it is unknown or outside `scope` (the caller returns no rows)."""
    return visible_region(scope, state.region)


def child_of(tree: RegionTree, region: str, code: str) -> str | None:
    """The child of `region` whose subtree holds `code` (None when `code` is `region` itself, its 本级)."""
    path = [r.adcode for r in tree.path(code)]
    below = path[path.index(region) + 1 :]
    return below[0] if below else None


def row_name(tree: RegionTree, region: Region, code: str | None) -> str:
    """What a breakdown row is called: the child's name, or '<region>本级' for the region's own level."""
    return f"{region.name}本级" if code is None else tree.name(code)


def in_region(
    table: sa.Table, scope_column: str | None, scope_root: str | None, region_level: str, region_code: str
) -> list[sa.ColumnElement[bool]]:
    """Rows of `table` inside the caller's scope AND the drilled region's subtree (bound parameters). A query
    checks `tree.is_within(region, scope.root)` first; these conditions keep it honest in SQL too (fail closed)."""
    if scope_column is None or scope_root is None:
        return [sa.false()]
    return [table.c[scope_column] == scope_root, table.c[LEVEL_COLUMNS[region_level]] == region_code]


def in_drilled(table: sa.Table, scope: Scope, state: DrillState) -> list[sa.ColumnElement[bool]]:
    """`in_region` for the region `state` drills into (the caller has checked it is visible)."""
    return in_region(table, scope.column, scope.root, region_tree()[state.region].level, state.region)


def in_drill(table: sa.Table, scope_column: str, region_level: str) -> list[sa.ColumnElement[bool]]:
    """Scope and drill region as bound parameters (:scope_root, :region), for statements built once per level and
    cached (the values come with each execution)."""
    return [
        table.c[scope_column] == sa.bindparam("scope_root"),
        table.c[LEVEL_COLUMNS[region_level]] == sa.bindparam("region"),
    ]


def month_range(column: sa.ColumnElement, year: int, first_month: int, last_month: int) -> sa.ColumnElement[bool]:
    """`column` (a date) within the months of `year`, as a half-open date range an index can serve."""
    start, end = months_bounds(year, first_month, last_month)
    return sa.and_(column >= start, column < end)


def child_rows(region: Region, found: pd.DataFrame, zero: dict[str, object]) -> pd.DataFrame:
    """本级 first (code None, is_own_level), then every child of `region` in code order, each with its values from
    `found` (indexed by `code`, NULL for 本级) or `zero` when it had no rows — so a ranking never drops a child and
    its rows add up to the region."""
    tree = region_tree()
    records = []
    lookup = {(None if pd.isna(code) else code): row for code, row in found.iterrows()}
    for code in [None, *(child.adcode for child in tree.children(region.adcode))]:
        row = lookup.get(code)
        values = {k: (row[k] if row is not None else v) for k, v in zero.items()}
        records.append(
            {
                "code": code,
                "name": f"{region.name}本级" if code is None else tree.name(code),
                "is_own_level": code is None,
                **values,
            }
        )
    return pd.DataFrame(records, columns=["code", "name", "is_own_level", *zero])
