"""The question box's parser: a question in Chinese → a `Question` (what to measure, where, when, compared how).

Offline and deterministic: jieba (its bundled dictionary, no download) with a user dictionary built from the
store's own names (`build_lexicon`: every region and its short form, the functional classes, the revenue items)
and the measures below; time expressions are read by regular expressions before tokenising. Pure: no database,
no web; the caller passes the names and the years the store holds (`dashboard.ask.answer` does).
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import jieba

from dashboard.core.regions import RegionTree

jieba.setLogLevel(logging.WARNING)


@dataclass(frozen=True)
class Measure:
    """What a question can ask for: `key` is a metric of the metric layer (`queries.metrics`) or an amount read
    from one of them (see `dashboard.ask.answer.READERS`); `page` the view that shows it; `generic` phrases lose
    against a specific one (支出 + 三保 is 三保)."""

    key: str
    name: str
    page: str
    phrases: tuple[str, ...]
    generic: bool = False


MEASURES: tuple[Measure, ...] = (
    Measure(
        "execution",
        "预算执行率",
        "/spending",
        ("预算执行率", "执行率", "支出进度", "执行进度", "预算执行", "支出执行率", "进度", "执行情况", "序时进度"),
        generic=True,
    ),
    Measure(
        "spending",
        "一般公共预算支出",
        "/spending",
        ("一般公共预算支出", "支出", "支出金额", "花了多少", "支付", "财政支出"),
        generic=True,
    ),
    Measure("sanbao", "三保执行率", "/spending", ("三保执行率", "三保", "三保支出", "三保进度", "保障三保")),
    Measure("sanbao_wage", "保工资执行率", "/spending", ("保工资执行率", "保工资")),
    Measure("sanbao_running", "保运转执行率", "/spending", ("保运转执行率", "保运转")),
    Measure("sanbao_livelihood", "保基本民生执行率", "/spending", ("保基本民生执行率", "保基本民生", "保民生")),
    Measure(
        "revenue", "一般公共预算收入", "/revenue", ("一般公共预算收入", "收入", "财政收入", "收入总额"), generic=True
    ),
    Measure("tax", "税收收入", "/revenue", ("税收收入", "税收", "税收总额")),
    Measure("nontax", "非税收入", "/revenue", ("非税收入", "非税")),
    Measure(
        "revenue_growth",
        "一般公共预算收入同比",
        "/revenue",
        ("一般公共预算收入同比", "收入同比", "收入增幅", "收入增速", "收入增长"),
    ),
    Measure("tax_share", "税收占比", "/revenue", ("税收占比", "税收比重", "税占比", "收入质量")),
    Measure("self_sufficiency", "财政自给率", "/revenue", ("财政自给率", "自给率", "自给")),
    Measure(
        "direct_pay",
        "直达资金支付进度",
        "/transfers",
        ("直达资金支付进度", "直达资金", "直达资金进度", "直达资金支付", "直达"),
    ),
    Measure(
        "direct_allocate",
        "直达资金分配进度",
        "/transfers",
        ("直达资金分配进度", "直达分配进度", "直达资金分配", "分配进度"),
    ),
    Measure("cash_level", "库款保障水平", "/debt", ("库款保障水平", "库款", "库款保障", "库款水平")),
    Measure("capacity", "综合财力", "/debt", ("综合财力", "财力")),
    Measure("debt_ratio", "债务率", "/debt", ("债务率", "负债率", "债务风险")),
    Measure("debt", "债务余额", "/debt", ("债务余额", "债务", "地方债", "政府债务")),
    Measure(
        "maturity_cover",
        "到期债务偿还压力",
        "/debt",
        ("到期债务偿还压力", "偿还压力", "到期债务", "到期压力", "偿债压力", "到期偿还压力"),
    ),
    Measure(
        "interest_general",
        "一般债务利息支出率",
        "/debt",
        ("一般债务利息支出率", "利息支出率", "付息率", "一般债务付息", "利息支出"),
    ),
    Measure(
        "interest_special",
        "专项债务利息支出率",
        "/debt",
        ("专项债务利息支出率", "专项债务付息", "专项债付息", "专项债利息"),
    ),
    Measure(
        "single_source",
        "单一来源采购占比",
        "/procurement",
        ("单一来源采购占比", "单一来源", "单一来源占比", "单一来源采购"),
    ),
    Measure(
        "procurement", "政府采购合同金额", "/procurement", ("政府采购", "采购", "采购金额", "采购规模", "合同金额")
    ),
    Measure("saving_rate", "采购节约率", "/procurement", ("节约率", "采购节约率", "资金节约率", "节约")),
    Measure(
        "subsidy",
        "惠民惠农补贴发放金额",
        "/subsidies",
        ("补贴", "惠民惠农补贴", "补贴发放", "一卡通", "补贴资金", "惠民惠农"),
    ),
)
MEASURES += (
    Measure("population", "常住人口", "/revenue", ("常住人口", "人口", "总人口", "人口数")),
    Measure("gdp", "地区生产总值", "/revenue", ("地区生产总值", "gdp", "生产总值", "经济总量")),
    # per capita: "人均" before a measure (read apart, see `parse`) turns it into its per-capita metric
    Measure("revenue_per_capita", "人均一般公共预算收入", "/revenue", ()),
    Measure("spending_per_capita", "人均一般公共预算支出", "/spending", ()),
    Measure("debt_per_capita", "人均债务", "/debt", ()),
    Measure("subsidy_per_capita", "人均补贴", "/subsidies", ()),
    Measure("gdp_per_capita", "人均地区生产总值", "/revenue", ()),
)
PER_CAPITA_OF = {
    "revenue": "revenue_per_capita",
    "spending": "spending_per_capita",
    "debt": "debt_per_capita",
    "subsidy": "subsidy_per_capita",
    "gdp": "gdp_per_capita",
}
_PER_CAPITA = re.compile("人均|每人|按人口平均")
MEASURES_BY_KEY = {m.key: m for m in MEASURES}

# the functional classes people call by another name (the store's own names and those without 支出 come free)
FUNCTION_SYNONYMS = {
    "201": ("一般公共服务",),
    "204": ("公共安全", "政法"),
    "205": ("教育",),
    "206": ("科技", "科学技术"),
    "207": ("文旅", "文化旅游", "文化", "体育", "文化旅游体育与传媒"),
    "208": ("社保", "社会保障", "就业", "社会保障和就业", "社保就业"),
    "210": ("卫生健康", "卫生", "医疗卫生", "卫健", "医疗"),
    "211": ("节能环保", "环保", "生态环保"),
    "212": ("城乡社区",),
    "213": ("农林水", "农业", "农业农村", "三农"),
    "214": ("交通运输", "交通"),
    "221": ("住房保障", "住房", "保障房"),
    "224": ("应急管理", "灾害防治", "应急"),
    "232": ("债务付息",),
}
SANBAO_OF = {"sanbao_wage": "保工资", "sanbao_running": "保运转", "sanbao_livelihood": "保基本民生"}
KIND_OF = {"tax": "101", "nontax": "103"}

_CN_DIGITS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_QUARTERS = {1: (1, 3), 2: (4, 6), 3: (7, 9), 4: (10, 12)}
_NUM = r"(?:[0-9]{1,2}|十[一二]?|[一二两三四五六七八九十])"


def cn_number(text: str) -> int:
    """'6' → 6, '六' → 6, '十二' → 12."""
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_CN_DIGITS[text[1]] if len(text) > 1 else 0)
    if len(text) == 2 and text[1] == "十":
        return _CN_DIGITS[text[0]] * 10
    return _CN_DIGITS[text]


@dataclass(frozen=True)
class Lexicon:
    """The store's names a question may use: phrase → region code, functional class, revenue item."""

    regions: Mapping[str, str]
    own_level: Mapping[str, str]  # '省本级', '长沙市本级' → the region whose 本级 is meant
    functions: Mapping[str, str]
    function_names: Mapping[str, str]
    items: Mapping[str, str]
    item_names: Mapping[str, str]
    province: str
    tree: RegionTree = field(repr=False)

    def words(self) -> set[str]:
        words = {*self.regions, *self.own_level, *self.functions, *self.items}
        for m in MEASURES:
            words.update(m.phrases)
        words.update(COMPARE_WORDS)
        return words


