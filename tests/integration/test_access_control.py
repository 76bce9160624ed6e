"""Row-level security from the session, in every registered callback: no session no run, no region outside the
scope, no shared cache between scopes, changes to a user effective on the next request, no personal data unmasked.

Parametrised over `app.callback_map`, so pages added later are covered without touching this file. Inputs are what
the Dash renderer sends on page load: the initial props of the page layouts as the signed-in user gets them.
"""

from __future__ import annotations

import copy
import json
import re

import dash
import pytest

from dashboard.core.regions import national_tree
from dashboard.state import accounts, audit
from dashboard.store import memo
from dashboard.web.app import create_app
from tests.integration.dash_tree import by_id, callback_body, children_of, text_of, walk
from tests.signin import session_user

COUNTY, SIBLING_COUNTY, CITY, OTHER_CITY, PROVINCE = "430102", "430103", "430100", "431200", "430000"


def _registered_app():
    app = create_app()
    app.server.test_client().get("/live")  # Dash registers the pages router on the first request
    return app


CALLBACK_KEYS = sorted(
    key for key, spec in _registered_app().callback_map.items() if "callback" in spec
)  # server callbacks (clientside ones never reach the server)


def _outputs(key: str) -> list[dict]:
    return [{"id": o.rsplit(".", 1)[0], "property": o.rsplit(".", 1)[1]} for o in key.strip(".").split("...")]


def _matches(pattern: dict, component_id: dict) -> bool:
    """Whether a concrete dict id fits a pattern-matching id (wildcards ALL / MATCH / ALLSMALLER match anything)."""
    return set(pattern) == set(component_id) and all(
        isinstance(value, list) or component_id[name] == value for name, value in pattern.items()
    )


def _concrete(dep: dict, props: dict) -> dict | list[dict]:
    """A dependency as the renderer sends it: itself, or for a pattern-matching id one entry per matching
    component of the layouts (`props` keys of dict ids are their sorted JSON)."""
    if not dep["id"].startswith("{"):
        return dep
    pattern = json.loads(dep["id"])
    if not any(isinstance(value, list) for value in pattern.values()):
        return {**dep, "id": pattern}
    return [
        {**dep, "id": json.loads(text)}
        for text in props
        if text.startswith("{") and _matches(pattern, json.loads(text))
    ]


_LAYOUT_PROPS: dict[str, dict[str, dict]] = {}  # user → props: every page's layout with its first numbers is costly


def _layout_props(app, user) -> dict[str, dict]:
    """{component id: props} over every page layout and the shell, as `user` would be served them (the same for
    every app on the suite's fixed store: made once per user, a copy each time)."""
    if repr(user) not in _LAYOUT_PROPS:
        _LAYOUT_PROPS[repr(user)] = _served_layout_props(app, user)
    return copy.deepcopy(_LAYOUT_PROPS[repr(user)])


def _served_layout_props(app, user) -> dict[str, dict]:
    from flask import g

    found: dict[str, dict] = {}
    with app.server.test_request_context("/"):
        g.user = user
        trees = [app.layout()] + [page["layout"]() for page in dash.page_registry.values()]
        for tree in trees:
            for component in walk(json.loads(json.dumps(tree, cls=_plotly_encoder()))):
                component_id = component["props"].get("id")
                component_id = _id_text(component_id) if isinstance(component_id, dict) else component_id
                if isinstance(component_id, str):
                    found.setdefault(component_id, component["props"])
    return found


def _plotly_encoder():
    from plotly.utils import PlotlyJSONEncoder

    return PlotlyJSONEncoder


