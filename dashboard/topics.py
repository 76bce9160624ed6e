"""Topic pages (专题分析): what each one is, and the one way a request's URL becomes its validated state.

A page's callbacks and its export route both call `resolve(topic, query)`, so the file a user downloads is built
from exactly the state the screen shows, with the scope of the request (never anything the browser says).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

from dashboard.drill import DrillState, TopicFilter, parse_state, with_filters
from dashboard.drilltable import TableView
from dashboard.regions import RegionTree
from dashboard.scope import Scope, current_scope
from dashboard.store.engine import DataVersion, current_data_version
from queries.regions import available_years, region_tree


@dataclass(frozen=True)
class Topic:
    """`key` prefixes every component id of the page and names its export (/export/<key>.csv); `filters(scope,
    state)` gives the topic's URL filters with their valid choices (from the store); `table(request)` the
    drill-through table for the request's state (the level depends on which drill filters are set)."""

    key: str
    path: str
    title: str
    filters: Callable[[Scope, DrillState], Sequence[TopicFilter]]
    table: Callable[["Request"], TableView]


TOPICS: dict[str, Topic] = {}


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
    scope = current_scope()
    version = current_data_version()
    tree = region_tree()
    base = parse_state(query or {}, tree=tree, scope=scope, years=available_years(),
                       data_through=version.data_through)
    specs = tuple(topic.filters(scope, base))
    return Request(scope, tree, version, with_filters(base, query or {}, specs), specs)
