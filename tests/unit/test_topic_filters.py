"""Topic filters in the URL, the links that carry them, export cell safety and row-wise masking."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.core.drill import DrillState, Lookup, TopicFilter, with_filters
from dashboard.core.links import CLEAR, href
from dashboard.core.scope import User
from dashboard.state import audit
from dashboard.ui.drilltable import Column
from dashboard.web.export import safe_text
from dashboard.web.reveal import mask_rows

BASE = DrillState("430100", 2024, 1, 6)
SPECS = [
    TopicFilter("func", "功能分类", {"205": "教育支出", "208": "社会保障和就业支出"}),
    TopicFilter("agency", "预算单位", Lookup(lambda v: "长沙市教育局" if v == "17" else None)),
]


@pytest.mark.parametrize(
    "query, filters, notice",
    [
        ({}, (), None),
        ({"func": "205"}, (("func", "205"),), None),
        ({"func": ["208", "205"], "agency": "17"}, (("agency", "17"), ("func", "208")), None),
        ({"func": " 205 "}, (("func", "205"),), None),
        ({"func": "999"}, (), "功能分类“999”无效,已取消该筛选。"),
        ({"agency": "18"}, (), "预算单位“18”无效"),
        ({"agency": "<b>x</b>" * 10}, (), "预算单位“<b>x</b><b>x</b><b>x”无效"),  # echoed, cut to 20 chars
        ({"method": "单一来源"}, (), None),  # another page's filter: ignored, no notice
    ],
)
def test_topic_filters_are_validated(query, filters, notice):
    state = with_filters(BASE, query, SPECS)
    assert state.filters == filters
    assert (notice is None and state.notices == ()) or any(notice in n for n in state.notices)


def test_filters_are_part_of_the_cache_key_and_the_link():
    state = with_filters(BASE, {"func": "205", "agency": "17"}, SPECS)
    assert state.key != BASE.key and state.key.endswith("|agency=17|func=205")
    assert state.filter("func") == "205" and state.filter("econ") is None
    assert href("/spending", state) == "/spending?region=430100&year=2024&period=1-6&agency=17&func=205"
    assert (
        href("/spending", state, agency=CLEAR, econ="302")
        == "/spending?region=430100&year=2024&period=1-6&func=205&econ=302"
    )
    assert href("/spending", state, func=None) == href("/spending", state)


def test_lookup_has_no_dropdown_choices():
    assert list(SPECS[1].choices) == [] and "17" in SPECS[1].choices and SPECS[1].choices["17"] == "长沙市教育局"


@pytest.mark.parametrize(
    "text, safe",
    [
        ("=1+2", "'=1+2"),
        ("+86 123", "'+86 123"),
        ("-3", "'-3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("长沙市教育局", "长沙市教育局"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_formula_like_text_is_made_safe(text, safe):
    assert safe_text(text) == safe


def test_mask_rows_masks_persons_only_and_every_account_and_unmasks_only_with_a_reason(state_store):
    frame = pd.DataFrame(
        {
            "payee_name": ["张三丰", "长沙建工集团"],
            "payee_is_person": [True, False],
            "payee_account": ["6222020200112233445", "4300123456789012"],
        }
    )
    columns = (
        Column("payee_name", "收款人", mask="name", mask_when="payee_is_person"),
        Column("payee_account", "账号", mask="account"),
    )
    where = {"page": "/spending", "region": "430100"}
    masked = mask_rows(frame, columns, User("a", "A", "分析", "430000", may_unmask=False), **where)
    assert masked["payee_name"].tolist() == ["张**", "长沙建工集团"]
    assert masked["payee_account"].tolist() == ["****3445", "****9012"]
    assert mask_rows(frame, columns, None, **where)["payee_account"].tolist() == ["****3445", "****9012"]
    allowed = User("b", "B", "审核", "430000", may_unmask=True)
    assert mask_rows(frame, columns, allowed, **where)["payee_account"].tolist() == ["****3445", "****9012"]
    assert audit.search(action="unmask") == []  # a plain render asks for nothing and records nothing
    assert mask_rows(frame, columns, allowed, reason="核查重复发放线索", **where).equals(frame)
    (row,) = audit.search(action="unmask")
    assert (row["outcome"], row["page"], row["region"], row["rows"]) == ("ok", "/spending", "430100", 2)