def _page_load_body(app, key: str, props: dict[str, dict], search: str = "") -> dict:
    """The request the renderer makes for callback `key` on page load (the router gets `search`)."""
    spec = app.callback_map[key]

    def value(dep):
        if dep["id"] == "_pages_location":
            return {"pathname": "/", "search": search}.get(dep["property"])
        return props.get(_id_text(dep["id"]), {}).get(dep["property"])

    def with_values(dep):
        concrete = _concrete(dep, props)
        if isinstance(concrete, list):
            return [{**item, "value": value(item)} for item in concrete]
        return {**concrete, "value": value(concrete)}

    outputs = [_concrete(output, props) for output in _outputs(key)]
    inputs = [with_values(dep) for dep in spec["inputs"]]
    return {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": inputs,
        "state": [with_values(dep) for dep in spec["state"]],
        "changedPropIds": [f"{_id_text(item['id'])}.{item['property']}" for item in _flat(inputs)],
    }


def _id_text(component_id) -> str:
    return (
        json.dumps(component_id, sort_keys=True, separators=(",", ":"))
        if isinstance(component_id, dict)
        else component_id
    )


def _flat(deps: list) -> list[dict]:
    """Dependencies with the per-component entries of pattern-matching ones spread out."""
    return [item for dep in deps for item in (dep if isinstance(dep, list) else [dep])]


@pytest.fixture
def spy(app):
    """`spy(key)` counts the calls reaching callback `key`'s function."""

    def _spy(key: str) -> list:
        calls: list = []
        original = app.callback_map[key]["callback"]

        def counting(*args, **kwargs):
            calls.append(1)
            return original(*args, **kwargs)

        app.callback_map[key]["callback"] = counting
        return calls

    return _spy


@pytest.mark.parametrize("key", CALLBACK_KEYS)
def test_without_a_session_every_callback_is_401_and_nothing_runs(app, client_as, spy, key):
    calls = spy(key)
    body = _page_load_body(app, key, {})
    rows_before = len(audit.search(limit=None))
    anonymous = app.server.test_client()
    response = anonymous.post("/_dash-update-component", json=body)
    assert response.status_code == 401
    assert calls == [] and len(audit.search(limit=None)) == rows_before
    client_as("someone", "管理员", PROVINCE).post("/_dash-update-component", json=body)
    assert calls == [1]  # the same request signed in reaches the callback: the spy works


def _forbidden_names(own: str) -> set[str]:
    """Names of every region of the province that is neither in `own`'s subtree nor above it."""
    tree = national_tree()
    province = tree.subtree(PROVINCE)
    allowed = {r.adcode for r in tree.path(own)} | set(tree.subtree(own).regions)
    return {r.name for code, r in province.regions.items() if code not in allowed}


def _text_outside_alerts(node) -> str:
    """All text of a response except refusal notices (which name the refused region on purpose)."""
    if isinstance(node, dict) and "props" in node:
        if node.get("type") == "Alert":
            return ""
        return _text_outside_alerts(children_of(node))
    if isinstance(node, dict):
        return " ".join(_text_outside_alerts(v) for v in node.values())
    if isinstance(node, list):
        return " ".join(_text_outside_alerts(v) for v in node)
    return node if isinstance(node, str) else ""


def _inject_region(value, region: str):
    """`value` with every region it carries replaced by `region` (query dicts, bare adcodes, query strings)."""
    if isinstance(value, dict):
        return {**{k: _inject_region(v, region) for k, v in value.items()}, "region": region}
    if isinstance(value, str) and re.fullmatch(r"\d{6}", value):
        return region
    return value


@pytest.mark.parametrize("foreign", [SIBLING_COUNTY, OTHER_CITY, PROVINCE])
@pytest.mark.parametrize("key", CALLBACK_KEYS)
def test_a_county_user_posting_another_region_anywhere_sees_nothing_of_it(app, client_as, key, foreign):
    county_user = client_as("furong", "经办", COUNTY)
    props = _layout_props(app, session_user("furong", "经办", COUNTY))
    body = _page_load_body(app, key, props, search=f"?region={foreign}")
    for dep in _flat(body["inputs"] + body["state"]):
        dep["value"] = _inject_region(dep["value"], foreign)
    response = county_user.post("/_dash-update-component", json=body)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    text = _text_outside_alerts(response.get_json(silent=True) or {})
    leaked = {name for name in _forbidden_names(COUNTY) if name in text}
    assert not leaked, f"{key} answered a 芙蓉区 user with {sorted(leaked)[:5]}"
    if "无权查看" in response.get_data(as_text=True):
        denied = audit.search(username="furong", action="denied")
        assert denied and denied[0]["region"] == foreign