_SUFFIXES = (
    "土家族苗族自治州",
    "苗族侗族自治县",
    "侗族自治县",
    "苗族自治县",
    "瑶族自治县",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
)


def short_name(name: str) -> str | None:
    """长沙市 → 长沙, 湘西土家族苗族自治州 → 湘西, 芙蓉区 → 芙蓉; None when nothing of two characters is left."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return None


_LEVEL_RANK = {"province": 0, "city": 1, "county": 2}


def build_lexicon(tree: RegionTree, function_names: Mapping[str, str], revenue_names: Mapping[str, str]) -> Lexicon:
    """The user dictionary from the store's names. A short form shared by two regions goes to the higher level
    (长沙 is 长沙市, not 长沙县) and is dropped when both are of one level."""
    regions: dict[str, str] = {}
    own: dict[str, str] = {}
    short: dict[str, list[str]] = {}
    province = ""
    for region in sorted(tree.regions.values(), key=lambda r: r.adcode):
        if region.level not in _LEVEL_RANK:
            continue
        if region.level == "province":
            province = province or region.adcode
        regions[region.name] = region.adcode
        own[f"{region.name}本级"] = region.adcode
        if (s := short_name(region.name)) is not None:
            short.setdefault(s, []).append(region.adcode)
            own[f"{s}本级"] = region.adcode
    for phrase, codes in short.items():
        if phrase in regions:
            continue
        best = min(_LEVEL_RANK[tree[c].level] for c in codes)
        top = [c for c in codes if _LEVEL_RANK[tree[c].level] == best]
        if len(top) == 1:
            regions[phrase] = top[0]
    if province:
        for phrase in ("全省", "本省", "省里", "省级"):
            regions[phrase] = province
        own["省本级"] = province
    functions: dict[str, str] = {}
    for code, name in function_names.items():
        if len(code) != 3:
            continue
        functions[name] = code
        if name.endswith("支出") and len(name) > 3:
            functions[name[:-2]] = code
        for synonym in FUNCTION_SYNONYMS.get(code, ()):
            functions.setdefault(synonym, code)
    items: dict[str, str] = {}
    for code, name in revenue_names.items():
        if len(code) == 5 and name.endswith("税"):
            items[name] = code
    return Lexicon(regions, own, functions, dict(function_names), items, dict(revenue_names), province, tree)


# -- comparisons ----------------------------------------------------------------------------------------------------

COMPARE_WORDS = {
    "同比": "yoy",
    "比去年": "yoy",
    "比上年": "yoy",
    "较上年": "yoy",
    "上年同期": "yoy",
    "去年同期": "yoy",
    "增长": "yoy",
    "增幅": "yoy",
    "增速": "yoy",
    "增减": "yoy",
    "环比": "mom",
    "比上月": "mom",
    "较上月": "mom",
    "排名": "rank",
    "排行": "rank",
    "排第几": "rank",
    "排位": "rank",
    "名次": "rank",
    "排序": "rank",
    "排名情况": "rank",
    "最高": "max",
    "最多": "max",
    "最大": "max",
    "最快": "max",
    "最好": "max",
    "最低": "min",
    "最少": "min",
    "最小": "min",
    "最慢": "min",
    "最差": "min",
    "同类": "peer",
    "同类排名": "peer",
    "同类地区": "peer",
    "同类县": "peer",
    "同类比较": "peer",
    "预警": "warn",
    "告警": "warn",
    "报警": "warn",
    "滞后": "warn",
    "红色": "warn",
    "亮灯": "warn",
    "异常": "warn",
}
_WHICH = re.compile(r"(哪些|哪几个|哪个|哪|有几个|多少个)(县市区|区县|县区|县市|市州|县|区|市|地区|地方)?")
_LEVEL_TAIL = re.compile(r"(?:的|各)(县市区|区县|县区|县|区|市州|市)$")
_TOP = re.compile(rf"(前|后|倒数|top\s*)({_NUM})(名|位|个)?")
_LEVEL_WORDS = (
    ("县市区", "county"),
    ("区县", "county"),
    ("县区", "county"),
    ("各县", "county"),
    ("全省各县", "county"),
    ("各市州", "city"),
    ("各市", "city"),
    ("市州", "city"),
)


@dataclass(frozen=True)
class Question:
    """A parsed question: everything optional; `problems` says in Chinese what could not be read."""

    text: str
    measure: str | None = None
    region: str | None = None
    own_level: bool = False
    year: int | None = None
    months: tuple[int, int] | None = None
    func: str | None = None
    item: str | None = None
    compare: str | None = None  # yoy / mom / rank / top / bottom / max / min / which / peer
    top_n: int | None = None
    unit_level: str | None = None  # rank among counties ('county') or cities ('city') instead of the children
    warning: bool = False
    problems: tuple[str, ...] = ()


_RANGE = re.compile(r"(?<=[0-9一二三四五六七八九十月])\s*[-－—~～至到]\s*(?=[0-9一二三四五六七八九十])")
_PUNCT = re.compile(r"[\s,,。.?？!！、;；:：“”\"'‘’()()《》]+")


def normalize(text: str) -> str:
    """Full-width digits and letters to ASCII, punctuation and spaces dropped, at most 100 characters."""
    out = []
    for ch in text[:100]:
        code = ord(ch)
        if 0xFF10 <= code <= 0xFF5A:  # full-width 0-9, A-Z, a-z
            ch = chr(code - 0xFEE0)
        out.append(ch)
    text = _RANGE.sub("-", "".join(out))
    return _PUNCT.sub("", text).lower()


def _times(text: str, latest_year: int) -> tuple[str, int | None, tuple[int, int] | None, list[str]]:
    """The year and months a question names (removed from the text), relative words against `latest_year`."""
    year: int | None = None
    months: tuple[int, int] | None = None
    problems: list[str] = []

    def cut(pattern: str) -> re.Match | None:
        nonlocal text
        match = re.search(pattern, text)
        if match:
            text = text[: match.start()] + " " + text[match.end() :]
        return match

    if m := cut(r"(20[0-9]{2}|19[0-9]{2})年?(?=[0-9一二三四上下前全第]|年|$|\D)"):
        year = int(m.group(1))
    for words, offset in (("今年|本年|当年|本年度|今年以来", 0), ("去年|上年|上一年|上年度", -1), ("前年", -2)):
        if cut(f"(?:{words})(?!同期)"):
            year = latest_year + offset
    if m := cut(rf"({_NUM})月?(?:份)?-({_NUM})月(?:份)?(?:累计)?"):
        lo, hi = cn_number(m.group(1)), cn_number(m.group(2))
        if 1 <= lo <= hi <= 12:
            months = (lo, hi)
        else:
            problems.append(f"月份“{m.group(0)}”无效")
    elif m := cut(rf"前({_NUM})(?:个)?月"):
        n = cn_number(m.group(1))
        months = (1, n) if 1 <= n <= 12 else None
    elif m := cut(r"前([一二三两23])(?:个)?季度"):
        months = (1, _QUARTERS[cn_number(m.group(1))][1])
    elif m := cut(r"第?([一二三四1-4])季度"):
        months = _QUARTERS[cn_number(m.group(1))]
    elif cut(r"上半年"):
        months = (1, 6)
    elif cut(r"下半年"):
        months = (7, 12)
    elif cut(r"全年|全年度|年度"):
        months = (1, 12)
    elif m := cut(rf"(?:截至|截止|到)?({_NUM})月(?:份)?(?:底|末)?(?P<ytd>累计|以来)?(?P<own>当月|单月)?"):
        n = cn_number(m.group(1))
        if not 1 <= n <= 12:
            problems.append(f"月份“{m.group(0)}”无效")
        elif m.group("ytd") or m.group(0).startswith(("截至", "截止", "到")):
            months = (1, n)
        else:
            months = (n, n)
    return text, year, months, problems


# everyday words of a question, so the HMM of jieba groups only what is left (a place the store does not hold)
_COMMON = (
    "多少 是多少 怎么样 怎样 如何 情况 请问 查看 查询 看看 一下 显示 帮我 给我 我们 我 的 "
    "了 吗 呢 和 与 及 是 在 有 为 各 个 到 达到 完成 目前 现在 当前 累计 金额 总额 "
    "规模 水平 比例 占比 数据 指标 地区 全部 以来 同期 今天 明天 天气 股票 价格 人口 面积 "
    "谁 什么 哪里 为什么"
)
COMMON_WORDS = tuple(_COMMON.split(" "))


class _Tokenizer:
    """A jieba tokenizer whose dictionary is the lexicon's words and the everyday words of a question, nothing
    else: jieba's own 35万-word dictionary costs seconds and tens of MB per process, and what a question can mean is
    exactly what the store holds. Unknown runs of characters are grouped by jieba's HMM (bundled, no download)."""

    _lock = threading.Lock()

    def __init__(self, words: set[str]) -> None:
        entries = dict.fromkeys(COMMON_WORDS, 1000)
        entries.update({w: 1_000_000 + 1000 * len(w) for w in words})
        lines = "".join(f"{w} {f}\n" for w, f in sorted(entries.items()) if w and " " not in w)
        self.tokenizer = jieba.Tokenizer()
        with self._lock:
            self.tokenizer.FREQ, self.tokenizer.total = self.tokenizer.gen_pfdict(io.BytesIO(lines.encode("utf-8")))
            self.tokenizer.initialized = True

    def tokens(self, text: str) -> list[str]:
        with self._lock:
            return [w for w in self.tokenizer.cut(text, HMM=True) if w.strip()]


