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


def child_key(table: sa.Table, region: Region) -> sa.ColumnElement:
    """The column naming the child region a row belongs to; NULL for rows spent by `region` itself (本级).

    Under a province a child is a city, or a county that hangs directly on the province (city_code NULL).
    """
    if region.level == "province":
        return sa.func.coalesce(table.c.city_code, table.c.county_code)
    if region.level == "city":
        return table.c.county_code
    return sa.null()
