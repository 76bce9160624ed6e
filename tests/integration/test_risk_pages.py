"""/risk and /warnings through their callbacks: counts equal the state store (the test's own SQL), the heatmap has
one row per child with grade words, the big-screen interface keeps its columns, and tickets are worked only as the
state machine allows."""

from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope, User
from dashboard.risk import monitor as risk
from tests.integration.dash_tree import by_id, find_callback, text_of, walk

QUERY = {"region": "430000", "year": "2024", "period": "1-12"}
PROVINCE = Scope("430000", "province")


@pytest.fixture
def state_store(risk_state_url, use_state, tmp_path):
    """A private copy of the session's rule run, so tests that act on tickets never disturb each other."""
    import shutil

    path = tmp_path / "state.sqlite"
    shutil.copy(risk_state_url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    use_state(url)
    engine = sa.create_engine(url)
    yield engine
    engine.dispose()


def _scalar(engine, sql: str, **params):
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).scalar_one()


def test_risk_kpis_equal_the_state_store(call_callback, state_store):
    out = call_callback("risk-kpis", [("risk-query", "data", QUERY)])
    kpis = out["risk-kpis"]["children"]
    red = _scalar(state_store, "select count(*) from risk_warning where state = '待处理' and grade = '红'")
    open_tickets = _scalar(state_store, "select count(*) from risk_ticket where state <> '已销号'")
    assert text_of(by_id(kpis, "kpi-red")) == f"{red} 条" and red > 0
    assert text_of(by_id(kpis, "kpi-tickets")) == f"{open_tickets} 件"
    health = text_of(by_id(kpis, "kpi-health"))
    assert 0 <= float(health) <= 100


def test_heatmap_has_a_row_per_city_and_words_in_every_cell(call_callback, state_store, duck):
    out = call_callback("risk-heatmap", [("risk-query", "data", QUERY)])
    trace = out["risk-heatmap"]["figure"]["data"][0]
    with duck.connect() as conn:
        cities = conn.execute(sa.text("select count(*) from region where parent_adcode = '430000'")).scalar_one()
    from dashboard.risk.rules import TOPICS

    assert len(trace["y"]) == cities and list(trace["x"]) == list(TOPICS)  # one column per topic, 数据质量 too
    words = {cell.split(" ")[0] for row in trace["text"] for cell in row}
    assert words <= {"红", "橙", "黄", "蓝", "正常"} and "红" in words
    layout = out["risk-heatmap"]["figure"]["layout"]
    assert layout["yaxis"]["ticktext"][layout["yaxis"]["tickvals"].index("430100")] == "长沙市"
    changsha = trace["y"].index("430100")  # the row's key is its code: a browser's click sends it as y
    count = _scalar(
        state_store,
        "select count(*) from risk_warning where state = '待处理' and topic = '预算执行' and region_code like '4301%'",
    )
    assert trace["customdata"][changsha][0] == ["430100", "预算执行", count]


def test_region_risk_counts_and_worst_grade_per_child(state_store, use_store, demo_url):
    use_store(demo_url)
    state = DrillState("430000", 2024, 1, 12)
    frame = risk.region_risk(PROVINCE, state)
    assert list(frame.columns) == ["code", "name", "grade", "health_index", "red", "orange", "yellow", "blue"]
    row = frame.set_index("code").loc["430100"]
    for grade, column in (("红", "red"), ("橙", "orange"), ("黄", "yellow")):
        expected = _scalar(
            state_store,
            "select count(*) from risk_warning where state = '待处理' and grade = :g and region_code like '4301%'",
            g=grade,
        )
        assert row[column] == expected
    assert row["grade"] == "红" and 0 <= row["health_index"] <= 100
    assert risk.region_risk(Scope("430100", "city"), state).empty  # the province is outside a city's scope


def test_latest_warnings_and_ticket_summary_stay_in_the_subtree(state_store, use_store, demo_url):
    use_store(demo_url)
    state = DrillState("430100", 2024, 1, 12)
    latest = risk.latest_warnings(Scope("430000", "province"), state, limit=7)
    assert list(latest.columns) == [
        "raised_at",
        "region_code",
        "region_name",
        "rule_code",
        "rule_name",
        "topic",
        "grade",
        "message",
    ]
    assert len(latest) == 7 and latest["region_code"].str.startswith("4301").all()
    summary = risk.ticket_summary(Scope("430000", "province"), state)
    expected = _scalar(state_store, "select count(*) from risk_ticket where region_code like '4301%'")
    assert summary == {"open": expected, "overdue": 0}
    assert risk.ticket_summary(Scope.nothing(), state) == {"open": 0, "overdue": 0}


