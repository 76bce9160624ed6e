"""The ticket state machine as a full table (state × action × role × scope), and attachment validation."""

from __future__ import annotations

import base64
import itertools

import pytest

from dashboard.risk import tickets as t

ROLES = ("经办", "审核", "管理员", "领导", "分析", "系统")
ALLOWED = {  # (state, action, role) → new state; everything else is refused
    **{
        (state, t.RESPOND, role): t.RESPONDED
        for state in (t.PENDING, t.RETURNED, t.ESCALATED)
        for role in ("经办", "管理员")
    },
    **{(t.RESPONDED, t.ACCEPT, role): t.CLOSED for role in ("审核", "管理员")},
    **{(t.RESPONDED, t.RETURN, role): t.RETURNED for role in ("审核", "管理员")},
    **{(state, t.ESCALATE, "系统"): t.ESCALATED for state in (t.PENDING, t.RETURNED)},
}
TABLE = list(itertools.product(t.TICKET_STATES, t.ACTIONS, ROLES))


@pytest.mark.parametrize("state, action, role", TABLE)
def test_transition_table(state, action, role):
    expected = ALLOWED.get((state, action, role))
    if expected is None:
        with pytest.raises(t.TransitionDenied) as refused:
            t.next_state(state, action, role, in_scope=True, comment="说明")
        assert str(refused.value)  # a reason in words
    else:
        assert t.next_state(state, action, role, in_scope=True, comment="说明") == expected


@pytest.mark.parametrize("state, action, role", sorted(ALLOWED))
def test_allowed_transition_is_refused_outside_the_actors_scope(state, action, role):
    with pytest.raises(t.TransitionDenied, match="不属于您管辖"):
        t.next_state(state, action, role, in_scope=False, comment="说明")


@pytest.mark.parametrize("action, role", [(t.RESPOND, "经办"), (t.RETURN, "审核")])
def test_response_and_return_need_words(action, role):
    state = t.PENDING if action == t.RESPOND else t.RESPONDED
    with pytest.raises(t.TransitionDenied, match="请填写"):
        t.next_state(state, action, role, in_scope=True, comment="   ")


def test_accepting_needs_no_comment():
    assert t.next_state(t.RESPONDED, t.ACCEPT, "审核", in_scope=True) == t.CLOSED


def _data_url(content: bytes, mime: str = "application/octet-stream") -> str:
    return f"data:{mime};base64,{base64.b64encode(content).decode()}"


PDF = b"%PDF-1.7\n" + b"x" * 100


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("整改报告.exe", PDF, "不支持的附件类型“.exe”"),
        ("整改报告", PDF, "不支持的附件类型“无扩展名”"),
        ("整改报告.pdf", b"MZ\x90\x00not a pdf", "附件内容与扩展名“.pdf”不符"),
        ("照片.png", b"\xff\xd8\xff\xe0jpeg", "附件内容与扩展名“.png”不符"),
        ("整改报告.pdf", b"", "附件是空文件"),
        ("", PDF, "附件文件名无效"),
    ],
)
def test_bad_attachments_get_a_chinese_reason(name, content, message):
    with pytest.raises(t.AttachmentRejected, match=message):
        t.read_upload(name, _data_url(content))


def test_attachment_that_is_not_base64_is_refused():
    with pytest.raises(t.AttachmentRejected, match="无法读取"):
        t.read_upload("a.pdf", "data:application/pdf;base64,%%%not-base64")


def test_attachment_size_limit_from_the_settings(monkeypatch):
    monkeypatch.setenv("COCKPIT_ATTACHMENT_MAX_MB", "0.001")  # 1,048 bytes
    assert t.read_upload("ok.pdf", _data_url(PDF[:1000])).content == PDF[:1000]
    with pytest.raises(t.AttachmentRejected, match="附件过大,最大 0.001 MB"):
        t.read_upload("big.pdf", _data_url(PDF + b"y" * 2000))


@pytest.mark.parametrize(
    "name, content, mime",
    [
        ("报告.PDF", PDF, "application/pdf"),
        ("C:\\Users\\me\\照片.jpg", b"\xff\xd8\xff\xe0x", "image/jpeg"),
        ("表.xlsx", b"PK\x03\x04rest", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    ],
)
def test_good_attachments_keep_their_base_name_and_type(name, content, mime):
    got = t.read_upload(name, _data_url(content))
    assert (got.content_type, got.content) == (mime, content)
    assert "\\" not in got.filename and "/" not in got.filename
