"""The admin pages: only a 管理员 gets them; adding and changing users goes through the same rules as the CLI."""

from __future__ import annotations

import pytest

from dashboard.state import accounts, audit
from tests.integration.dash_tree import text_of, walk

NEW_USER = [
    "admin-new-username",
    "admin-new-name",
    "admin-new-password",
    "admin-new-role",
    "admin-new-region",
    "admin-new-unmask",
]
EDIT_USER = [
    "admin-edit-username",
    "admin-edit-role",
    "admin-edit-region",
    "admin-edit-unmask",
    "admin-edit-enabled",
    "admin-edit-password",
]


@pytest.fixture
def admin(client_as):
    return client_as("root_admin", "管理员", "430000")


def change_user(app, client, new: dict | None = None, edit: dict | None = None, trigger: str | None = None):
    """Press 新建用户 (with `new` filled in) or 保存修改 (with `edit`), or the button `trigger`, as the browser would."""
    key = next(k for k in app.callback_map if "admin-users-message.children" in k)
    spec = app.callback_map[key]
    values = {**{f"{i}.value": None for i in NEW_USER + EDIT_USER}, "admin-users-version.data": 0}
    for prefix, filled in (("admin-new", new), ("admin-edit", edit)):
        for name, value in (filled or {}).items():
            values[f"{prefix}-{name}.value"] = value
    trigger = trigger or ("admin-new-submit" if new else "admin-edit-submit")
    body = {
        "output": key,
        "outputs": [
            {"id": "admin-users-message", "property": "children"},
            {"id": "admin-users-version", "property": "data"},
        ],
        "inputs": [{**d, "value": 1 if d["id"] == trigger else None} for d in spec["inputs"]],
        "state": [{**d, "value": values[f"{d['id']}.{d['property']}"]} for d in spec["state"]],
        "changedPropIds": [f"{trigger}.n_clicks"],
    }
    response = client.post("/_dash-update-component", json=body)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_json()["response"]


def test_the_users_table_lists_users_of_the_admins_region(call_callback, client_as):
    client_as("furong", "经办", "430102")
    client_as("huaihua", "领导", "431200")
    city_admin = client_as("cs_admin", "管理员", "430100")
    out = call_callback("admin-users-table", [("admin-users-version", "data", 0)], client=city_admin)
    table = text_of(out["admin-users-table"]["children"])
    assert "furong" in table and "cs_admin" in table and "huaihua" not in table
    assert {o["value"] for o in out["admin-new-region"]["options"]} >= {"430100", "430102"}
    assert "431200" not in {o["value"] for o in out["admin-new-region"]["options"]}


def test_an_admin_adds_a_user_and_a_weak_password_is_refused(app, admin):
    weak = change_user(
        app,
        admin,
        new={
            "username": "wang",
            "name": "王五",
            "password": "12345678",
            "role": "分析",
            "region": "430100",
            "unmask": [],
        },
    )
    assert "密码至少" in text_of(weak["admin-users-message"]["children"]) and accounts.get_account("wang") is None
    common = change_user(
        app,
        admin,
        new={
            "username": "wang",
            "name": "王五",
            "password": "Password123!",
            "role": "分析",
            "region": "430100",
            "unmask": [],
        },
    )
    assert "过于常见" in text_of(common["admin-users-message"]["children"])
    done = change_user(
        app,
        admin,
        new={
            "username": "wang",
            "name": "王五",
            "password": "Xiang#Jiang2024",
            "role": "分析",
            "region": "430100",
            "unmask": ["yes"],
        },
    )
    assert "已新建用户 wang" in text_of(done["admin-users-message"]["children"])
    account = accounts.get_account("wang")
    assert (account.role, account.region, account.may_unmask) == ("分析", "430100", True)
    added = audit.search(action="user_added", username="root_admin")[0]
    assert added["region"] == "430100" and '"may_unmask": true' in added["params"]