def test_ticket_list_filters_by_grade_and_topic(call_callback, state_store):
    out = call_callback(
        "warnings-list",
        [
            ("warnings-query", "data", QUERY),
            ("warnings-grade", "value", "橙"),
            ("warnings-topic", "value", "惠民补贴"),
            ("warnings-state", "value", None),
            ("warnings-overdue", "value", []),
            ("ticket-changed", "data", 0),
        ],
    )
    rows = [c for c in walk(out["warnings-list"]["children"]) if c["props"].get("className") == "ticket-row"]
    expected = _scalar(
        state_store,
        "select count(*) from risk_ticket k join risk_warning w on w.id = k.warning_id "
        "where w.grade = '橙' and w.topic = '惠民补贴'",
    )
    assert len(rows) == expected > 0
    assert all("橙" in text_of(r) for r in rows)


def _call_with_state(app, client, output_id, inputs, states, changed: list[str] | None = None):
    import json

    from tests.integration.dash_tree import find_callback

    key, _spec = find_callback(app, output_id)
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    body = {
        "output": key,
        "outputs": outputs,
        "changedPropIds": changed or [f"{i}.{p}" for i, p, _ in inputs],
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in states],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return json.loads(response.get_data(as_text=True))["response"]


BUTTONS = ["ticket-respond", "ticket-accept", "ticket-return"]


def _press(app, client, button: str, ticket: int, comment: str = "", upload=(None, None)):
    inputs = [(b, "n_clicks", 1 if b == button else None) for b in BUTTONS]
    states = [
        ("warnings-query", "data", {**QUERY, "ticket": str(ticket)}),
        ("ticket-comment", "value", comment),
        ("ticket-rectification", "value", "已补发"),
        ("ticket-upload", "contents", upload[0]),
        ("ticket-upload", "filename", upload[1]),
        ("ticket-changed", "data", 0),
    ]
    return _call_with_state(app, client, "ticket-feedback", inputs, states, [f"{button}.n_clicks"])


def test_work_a_ticket_through_respond_return_respond_accept_with_history(app, client_as, state_store, monkeypatch):
    clerk, reviewer = client_as("clerk", "经办", "430000"), client_as("reviewer", "审核", "430000")
    pdf = "data:application/pdf;base64," + base64.b64encode(b"%PDF-1.4 rectification report").decode()
    out = _press(app, clerk, "ticket-respond", 1, "", upload=(pdf, "整改报告.pdf"))
    assert "请填写情况说明" in text_of(out["ticket-feedback"]["children"])
    assert _scalar(state_store, "select state from risk_ticket where id = 1") == "待反馈"  # refused: nothing changed
    out = _press(app, reviewer, "ticket-accept", 1, "越权销号")
    assert _scalar(state_store, "select state from risk_ticket where id = 1") == "待反馈"  # 审核 cannot skip 反馈
    out = _press(app, clerk, "ticket-respond", 1, "已核实原因", upload=(pdf, "整改报告.pdf"))
    assert "已反馈" in text_of(out["ticket-feedback"]["children"])
    out = _press(app, reviewer, "ticket-return", 1, "整改材料不全")
    assert "已退回" in text_of(out["ticket-feedback"]["children"])
    _press(app, clerk, "ticket-respond", 1, "已补充材料")
    out = _press(app, reviewer, "ticket-accept", 1, "同意销号")
    assert "已销号" in text_of(out["ticket-feedback"]["children"])
    with state_store.connect() as conn:
        history = conn.execute(
            sa.text(
                "select action, actor, from_state, to_state, comment from risk_ticket_event "
                "where ticket_id = 1 order by id"
            )
        ).all()
        warning_state = conn.execute(
            sa.text("select w.state from risk_warning w join risk_ticket k on k.warning_id = w.id where k.id = 1")
        ).scalar_one()
        attachment = conn.execute(sa.text("select filename, size from risk_attachment where ticket_id = 1")).one()
    assert [(a, f, t) for a, _who, f, t, _c in history] == [
        ("下发", None, "待反馈"),
        ("反馈", "待反馈", "已反馈"),
        ("退回", "已反馈", "已退回"),
        ("反馈", "已退回", "已反馈"),
        ("销号", "已反馈", "已销号"),
    ]
    assert [who for _a, who, *_r in history[1:]] == ["clerk", "reviewer", "clerk", "reviewer"]
    assert history[2][4] == "整改材料不全"
    assert warning_state == "已销号" and attachment == ("整改报告.pdf", len(b"%PDF-1.4 rectification report"))
    detail = _call_with_state(
        app,
        reviewer,
        "ticket-detail",
        [("warnings-query", "data", {**QUERY, "ticket": "1"}), ("ticket-changed", "data", 1)],
        [],
    )
    shown = text_of(by_id(detail["ticket-detail"]["children"], "ticket-history"))
    assert "整改材料不全" in shown and "整改报告.pdf" in shown and "销号" in shown
    assert "下发 待反馈" in shown and "nan" not in shown  # the issue has no state before it