_TOKENIZERS: dict[int, tuple[Lexicon, _Tokenizer]] = {}


def tokenizer_for(lexicon: Lexicon) -> _Tokenizer:
    found = _TOKENIZERS.get(id(lexicon))
    if found is None or found[0] is not lexicon:
        if len(_TOKENIZERS) > 4:
            _TOKENIZERS.clear()
        found = (lexicon, _Tokenizer(lexicon.words()))
        _TOKENIZERS[id(lexicon)] = found
    return found[1]


def _phrases(lexicon: Lexicon) -> dict[str, tuple[str, str]]:
    """phrase → (kind, value): kind region / own / func / item / measure / compare."""
    out: dict[str, tuple[str, str]] = {}
    for word, compare in COMPARE_WORDS.items():
        out[word] = ("compare", compare)
    for m in MEASURES:
        for phrase in m.phrases:
            out.setdefault(phrase, ("measure", m.key))
    for phrase, code in lexicon.items.items():
        out[phrase] = ("item", code)
    for phrase, code in lexicon.functions.items():
        out.setdefault(phrase, ("func", code))
    for phrase, code in lexicon.regions.items():
        out.setdefault(phrase, ("region", code))
    for phrase, code in lexicon.own_level.items():
        out[phrase] = ("own", code)
    return out


