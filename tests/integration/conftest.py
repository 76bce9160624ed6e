"""Drive the app's callbacks through Flask's test client, as the browser's Dash renderer would."""

from __future__ import annotations

import json

import pytest

from dashboard.web.app import create_app
from tests.signin import PROVINCE_USER, ensure_user, sign_in_test_client


@pytest.fixture
def app(demo_url, use_store):
    use_store(demo_url)
    app = create_app()
    app.server.test_client().get("/live")  # Dash registers the pages router (`_pages_content`) on a first request
    return app


@pytest.fixture
def client_as(app):
    """`client_as(username, role=, region=, may_unmask=)`: a new test client signed in as that user (made in the
    test's state store if missing, else updated to the given role and region). Sends the CSRF header like Dash."""

    def _as(username: str, role: str = "分析", region: str = "430000", may_unmask: bool = False):
        ensure_user(username, role, region, may_unmask)
        client = app.server.test_client()
        sign_in_test_client(client, username)
        return client

    return _as


@pytest.fixture
def client(client_as):
    """A test client signed in as a province-level 分析 (analyst) without the right to see personal data."""
    return client_as(PROVINCE_USER, role="分析", region="430000")


def find_callback(app, output_id: str) -> tuple[str, dict]:
    for key, spec in app.callback_map.items():
        if f"{output_id}." in key:
            return key, spec
    raise KeyError(output_id)


def _component_id(text: str):
    """A callback key names a pattern-matching id as its JSON (`{"page":"spending",...}`): send it as a dict."""
    return json.loads(text) if text.startswith("{") else text


def callback_body(
    app, output_id: str, inputs: list[tuple[str, str, object]], state: list[tuple[str, str, object]] = ()
) -> dict:
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


@pytest.fixture
def call_callback(app, client):
    """POST one callback with its inputs; returns {component id: {prop: value}} of the response.

    Signed in as the province analyst of `client`; pass `client=client_as(...)` to call as someone else."""

    def _call(
        output_id: str, inputs: list[tuple[str, str, object]], client=client, state: list[tuple[str, str, object]] = ()
    ) -> dict:
        response = client.post("/_dash-update-component", json=callback_body(app, output_id, inputs, state))
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