def test_an_admin_change_is_audited_and_bites_on_the_users_next_request(app, admin, client_as, call_callback):
    bob = client_as("bob", "分析", "430100")
    change_user(
        app,
        admin,
        edit={
            "username": "bob",
            "role": "领导",
            "region": "431200",
            "unmask": [],
            "enabled": ["yes"],
            "password": None,
        },
    )
    out = call_callback("overview-title", [("overview-query", "data", {})], client=bob)
    assert out["overview-title"]["children"].startswith("怀化市")
    change = audit.search(action="user_changed", username="root_admin")[0]
    assert "431200" in change["params"] and "领导" in change["params"]
    change_user(
        app,
        admin,
        edit={"username": "bob", "role": "领导", "region": "431200", "unmask": [], "enabled": [], "password": None},
    )
    assert bob.get("/").status_code == 302


def test_an_admin_unlocks_a_locked_account_and_it_is_audited(app, admin, call_callback):
    from tests.signin import TEST_PASSWORD, ensure_user

    ensure_user("carol", "分析", "430100")
    for _ in range(5):
        accounts.authenticate("carol", "Wrong#Password1")
    assert "锁定" in accounts.authenticate("carol", TEST_PASSWORD).message

    def unlock_disabled() -> bool:
        out = call_callback(
            "admin-edit-unlock", [("admin-edit-username", "value", "carol"), ("admin-users-version", "data", 0)], admin
        )
        return out["admin-edit-unlock"]["disabled"]

    assert unlock_disabled() is False
    users = call_callback("admin-users-table", [("admin-users-version", "data", 0)], admin)
    assert "已锁定" in text_of(users["admin-users-table"]["children"])
    out = change_user(app, admin, edit={"username": "carol"}, trigger="admin-edit-unlock")
    assert "已解除用户 carol 的登录锁定" in text_of(out["admin-users-message"]["children"])
    assert accounts.authenticate("carol", TEST_PASSWORD).token is not None
    assert unlock_disabled() is True
    unlocked = audit.search(action="account_unlocked", username="root_admin")
    assert len(unlocked) == 1 and '"user": "carol"' in unlocked[0]["params"]
    again = change_user(app, admin, edit={"username": "carol"}, trigger="admin-edit-unlock")
    assert "未被锁定" in text_of(again["admin-users-message"]["children"])


def test_a_city_admin_cannot_unlock_a_user_outside_the_city(app, client_as):
    from tests.signin import ensure_user

    ensure_user("dave", "分析", "431200")
    for _ in range(5):
        accounts.authenticate("dave", "Wrong#Password1")
    city_admin = client_as("cs_admin", "管理员", "430100")
    out = change_user(app, city_admin, edit={"username": "dave"}, trigger="admin-edit-unlock")
    assert "管辖区划" in text_of(out["admin-users-message"]["children"])
    assert accounts.get_account("dave").locked and not audit.search(action="account_unlocked")


def test_a_non_admin_gets_neither_the_page_nor_its_callbacks(app, client, call_callback):
    refused = change_user(
        app,
        client,
        new={
            "username": "mallory",
            "name": "m",
            "password": "Xiang#Jiang2024",
            "role": "管理员",
            "region": "430000",
            "unmask": ["yes"],
        },
    )
    assert "无权" in text_of(refused["admin-users-message"]["children"])
    assert accounts.get_account("mallory") is None
    assert audit.search(action="denied")[0]["username"] == "province_analyst"
    page = call_callback(
        "_pages_content", [("_pages_location", "pathname", "/admin/users"), ("_pages_location", "search", "")]
    )
    assert "仅限管理员" in text_of(page["_pages_content"]["children"])
    out = call_callback("audit-results", [("audit-search", "n_clicks", 1)])
    assert "无权" in text_of(out["audit-results"]["children"])


