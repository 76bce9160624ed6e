"""Every link the app renders is built here, so every view is a permalink of its drill state."""

from __future__ import annotations

from urllib.parse import urlencode

from dashboard.core.drill import DrillState

CLEAR = ""


def query_string(state: DrillState, /, **changes: object) -> str:
    """The query string of `state` (region, year, period and the topic filters), with `changes` applied: None
    leaves a parameter as it is, `CLEAR` ("") removes it."""
    params: dict[str, object] = {
        "region": state.region,
        "year": state.year,
        "period": state.period,
        **dict(state.filters),
    }
    params.update({k: v for k, v in changes.items() if v is not None})
    return urlencode({k: v for k, v in params.items() if v != CLEAR})


def href(path: str, state: DrillState, /, **changes: object) -> str:
    """`path` with the query string of `state` with `changes` applied (see `query_string`); positional-only, so a
    URL parameter may be called `state` (a ticket state on /warnings)."""
    return f"{path}?{query_string(state, **changes)}"