def _overview(call_callback, client, region) -> dict:
    return call_callback(
        "overview-kpis",
        [("overview-query", "data", {"region": region, "year": "2024", "period": "1-6"})],
        client=client,
    )


@pytest.mark.parametrize("foreign", [SIBLING_COUNTY, PROVINCE, OTHER_CITY])
def test_outside_the_scope_a_county_user_gets_exactly_its_own_view_and_a_denial_is_audited(
    call_callback, client_as, foreign
):
    county_user = client_as("furong", "经办", COUNTY)
    own = _overview(call_callback, county_user, COUNTY)
    asked = _overview(call_callback, county_user, foreign)
    assert asked["overview-kpis"] == own["overview-kpis"]
    assert asked["overview-table"] == own["overview-table"]
    assert asked["overview-title"]["children"].startswith("芙蓉区")
    assert "无权查看" in text_of(asked["overview-notices"]["children"])
    denied = audit.search(username="furong", action="denied")
    assert [(d["region"], d["outcome"], d["user_region"]) for d in denied] == [(foreign, "denied", COUNTY)]


def test_a_city_user_sees_its_counties_and_not_a_sibling_citys(call_callback, client_as):
    city_user = client_as("changsha", "分析", CITY)
    table = call_callback("overview-table", [("overview-query", "data", {})], client=city_user)["overview-table"]
    names = {text_of(c) for c in walk(table["children"]) if c["type"] == "Link"}
    tree = national_tree()
    assert names == {r.name for r in tree.children(CITY)}
    own_county = _overview(call_callback, city_user, COUNTY)
    assert own_county["overview-title"]["children"].startswith("芙蓉区")
    assert not audit.search(username="changsha", action="denied")
    sibling_county = _overview(call_callback, city_user, "431202")  # 鹤城区 of 怀化市
    assert sibling_county["overview-title"]["children"].startswith("长沙市")
    assert audit.search(username="changsha", action="denied")[0]["region"] == "431202"


class RecordingCache:
    """A cache backend that remembers which user set each key and which user got a hit on which key."""

    def __init__(self):
        self.values, self.set_by, self.hits = {}, {}, []

    def get(self, key):
        from dashboard.web.context import current_user

        if key in self.values:
            self.hits.append((current_user().username, key))
        return self.values.get(key)

    def set(self, key, value):
        from dashboard.web.context import current_user

        self.values[key] = value
        self.set_by.setdefault(key, current_user().username)


@pytest.mark.parametrize("query", [{}, {"region": COUNTY}, {"region": CITY, "year": "2024", "period": "1-6"}])
def test_two_users_with_the_same_parameters_never_share_a_cached_result(call_callback, client_as, query, monkeypatch):
    monkeypatch.setenv("COCKPIT_RENDER_CACHE_ENTRIES", "0")  # the query cache under test, not the rendered views
    recording = RecordingCache()
    memo.bind_cache(recording)
    changsha, huaihua = client_as("changsha", "分析", CITY), client_as("huaihua", "领导", OTHER_CITY)
    first = call_callback("overview-kpis", [("overview-query", "data", query)], client=changsha)
    again = call_callback("overview-kpis", [("overview-query", "data", query)], client=changsha)
    other = call_callback("overview-kpis", [("overview-query", "data", query)], client=huaihua)
    assert again == first and any(user == "changsha" for user, _ in recording.hits)  # the cache is in play
    assert not [key for user, key in recording.hits if recording.set_by[key] != user]
    assert other["overview-title"]["children"].startswith("怀化市")
    assert text_of(by_id(other["overview-kpis"]["children"], "kpi-spending")) != text_of(
        by_id(first["overview-kpis"]["children"], "kpi-spending")
    )


