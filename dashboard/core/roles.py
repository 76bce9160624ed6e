"""Roles and what each may do: a pure table, so pages, the UI kit and the state store ask the same question
(`may(user, "export")`) without importing the store."""

from __future__ import annotations

from dashboard.core.scope import User

# What each role may do besides viewing the cockpit and the pages of its own region. Seeing personal data unmasked
# is not a role permission: it is granted per user (`may_unmask`), and every unmasked view records a reason.
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    "领导": frozenset({"reports", "present"}),  # read only; the monthly reports and meeting packs; presents
    "分析": frozenset({"export", "public_qr", "reports", "present"}),  # topic pages, drill-through, export, reports
    "经办": frozenset({"work_tickets"}),  # explains and rectifies the warning tickets of the region
    "审核": frozenset({"review_tickets"}),  # accepts or returns tickets
    "管理员": frozenset({"admin", "export", "public_qr", "reports"}),  # users, roles, regions; the audit trail
}
ROLES = tuple(ROLE_PERMISSIONS)
PERMISSION_NAMES = {
    "export": "导出",
    "work_tickets": "办理预警工单",
    "review_tickets": "审核预警工单",
    "admin": "用户与审计管理",
    "public_qr": "村务公开二维码",
    "reports": "月报与会议材料",
    "present": "大屏演示(三端联动)",
}


def may(user: User | None, permission: str) -> bool:
    """Whether `user`'s role grants `permission` ('export', 'work_tickets', 'review_tickets', 'admin',
    'public_qr', 'reports', 'present')."""
    return user is not None and permission in ROLE_PERMISSIONS.get(user.role, frozenset())