_FILLER = set("的了吗呢呀啊么和与及是在有多少怎样如何情况请问查看一下看看给我显示帮我是多少几个什么怎么样")
_PLACE = re.compile(r"^\w{1,6}(省|市|县|区|州|镇|乡)$")


def parse(text: str, lexicon: Lexicon, *, years: Sequence[int], data_through: dt.date) -> Question:
    """Read `text` against `lexicon`; `years` are the years the store holds (今年 is the latest)."""
    del data_through  # the period is validated against the data by the page's own parser (`parse_state`)
    latest = max(years)
    cleaned = normalize(text)
    question = Question(text=text.strip()[:100])
    rest, year, months, problems = _times(cleaned, latest)
    compare: str | None = None
    top_n: int | None = None
    if m := _TOP.search(rest):
        top_n = cn_number(m.group(2))
        compare = "bottom" if m.group(1) in ("后", "倒数") else "top"
        rest = rest[: m.start()] + " " + rest[m.end() :]
    unit_level = None
    which = _WHICH.search(rest)
    if which:
        compare = compare or "which"
        word = which.group(2) or ""
        unit_level = (
            "county"
            if word in ("县", "区", "县区", "区县", "县市", "县市区")
            else ("city" if word in ("市", "市州") else None)
        )
        rest = rest[: which.start()] + " " + rest[which.end() :]
    if tail := _LEVEL_TAIL.search(rest):
        unit_level = unit_level or ("county" if "县" in tail.group(1) or tail.group(1) == "区" else "city")
        rest = rest[: tail.start()]
    for word, level in _LEVEL_WORDS:
        if word in rest:
            unit_level = unit_level or level
            rest = rest.replace(word, " ")
    per_capita = bool(_PER_CAPITA.search(rest))
    rest = _PER_CAPITA.sub(" ", rest)
    phrases = _phrases(lexicon)
    tokens = tokenizer_for(lexicon).tokens(rest)
    found: list[tuple[str, str, str]] = []  # (kind, value, phrase)
    unknown: list[str] = []
    i = 0
    while i < len(tokens):
        for span in range(min(4, len(tokens) - i), 0, -1):
            phrase = "".join(tokens[i : i + span])
            if phrase in phrases:
                kind, value = phrases[phrase]
                found.append((kind, value, phrase))
                i += span
                break
        else:
            word = tokens[i]
            if word not in COMMON_WORDS and not all(ch in _FILLER for ch in word):
                unknown.append(word)
                if _PLACE.match(word):
                    problems.append(f"没有找到地区“{word}”")
            i += 1
    regions = [(v, k == "own") for k, v, _ in found if k in ("region", "own")]
    if len({r for r, _ in regions}) > 1:
        problems.append("一次只能问一个地区")
    funcs = {v for k, v, _ in found if k == "func"}
    items = {v for k, v, _ in found if k == "item"}
    if len(funcs) > 1 or len(items) > 1:
        problems.append("一次只能问一个科目")
    compares = [v for k, v, _ in found if k == "compare"]
    warning = "warn" in compares
    if "peer" in compares:
        compare, compares = "peer", [c for c in compares if c != "rank"]
    for c in compares:
        if c not in ("warn", "peer") and compare in (None, "which"):
            compare = c if compare is None or c in ("max", "min") else compare
    measure = _measure([v for k, v, _ in found if k == "measure"], funcs, items, compare, problems)
    if per_capita and measure is not None:
        if measure == "revenue_growth" and compare is None:
            compare = "yoy"  # 人均收入同比: 收入同比 was read as one phrase
        measure = _per_capita(measure, funcs, items, problems)
    if compare == "peer" and measure is None and not warning and not problems:
        measure = "revenue_per_capita"  # 芙蓉区同类排名: the fair comparison of peers is per person
    if warning and measure is None:
        measure = "warnings"
    region, own = regions[0] if regions else (None, False)
    if compare == "which" and not warning and measure is not None:
        compare = "max"  # 哪个县执行率最低 → min (set above); bare 哪个县收入 → the highest
    question = replace(
        question,
        measure=measure,
        region=region,
        own_level=own,
        year=year,
        months=months,
        func=next(iter(funcs)) if len(funcs) == 1 else None,
        item=next(iter(items)) if len(items) == 1 else None,
        compare=compare,
        top_n=top_n,
        unit_level=unit_level,
        warning=warning,
        problems=tuple(problems),
    )
    return question


