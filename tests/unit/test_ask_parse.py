"""The question box's parser (`dashboard.ask.parse`) over a table of questions: every measure by its names and
synonyms, every region level with short forms, every time form, the classes, the revenue items, comparisons,
warnings, and the questions it must refuse. Pure: the names are the shipped GB/T 2260 regions of 湖南 and the
standard 政府收支分类 names, as a store of 湖南 holds them."""

from __future__ import annotations

import datetime as dt

import pytest

from dashboard.ask.parse import FUNCTION_SYNONYMS, MEASURES, build_lexicon, normalize, parse, short_name
from dashboard.core.peers import peer_group
from dashboard.core.regions import national_tree
from queries.metrics import metrics

FUNCTIONS = {
    "201": "一般公共服务支出", "203": "国防支出", "204": "公共安全支出", "205": "教育支出", "206": "科学技术支出",
    "207": "文化旅游体育与传媒支出", "208": "社会保障和就业支出", "210": "卫生健康支出", "211": "节能环保支出",
    "212": "城乡社区支出", "213": "农林水支出", "214": "交通运输支出", "221": "住房保障支出",
    "224": "灾害防治及应急管理支出", "232": "债务付息支出",
}  # fmt: skip
REVENUE = {
    "101": "税收收入", "10101": "增值税", "10104": "企业所得税", "10106": "个人所得税", "10109": "城市维护建设税",
    "10110": "房产税", "10111": "印花税", "10113": "土地增值税", "10119": "契税", "10121": "环境保护税",
    "103": "非税收入", "10304": "行政事业性收费收入",
}  # fmt: skip
YEARS = (2023, 2024)
THROUGH = dt.date(2024, 12, 31)
LEXICON = build_lexicon(national_tree().subtree("430000"), FUNCTIONS, REVENUE)

REGIONS = [
    ("长沙市", "430100"), ("长沙", "430100"), ("芙蓉区", "430102"), ("全省", "430000"), ("湖南省", "430000"),
    ("湘西", "433100"), ("长沙县", "430121"), ("浏阳市", "430181"), ("株洲", "430200"), ("怀化市", "431200"),
    ("湘西土家族苗族自治州", "433100"), ("芙蓉", "430102"), ("岳阳楼区", "430602"), ("衡阳市", "430400"),
]  # fmt: skip
TIMES = [
    ("今年", 2024, None), ("去年", 2023, None), ("上半年", None, (1, 6)), ("一季度", None, (1, 3)),
    ("前三季度", None, (1, 9)), ("1-6月", None, (1, 6)), ("6月", None, (6, 6)), ("2023年", 2023, None),
    ("2024年1-9月", 2024, (1, 9)), ("第三季度", None, (7, 9)), ("今年前5个月", 2024, (1, 5)), ("", None, None),
    ("2023年12月", 2023, (12, 12)), ("截至9月", None, (1, 9)), ("全年", None, (1, 12)), ("下半年", None, (7, 12)),
    ("1月至3月", None, (1, 3)), ("今年四季度", 2024, (10, 12)), ("去年上半年", 2023, (1, 6)), ("十二月", None, (12, 12)),
]  # fmt: skip


def _measure_rows():
    """Each phrase of each measure, with a region and a time form going round."""
    rows = []
    i = 0
    for m in MEASURES:
        for phrase in m.phrases:
            region, code = REGIONS[i % len(REGIONS)]
            words, year, months = TIMES[i % len(TIMES)]
            rows.append(
                (f"{region}{words}{phrase}", {"measure": m.key, "region": code, "year": year, "months": months})
            )
            i += 1
    return rows


def _function_rows():
    rows = []
    for i, (code, names) in enumerate(sorted(FUNCTION_SYNONYMS.items())):
        if code not in FUNCTIONS:
            continue
        for j, name in enumerate((FUNCTIONS[code], *names)):
            region, adcode = REGIONS[(i + j) % len(REGIONS)]
            tail, measure = (("支出进度", "execution"), ("支出", "spending"), ("执行率", "execution"))[(i + j) % 3]
            word = name if not name.endswith("支出") else name[:-2]
            rows.append((f"{region}{word}{tail}", {"measure": measure, "region": adcode, "func": code}))
    return rows


def _item_rows():
    return [
        (f"{REGIONS[i % len(REGIONS)][0]}上半年{name}", {"measure": "item", "item": code, "months": (1, 6)})
        for i, (code, name) in enumerate(sorted(REVENUE.items()))
        if len(code) == 5 and name.endswith("税")
    ]


