"""Users, sessions and the audit trail on PostgreSQL (production's state store): same behaviour as on SQLite."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from dashboard.state import accounts, audit
from dashboard.state.engine import reset_state_engine, state_engine
from tests.conftest import empty_state_store
from tests.integration.dash_tree import callback_body
from tests.signin import TEST_PASSWORD, ensure_user, sign_in_with_password

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_state(pg_url, monkeypatch):
    """The state store on the test PostgreSQL database, its tables dropped first so each test starts empty."""
    empty_state_store(pg_url)
    monkeypatch.setenv("COCKPIT_STATE_URL", pg_url)
    reset_state_engine()
    yield pg_url
    reset_state_engine()


def test_sign_in_scope_and_audit_work_on_postgresql(pg_state, app):
    ensure_user("changsha", "分析", "430100")
    client = app.server.test_client()
    assert sign_in_with_password(client, "changsha").status_code == 302
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get_cookie("_csrf_token").value
    body = callback_body(app, "overview-title", [("overview-query", "data", {"region": "431200"})])
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200 and response.get_json()["response"]["overview-title"]["children"].startswith(
        "长沙市"
    )
    assert [r["action"] for r in reversed(audit.search())][-2:] == ["sign_in", "denied"]
    assert state_engine().dialect.name == "postgresql"


def test_lockout_counts_failures_on_postgresql(pg_state, monkeypatch):
    ensure_user("alice")
    now = dt.datetime(2026, 1, 5, 9, 0)
    monkeypatch.setattr(accounts, "_now", lambda: now)
    for _ in range(5):
        accounts.authenticate("alice", "Wrong#Password1")
    assert "锁定" in accounts.authenticate("alice", TEST_PASSWORD).message


@pytest.mark.parametrize("statement", ["update audit_event set action = 'x'", "delete from audit_event"])
def test_the_audit_trail_is_append_only_on_postgresql(pg_state, statement):
    audit.append("view", username="u", page="/")
    with pytest.raises(sa.exc.DatabaseError, match="append-only"), state_engine().begin() as conn:
        conn.execute(sa.text(statement))
    assert [r["action"] for r in audit.search()] == ["view"]