def test_the_navbar_shows_admin_pages_only_to_admins(app, client, admin):
    def nav_links(c):
        layout = c.get("/_dash-layout").get_json()
        return {text_of(n) for n in walk(layout) if n["type"] == "NavLink"}

    assert {"用户管理", "审计日志"} <= nav_links(admin)
    assert not {"用户管理", "审计日志"} & nav_links(client)


def test_the_shell_names_the_signed_in_user_and_signs_out_by_post(client):
    layout = client.get("/_dash-layout").get_json()
    badge = next(n for n in walk(layout) if n["props"].get("id") == "user-badge")
    assert text_of(badge) == "province_analyst · 分析 · 湖南省"
    form = next(n for n in walk(layout) if n["props"].get("id") == "sign-out-form")
    assert form["props"]["method"] == "post" and form["props"]["action"] == "/logout"
    hidden = next(n for n in walk(form) if n["props"].get("name") == "csrf_token")
    assert hidden["props"]["value"] == client.get_cookie("_csrf_token").value


def test_markup_in_a_name_is_rendered_as_text(app, admin, call_callback):
    evil = "<img src=x onerror=alert(1)>"
    accounts.add_user("xss", evil, "分析", "430100", "", actor="t", password_hash="x")
    out = call_callback("admin-users-table", [("admin-users-version", "data", 0)], client=admin)
    cells = [n for n in walk(out["admin-users-table"]["children"]) if n["type"] == "Td"]
    assert any(c["props"]["children"] == evil for c in cells)  # a plain string child: React renders it as text
    assert not [n for n in walk(out) if n["type"] in ("Markdown", "Iframe") or "dangerously_allow_html" in n["props"]]


def test_the_audit_search_filters_by_user_and_event(app, admin, call_callback):
    audit.append("export", username="someone", page="/revenue", region="430100", rows=120)
    audit.append("export", username="someone", page="/revenue", region="431200", rows=7)
    audit.append("view", username="someone", page="/")
    out = call_callback(
        "audit-results",
        [("audit-search", "n_clicks", 1)],
        client=admin,
        state=[
            ("audit-user", "value", "someone"),
            ("audit-action", "value", "export"),
            ("audit-region", "value", " 430100 "),
        ],
    )
    rows = [n for n in walk(out["audit-results"]["children"]) if n["type"] == "Tr"][1:]
    assert len(rows) == 1
    assert [text_of(td) for td in rows[0]["props"]["children"]][1:8] == [
        "someone",
        "",
        "导出",
        "/revenue",
        "长沙市(430100)",
        "",
        "120",
    ]


@pytest.mark.parametrize(
    "edit",
    [
        {},
        {"username": "bob", "role": None, "region": "430100"},
        {"username": "bob", "role": "分析", "region": "431200"},
    ],
)
def test_an_incomplete_or_out_of_reach_edit_gets_a_message_and_changes_nothing(app, client_as, edit):
    city_admin = client_as("cs_admin", "管理员", "430100")
    client_as("bob", "分析", "430100")
    out = change_user(app, city_admin, edit={"enabled": ["yes"], "unmask": [], **edit})
    assert out["admin-users-message"]["children"]["props"]["color"] == "warning"
    assert accounts.get_account("bob").region == "430100" and accounts.get_account("bob").role == "分析"


@pytest.mark.parametrize("start, end, found", [(None, None, 1), ("2999-01-01", None, 0), (None, "2000-01-01", 0)])
def test_the_audit_search_filters_by_date(admin, call_callback, start, end, found):
    audit.append("export", username="someone", page="/revenue", rows=1)
    out = call_callback(
        "audit-results",
        [("audit-search", "n_clicks", 1)],
        client=admin,
        state=[
            ("audit-user", "value", "someone"),
            ("audit-dates", "start_date", start),
            ("audit-dates", "end_date", end),
        ],
    )
    assert f"最近 {found} 条" in text_of(out["audit-results"]["children"])
