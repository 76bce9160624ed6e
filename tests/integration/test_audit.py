"""The audit trail: a scripted session leaves exactly its events, in order, without personal data; rows never change."""

from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from dashboard.state import audit
from dashboard.state.engine import state_engine
from tests.integration.dash_tree import callback_body, find_callback
from tests.signin import TEST_PASSWORD, ensure_user, session_user, sign_in_with_password

PERSONAL = re.compile(r"\d{17}[\dXx]|\d{12,}")


def _navigate(client, app, path: str, search: str = ""):
    """What the browser does on a page load or a dcc.Link click: ask the pages router for the page."""
    key, spec = find_callback(app, "_pages_content")
    body = {
        "output": key,
        "outputs": [{"id": "_pages_content", "property": "children"}, {"id": "_pages_store", "property": "data"}],
        "inputs": [
            {**dep, "value": {"pathname": path, "search": search}.get(dep["property"])} for dep in spec["inputs"]
        ],
        "changedPropIds": ["_pages_location.pathname"],
        "state": [],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]


def test_a_scripted_session_leaves_exactly_its_events_in_order(app):
    ensure_user("changsha", "分析", "430100")
    marker = len(audit.search(limit=None))
    client = app.server.test_client()
    client.get("/live")
    assert client.get("/?region=430102").status_code == 302  # not signed in: no event
    assert sign_in_with_password(client, "changsha", "Wrong#Password9").status_code == 401
    assert sign_in_with_password(client, "changsha").status_code == 302
    client.environ_base["HTTP_X_CSRFTOKEN"] = client.get_cookie("_csrf_token").value
    _navigate(client, app, "/")
    _navigate(client, app, "/", "?region=430102&year=2024&period=1-6")
    denied_body = callback_body(app, "overview-kpis", [("overview-query", "data", {"region": "431200"})])
    assert (
        client.post(
            "/_dash-update-component", json=denied_body, headers={"Referer": "http://localhost/?region=431200"}
        ).status_code
        == 200
    )
    assert client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value}).status_code == 302
    assert client.post("/_dash-update-component", json=denied_body).status_code == 401  # signed out: no event

    rows = list(reversed(audit.search(limit=None)))[marker:]
    assert [(r["username"], r["action"], r["page"], r["region"], r["outcome"]) for r in rows] == [
        ("changsha", "sign_in_failed", "/login", None, "failed"),
        ("changsha", "sign_in", "/login", None, "ok"),
        ("changsha", "view", "/", None, "ok"),
        ("changsha", "drill", "/", "430102", "ok"),
        ("changsha", "denied", "/", "431200", "denied"),
        ("changsha", "sign_out", "/logout", None, "ok"),
    ]
    assert json.loads(rows[3]["params"]) == {"region": "430102", "year": "2024", "period": "1-6"}
    assert all(r["user_region"] == "430100" and r["ip"] == "127.0.0.1" for r in rows)
    assert rows[0]["at"] <= rows[-1]["at"]
    everything = json.dumps(rows, default=str)
    assert TEST_PASSWORD not in everything and "Wrong#Password9" not in everything
    assert not PERSONAL.findall(everything)


def test_personal_data_passed_by_mistake_is_masked_on_the_way_in():
    audit.append(
        "export",
        username="u",
        params={"filter": "430102199001011234", "acct": "6217001234567890123"},
        detail="身份证 43010219900101123X 账户 6217 0012 3456 7890",
        rows=3,
    )
    row = audit.search(action="export")[0]
    assert "430***********1234" in row["params"] and "****0123" in row["params"]
    assert "430***********123X" in row["detail"]
    assert not PERSONAL.findall(json.dumps(row, default=str))


@pytest.mark.parametrize("statement", ["update audit_event set action = 'x'", "delete from audit_event"])
def test_rows_can_neither_change_nor_be_deleted_young(statement):
    audit.append("view", username="u", page="/")
    with pytest.raises(sa.exc.DatabaseError), state_engine().begin() as conn:
        conn.execute(sa.text(statement))
    assert [r["action"] for r in audit.search()] == ["view"]


def test_rows_older_than_the_retention_floor_may_be_deleted():
    audit.append("view", username="u", page="/")
    with state_engine().begin() as conn:  # backdating needs the guard out of the way, as only a DBA could
        conn.execute(sa.text("drop trigger audit_event_no_update"))
        conn.execute(sa.text("update audit_event set at = datetime('now', '-181 days')"))
        assert conn.execute(sa.text("delete from audit_event")).rowcount == 1


def test_unmask_needs_the_permission_and_a_reason_and_is_audited(app):
    import pandas as pd
    from flask import g

    from dashboard.web.reveal import reveal

    frame = pd.DataFrame({"id": ["430102199001011234"], "acct": ["6217001234567890123"]})
    columns = {"id": "id_number", "acct": "account"}
    with app.server.test_request_context("/"):
        g.user = session_user("auditor", "审核", "430000", may_unmask=True)
        assert reveal(frame, columns, g.user, "核查重复领取", page="/subsidies", region="430102").equals(frame)
        assert reveal(frame, columns, g.user, "  ", page="/subsidies").loc[0, "id"] == "430***********1234"
        g.user = session_user("viewer", "分析", "430000")
        assert reveal(frame, columns, g.user, "核查重复领取", page="/subsidies").loc[0, "acct"] == "****0123"
    rows = [(r["username"], r["outcome"], r["rows"], r["detail"]) for r in reversed(audit.search(action="unmask"))]
    assert rows == [
        ("auditor", "ok", 1, "核查重复领取"),
        ("auditor", "denied", 0, "no reason given"),
        ("viewer", "denied", 0, "no permission"),
    ]
