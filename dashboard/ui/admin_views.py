"""Pure component builders of the admin pages: rows in, tables out (all text is rendered as text, never HTML)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from dash import html

from dashboard.core.regions import RegionTree
from dashboard.core.roles import PERMISSION_NAMES, ROLE_PERMISSIONS
from dashboard.state.accounts import Account

ACTION_NAMES = {
    "sign_in": "登录",
    "sign_in_failed": "登录失败",
    "account_locked": "账户锁定",
    "account_unlocked": "解除锁定",
    "sign_out": "退出",
    "session_ended": "会话结束",
    "view": "查看页面",
    "drill": "钻取",
    "export": "导出",
    "unmask": "查看明文",
    "ticket": "工单流转",
    "user_added": "新建用户",
    "user_changed": "修改用户",
    "password_set": "重设密码",
    "denied": "拒绝访问",
    "audit_export": "导出审计日志",
    "public_check": "公众自助查询",
    "ask": "问数",
    "report": "生成报告",
    "report_download": "下载报告",
    "pack": "会议材料包",
}
OUTCOME_NAMES = {"ok": "成功", "failed": "失败", "denied": "拒绝"}


def _region(tree: RegionTree, code: str | None) -> str:
    if not code:
        return ""
    return f"{tree.name(code)}({code})" if code in tree else code


def users_table(accounts: Sequence[Account], tree: RegionTree) -> html.Table:
    headers = ["用户名", "姓名", "角色", "区划", "个人信息明文", "状态", "修改时间"]
    rows = [
        html.Tr(
            [
                html.Td(a.username),
                html.Td(a.display_name),
                html.Td(a.role),
                html.Td(_region(tree, a.region)),
                html.Td("可查看" if a.may_unmask else "脱敏"),
                html.Td("已停用" if not a.enabled else ("已锁定" if a.locked else "启用")),
                html.Td(f"{a.updated_at:%Y-%m-%d %H:%M}"),
            ],
            className="user-disabled text-muted" if not a.enabled else None,
        )
        for a in accounts
    ]
    return html.Table(
        [
            html.Caption(f"共 {len(accounts)} 个用户", className="caption-top"),
            html.Thead(html.Tr([html.Th(h) for h in headers])),
            html.Tbody(rows),
        ],
        className="table table-sm table-hover users-table",
        id="users-table",
    )


def roles_table() -> html.Table:
    """What each role may do besides viewing its region's pages."""
    rows = [
        html.Tr([html.Td(role), html.Td("、".join(PERMISSION_NAMES[p] for p in sorted(perms)) or "只读")])
        for role, perms in ROLE_PERMISSIONS.items()
    ]
    return html.Table(
        [
            html.Caption("角色权限(查看个人信息明文按用户单独授权)", className="caption-top"),
            html.Thead(html.Tr([html.Th("角色"), html.Th("除查看本区划外的权限")])),
            html.Tbody(rows),
        ],
        className="table table-sm roles-table",
    )


def _params(text: str | None) -> str:
    if not text:
        return ""
    try:
        return "; ".join(f"{k}={v}" for k, v in json.loads(text).items())
    except (ValueError, AttributeError):
        return text


def audit_table(rows: Sequence[dict[str, Any]], tree: RegionTree, limit: int) -> html.Div:
    headers = ["时间(UTC)", "用户", "角色", "事件", "页面", "区划", "参数", "行数", "结果", "说明", "IP"]
    body = [
        html.Tr(
            [
                html.Td(f"{r['at']:%Y-%m-%d %H:%M:%S}"),
                html.Td(r["username"] or "—"),
                html.Td(r["role"] or ""),
                html.Td(ACTION_NAMES.get(r["action"], r["action"])),
                html.Td(r["page"] or ""),
                html.Td(_region(tree, r["region"])),
                html.Td(_params(r["params"]), className="audit-params"),
                html.Td("" if r["rows"] is None else f"{r['rows']:,}"),
                html.Td(OUTCOME_NAMES.get(r["outcome"], r["outcome"])),
                html.Td(r["detail"] or ""),
                html.Td(r["ip"] or ""),
            ],
            className=f"outcome-{r['outcome']}",
        )
        for r in rows
    ]
    note = f"最近 {len(rows)} 条" + (f"(仅显示前 {limit} 条,请缩小条件或用命令行导出)" if len(rows) >= limit else "")
    return html.Div(
        html.Table(
            [
                html.Caption(note, className="caption-top"),
                html.Thead(html.Tr([html.Th(h) for h in headers])),
                html.Tbody(body),
            ],
            className="table table-sm table-hover audit-table",
            id="audit-table",
        ),
        className="table-responsive",
    )
