"""Reporting completeness (报送完整性): who has reported which month, so a region that has not reported shows as
未报送 and never as a region that spent or collected nothing.

A reporting unit is a region's own level (省本级, 市本级, a county); it reports each month of its payments, revenue and
库款 (`report_submission`). A row of a drill (本级 or a child region) is complete for a table when every unit of its
subtree reported every month of the period that the store's data reach (`data_through`); the drilled region's
coverage counts the children that are complete ("已报送 12/14 市"). The calendar is read once per data version
(one row per unit, table and month), then every question is answered from it in Python.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core.drill import DrillState
from dashboard.core.regions import RegionTree
from dashboard.core.reporting import TABLES, Coverage, Gap
from dashboard.core.scope import Scope
from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.schema import report_submission
from queries._filters import drill_region
from queries.regions import region_tree

Calendar = dict[tuple[str, str, int], frozenset[int]]  # (unit, table, year) → the months it reported


def calendar(conn: Connection) -> Calendar:
    """Every (unit, table, year) of `report_submission` with the months reported."""
    r = report_submission.c
    found: dict[tuple[str, str, int], set[int]] = {}
    for unit, table, year, month in conn.execute(sa.select(r.region_code, r.table_name, r.year, r.month)):
        found.setdefault((str(unit), str(table), int(year)), set()).add(int(month))
    return {key: frozenset(months) for key, months in found.items()}


@functools.lru_cache(maxsize=4)
def _calendar_for(version_key: str) -> Calendar:
    with finance_engine().connect() as conn:
        return calendar(conn)


def expected_months(year: int, first_month: int, last_month: int) -> tuple[int, ...]:
    """The months of the period the store's data reach (a month after `data_through` is not due yet)."""
    through = current_data_version().data_through
    return tuple(m for m in range(first_month, last_month + 1) if (year, m) <= (through.year, through.month))


def unit_gaps(
    found: Calendar,
    tree: RegionTree,
    units: Iterable[str],
    year: int,
    months: tuple[int, ...],
    tables: Iterable[str] = tuple(TABLES),
) -> list[Gap]:
    """The units among `units` missing any of `months` of `year` in any of `tables`, in code order."""
    wanted = tuple(tables)
    gaps = []
    for unit in sorted(units):
        missing: dict[int, list[str]] = {}
        for table in wanted:
            have = found.get((unit, table, year), frozenset())
            for month in months:
                if month not in have:
                    missing.setdefault(month, []).append(table)
        if missing:
            lacking = tuple(t for t in wanted if any(t in ts for ts in missing.values()))
            known = unit in tree
            name = (tree.name(unit) + ("" if tree[unit].level == "county" else "本级")) if known else unit
            gaps.append(Gap(unit, name, tuple(sorted(missing)), lacking))
    return gaps


def _subtree(tree: RegionTree, code: str) -> list[str]:
    return list(tree.subtree(code).regions)


def coverage(scope: Scope, state: DrillState) -> Coverage:
    """The drilled region's reporting for the period (empty and complete outside the scope)."""
    region = drill_region(scope, state)
    if region is None:
        return Coverage("", (), ())
    tree = region_tree()
    found = _calendar_for(current_data_version().key)
    months = expected_months(state.year, state.first_month, state.last_month)
    children = tree.children(region.adcode)
    return Coverage(
        children[0].level if children else "",
        tuple(unit_gaps(found, tree, [region.adcode], state.year, months)),
        tuple(
            (child.adcode, tuple(unit_gaps(found, tree, _subtree(tree, child.adcode), state.year, months)))
            for child in children
        ),
    )


def row_reporting(scope: Scope, state: DrillState, tables: tuple[str, ...] = tuple(TABLES)) -> pd.DataFrame:
    """Per row of the drill, 本级 first (code None) then each child: units (reporting units of its subtree),
    unreported (those missing a month of the period in `tables`) and gaps (their `Gap.text`, joined)."""
    region = drill_region(scope, state)
    columns = ["code", "units", "unreported", "gaps"]
    if region is None:
        return pd.DataFrame(columns=columns)
    tree = region_tree()
    found = _calendar_for(current_data_version().key)
    months = expected_months(state.year, state.first_month, state.last_month)
    records = []
    for code, units in [(None, [region.adcode])] + [
        (child.adcode, _subtree(tree, child.adcode)) for child in tree.children(region.adcode)
    ]:
        gaps = unit_gaps(found, tree, units, state.year, months, tables)
        records.append((code, len(units), len(gaps), ";".join(g.text for g in gaps)))
    return pd.DataFrame(records, columns=columns)