def _per_capita(measure: str, funcs: set[str], items: set[str], problems: list[str]) -> str | None:
    """The per-capita metric of `measure` (人均收入 → revenue_per_capita), or a problem: per capita is of the whole
    budget's revenue or spending, the debt, the subsidies and the GDP, never of one class or item."""
    if funcs or items:
        problems.append("人均只按全部一般公共预算收入、支出计算,不分科目")
        return None
    if measure == "revenue_growth":  # 人均收入同比: the per-capita revenue against last year's
        return PER_CAPITA_OF["revenue"]
    if measure in PER_CAPITA_OF:
        return PER_CAPITA_OF[measure]
    problems.append("“人均”只用于一般公共预算收入、支出、债务余额、补贴和地区生产总值")
    return None


def _measure(keys: list[str], funcs: set[str], items: set[str], compare: str | None, problems: list[str]) -> str | None:
    """The one measure asked for: a specific phrase beats a generic one (三保支出进度 is 三保执行率); a class
    without a measure is its spending (教育支出), a revenue item its revenue (增值税)."""
    specific = list(dict.fromkeys(k for k in keys if not MEASURES_BY_KEY[k].generic))
    generic = list(dict.fromkeys(k for k in keys if MEASURES_BY_KEY[k].generic))
    if len(specific) > 1:
        if set(specific) == {"tax", "tax_share"}:
            specific = ["tax_share"]
        elif "revenue_growth" in specific and set(specific) <= {"revenue_growth", "tax", "nontax"}:
            specific = [k for k in specific if k != "revenue_growth"]
        elif set(specific) == {"debt", "debt_ratio"}:
            specific = ["debt_ratio"]
        elif set(specific) == {"single_source", "procurement"}:
            specific = ["single_source"]
        elif set(specific) == {"saving_rate", "procurement"}:
            specific = ["saving_rate"]
        elif set(specific) == {"subsidy", "procurement"}:
            specific = ["subsidy"]
        else:
            problems.append("一次只能问一个指标")
            return None
    if items:
        if specific and specific[0] not in ("tax",):
            problems.append("一次只能问一个指标")
            return None
        return "item"
    if funcs:
        if specific:
            problems.append("功能分类只能用于支出与执行率")
            return None
        if "revenue" in generic:
            problems.append("功能分类只能用于支出与执行率")
            return None
        return "execution" if "execution" in generic else "spending"
    if specific:
        key = specific[0]
        if key == "tax_share" and "revenue" in generic and "tax" not in keys:
            return key
        return key
    if "revenue" in generic:
        if compare == "yoy" and "spending" not in generic:
            return "revenue_growth"
        if "spending" in generic:
            return "self_sufficiency" if "自给" in "".join(keys) else "revenue"
        return "revenue"
    if "execution" in generic:
        return "execution"
    if "spending" in generic:
        return "spending"
    return None
