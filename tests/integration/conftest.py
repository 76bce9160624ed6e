"""Drive the app's callbacks through Flask's test client, as the browser's Dash renderer would."""

from __future__ import annotations

import json
from collections.abc import Sequence

import pytest
from flask.testing import FlaskClient

from dashboard.web.app import create_app
from tests.integration.dash_tree import Dependency, callback_body
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


@pytest.fixture
def call_callback(app, client):
    """POST one callback with its inputs; returns {component id: {prop: value}} of the response.

    Signed in as the province analyst of `client`; pass `client=client_as(...)` to call as someone else."""

    def _call(
        output_id: str, inputs: Sequence[Dependency], client: FlaskClient = client, state: Sequence[Dependency] = ()
    ) -> dict:
        response = client.post("/_dash-update-component", json=callback_body(app, output_id, inputs, state))
        assert response.status_code == 200, response.get_data(as_text=True)[:2000]
        return json.loads(response.get_data(as_text=True))["response"]

    return _call
