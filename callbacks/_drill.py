"""The drill state of a page's query, as every page callback parses it (scope from the request, never the browser)."""

from __future__ import annotations

from dashboard.drill import DrillState, parse_state
from dashboard.scope import Scope, current_scope
from dashboard.store.engine import current_data_version
from queries.regions import available_years, region_tree


def drill_state(query: dict | None) -> tuple[Scope, DrillState]:
    scope = current_scope()
    state = parse_state(query or {}, tree=region_tree(), scope=scope, years=available_years(),
                        data_through=current_data_version().data_through)
    return scope, state