def test_a_role_without_the_right_is_refused_and_nothing_changes(app, client, state_store, monkeypatch):
    monkeypatch.setattr("callbacks.warnings.current_user", lambda: User("ld", "领导", "领导", "430000"))
    out = _press(app, client, "ticket-respond", 2, "说明")
    assert "领导无权反馈" in text_of(out["ticket-feedback"]["children"])
    monkeypatch.setattr("callbacks.warnings.current_user", lambda: User("jb", "经办", "经办", "431200"))
    foreign = _scalar(state_store, "select min(id) from risk_ticket where region_code not like '4312%'")
    out = _press(app, client, "ticket-respond", foreign, "说明")
    assert "不属于您管辖" in text_of(out["ticket-feedback"]["children"])
    assert _scalar(state_store, "select state from risk_ticket where id = :i", i=foreign) == "待反馈"


def test_a_bad_attachment_is_refused_in_chinese(app, client, state_store):
    exe = "data:application/octet-stream;base64," + base64.b64encode(b"MZ\x90\x00").decode()
    out = _press(app, client, "ticket-respond", 3, "说明", upload=(exe, "setup.exe"))
    assert "不支持的附件类型“.exe”" in text_of(out["ticket-feedback"]["children"])
    assert _scalar(state_store, "select count(*) from risk_ticket_event where ticket_id = 3") == 1


def test_unknown_or_foreign_ticket_in_the_url_gets_a_notice(app, client, state_store):
    out = _call_with_state(
        app,
        client,
        "ticket-detail",
        [("warnings-query", "data", {**QUERY, "ticket": "999999"}), ("ticket-changed", "data", 0)],
        [],
    )
    assert "未找到工单 #999999" in text_of(out["ticket-detail"]["children"])


def test_heatmap_click_on_a_cell_with_warnings_opens_its_evidence(app, client, state_store):
    # what dcc.Graph sends for a heatmap cell: x and y, no customdata (its pointNumber is [row, column])
    click = {"points": [{"curveNumber": 0, "x": "惠民补贴", "y": "430100", "z": 4, "text": "红 7"}]}
    out = _call_with_state(
        app, client, "risk-nav", [("risk-heatmap", "clickData", click)], [("risk-query", "data", QUERY)]
    )
    card = text_of(out["risk-evidence"]["children"])
    expected = _scalar(
        state_store,
        "select count(*) from risk_warning where state = '待处理' and topic = '惠民补贴' and region_code like '4301%'",
    )
    assert "长沙市 · 惠民补贴 · 预警证据" in card and "***" in card  # masked ID numbers in the evidence
    assert card.count("阈值:") == min(expected, 20) and "risk-nav" not in out


