"""用户管理: list, add and change users and lift sign-in locks; every change is audited (in `accounts`)."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, no_update

from dashboard.core.regions import national_tree
from dashboard.core.roles import may
from dashboard.state import audit
from dashboard.state.accounts import (
    AccountError,
    add_user,
    get_account,
    list_accounts,
    set_password,
    unlock_user,
    update_user,
)
from dashboard.ui import admin_views
from dashboard.web.context import current_user


def _manageable(admin, accounts):
    """Users inside the admin's own region subtree (a city admin manages its city's users only)."""
    tree = national_tree()
    return [a for a in accounts if a.region in tree and tree.is_within(a.region, admin.region)]


def _refuse() -> dbc.Alert:
    audit.record("denied", page="/admin/users", detail="not an administrator", outcome="denied")
    return dbc.Alert("无权操作(仅限管理员)。", color="danger")


def register(app: Dash) -> None:
    @app.callback(
        Output("admin-users-table", "children"),
        Output("admin-roles-table", "children"),
        Output("admin-edit-username", "options"),
        Output("admin-new-region", "options"),
        Output("admin-edit-region", "options"),
        Input("admin-users-version", "data"),
    )
    def show_users(_version):
        admin = current_user()
        if not may(admin, "admin"):
            return _refuse(), None, [], [], []
        tree = national_tree()
        accounts = _manageable(admin, list_accounts())
        regions = [
            {"label": f"{r.name}({r.adcode})", "value": r.adcode}
            for r in sorted(tree.subtree(admin.region).regions.values(), key=lambda r: r.adcode)
        ]
        users = [{"label": f"{a.username}({a.display_name})", "value": a.username} for a in accounts]
        return admin_views.users_table(accounts, tree), admin_views.roles_table(), users, regions, regions

    @app.callback(
        Output("admin-edit-role", "value"),
        Output("admin-edit-region", "value"),
        Output("admin-edit-unmask", "value"),
        Output("admin-edit-enabled", "value"),
        Output("admin-edit-unlock", "disabled"),
        Input("admin-edit-username", "value"),
        Input("admin-users-version", "data"),
    )
    def load_user(username, _version):
        admin = current_user()
        account = get_account(username) if username and may(admin, "admin") else None
        if account is None or not _manageable(admin, [account]):
            return no_update, no_update, no_update, no_update, True
        return (
            account.role,
            account.region,
            ["yes"] if account.may_unmask else [],
            ["yes"] if account.enabled else [],
            not account.locked,
        )

    @app.callback(
        Output("admin-users-message", "children"),
        Output("admin-users-version", "data"),
        Input("admin-new-submit", "n_clicks"),
        Input("admin-edit-submit", "n_clicks"),
        Input("admin-edit-unlock", "n_clicks"),
        State("admin-new-username", "value"),
        State("admin-new-name", "value"),
        State("admin-new-password", "value"),
        State("admin-new-role", "value"),
        State("admin-new-region", "value"),
        State("admin-new-unmask", "value"),
        State("admin-edit-username", "value"),
        State("admin-edit-role", "value"),
        State("admin-edit-region", "value"),
        State("admin-edit-unmask", "value"),
        State("admin-edit-enabled", "value"),
        State("admin-edit-password", "value"),
        State("admin-users-version", "data"),
        prevent_initial_call=True,
    )
    def change_user(
        _new,
        _edit,
        _unlock,
        new_username,
        new_name,
        new_password,
        new_role,
        new_region,
        new_unmask,
        username,
        role,
        region,
        unmask,
        enabled,
        password,
        version,
    ):
        admin = current_user()
        if not may(admin, "admin"):
            return _refuse(), no_update
        tree = national_tree()
        try:
            if ctx.triggered_id == "admin-new-submit":
                if not (new_username and new_role and new_region and new_password):
                    raise AccountError("请填写用户名、角色、区划和初始密码。")
                if not tree.is_within(new_region, admin.region):
                    raise AccountError("只能在本人管辖区划内设置用户。")
                add_user(
                    new_username.strip(),
                    new_name or new_username,
                    new_role,
                    new_region,
                    new_password,
                    may_unmask=bool(new_unmask),
                )
                message = f"已新建用户 {new_username.strip()}。"
            elif ctx.triggered_id == "admin-edit-unlock":
                account = get_account(username or "")
                if account is None or not _manageable(admin, [account]):
                    raise AccountError("请选择本人管辖区划内的用户。")
                unlock_user(account.username)
                message = f"已解除用户 {account.username} 的登录锁定。"
            else:
                account = get_account(username or "")
                if (
                    account is None
                    or not _manageable(admin, [account])
                    or not tree.is_within(region or "", admin.region)
                ):
                    raise AccountError("请选择本人管辖区划内的用户和区划。")
                if account.username == admin.username and (not enabled or role != account.role):
                    raise AccountError("不能停用自己或修改自己的角色。")
                update_user(account.username, role=role, region=region, may_unmask=bool(unmask), enabled=bool(enabled))
                if password:
                    set_password(account.username, password)
                message = f"已保存用户 {account.username} 的修改,下一次请求起生效。"
        except AccountError as error:
            return dbc.Alert(str(error), color="warning", className="py-2"), no_update
        return dbc.Alert(message, color="success", className="py-2", dismissable=True), (version or 0) + 1