HANDWRITTEN = [
    ("长沙市今年教育支出进度", {"measure": "execution", "region": "430100", "year": 2024, "func": "205"}),
    ("长沙今年上半年税收收入同比", {"measure": "tax", "region": "430100", "months": (1, 6), "compare": "yoy"}),
    ("收入同比", {"measure": "revenue_growth"}),
    ("全省收入增长多少", {"measure": "revenue_growth", "region": "430000"}),
    ("株洲市6月收入环比", {"measure": "revenue", "region": "430200", "months": (6, 6), "compare": "mom"}),
    ("省本级1-6月支出", {"measure": "spending", "region": "430000", "own_level": True, "months": (1, 6)}),
    ("长沙市本级今年收入", {"measure": "revenue", "region": "430100", "own_level": True, "year": 2024}),
    ("哪些县库款预警", {"measure": "cash_level", "warning": True, "unit_level": "county"}),
    ("哪些县支出进度滞后", {"measure": "execution", "warning": True, "unit_level": "county"}),
    ("哪些县债务率预警", {"measure": "debt_ratio", "warning": True, "unit_level": "county"}),
    ("哪些市库款预警", {"measure": "cash_level", "warning": True, "unit_level": "city"}),
    ("各市预算执行率排名", {"measure": "execution", "compare": "rank", "unit_level": "city"}),
    ("各县收入排名", {"measure": "revenue", "compare": "rank", "unit_level": "county"}),
    ("收入前五的县", {"measure": "revenue", "compare": "top", "top_n": 5, "unit_level": "county"}),
    ("执行率前10的县区", {"measure": "execution", "compare": "top", "top_n": 10, "unit_level": "county"}),
    ("税收倒数三名的市", {"measure": "tax", "compare": "bottom", "top_n": 3, "unit_level": "city"}),
    ("哪个县执行率最低", {"measure": "execution", "compare": "min", "unit_level": "county"}),
    ("哪个市债务率最高", {"measure": "debt_ratio", "compare": "max", "unit_level": "city"}),
    ("长沙市收入排名", {"measure": "revenue", "region": "430100", "compare": "rank"}),
    ("长沙县教育支出排第几", {"measure": "spending", "region": "430121", "func": "205", "compare": "rank"}),
    (
        "全省财政自给率最低的县",
        {"measure": "self_sufficiency", "region": "430000", "compare": "min", "unit_level": "county"},
    ),
    ("怀化市直达资金支付进度", {"measure": "direct_pay", "region": "431200"}),
    ("怀化市直达资金分配进度", {"measure": "direct_allocate", "region": "431200"}),
    ("长沙市直达资金", {"measure": "direct_pay", "region": "430100"}),
    ("湘西州债务率", {"measure": "debt_ratio", "region": "433100"}),
    ("芙蓉区保工资执行率", {"measure": "sanbao_wage", "region": "430102"}),
    ("三保支出进度", {"measure": "sanbao"}),
    ("长沙市卫生健康支出同比", {"measure": "spending", "region": "430100", "func": "210", "compare": "yoy"}),
    ("全省农林水支出执行率", {"measure": "execution", "region": "430000", "func": "213"}),
    ("社保支出", {"measure": "spending", "func": "208"}),
    ("长沙市税收占比", {"measure": "tax_share", "region": "430100"}),
    ("去年的采购节约率", {"measure": "saving_rate", "year": 2023}),
    ("单一来源采购占比", {"measure": "single_source"}),
    ("今年补贴发放多少", {"measure": "subsidy", "year": 2024}),
    ("长沙市综合财力", {"measure": "capacity", "region": "430100"}),
    ("长沙市债务余额", {"measure": "debt", "region": "430100"}),
    ("全省一般债务利息支出率", {"measure": "interest_general", "region": "430000"}),
    ("专项债务利息支出率", {"measure": "interest_special"}),
    ("2023年长沙市非税收入", {"measure": "nontax", "year": 2023, "region": "430100"}),
    ("ＴＯＰ５的县收入", {"measure": "revenue", "compare": "top", "top_n": 5}),
    ("长沙市２０２４年１－６月支出", {"measure": "spending", "region": "430100", "year": 2024, "months": (1, 6)}),
    ("芙蓉区执行率同类排名", {"measure": "execution", "region": "430102", "compare": "peer"}),
    ("浏阳市收入在同类地区排第几", {"measure": "revenue", "region": "430181", "compare": "peer"}),
    ("长沙县税收同类比较", {"measure": "tax", "region": "430121", "compare": "peer"}),
    ("长沙市今年教育支出进度？", {"measure": "execution", "region": "430100", "func": "205"}),
    ("长沙市人均一般公共预算收入", {"measure": "revenue_per_capita", "region": "430100", "compare": None}),
    ("芙蓉区同类排名", {"measure": "revenue_per_capita", "region": "430102", "compare": "peer"}),
    ("全省今年人均支出", {"measure": "spending_per_capita", "region": "430000", "year": 2024}),
    ("株洲人均债务", {"measure": "debt_per_capita", "region": "430200"}),
    ("怀化市上半年人均补贴", {"measure": "subsidy_per_capita", "region": "431200", "months": (1, 6)}),
    ("长沙人均GDP", {"measure": "gdp_per_capita", "region": "430100"}),
    ("长沙市地区生产总值", {"measure": "gdp", "region": "430100"}),
    ("长沙市常住人口", {"measure": "population", "region": "430100"}),
    ("浏阳市人均收入同类排名", {"measure": "revenue_per_capita", "region": "430181", "compare": "peer"}),
    ("长沙人均收入同比", {"measure": "revenue_per_capita", "region": "430100", "compare": "yoy"}),
    ("哪个县人均支出最高", {"measure": "spending_per_capita", "compare": "max", "unit_level": "county"}),
    ("长沙县人均债务在同类地区排第几", {"measure": "debt_per_capita", "region": "430121", "compare": "peer"}),
    ("各市州人均财政收入排名", {"measure": "revenue_per_capita", "compare": "rank", "unit_level": "city"}),
]
REFUSED = [
    ("今天天气怎么样", None),
    ("北京市今年收入", "没有找到地区"),
    ("上海市教育支出", "没有找到地区"),
    ("长沙和株洲的收入", "一次只能问一个地区"),
    ("教育和卫生健康支出", "一次只能问一个科目"),
    ("", None),
    ("你好", None),
    ("长沙市", None),
    ("今年上半年", None),
    ("长沙市教育收入", "功能分类只能用于支出与执行率"),
    ("13月收入", "月份"),
    ("哪些县预警", None),
    ("谁是省长", None),
    ("<script>alert(1)</script>", None),
    ("债务率和库款保障水平", "一次只能问一个指标"),
    ("长沙人均教育支出", "不分科目"),
    ("长沙人均执行率", "“人均”只用于"),
]
CASES = [*_measure_rows(), *_function_rows(), *_item_rows(), *HANDWRITTEN]