def test_heatmap_click_on_a_normal_cell_drills_and_nonsense_is_ignored(app, client, state_store):
    click = {"points": [{"curveNumber": 0, "x": "库款", "y": "430100", "z": 0}]}
    out = _call_with_state(
        app, client, "risk-nav", [("risk-heatmap", "clickData", click)], [("risk-query", "data", QUERY)]
    )
    assert out["risk-nav"]["href"] == "/risk?region=430100&year=2024&period=1-12"
    for junk in (
        {"points": [{"customdata": "x"}]},
        {"points": []},
        {"points": [{"x": "库款", "y": "999999"}]},
        {"points": [{"x": "不存在", "y": "430100"}]},
    ):
        response = client.post(
            "/_dash-update-component",
            json={
                "output": find_callback(app, "risk-nav")[0],
                "outputs": [{"id": "risk-evidence", "property": "children"}, {"id": "risk-nav", "property": "href"}],
                "inputs": [{"id": "risk-heatmap", "property": "clickData", "value": junk}],
                "changedPropIds": ["risk-heatmap.clickData"],
                "state": [{"id": "risk-query", "property": "data", "value": QUERY}],
            },
        )
        assert response.status_code in (200, 204), junk  # no error …
        assert response.status_code == 204 or not response.get_json().get("response"), (
            response.get_json()
        )  # … no update


def test_a_warnings_filter_change_is_written_to_the_url_with_the_open_ticket(app, client):
    key, _spec = find_callback(app, "warnings-nav")
    inputs = [
        ("warnings-grade", "value", "红"),
        ("warnings-topic", "value", "惠民补贴"),
        ("warnings-state", "value", None),
        ("warnings-overdue", "value", ["1"]),
    ]
    query = {"region": "430100", "year": "2024", "period": "1-9", "ticket": "7"}

    def post(search: str):
        return client.post(
            "/_dash-update-component",
            json={
                "output": key,
                "outputs": {"id": "warnings-nav", "property": "href"},
                "changedPropIds": ["warnings-grade.value"],
                "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
                "state": [
                    {"id": "warnings-query", "property": "data", "value": query},
                    {"id": "warnings-nav", "property": "search", "value": search},
                ],
            },
        )

    href = post("?region=430100").get_json()["response"]["warnings-nav"]["href"]
    assert href == (
        "/warnings?region=430100&year=2024&period=1-9&grade=%E7%BA%A2"
        "&topic=%E6%83%A0%E6%B0%91%E8%A1%A5%E8%B4%B4&overdue=1&ticket=7"
    )
    same = post(href.removeprefix("/warnings"))
    assert same.status_code == 204 or "warnings-nav" not in same.get_json()["response"], (
        "the URL already says so: no navigation"
    )


def test_the_reviewer_opens_the_attachment_and_someone_outside_the_region_cannot(app, client_as, state_store):
    """The history links the attachment; its route checks the scope, answers the stored bytes and audits both ways."""
    clerk, reviewer = client_as("clerk", "经办", "430000"), client_as("reviewer", "审核", "430000")
    content = b"%PDF-1.4 rectification report"
    pdf = "data:application/pdf;base64," + base64.b64encode(content).decode()
    _press(app, clerk, "ticket-respond", 1, "已核实原因", upload=(pdf, "整改报告.pdf"))
    attachment_id, region = (
        _scalar(state_store, "select id from risk_attachment where ticket_id = 1"),
        _scalar(state_store, "select region_code from risk_ticket where id = 1"),
    )
    detail = _call_with_state(
        app,
        reviewer,
        "ticket-detail",
        [("warnings-query", "data", {**QUERY, "ticket": "1"}), ("ticket-changed", "data", 1)],
        [],
    )
    links = [c for c in walk(detail["ticket-detail"]["children"]) if c["props"].get("className") == "ticket-attachment"]
    assert [c["props"]["href"] for c in links] == [f"/warnings/attachments/{attachment_id}"]
    response = reviewer.get(f"/warnings/attachments/{attachment_id}")
    assert response.status_code == 200 and response.data == content
    assert response.mimetype == "application/pdf" and "attachment;" in response.headers["Content-Disposition"]
    assert "UTF-8''%E6%95%B4%E6%94%B9" in response.headers["Content-Disposition"]
    other = next(c for c in ("430100", "430200", "430300") if not region.startswith(c[:4]))
    outsider = client_as("outsider", "审核", other)
    assert outsider.get(f"/warnings/attachments/{attachment_id}").status_code == 404
    with state_store.connect() as conn:
        audited = conn.execute(
            sa.text("select username, action, outcome from audit_event where page = :p order by id"),
            {"p": f"/warnings/attachments/{attachment_id}"},
        ).all()
    assert [tuple(r) for r in audited] == [("reviewer", "attachment_download", "ok"), ("outsider", "denied", "denied")]
