"""Read-only markup shipped as data: a big table's rows as one Dash component instead of hundreds (issue 20).

The Dash renderer's cost on a page load grows with the components mounted times the store updates: every newly
mounted component dispatches its own update (RESET_COMPONENT_STATE), and every update runs the selector of every
mounted component. A drill-through page of 50 rows × 9 columns is about 500 components; on /subsidies the renderer
spent 3.8 s of a 5.8 s load in that loop (measured in Chromium's profiler, 1,299 such updates for one load).

`frozen(element)` returns `element` without its children and with them as JSON (Dash's own component JSON, the
`type` / `namespace` / `props` the renderer would have received) in its `data-html` attribute; `assets/frozen.js`
draws them as plain DOM: tags from a fixed list, text always set as text, `href` only to this site (a `dcc.Link`
navigates inside the app as Dash's does). Nothing in a frozen part may be a callback's input, output or state:
it is markup, not components.
"""

from __future__ import annotations

import json
from typing import Any

from dash.development.base_component import Component
from plotly.utils import PlotlyJSONEncoder

ATTRIBUTE = "data-html"


def frozen(element: Component) -> Component:
    """`element` with its children moved into its `data-html` attribute (see the module docstring)."""
    children = getattr(element, "children", None)
    payload = json.dumps(children, cls=PlotlyJSONEncoder, ensure_ascii=False, separators=(",", ":"))
    props: dict[str, Any] = {  # its own props as given, data-* and aria-* included
        name: value
        for name, value in element.to_plotly_json()["props"].items()
        if name != "children" and value is not None
    }
    props[ATTRIBUTE] = payload
    return type(element)(**props)
