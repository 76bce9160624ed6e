"""The warning loop (预警 → 通知 → 反馈 → 销号) as a state machine, and its persistence in the state store.

`next_state` is pure: (state, action, role, in scope?, comment) → the new state, or `TransitionDenied` with the
reason in Chinese. Everything that changes a ticket goes through `act`, which checks the transition with an
explicit actor (a `dashboard.core.scope.User`), records who, when and what was said as a ticket event, and calls
`dashboard.state.audit.record`. The system itself issues tickets and escalates overdue ones, as the actor `SYSTEM`.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from dashboard.core import settings
from dashboard.core.regions import RegionTree
from dashboard.core.scope import User
from dashboard.state import audit
from dashboard.state.warning_tables import WARNING_CLOSED, risk_attachment, risk_ticket, risk_ticket_event, risk_warning

PENDING, RESPONDED, RETURNED, ESCALATED, CLOSED = "待反馈", "已反馈", "已退回", "已升级", "已销号"
TICKET_STATES = (PENDING, RESPONDED, RETURNED, ESCALATED, CLOSED)
OPEN_STATES = (PENDING, RESPONDED, RETURNED, ESCALATED)
AWAITING_REGION = (PENDING, RETURNED, ESCALATED)  # the region owes a response: these can be overdue
ISSUE, RESPOND, ACCEPT, RETURN, ESCALATE = "下发", "反馈", "销号", "退回", "升级"
ACTIONS = (RESPOND, ACCEPT, RETURN, ESCALATE)
SYSTEM = User("system", "系统", "系统", "")

# (state, action) → new state: every transition not listed here is refused.
TRANSITIONS: dict[tuple[str, str], str] = {
    (PENDING, RESPOND): RESPONDED,
    (RETURNED, RESPOND): RESPONDED,
    (ESCALATED, RESPOND): RESPONDED,
    (RESPONDED, ACCEPT): CLOSED,
    (RESPONDED, RETURN): RETURNED,
    (PENDING, ESCALATE): ESCALATED,
    (RETURNED, ESCALATE): ESCALATED,
}
# who may take each action: the region's 经办 responds, a 审核 accepts or returns, 管理员 may do either for the
# regions in its scope, only the system escalates. 领导 and 分析 read.
ACTION_ROLES: dict[str, frozenset[str]] = {
    RESPOND: frozenset({"经办", "管理员"}),
    ACCEPT: frozenset({"审核", "管理员"}),
    RETURN: frozenset({"审核", "管理员"}),
    ESCALATE: frozenset({"系统"}),
}
NEEDS_COMMENT = {RESPOND: "请填写情况说明", RETURN: "请填写退回原因", ESCALATE: "请填写升级原因"}


class TransitionDenied(Exception):
    """A ticket action that is not allowed; the message is shown to the user as it is."""


def next_state(state: str, action: str, role: str, *, in_scope: bool, comment: str = "") -> str:
    """The state a ticket in `state` moves to when `role` takes `action`, or TransitionDenied saying why not."""
    if action not in ACTION_ROLES:
        raise TransitionDenied(f"未知操作“{action}”。")
    if role not in ACTION_ROLES[action]:
        raise TransitionDenied(f"{role or '当前用户'}无权{action}。")
    if not in_scope:
        raise TransitionDenied("该工单不属于您管辖的区划。")
    new_state = TRANSITIONS.get((state, action))
    if new_state is None:
        raise TransitionDenied(f"工单{state},不能{action}。")
    if action in NEEDS_COMMENT and not comment.strip():
        raise TransitionDenied(NEEDS_COMMENT[action] + "。")
    return new_state


def is_overdue(state: str, deadline: dt.datetime, now: dt.datetime) -> bool:
    """The region still owes a response after its deadline."""
    return state in AWAITING_REGION and deadline < now


# -- attachments ----------------------------------------------------------------------------------------------------

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_ATTACHMENTS: dict[str, tuple[str, bytes]] = {  # extension → (content type, leading bytes)
    ".pdf": ("application/pdf", b"%PDF-"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", b"PK\x03\x04"),
    ".doc": ("application/msword", _OLE),
    ".xls": ("application/vnd.ms-excel", _OLE),
}
ALLOWED_TEXT = "PDF、JPG、PNG、Word(.doc/.docx)或 Excel(.xls/.xlsx)"


class AttachmentRejected(ValueError):
    """An upload that is not accepted; the message is shown to the user as it is."""


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    content: bytes


def read_upload(filename: str | None, contents: str | None) -> Attachment:
    """Validate a `dcc.Upload` file (a data: URL): name, type by extension and by content, size."""
    name = os.path.basename((filename or "").replace("\\", "/")).strip()
    if not name or re.search(r"[\x00-\x1f]", name) or len(name) > 128:
        raise AttachmentRejected("附件文件名无效(不超过 128 个字符)。")
    extension = os.path.splitext(name)[1].lower()
    if extension not in ALLOWED_ATTACHMENTS:
        raise AttachmentRejected(f"不支持的附件类型“{extension or '无扩展名'}”,请上传{ALLOWED_TEXT}文件。")
    limit_mb = settings.get("ATTACHMENT_MAX_MB")
    encoded = (contents or "").partition(",")[2] if (contents or "").startswith("data:") else ""
    if len(encoded) * 3 // 4 > limit_mb * 1024 * 1024 + 3:
        raise AttachmentRejected(f"附件过大,最大 {limit_mb:g} MB。")
    try:
        content = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise AttachmentRejected("附件无法读取,请重新选择文件。") from None
    if not content:
        raise AttachmentRejected("附件是空文件。")
    if len(content) > limit_mb * 1024 * 1024:
        raise AttachmentRejected(f"附件过大,最大 {limit_mb:g} MB。")
    content_type, magic = ALLOWED_ATTACHMENTS[extension]
    if not content.startswith(magic):
        raise AttachmentRejected(f"附件内容与扩展名“{extension}”不符,请检查文件。")
    return Attachment(name, content_type, content)


# -- persistence ----------------------------------------------------------------------------------------------------


def _event(
    conn: Connection,
    ticket_id: int,
    actor: User,
    action: str,
    from_state: str | None,
    to_state: str,
    now: dt.datetime,
    comment: str = "",
    rectification: str = "",
    attachment_id: int | None = None,
) -> None:
    conn.execute(
        risk_ticket_event.insert().values(
            ticket_id=ticket_id,
            at=now,
            actor=actor.username,
            role=actor.role,
            action=action,
            from_state=from_state,
            to_state=to_state,
            comment=comment,
            rectification=rectification,
            attachment_id=attachment_id,
        )
    )


def issue_tickets(conn: Connection, warnings: list[tuple[int, str]], now: dt.datetime) -> int:
    """A ticket for each (warning id, region) given, issued by the system with the deadline of the settings.
    The caller audits the issue after its transaction commits (an audit write inside it would wait on its lock)."""
    if not warnings:
        return 0
    deadline = now + dt.timedelta(days=settings.get("TICKET_DEADLINE_DAYS"))
    conn.execute(
        risk_ticket.insert(),
        [
            {
                "warning_id": warning_id,
                "region_code": region,
                "state": PENDING,
                "issued_at": now,
                "deadline": deadline,
                "updated_at": now,
            }
            for warning_id, region in warnings
        ],
    )
    ids = (
        conn.execute(sa.select(risk_ticket.c.id).where(risk_ticket.c.issued_at == now, risk_ticket.c.state == PENDING))
        .scalars()
        .all()
    )
    _events(conn, ids, SYSTEM, ISSUE, None, PENDING, now, f"预警达到橙色及以上,下发至区划办理,期限 {deadline:%Y-%m-%d}")
    return len(ids)


def _events(
    conn: Connection,
    ticket_ids: Sequence[int],
    actor: User,
    action: str,
    from_state: str | None,
    to_state: str,
    now: dt.datetime,
    comment: str,
) -> None:
    conn.execute(
        risk_ticket_event.insert(),
        [
            {
                "ticket_id": ticket_id,
                "at": now,
                "actor": actor.username,
                "role": actor.role,
                "action": action,
                "from_state": from_state,
                "to_state": to_state,
                "comment": comment,
                "rectification": "",
                "attachment_id": None,
            }
            for ticket_id in ticket_ids
        ],
    )


def act(
    engine: Engine,
    ticket_id: int,
    action: str,
    actor: User,
    *,
    tree: RegionTree,
    comment: str = "",
    rectification: str = "",
    attachment: Attachment | None = None,
    now: dt.datetime | None = None,
) -> str:
    """Take `action` on a ticket as `actor`; returns the new state. Refusals raise TransitionDenied (audited)."""
    now = now or dt.datetime.now()
    comment, rectification = comment.strip()[:2000], rectification.strip()[:2000]
    with engine.begin() as conn:
        ticket = conn.execute(sa.select(risk_ticket).where(risk_ticket.c.id == ticket_id)).first()
        if ticket is None:
            audit.record(
                "ticket." + action,
                page="/warnings",
                params={"ticket": ticket_id},
                outcome="denied",
                detail="no such ticket",
            )
            raise TransitionDenied("工单不存在。")
        in_scope = actor is SYSTEM or (
            actor.region in tree and ticket.region_code in tree and tree.is_within(ticket.region_code, actor.region)
        )
        try:
            if attachment is not None and action != RESPOND:
                raise TransitionDenied("只有反馈时可以上传附件。")
            new_state = next_state(ticket.state, action, actor.role, in_scope=in_scope, comment=comment)
        except TransitionDenied as denied:
            audit.record(
                "ticket." + action,
                page="/warnings",
                region=ticket.region_code,
                params={"ticket": ticket_id, "state": ticket.state},
                outcome="denied",
                detail=str(denied),
            )
            raise
        changed = conn.execute(
            risk_ticket.update()
            .where(risk_ticket.c.id == ticket_id, risk_ticket.c.state == ticket.state)
            .values(state=new_state, updated_at=now)
        ).rowcount
        if changed != 1:
            raise TransitionDenied("工单状态已被他人更新,请刷新后重试。")
        attachment_id = None
        if attachment is not None:
            attachment_id = conn.execute(
                risk_attachment.insert()
                .values(
                    ticket_id=ticket_id,
                    filename=attachment.filename,
                    content_type=attachment.content_type,
                    size=len(attachment.content),
                    content=attachment.content,
                    uploaded_by=actor.username,
                    uploaded_at=now,
                )
                .returning(risk_attachment.c.id)
            ).scalar_one()
        _event(conn, ticket_id, actor, action, ticket.state, new_state, now, comment, rectification, attachment_id)
        if new_state == CLOSED:
            conn.execute(
                risk_warning.update()
                .where(risk_warning.c.id == ticket.warning_id)
                .values(state=WARNING_CLOSED, updated_at=now)
            )
    audit.record(
        "ticket." + action,
        page="/warnings",
        region=ticket.region_code,
        params={
            "ticket": ticket_id,
            "from": ticket.state,
            "to": new_state,
            "attachment": attachment.filename if attachment else None,
        },
        detail=comment[:200],
    )
    return new_state


def escalate_overdue(engine: Engine, *, now: dt.datetime | None = None) -> int:
    """Escalate every ticket whose region owes a response past its deadline, in one transaction; returns how many."""
    now = now or dt.datetime.now()
    escalated = 0
    with engine.begin() as conn:
        for state in (PENDING, RETURNED):
            new_state = next_state(state, ESCALATE, SYSTEM.role, in_scope=True, comment="逾期")
            overdue = (
                conn.execute(
                    sa.select(risk_ticket.c.id).where(risk_ticket.c.state == state, risk_ticket.c.deadline < now)
                )
                .scalars()
                .all()
            )
            for start in range(0, len(overdue), 500):
                chunk = overdue[start : start + 500]
                conn.execute(
                    risk_ticket.update()
                    .where(risk_ticket.c.id.in_(chunk), risk_ticket.c.state == state)
                    .values(state=new_state, updated_at=now)
                )
                _events(conn, chunk, SYSTEM, ESCALATE, state, new_state, now, "超过办理期限未反馈,逾期升级至上级督办")
            escalated += len(overdue)
    if escalated:
        audit.record("ticket." + ESCALATE, rows=escalated, detail="overdue tickets escalated")
    return escalated


def allowed_actions(state: str, role: str) -> list[str]:
    """The actions `role` may take on a ticket in `state` (what the page offers; `act` checks again)."""
    return [action for (from_state, action) in TRANSITIONS if from_state == state and role in ACTION_ROLES[action]]
