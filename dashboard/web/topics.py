"""Topic pages (专题分析): what each one is, and the one way a request's URL becomes its validated state.

A page's callbacks and its export route both call `resolve(topic, query)`, so the file a user downloads is built
from exactly the state the screen shows, with the scope of the request (never anything the browser says).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dashboard.core.drill import DrillState, TopicFilter, browser_mapping, with_filters
from dashboard.core.regions import RegionTree
from dashboard.core.scope import Scope
from dashboard.store.engine import DataVersion, current_data_version
from dashboard.ui.drilltable import TableView
from dashboard.web.context import drill_state
from queries.regions import region_tree


@dataclass(frozen=True)
class Topic:
    """`key` prefixes every component id of the page and names its export (/export/<key>.csv); `filters(scope,
    state)` gives the topic's URL filters with their valid choices (from the store); `table(request)` the
    drill-through table for the request's state (the level depends on which drill filters are set); `capita`, the
    per-capita metric of the metric layer its ranking switches to (人均 / 同类排名; None: no switch)."""

    key: str
    path: str
    title: str
    filters: Callable[[Scope, DrillState], Sequence[TopicFilter]]
    table: Callable[[Request], TableView]
    capita: str | None = None


@dataclass(frozen=True)
class Request:
    """Everything a topic callback or export needs about the current request."""

    scope: Scope
    tree: RegionTree
    version: DataVersion
    state: DrillState
    specs: tuple[TopicFilter, ...]


def resolve(topic: Topic, query: Mapping[str, object] | None) -> Request:
    """The scope of this request and the drill state of `query` with the topic's filters validated (bad values
    dropped with a Chinese notice)."""
    scope, base = drill_state(query)
    version = current_data_version()
    tree = region_tree()
    specs = tuple(topic.filters(scope, base))
    return Request(scope, tree, version, with_filters(base, browser_mapping(query), specs), specs)
