"""The filters every query shares: scope (fail closed), drill region, child grouping."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.regions import Region, level_column
from dashboard.scope import Scope


def scope_filter(table: sa.Table, scope: Scope) -> sa.ColumnElement[bool]:
    """Rows inside the caller's scope; `false()` when the caller has none, so nothing leaks by default."""
    if scope.root is None or scope.column is None:
        return sa.false()
    return table.c[scope.column] == scope.root


def region_filter(table: sa.Table, region: Region) -> sa.ColumnElement[bool]:
    return table.c[level_column(region)] == region.adcode


def child_key(table: sa.Table, region: Region) -> sa.ColumnElement | None:
    """The column naming the child region a row belongs to (NULL for rows spent by `region` itself, 本级), or None
    when `region` has no children to group by (a county).

    Under a province a child is a city, or a county that hangs directly on the province (city_code NULL).
    """
    if region.level == "province":
        return sa.func.coalesce(table.c.city_code, table.c.county_code)
    if region.level == "city":
        return table.c.county_code
    return None


def by_child(query: sa.Select, table: sa.Table, region: Region) -> sa.Select:
    """`query` with a leading `code` column naming the child region, grouped by it (all 本级 at a county)."""
    key = child_key(table, region)
    if key is None:
        return query.add_columns(sa.null().label("code"))
    return query.add_columns(key.label("code")).group_by(key)
