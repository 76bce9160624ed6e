"""Every link the app renders is built here, so every view is a permalink of its drill state."""

from __future__ import annotations

from urllib.parse import urlencode

from dashboard.drill import DrillState


def href(path: str, state: DrillState, **changes: object) -> str:
    """`path` with the query string of `state`, with `changes` (region, year, period) applied."""
    params = {"region": state.region, "year": state.year, "period": state.period}
    params.update({k: v for k, v in changes.items() if v is not None})
    return f"{path}?{urlencode(params)}"
