"""Presenter mode through its callbacks and the state store: a presenter pushes only their own scope, a wall renders
with the narrower of its own and the presenter's scope, an unpaired or foreign wall gets nothing, and pairing,
handover, ending and refusals are in the audit trail."""

from __future__ import annotations

import json

import sqlalchemy as sa

from dashboard.core import settings
from dashboard.core.scope import User
from dashboard.state import present
from dashboard.state.audit import audit_event
from dashboard.state.engine import state_engine
from tests.integration.dash_tree import by_id, find_callback, text_of

VIEWPORT = {"width": 1920, "height": 1080}
FURONG, KAIFU, CHANGSHA = "430102", "430105", "430100"


def _key_with_input(app, component: str, prop: str) -> tuple[str, dict]:
    for key, spec in app.callback_map.items():
        if any(i["id"] == component and i["property"] == prop for i in spec["inputs"]):
            return key, spec
    raise KeyError(component)


def _post(client, key: str, spec: dict, inputs: list[tuple], state: list[tuple] = (), changed: str | None = None):
    outputs = [
        {
            "id": json.loads(o.split(".")[0]) if o.startswith("{") else o.split(".")[0],
            "property": o.split(".")[1].split("@")[0],
        }
        for o in key.strip(".").split("...")
    ]
    given = {(i, p): v for i, p, v in state}
    body = {
        "output": key,
        "outputs": outputs if len(outputs) > 1 else outputs[0],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": [changed or f"{inputs[0][0]}.{inputs[0][1]}"],
        "state": [{**d, "value": given.get((d["id"], d["property"]))} for d in spec.get("state", [])],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code in (200, 204), response.get_data(as_text=True)[:1000]
    return response.status_code, (
        json.loads(response.get_data(as_text=True))["response"] if response.status_code == 200 else {}
    )


def _poll(app, client, wall: str, seen=None, search=None):
    key, spec = find_callback(app, "wall-seen")
    return _post(
        client,
        key,
        spec,
        [("wall-poll", "n_intervals", 1)],
        [("wall-seen", "data", seen), ("screen-url", "search", search or f"?wall={wall}")],
    )


def _controls(
    app, client, search: str, board="overview", metric="execution", year=None, period=None, trigger="present-board"
):
    key, spec = _key_with_input(app, "present-board", "value")
    inputs = [
        ("present-board", "value", board),
        ("present-metric", "value", metric),
        ("present-year", "value", year),
        ("present-period", "value", period),
    ]
    return _post(client, key, spec, inputs, [("present-url", "search", search)], changed=f"{trigger}.value")


def _pair(app, client, code: str, search: str = ""):
    key, spec = find_callback(app, "present-walls")
    return _post(
        client,
        key,
        spec,
        [("present-pair", "n_clicks", 1), ("present-heartbeat", "n_intervals", None)],
        [("present-code", "value", code), ("present-url", "search", search)],
    )


def _screen_title(app, client, search: str) -> str:
    key, spec = find_callback(app, "screen-kpis")
    inputs = [
        ("screen-url", "search", search),
        ("screen-viewport", "data", VIEWPORT),
        ("screen-map", "clickData", None),
        ("screen-metric", "value", "execution"),
        ("screen-refresh", "n_intervals", None),
    ]
    status, payload = _post(client, key, spec, inputs, [("screen-version", "data", None)])
    assert status == 200
    return payload["screen-title"]["children"]


def _audit(action: str) -> list[dict]:
    with state_engine().connect() as conn:
        rows = conn.execute(sa.select(audit_event).where(audit_event.c.action == action).order_by(audit_event.c.id))
        return [dict(r._mapping) for r in rows]


def test_a_county_presenter_cannot_push_a_province_view_and_the_wall_stays_in_their_county(app, client_as):
    wall_client = client_as("wall_province", role="领导", region="430000")
    _status, first = _poll(app, wall_client, "hall-1")
    code = present.get_wall("hall-1").code
    assert code in text_of(first["wall-banner"]["children"])  # the code and its QR code are shown
    assert "screen-url" not in first  # no presenter: the view stays

    county = client_as("furong_lead", role="领导", region=FURONG)
    _status, paired = _pair(app, county, code)
    assert "已配对大屏 hall-1" in text_of(paired["present-pair-status"]["children"])

    # the tablet asks for the province (a forged URL): the push is the presenter's own county, and it is audited
    status, pushed = _controls(app, county, "?region=430000&board=risk", board="revenue")
    assert status == 200 and f"region={FURONG}" in pushed["present-url"]["search"]
    assert present.get_wall("hall-1").view["region"] == FURONG
    assert any(r["region"] == "430000" and r["outcome"] == "denied" for r in _audit("denied"))

    _status, moved = _poll(app, wall_client, "hall-1")
    assert f"region={FURONG}" in moved["screen-url"]["search"]
    assert moved["screen-grid"]["className"] == "screen-grid board-revenue"
    assert "furong_lead" in text_of(moved["wall-banner"]["children"])
    # a province wall driven by the county presenter renders the county even when its own URL says province
    assert _screen_title(app, wall_client, "?wall=hall-1&region=430000").startswith("芙蓉区")
    assert _screen_title(app, wall_client, f"?wall=hall-1&region={CHANGSHA}").startswith("芙蓉区")


def test_an_unpaired_or_foreign_wall_gets_nothing_and_a_disjoint_wall_cannot_be_paired(app, client_as):
    wall_client = client_as("wall_a", role="领导", region="430000")
    _status, first = _poll(app, wall_client, "hall-a")
    signature = None
    seen = {"signature": present.get_wall("hall-a").signature(present.now_utc()), "version": 0}
    status, _ = _poll(app, wall_client, "hall-a", seen=seen)
    assert status == 204  # nothing changed: nothing sent

    # another presenter's pushes never reach a wall they do not drive
    other = client_as("other_lead", role="领导", region="430000")
    _controls(app, other, "?region=430000", board="risk")
    assert present.get_wall("hall-a").version == 0 and present.get_wall("hall-a").view == {}
    status, _ = _poll(app, wall_client, "hall-a", seen=seen)
    assert status == 204

    # a wall signed in for 开福区 cannot be paired by a 芙蓉区 presenter (neither scope holds the other)
    kaifu_wall = client_as("wall_kaifu", role="领导", region=KAIFU)
    _poll(app, kaifu_wall, "hall-k")
    furong = client_as("furong_b", role="分析", region=FURONG)
    _status, refused = _pair(app, furong, present.get_wall("hall-k").code)
    assert "不重叠" in text_of(refused["present-pair-status"]["children"])
    assert present.get_wall("hall-k").presenter is None
    # an 经办 may not present at all
    clerk = client_as("clerk", role="经办", region="430000")
    _status, denied = _pair(app, clerk, present.get_wall("hall-a").code)
    assert "不能演示" in text_of(denied["present-pair-status"]["children"])
    assert signature is None and first


def test_pairing_handover_ending_and_wrong_codes_are_audited(app, client_as):
    wall_client = client_as("wall_h", role="领导", region="430000")
    _poll(app, wall_client, "hall-h")
    first_code = present.get_wall("hall-h").code
    lead = client_as("lead_one", role="领导", region="430000")
    _pair(app, lead, first_code, "?region=430100")
    wall = present.get_wall("hall-h")
    assert wall.presenter == "lead_one" and wall.view["region"] == CHANGSHA and wall.code != first_code

    analyst = client_as("analyst_two", role="分析", region="430000")
    _status, reused = _pair(app, analyst, first_code)  # a code pairs once
    assert "无效或已过期" in text_of(reused["present-pair-status"]["children"])
    _pair(app, analyst, wall.code, "?region=430100")
    assert present.get_wall("hall-h").presenter == "analyst_two"

    pair_rows = [r for r in _audit("present.pair") if r["outcome"] == "ok"]
    assert [r["username"] for r in pair_rows] == ["lead_one"]
    handover = _audit("present.handover")
    assert [(r["username"], json.loads(r["params"])["from"]) for r in handover] == [("analyst_two", "lead_one")]
    assert [r["username"] for r in _audit("present.pair") if r["outcome"] == "denied"] == ["analyst_two"]
    assert [r["params"] for r in _audit("present.wall")] == ['{"wall": "hall-h"}']

    key, spec = find_callback(app, "present-pair-status")
    end_key = next(k for k in app.callback_map if "present-walls.children@" in k)
    _post(
        analyst,
        end_key,
        app.callback_map[end_key],
        [({"type": "present-unpair", "wall": "hall-h"}, "n_clicks", 1)],
        changed='{"type":"present-unpair","wall":"hall-h"}.n_clicks',
    )
    ended = present.get_wall("hall-h")
    assert ended.presenter is None and ended.view["region"] == CHANGSHA  # the wall keeps its last view
    assert [r["username"] for r in _audit("present.unpair")] == ["analyst_two"]

    for _ in range(present.FAILED_PAIRINGS_LIMIT):
        _pair(app, lead, "000000" if ended.code != "000000" else "000001")
    _status, locked = _pair(app, lead, present.get_wall("hall-h").code)
    assert "次数过多" in text_of(locked["present-pair-status"]["children"])
    assert key and by_id


def test_a_county_wall_driven_from_the_province_shows_only_its_own_county(app, client_as):
    """The wall's own session bounds it too: a province presenter drilling to 长沙市 leaves a 开福区 wall on 开福区."""
    kaifu_wall = client_as("wall_kaifu2", role="领导", region=KAIFU)
    _poll(app, kaifu_wall, "hall-kf")
    lead = client_as("province_lead", role="领导", region="430000")
    _pair(app, lead, present.get_wall("hall-kf").code, f"?region={KAIFU}")
    _controls(app, lead, f"?region={CHANGSHA}", board="revenue")
    assert present.get_wall("hall-kf").view["region"] == CHANGSHA  # the presenter may see the city
    _status, moved = _poll(app, kaifu_wall, "hall-kf")
    title = _screen_title(app, kaifu_wall, moved["screen-url"]["search"])
    assert title.startswith("开福区")  # the wall may not: it stays inside its own session's scope


def test_when_the_tablet_goes_quiet_the_wall_says_so_and_keeps_its_view(app, client_as):
    import datetime as dt

    wall_client = client_as("wall_q", role="领导", region="430000")
    _poll(app, wall_client, "hall-q")
    lead = client_as("quiet_lead", role="领导", region="430000")
    _pair(app, lead, present.get_wall("hall-q").code, f"?region={CHANGSHA}")
    _status, live = _poll(app, wall_client, "hall-q")
    assert "演示中" in text_of(live["wall-banner"]["children"])
    seen = live["wall-seen"]["data"]
    quiet = present.now_utc() - dt.timedelta(seconds=settings.get("PRESENT_AWAY_SECONDS") + 5)
    present.heartbeat(User("quiet_lead", "quiet_lead", "领导", "430000"), now=quiet)
    _status, away = _poll(app, wall_client, "hall-q", seen=seen, search=f"?wall=hall-q&region={CHANGSHA}")
    assert "演示端已离开" in text_of(away["wall-banner"]["children"])
    assert "screen-url" not in away  # the same view stays; the screen's own refresh keeps redrawing it
    assert _screen_title(app, wall_client, f"?wall=hall-q&region={CHANGSHA}").startswith("长沙市")
