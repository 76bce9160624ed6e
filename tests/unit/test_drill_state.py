"""URL query → DrillState: good values pass through, bad ones fall back with a Chinese notice."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.core.drill import DrillState, parse_state
from dashboard.core.links import href
from dashboard.core.regions import national_tree
from dashboard.core.scope import Scope

TREE = national_tree().subtree("430000")
PROVINCE = Scope("430000", "province")
CHANGSHA = Scope("430100", "city")
YEARS = (2023, 2024)
THROUGH = dt.date(2024, 9, 30)  # the latest year has data up to September


@pytest.mark.parametrize(
    "query, scope, expected, notice_words",
    [
        ({}, PROVINCE, ("430000", 2024, 1, 9), []),
        ({"region": "430100"}, PROVINCE, ("430100", 2024, 1, 9), []),
        ({"region": "430102", "year": "2023"}, PROVINCE, ("430102", 2023, 1, 12), []),
        ({"region": "430102", "year": "2023", "period": "1-6"}, PROVINCE, ("430102", 2023, 1, 6), []),
        ({"period": "6"}, PROVINCE, ("430000", 2024, 6, 6), []),
        ({"period": " 4 - 9 "}, PROVINCE, ("430000", 2024, 4, 9), []),
        ({"region": ["430100", "430200"]}, PROVINCE, ("430100", 2024, 1, 9), []),
        ({"region": "999999"}, PROVINCE, ("430000", 2024, 1, 9), ["未找到区划代码", "湖南省"]),
        ({"region": "110101"}, PROVINCE, ("430000", 2024, 1, 9), ["未找到区划代码"]),  # Beijing: not in this store
        ({"region": "<script>"}, PROVINCE, ("430000", 2024, 1, 9), ["未找到区划代码"]),
        ({"region": "430200"}, CHANGSHA, ("430100", 2024, 1, 9), ["无权查看", "株洲市"]),
        ({"region": "430000"}, CHANGSHA, ("430100", 2024, 1, 9), ["无权查看"]),
        ({"region": "430102"}, CHANGSHA, ("430102", 2024, 1, 9), []),
        ({"year": "2019"}, PROVINCE, ("430000", 2024, 1, 9), ["没有2019年的数据"]),
        ({"year": "abc"}, PROVINCE, ("430000", 2024, 1, 9), ["没有abc年的数据"]),
        ({"year": "²"}, PROVINCE, ("430000", 2024, 1, 9), ["没有²年的数据"]),  # isdigit() says yes, int() no
        ({"year": "٢٠٢٤"}, PROVINCE, ("430000", 2024, 1, 9), ["年的数据"]),  # int() reads it; ASCII only here
        ({"year": "9" * 5000}, PROVINCE, ("430000", 2024, 1, 9), ["没有9999999999年的数据"]),
        ({"period": "١-٦"}, PROVINCE, ("430000", 2024, 1, 9), ["无效"]),
        ({"period": "13-2"}, PROVINCE, ("430000", 2024, 1, 9), ["期间“13-2”无效"]),
        ({"period": "7-3"}, PROVINCE, ("430000", 2024, 1, 9), ["无效"]),
        ({"period": "0"}, PROVINCE, ("430000", 2024, 1, 9), ["无效"]),
        ({"period": "1-12"}, PROVINCE, ("430000", 2024, 1, 9), ["数据截至2024年9月"]),
        ({"period": "11-12"}, PROVINCE, ("430000", 2024, 9, 9), ["数据截至"]),
        ({"region": "430100", "year": "2023", "period": "1-12", "unknown": "x"}, PROVINCE, ("430100", 2023, 1, 12), []),
    ],
)
def test_parse_state(query, scope, expected, notice_words):
    state = parse_state(query, tree=TREE, scope=scope, years=YEARS, data_through=THROUGH)
    assert (state.region, state.year, state.first_month, state.last_month) == expected
    text = " ".join(state.notices)
    assert bool(state.notices) == bool(notice_words)
    for word in notice_words:
        assert word in text


def test_parse_state_refuses_a_caller_without_scope():
    with pytest.raises(ValueError):
        parse_state({}, tree=TREE, scope=Scope.nothing(), years=YEARS, data_through=THROUGH)


@pytest.mark.parametrize(
    "state, changes, expected",
    [
        (DrillState("430000", 2024, 1, 6), {"region": "430100"}, "/?region=430100&year=2024&period=1-6"),
        (DrillState("430100", 2024, 3, 3), {}, "/?region=430100&year=2024&period=3"),
        (DrillState("430100", 2024, 1, 12), {"year": 2023}, "/?region=430100&year=2023&period=1-12"),
    ],
)
def test_links_are_permalinks_that_parse_back(state, changes, expected):
    link = href("/", state, **changes)
    assert link == expected
    query = dict(pair.split("=") for pair in link.split("?", 1)[1].split("&"))
    parsed = parse_state(query, tree=TREE, scope=PROVINCE, years=YEARS, data_through=dt.date(2024, 12, 31))
    assert (
        parsed.key
        == DrillState(query["region"], int(query["year"]), *map(int, (query["period"].split("-") * 2)[:2])).key
    )
    assert parsed.notices == ()


def test_time_progress_is_elapsed_share_of_the_year():
    assert DrillState("430000", 2024, 1, 6).time_progress == 0.5
    assert DrillState("430000", 2024, 4, 9).time_progress == 0.75


def test_cursors_are_checked_against_their_sort_column_type() -> None:
    from queries._paging import PageRequest, TableSource

    source = TableSource(
        "t", lambda scope, state: None, ("paid",), {"paid": "money", "day": "date", "n": "int"}, "paid"
    )
    assert PageRequest.of(source, "paid", True, ["123.45", "7"]).after == ("123.45", 7)
    assert PageRequest.of(source, "day", False, ["2024-05-01", 3]).after == ("2024-05-01", 3)
    for sort, cursor in [
        ("paid", ["abc", "1"]),
        ("paid", ["NaN", "1"]),
        ("paid", ["1", "²"]),
        ("paid", ["1", "9" * 40]),
        ("day", ["2024-13-01", "1"]),
        ("n", ["1.5", "1"]),
        ("paid", [{"x": 1}, "1"]),
        ("paid", "1,1"),
    ]:
        assert PageRequest.of(source, sort, True, cursor).after is None, (sort, cursor)
    assert PageRequest.of(source, ["paid"], True).sort == "paid"  # an unhashable sort falls back to the default