def test_disabling_a_user_takes_effect_on_their_next_request(app, client_as):
    bob = client_as("bob", "分析", CITY)
    body = callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    assert bob.post("/_dash-update-component", json=body).status_code == 200
    accounts.update_user("bob", enabled=False, actor="admin")
    refused = bob.post("/_dash-update-component", json=body)
    assert refused.status_code == 401 and refused.get_json()["reason"] == "disabled"
    assert "reason=disabled" in bob.get("/").headers["Location"]
    assert "账户已停用" in bob.get("/login?reason=disabled").get_data(as_text=True)
    accounts.update_user("bob", enabled=True, actor="admin")
    assert bob.get("/").status_code == 302  # the ended session stays ended: sign in again


def test_a_new_region_or_role_takes_effect_on_the_next_request(call_callback, client_as):
    bob = client_as("bob", "分析", CITY)
    assert _overview(call_callback, bob, "")["overview-title"]["children"].startswith("长沙市")
    accounts.update_user("bob", region=OTHER_CITY, actor="admin")
    assert _overview(call_callback, bob, "")["overview-title"]["children"].startswith("怀化市")
    assert _overview(call_callback, bob, COUNTY)["overview-title"]["children"].startswith("怀化市")


ID_NUMBER = re.compile(
    r"(?<![0-9A-Za-z])\d{6}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dXx]"
    r"(?![0-9A-Za-z])"
)
# a bare run of digits: not the fraction digits of a float in a figure, not the digits inside an alphanumeric code
# (a 统一社会信用代码 such as 91430100MA4L…, an organisation's public identifier, is not personal data)
ACCOUNT = re.compile(r"(?<![\dA-Za-z.])\d{16,19}(?![\dA-Za-z])")


def personal_data_in(text: str) -> set[str]:
    return set(ID_NUMBER.findall(text)) | set(ACCOUNT.findall(text))


def test_the_scanner_finds_the_stores_personal_data_and_not_its_masked_form(duck):
    from dashboard.core.masking import mask_account, mask_id_number

    with duck.connect() as conn:
        import sqlalchemy as sa

        id_number, account = conn.execute(
            sa.text("select recipient_id_number, bank_account from subsidy_payout limit 1")
        ).one()
    assert personal_data_in(json.dumps({"x": [f"身份证 {id_number}", account]})) == {id_number, account}
    assert personal_data_in(json.dumps([mask_id_number(id_number), mask_account(account)])) == set()


@pytest.mark.parametrize("role", ["分析", "管理员"])
@pytest.mark.parametrize("key", CALLBACK_KEYS)
def test_no_callback_answers_with_an_unmasked_id_number_or_account_without_the_permission(app, client_as, key, role):
    user = client_as("viewer", role, PROVINCE, may_unmask=False)
    body = _page_load_body(app, key, _layout_props(app, session_user("viewer", role, PROVINCE)))
    response = user.post("/_dash-update-component", json=body)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    assert personal_data_in(response.get_data(as_text=True)) == set()


def _inject_text(value, text: str):
    """`value` with every string in it (query dicts included) replaced by `text`."""
    if isinstance(value, dict):
        return {k: _inject_text(v, text) for k, v in {**value, "region": None}.items()}
    return text if isinstance(value, str) or value is None else value


@pytest.mark.parametrize("key", CALLBACK_KEYS)
def test_no_callback_turns_a_javascript_url_into_a_link(app, client, key):
    attack = "javascript:alert(1)"
    body = _page_load_body(
        app,
        key,
        _layout_props(app, session_user("province_analyst", "分析", PROVINCE)),
        search=f"?region={attack}&next={attack}",
    )
    for dep in _flat(body["inputs"] + body["state"]):
        if dep["id"] != "_pages_location":
            dep["value"] = _inject_text(dep["value"], attack)
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code < 500, response.get_data(as_text=True)[:500]
    links = [
        value
        for component in walk(response.get_json(silent=True) or {})
        for prop, value in component["props"].items()
        if prop in ("href", "src", "action")
    ]
    assert not [v for v in links if re.match(r"\s*(javascript|vbscript|data):", str(v), re.I)]