def test_the_table_is_large_and_covers_every_metric_of_the_metric_layer():
    assert len(CASES) + len(REFUSED) >= 200
    asked = {expected["measure"] for _, expected in CASES}
    assert {m.key for m in metrics()} <= asked
    assert {m.key for m in metrics()} <= {m.key for m in MEASURES}


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[c[0] for c in CASES])
def test_a_question_is_read(text, expected):
    question = parse(text, LEXICON, years=YEARS, data_through=THROUGH)
    assert question.problems == ()
    for field, value in expected.items():
        assert getattr(question, field) == value, (field, question)


@pytest.mark.parametrize(("text", "problem"), REFUSED, ids=[c[0] or "empty" for c in REFUSED])
def test_a_question_it_cannot_map_is_not_given_a_measure_or_says_why(text, problem):
    question = parse(text, LEXICON, years=YEARS, data_through=THROUGH)
    if problem is None:
        assert question.measure in (None, "warnings") or question.problems, question
    else:
        assert any(problem in p for p in question.problems), question


def test_the_parse_is_deterministic_and_unmentioned_parts_stay_empty():
    first = parse("长沙市今年教育支出进度", LEXICON, years=YEARS, data_through=THROUGH)
    assert all(parse("长沙市今年教育支出进度", LEXICON, years=YEARS, data_through=THROUGH) == first for _ in range(5))
    bare = parse("教育支出", LEXICON, years=YEARS, data_through=THROUGH)
    assert (bare.region, bare.year, bare.months, bare.compare) == (None, None, None, None)


def test_peer_groups_of_county_level_regions():
    tree = national_tree()
    assert [peer_group(tree[c]) for c in ("430102", "430181", "430121", "433130", "430100")] == [
        "市辖区", "县级市", "县", "县", None
    ]  # fmt: skip


def test_short_forms_go_to_the_higher_level_and_names_are_normalized():
    assert short_name("长沙市") == "长沙" and short_name("湘西土家族苗族自治州") == "湘西"
    assert short_name("南县") is None and short_name("道县") is None
    assert LEXICON.regions["长沙"] == "430100"  # 长沙市, not 长沙县
    assert LEXICON.regions["衡阳"] == "430400"
    assert LEXICON.own_level["省本级"] == "430000"
    assert normalize("长沙市２０２４年？") == "长沙市2024年"
