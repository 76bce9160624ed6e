"""The region tree and the years held by the store, loaded once per data version."""

from __future__ import annotations

import functools

import sqlalchemy as sa

from dashboard.core.regions import RegionTree
from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.schema import mart_indicator_year, region


@functools.lru_cache(maxsize=4)
def _tree_for(version_key: str) -> RegionTree:
    with finance_engine().connect() as conn:
        rows = conn.execute(sa.select(region.c.adcode, region.c.name, region.c.level, region.c.parent_adcode))
        return RegionTree.from_rows([tuple(r) for r in rows])


def region_tree() -> RegionTree:
    """All regions of the store (names are not restricted: the scope decides what numbers are visible)."""
    return _tree_for(current_data_version().key)


@functools.lru_cache(maxsize=4)
def _years_for(version_key: str) -> tuple[int, ...]:
    with finance_engine().connect() as conn:
        rows = conn.execute(sa.select(mart_indicator_year.c.year).distinct())
        return tuple(sorted(int(r[0]) for r in rows))


def available_years() -> tuple[int, ...]:
    """Budget years the store holds, oldest first."""
    return _years_for(current_data_version().key)
