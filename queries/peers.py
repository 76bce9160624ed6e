"""Peers (同类地区) and the per-capita view of a child-region ranking: which county-level units are compared with
which (`dashboard.core.peers`, the grouping a setting), and each one's rank among its peers on a metric of the
metric layer. Peers are the county-level units inside the caller's scope (a city user compares the counties of the
city, a province user those of the province); a county user has no peers to see."""

from __future__ import annotations

import pandas as pd

from dashboard.core import settings
from dashboard.core.drill import DrillState
from dashboard.core.peers import CITY_GROUP, configured_group
from dashboard.core.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from queries import metrics
from queries.regions import region_tree

Filters = tuple[tuple[str, object], ...]
__all__ = ["CITY_GROUP", "child_peer_ranks", "peer_units", "ranked"]
GROUP_FIGURES = ("population", "capacity")  # what a band grouping reads (常住人口, 综合财力)


def peer_units(scope: Scope, state: DrillState, keys: tuple[str, ...], filters: Filters = ()) -> pd.DataFrame:
    """Every county-level unit inside the scope: code, name, group (its peer group), then the metric layer's
    columns of `keys` for `state`'s period (`metrics.by_unit`). Empty for a county user. Memoised with the peer
    settings in the key, so a changed grouping never serves the old groups."""
    grouping = tuple(str(settings.get(n)) for n in ("PEER_GROUPING", "PEER_POPULATION_BANDS", "PEER_CAPACITY_BANDS"))
    return _peer_units(scope, state, keys, filters, grouping)


@memoized
def _peer_units(
    scope: Scope, state: DrillState, keys: tuple[str, ...], filters: Filters, _grouping: tuple[str, ...]
) -> pd.DataFrame:
    tree = region_tree()
    columns = ["code", "name", "group"]
    if scope.root is None or scope.root not in tree or tree[scope.root].level == "county":
        return pd.DataFrame(columns=columns)
    wanted = tuple(dict.fromkeys((*keys, *GROUP_FIGURES)))
    with finance_engine().connect() as conn:
        rows = metrics.by_unit(conn, wanted, metrics.period_of(state), dict(filters))
    inside = [
        str(c) in tree and tree[str(c)].level == "county" and tree.is_within(str(c), scope.root) for c in rows["region"]
    ]
    out = rows[inside].copy()
    out.insert(0, "code", out["region"].astype(str))
    out.insert(1, "name", [tree.name(c) for c in out["code"]])
    out.insert(
        2,
        "group",
        [configured_group(tree[c], p, k) for c, p, k in zip(out["code"], out["population"], out["capacity"])],
    )
    return out.reset_index(drop=True)


def ranked(frame: pd.DataFrame, value: str) -> pd.DataFrame:
    """`frame` (code, group and a `value` column) with `peer_rank` (1 = highest in its group; equal values share
    a rank, the next one counts them: 1, 1, 3) and `peer_count` (the group's regions with a value); rows without a
    value or a group get neither. Rows come back ordered by group, rank and code."""
    out = frame.copy()
    out["peer_rank"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    out["peer_count"] = pd.Series([None] * len(out), index=out.index, dtype=object)
    valued = out[out[value].notna() & out["group"].notna()]
    for _group, members in valued.groupby("group"):
        numbers = members[value].astype(float)
        for index, number in numbers.items():
            out.at[index, "peer_rank"] = int((numbers > number).sum()) + 1
            out.at[index, "peer_count"] = len(members)
    return out


def child_peer_ranks(scope: Scope, state: DrillState, key: str) -> pd.DataFrame:
    """code, group, `key`, peer_rank, peer_count of each child of the drilled region: county children ranked among
    every county-level peer in the scope; city children among the scope's children (the province's cities)."""
    tree = region_tree()
    columns = ["code", "group", key, "peer_rank", "peer_count"]
    children = tree.children(state.region)
    if not children:
        return pd.DataFrame(columns=columns)
    codes = {c.adcode for c in children}
    if all(c.level == "county" for c in children):
        units = peer_units(scope, state, (key,))
        if units.empty:
            return pd.DataFrame(columns=columns)
        found = ranked(units, key)
        return found[found["code"].isin(codes)][columns].reset_index(drop=True)
    rows = metrics.by_region(scope, state, (key, *GROUP_FIGURES))
    rows = rows[~rows["is_own_level"]].copy()
    rows["group"] = [
        configured_group(tree[str(c)], p, k) for c, p, k in zip(rows["code"], rows["population"], rows["capacity"])
    ]
    return ranked(rows, key)[columns].reset_index(drop=True)
