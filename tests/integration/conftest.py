"""Drive the app's callbacks through Flask's test client, as the browser's Dash renderer would."""

from __future__ import annotations

import json

import pytest

from dashboard import create_app


@pytest.fixture
def app(demo_url, use_store):
    use_store(demo_url)
    return create_app()


@pytest.fixture
def client(app):
    return app.server.test_client()


def find_callback(app, output_id: str) -> tuple[str, dict]:
    for key, spec in app.callback_map.items():
        if f"{output_id}." in key:
            return key, spec
    raise KeyError(output_id)


def _component_id(text: str):
    """A callback key names a pattern-matching id as its JSON (`{"page":"spending",...}`): send it as a dict."""
    return json.loads(text) if text.startswith("{") else text


@pytest.fixture
def call_callback(app, client):
    """POST one callback with its inputs; returns {component id: {prop: value}} of the response."""

    def _call(output_id: str, inputs: list[tuple[str, str, object]]) -> dict:
        key, spec = find_callback(app, output_id)
        outputs = [{"id": _component_id(o.rsplit(".", 1)[0]), "property": o.rsplit(".", 1)[1]}
                   for o in key.strip(".").split("...")]
        body = {
            "output": key,
            "outputs": outputs if len(outputs) > 1 else outputs[0],
            "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
            "changedPropIds": [f"{i}.{p}" for i, p, _ in inputs],
            "state": [],
        }
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return json.loads(response.get_data(as_text=True))["response"]

    return _call


def walk(node):
    """Every component (as JSON) inside a callback response value."""
    if isinstance(node, dict):
        if "props" in node:
            yield node
            yield from walk(node["props"].get("children"))
        else:
            for value in node.values():
                yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


def text_of(node) -> str:
    if isinstance(node, str):
        return node
    if isinstance(node, (int, float)):
        return str(node)
    if isinstance(node, list):
        return "".join(text_of(n) for n in node)
    if isinstance(node, dict) and "props" in node:
        return text_of(node["props"].get("children"))
    return ""


def by_id(node, component_id: str) -> dict:
    for component in walk(node):
        if component["props"].get("id") == component_id:
            return component
    raise KeyError(component_id)
