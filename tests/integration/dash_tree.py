"""Dash callbacks and component trees as JSON, the way the browser's Dash renderer sees them.

`callback_body` builds what the renderer posts to /_dash-update-component; `walk`, `by_id`, `text_of` read the
components of a callback response; `figure_in` picks a kit figure out of a response by its slot.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from dash import Dash

Dependency = tuple[str, str, object]


def find_callback(app: Dash, output_id: str) -> tuple[str, dict]:
    """(key, spec) of the callback in `app.callback_map` that outputs `output_id`."""
    for key, spec in app.callback_map.items():
        if f"{output_id}." in key:
            return key, spec
    raise KeyError(output_id)


def _component_id(text: str) -> str | dict:
    """A callback key names a pattern-matching id as its JSON (`{"page":"spending",...}`): send it as a dict."""
    return json.loads(text) if text.startswith("{") else text


def callback_body(app: Dash, output_id: str, inputs: Sequence[Dependency], state: Sequence[Dependency] = ()) -> dict:
    """The JSON the Dash renderer posts to /_dash-update-component for the callback that outputs `output_id`.
    States not given are sent as None (a component whose property has no value)."""
    key, spec = find_callback(app, output_id)
    outputs = [
        {"id": _component_id(o.rsplit(".", 1)[0]), "property": o.rsplit(".", 1)[1]} for o in key.strip(".").split("...")
    ]
    given = {(i, p): v for i, p, v in state}
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
        "state": [{**dep, "value": given.get((dep["id"], dep["property"]))} for dep in spec.get("state", [])],
    }


FROZEN = "data-html"  # dashboard/ui/frozen.py: children shipped as their JSON in this attribute


def children_of(component: dict) -> Any:
    """A component's children, a frozen element's (`dashboard.ui.frozen`) read from its attribute, as the browser
    draws them."""
    frozen = component["props"].get(FROZEN)
    return json.loads(frozen) if isinstance(frozen, str) else component["props"].get("children")


def walk(node: Any) -> Iterator[dict]:
    """Every component (as JSON) inside a callback response value."""
    if isinstance(node, dict):
        if "props" in node:
            yield node
            yield from walk(children_of(node))
        else:
            for value in node.values():
                yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def text_of(node: Any) -> str:
    """The text a component shows (its children's strings and numbers, concatenated)."""
    if isinstance(node, str):
        return node
    if isinstance(node, (int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if isinstance(node, dict) and "props" in node:
        return text_of(children_of(node))
    return ""


def by_id(node: Any, component_id: str) -> dict:
    """The first component with `component_id` inside `node`."""
    for component in walk(node):
        if component["props"].get("id") == component_id:
            return component
    raise KeyError(component_id)


def figure_in(response: dict, slot: str) -> dict:
    """The figure of the kit graph with `slot` (its id is a pattern-matching dict) in a callback response."""
    return next(value["figure"] for key, value in response.items() if f'"slot":"{slot}"' in key)
