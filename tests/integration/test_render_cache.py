"""The per-worker cache of rendered views (`dashboard/web/render_cache.py`): a warm render answers exactly what a
fresh build answers, never another scope's or role's panels, never across a new data or state version, and a
request outside the caller's scope is never served from it (its denial is audited every time)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from flask import g

from dashboard.core.scope import User
from dashboard.web import render_cache
from tests.integration.dash_tree import callback_body

VIEWS = [
    ("spending", {"region": "430100", "year": "2024", "period": "1-9"}),
    ("revenue", {"region": "430000", "year": "2023", "period": "1-12"}),
    ("debt", {"region": "431200", "year": "2024", "period": "1-6"}),
    ("overview", {"region": "430102", "year": "2024", "period": "1-3"}),
]


def _post(app, client, key: str, query: dict):
    body = callback_body(app, f"{key}-notices", [(f"{key}-query", "data", query)])
    return client.post("/_dash-update-component", json=body)


def test_a_cached_render_is_the_same_response_as_a_fresh_build(app, client, monkeypatch):
    render_cache.clear()
    monkeypatch.setenv("COCKPIT_RENDER_CACHE_ENTRIES", "0")
    fresh = [_post(app, client, key, query).get_data(as_text=True) for key, query in VIEWS]
    monkeypatch.setenv("COCKPIT_RENDER_CACHE_ENTRIES", "256")
    first = [_post(app, client, key, query).get_data(as_text=True) for key, query in VIEWS]
    assert len(render_cache._entries) == len(VIEWS)
    again = [_post(app, client, key, query).get_data(as_text=True) for key, query in VIEWS]
    for f, a, b in zip(fresh, first, again):
        assert json.loads(f) == json.loads(a) == json.loads(b)


def test_each_scope_and_role_gets_its_own_panels(app, client, client_as):
    render_cache.clear()
    query = {"region": "430100", "year": "2024", "period": "1-9"}
    province = _post(app, client, "spending", query).get_json()
    city = _post(app, client_as("changsha_cache", region="430100"), "spending", query).get_json()
    leader = _post(app, client_as("leader_cache", role="领导", region="430000"), "spending", query).get_json()
    assert len(render_cache._entries) == 3  # three callers: three entries, none served to another
    assert province["response"]["spending-kpis"] == city["response"]["spending-kpis"]  # same view, same numbers
    # the city user asking for the province is refused (notice), and that is audited on every ask
    denied_query = {"region": "430000", "year": "2024", "period": "1-9"}
    city_client = client_as("changsha_cache", region="430100")
    before = _denials()
    for _ in range(2):
        notices = _post(app, city_client, "spending", denied_query).get_json()["response"]["spending-notices"]
        assert notices  # the notice that the view fell back to the user's own region
    assert _denials() == before + 2
    assert len(render_cache._entries) == 3 and leader


def _denials() -> int:
    from dashboard.state.audit import audit_event
    from dashboard.state.engine import state_engine

    with state_engine().connect() as conn:
        return conn.execute(
            sa.select(sa.func.count()).select_from(audit_event).where(audit_event.c.outcome == "denied")
        ).scalar_one()


@pytest.fixture
def signed_in(app):
    with app.server.test_request_context("/"):
        g.user = User("cache_probe", "cache_probe", "分析", "430000", False)
        yield


def test_a_new_data_or_state_version_is_a_miss(signed_in, monkeypatch):
    render_cache.clear()
    calls: list[str] = []
    state = {"v": "risk:1:1"}

    @render_cache.cached_render(lambda: state["v"])
    def panel(query):
        calls.append(query["region"])
        return ("a", {"b": [1, 2]})

    assert panel({"region": "430000"}) == ("a", {"b": [1, 2]})
    assert panel({"region": "430000"}) == ("a", {"b": [1, 2]}) and len(calls) == 1  # served from the cache
    state["v"] = "risk:1:2"  # a ticket event
    panel({"region": "430000"})
    assert len(calls) == 2

    class Version:
        key = "v99@new-load"

    monkeypatch.setattr(render_cache, "current_data_version", lambda: Version())
    panel({"region": "430000"})
    assert len(calls) == 3
    panel({"region": "999999"})  # not a region of the tree: never cached
    panel({"region": "999999"})
    assert calls[-2:] == ["999999", "999999"]
