"""What every drill query shares: the region drilled into (inside the scope or nothing), and the child region a
fact row belongs to."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.drill import DrillState
from dashboard.regions import LEVEL_COLUMNS, Region, RegionTree
from dashboard.scope import Scope
from queries.regions import region_tree

__all__ = ["LEVEL_COLUMNS", "by_child", "child_key", "child_of", "drill_region", "in_drill", "in_region", "row_name"]


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


def drill_region(scope: Scope, state: DrillState) -> Region | None:
    """The region `state` drills into, or None when it is unknown or outside `scope` (the caller returns no rows)."""
    tree = region_tree()
    if scope.root is None or state.region not in tree or not tree.is_within(state.region, scope.root):
        return None
    return tree[state.region]


def child_of(tree: RegionTree, region: str, code: str) -> str | None:
    """The child of `region` whose subtree holds `code` (None when `code` is `region` itself, its 本级)."""
    path = [r.adcode for r in tree.path(code)]
    below = path[path.index(region) + 1:]
    return below[0] if below else None


def row_name(tree: RegionTree, region: Region, code: str | None) -> str:
    """What a breakdown row is called: the child's name, or '<region>本级' for the region's own level."""
    return f"{region.name}本级" if code is None else tree.name(code)


def in_region(table: sa.Table, scope_column: str | None, scope_root: str | None, region_level: str,
              region_code: str) -> list[sa.ColumnElement[bool]]:
    """Rows of `table` inside the caller's scope AND the drilled region's subtree (bound parameters). A query
    checks `tree.is_within(region, scope.root)` first; these conditions keep it honest in SQL too (fail closed)."""
    if scope_column is None or scope_root is None:
        return [sa.false()]
    return [table.c[scope_column] == scope_root, table.c[LEVEL_COLUMNS[region_level]] == region_code]


def in_drill(table: sa.Table, scope_column: str, region_level: str) -> list[sa.ColumnElement[bool]]:
    """Scope and drill region as bound parameters (:scope_root, :region), for statements built once per level and
    cached (the values come with each execution)."""
    return [table.c[scope_column] == sa.bindparam("scope_root"),
            table.c[LEVEL_COLUMNS[region_level]] == sa.bindparam("region")]
