"""The question box's answer: a parsed `Question` → the view that answers it (page and URL state) and one sentence
with the number, unit, period and region, every number read from the metric layer (`queries.metrics`) or, for the
topics it does not hold (a revenue item, 补贴, 采购), from the query the topic page itself shows (never a second
definition). Honest: what it cannot map, or may not show, gets "没有理解…" / the scope's refusal and suggestions.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from urllib.parse import urlencode

import pandas as pd

from dashboard.ask.parse import KIND_OF, MEASURES_BY_KEY, SANBAO_OF, Lexicon, Question, build_lexicon, parse
from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, parse_state
from dashboard.core.peers import PEER_GROUPS, peer_group
from dashboard.core.regions import RegionTree
from dashboard.core.scope import Scope
from dashboard.store.engine import current_data_version, finance_engine
from queries import metrics
from queries import peers as peers_q
from queries import procurement as procurement_q
from queries import revenue as revenue_q
from queries import subsidies as subsidies_q
from queries.classifications import classification_names
from queries.regions import available_years, region_tree

# an amount read from a metric of the metric layer: (metric, part) — its numerator, or denominator − numerator
AMOUNTS = {
    "revenue": ("revenue_growth", "num"),
    "tax": ("tax_share", "num"),
    "nontax": ("tax_share", "rest"),
    "spending": ("execution", "num"),
    "debt": ("debt_ratio", "num"),
    "gdp": ("gdp_per_capita", "num"),
}
PER_CAPITA_KEYS = {m.key for m in metrics.metrics() if m.unit == "元/人"}
LAYER_KEYS = {m.key for m in metrics.metrics()}
TOPIC_MEASURES = ("item", "subsidy", "procurement", "saving_rate")  # read from the topic page's own query
WARNING_LEVELS = ("红", "橙", "黄")
LOWER_IS_WORSE = {
    "cash_level",
    "execution",
    "sanbao",
    "sanbao_wage",
    "sanbao_running",
    "sanbao_livelihood",
    "direct_pay",
    "tax_share",
    "self_sufficiency",
    "revenue_growth",
    "saving_rate",
}


@dataclass(frozen=True)
class Answer:
    """`understood`: a view and a sentence; else `text` says why not and `suggestions` what it can answer.
    `outcome` is what the audit records: ok, denied (outside the scope) or unknown."""

    question: str
    understood: bool
    text: str
    path: str | None = None
    query: tuple[tuple[str, str], ...] = ()
    suggestions: tuple[str, ...] = ()
    outcome: str = "ok"
    region: str | None = None

    @property
    def url(self) -> str | None:
        if self.path is None:
            return None
        return f"{self.path}?{urlencode([*self.query, ('ask', self.question)])}"


@functools.lru_cache(maxsize=2)
def _lexicon_for(version_key: str) -> Lexicon:
    return build_lexicon(region_tree(), classification_names("function"), classification_names("revenue"))


def lexicon() -> Lexicon:
    """The user dictionary of the current data version (its regions and classification names)."""
    return _lexicon_for(current_data_version().key)


def suggestions(scope: Scope, tree: RegionTree) -> tuple[str, ...]:
    """Three questions this box answers for `scope` (its own region's name in them)."""
    if scope.root is None or scope.root not in tree:
        return ()
    root = tree[scope.root]
    name = root.name
    third = "哪些县库款预警" if root.level != "county" else f"{name}库款保障水平"
    return (f"{name}今年教育支出进度", f"{name}上半年税收收入同比", third)


def _refuse(question: Question, text: str, scope: Scope, tree: RegionTree, outcome: str = "unknown") -> Answer:
    return Answer(question.text, False, text, suggestions=suggestions(scope, tree), outcome=outcome)


def ask(text: str, scope: Scope) -> Answer:
    """The answer to `text` for a caller who sees `scope` (from the session, never the browser)."""
    tree = region_tree()
    years = available_years()
    through = current_data_version().data_through
    question = parse(text, lexicon(), years=years, data_through=through)
    return answer(question, scope, tree=tree, years=years, data_through=through)


def answer(
    question: Question, scope: Scope, *, tree: RegionTree, years: tuple[int, ...], data_through: dt.date
) -> Answer:
    if scope.root is None:
        return Answer(question.text, False, "未登录或没有可查看的地区。", outcome="denied")
    shown = question.text or "(空)"
    if question.problems:
        return _refuse(question, f"没有理解“{shown}”:{';'.join(question.problems)}。可以这样问:", scope, tree)
    if question.measure is None or question.measure == "warnings":
        hint = "要看哪类预警(库款、支出进度、债务率)" if question.measure == "warnings" else "要看的指标"
        return _refuse(question, f"没有理解“{shown}”中{hint}。可以这样问:", scope, tree)
    region = question.region or scope.root
    if not scope.sees(tree, region):
        return _refuse(
            question,
            f"无权查看“{tree.name(region)}”的数据(可查看范围:{tree.name(scope.root)})。可以这样问:",
            scope,
            tree,
            outcome="denied",
        )
    if question.year is not None and question.year not in years:
        return _refuse(
            question, f"没有{question.year}年的数据(可查询{'、'.join(map(str, years))}年)。可以这样问:", scope, tree
        )
    year = question.year or max(years)
    last_with_data = data_through.month if year == data_through.year else 12
    if question.months is not None and question.months[0] > last_with_data:
        return _refuse(question, f"数据截至{year}年{last_with_data}月,还没有所问期间的数据。可以这样问:", scope, tree)
    query: dict[str, str] = {"region": region, "year": str(year)}
    if question.months is not None:
        lo, hi = question.months
        query["period"] = str(lo) if lo == hi else f"{lo}-{hi}"
    state = parse_state(query, tree=tree, scope=scope, years=years, data_through=data_through)
    measure = question.measure
    if measure not in LAYER_KEYS and measure not in AMOUNTS and measure not in TOPIC_MEASURES:
        return _refuse(question, f"这个数据仓还没有“{MEASURES_BY_KEY[measure].name}”。可以这样问:", scope, tree)
    ranking = question.compare in ("rank", "top", "bottom", "max", "min", "which", "peer") or question.warning
    if measure in TOPIC_MEASURES and ranking:
        return _refuse(
            question,
            f"“{MEASURES_BY_KEY[measure].name if measure != 'item' else '收入科目'}”暂不支持地区排名。可以这样问:",
            scope,
            tree,
        )
    if question.own_level and ranking:
        return _refuse(question, "本级没有下辖地区可排名。可以这样问:", scope, tree)
    url_filters = _url_filters(question)
    url_state = {**{"region": state.region, "year": str(state.year), "period": state.period}, **url_filters}
    try:
        if question.compare == "peer":
            sentence, where = _peer_sentence(question, scope, state, tree)
            if sentence is None:
                return _refuse(question, where, scope, tree)
            if question.measure not in PER_CAPITA_KEYS:  # a per-capita peer rank is on the county's own page
                url_state["region"] = where
        elif ranking:
            sentence, where = _ranking_sentence(question, scope, state, tree)
            if sentence is None:
                return _refuse(question, where, scope, tree)
            url_state["region"] = where
        else:
            sentence = _single_sentence(question, scope, state, tree)
    except _NoAnswer as refusal:
        return _refuse(question, str(refusal), scope, tree)
    notices = "".join(n for n in state.notices if n.startswith("数据截至"))
    page = MEASURES_BY_KEY[measure].page if measure != "item" else "/revenue"
    if question.warning and measure == "cash_level":
        page = "/debt"
    return Answer(
        question.text,
        True,
        sentence + ("(" + notices.rstrip("。") + ")" if notices else "") + "。",
        page,
        tuple(url_state.items()),
        outcome="ok",
        region=url_state["region"],
    )


class _NoAnswer(Exception):
    """A question read but not answerable as asked (the message says why, in Chinese)."""


def _url_filters(question: Question) -> dict[str, str]:
    out: dict[str, str] = {}
    if question.func and MEASURES_BY_KEY[question.measure or ""].page == "/spending":
        out["func"] = question.func
    if question.measure in SANBAO_OF:
        out["sanbao"] = SANBAO_OF[question.measure]
    if question.measure in KIND_OF:
        out["kind"] = KIND_OF[question.measure]
    if question.measure == "item" and question.item:
        out["item"] = question.item
    if question.compare == "peer" and question.measure in PER_CAPITA_KEYS:
        out["rank"] = "peer"
    elif question.measure in PER_CAPITA_KEYS or question.measure == "population":
        out["rank"] = "capita"
    return out


def _layer(measure: str) -> str:
    """The metric of the metric layer a measure is read from."""
    return AMOUNTS[measure][0] if measure in AMOUNTS else measure


def _filters(question: Question) -> tuple[tuple[str, object], ...]:
    key = _layer(question.measure or "")
    if question.func and "func" in metrics.dimensions(key):
        return (("func", question.func),)
    return ()


def value_of(measure: str, row: Mapping | pd.Series) -> float | Decimal | None:
    """The measure's value in a row of the metric layer (`by_region`, `whole`, `by_unit`)."""
    if measure in AMOUNTS:
        key, part = AMOUNTS[measure]
        num, den = Decimal(row[f"{key}_num"]), Decimal(row[f"{key}_den"])
        return num if part == "num" else den - num
    value = row[measure]
    return None if value is None or (isinstance(value, float) and pd.isna(value)) else value


def _unit(level: str) -> str:
    return fmt.unit_for_level(level)


def show(measure: str, value: float | Decimal | None, unit: str) -> str:
    """The number with its unit: 95.2%, 1.23个月, 1,234.56亿元."""
    if value is None:
        return "无数据"
    if measure in PER_CAPITA_KEYS:
        return f"{fmt.per_capita(value)}元/人"
    if measure == "population":
        return f"{fmt.people(value)}万人"
    if measure in AMOUNTS or measure in ("capacity", "item", "subsidy", "procurement"):
        return f"{fmt.money(Decimal(value), unit)}{unit}"
    if measure == "cash_level":
        return f"{fmt.number(value)}个月"
    if measure == "maturity_cover":
        return f"{fmt.number(value)}倍"
    return fmt.percent(value)


def _name(question: Question, lexicon_names: Mapping[str, str] | None = None) -> str:
    measure = question.measure or ""
    if question.func:
        func_name = classification_names("function").get(question.func, question.func)
        if measure == "spending":
            return func_name
        if measure == "execution":
            return f"{func_name}执行率"
        return f"{func_name}{MEASURES_BY_KEY[measure].name}"
    if measure == "item":
        return classification_names("revenue").get(question.item or "", question.item or "")
    return MEASURES_BY_KEY[measure].name


def _place(tree: RegionTree, state: DrillState, own: bool) -> str:
    name = tree.name(state.region)
    return f"{name}本级" if own else name


def _previous_year(state: DrillState) -> DrillState:
    return replace(state, year=state.year - 1, notices=())


def _previous_month(state: DrillState) -> DrillState:
    if state.last_month == 1:
        return replace(state, year=state.year - 1, first_month=12, last_month=12, notices=())
    return replace(state, first_month=state.last_month - 1, last_month=state.last_month - 1, notices=())


def _single_month(state: DrillState) -> DrillState:
    return replace(state, first_month=state.last_month, notices=())


def _read(question: Question, scope: Scope, state: DrillState) -> tuple[float | Decimal | None, pd.Series | None]:
    """The measure for the drilled region (or its 本级) in `state`, and the metric-layer row it came from."""
    measure = question.measure or ""
    if measure == "item":
        rows = revenue_q.by_item(scope, replace(state, filters=()), "item")
        found = rows[rows["key"] == question.item]
        return (Decimal(found.iloc[0]["current"]) if not found.empty else Decimal(0)), None
    if measure == "subsidy":
        return Decimal(subsidies_q.summary(scope, state).iloc[0]["amount"]), None
    if measure in ("procurement", "saving_rate"):
        row = procurement_q.summary(scope, state).iloc[0]
        return (Decimal(row["contract"]) if measure == "procurement" else row["saving_rate"]), None
    key = _layer(measure)
    if question.own_level:
        rows = metrics.by_region(scope, state, (key,), _filters(question))
        row = rows[rows["is_own_level"]].iloc[0]
    else:
        row = metrics.whole(scope, state, (key,), _filters(question))
    return value_of(measure, row), row


def _change(measure: str, now: float | Decimal | None, before: float | Decimal | None) -> str:
    if now is None or before is None:
        return "无可比数据"
    if measure in PER_CAPITA_KEYS or measure == "population":
        text, _ = fmt.change(Decimal(str(now)), Decimal(str(before)))
        return text.replace(" ▲", "").replace(" ▼", "")
    if measure in AMOUNTS or measure in ("capacity", "item", "subsidy", "procurement"):
        text, _ = fmt.change(Decimal(now), Decimal(before))
        return text.replace(" ▲", "").replace(" ▼", "")
    if measure in ("cash_level", "maturity_cover"):
        unit = "个月" if measure == "cash_level" else "倍"
        return f"{(Decimal(str(now)) - Decimal(str(before))).quantize(Decimal('0.01')):+}{unit}"
    points = (Decimal(str(now)) - Decimal(str(before))) * 100
    return f"{points.quantize(Decimal('0.1')):+}个百分点"


def _single_sentence(question: Question, scope: Scope, state: DrillState, tree: RegionTree) -> str:
    measure = question.measure or ""
    unit = _unit(tree[state.region].level)
    place, name = _place(tree, state, question.own_level), _name(question)
    if question.compare == "mom":
        state = _single_month(state)
    value, row = _read(question, scope, state)
    head = f"{place}{state.period_label}{name} {show(measure, value, unit)}"
    if question.compare == "yoy" and measure != "revenue_growth":
        before, _ = _read(question, scope, _previous_year(state))
        return f"{head},同比 {_change(measure, value, before)}(上年同期 {show(measure, before, unit)})"
    if question.compare == "mom":
        earlier = _previous_month(state)
        before, _ = _read(question, scope, earlier)
        return f"{head},环比 {_change(measure, value, before)}({earlier.period_label} {show(measure, before, unit)})"
    key = _layer(measure)
    if row is not None and measure == key:
        benchmark = row.get(f"{key}_benchmark")
        if benchmark is not None and not pd.isna(benchmark):
            against = "序时进度" if state.first_month == 1 or key == "direct_pay" else "当期预算占比"
            head += f",{against} {fmt.percent(benchmark)}"
        label, note = row.get(f"{key}_label"), row.get(f"{key}_note")
        if label and label not in ("正常", "当期不评级") and row.get(f"{key}_level"):
            head += f"({label})"
        if note:
            head += f"({note})"
    if measure == "revenue_growth" and row is not None:
        now, before = row[f"{key}_num"], row[f"{key}_den"]
        head = (
            f"{place}{state.period_label}一般公共预算收入同比 {_change('revenue', now, before)}"
            f"(本期 {show('revenue', now, unit)},上年同期 {show('revenue', before, unit)})"
        )
    if measure == "spending" and row is not None:
        head += f",预算执行率 {fmt.percent(row['execution'])}"
    return head


def _units_in(scope: Scope, state: DrillState, tree: RegionTree, question: Question, level: str) -> pd.DataFrame:
    """Every unit of `level` inside the drilled region (and the scope), with the measure's columns."""
    key = _layer(question.measure or "")
    with finance_engine().connect() as conn:
        rows = metrics.by_unit(conn, (key,), metrics.period_of(state), dict(_filters(question)))
    inside = [
        str(c) in tree
        and tree[str(c)].level == level
        and tree.is_within(str(c), state.region)
        and scope.sees(tree, str(c))
        for c in rows["region"]
    ]
    out = rows[inside].copy()
    out["code"] = out["region"].astype(str)
    out["name"] = [tree.name(c) for c in out["code"]]
    return out


def _ranking_sentence(question: Question, scope: Scope, state: DrillState, tree: RegionTree) -> tuple[str | None, str]:
    """(sentence, the region whose view shows the ranking) or (None, the refusal)."""
    measure = question.measure or ""
    region = tree[state.region]
    asked_one = question.region is not None and question.compare == "rank" and not question.unit_level
    if asked_one and region.parent is not None and scope.sees(tree, region.parent):
        parent_state = replace(state, region=region.parent, notices=())
        rows = metrics.by_region(scope, parent_state, (_layer(measure),), _filters(question))
        rows = rows[~rows["is_own_level"]].copy()
        group = f"{tree.name(region.parent)}下辖{len(rows)}个地区"
        where = region.parent
    else:
        level = question.unit_level
        children = tree.children(state.region)
        if level is not None and (not children or children[0].level != level):
            if _LEVEL_ORDER.get(level, 0) <= _LEVEL_ORDER.get(region.level, 0):
                return (
                    None,
                    f"{region.name}没有下辖的{'县(市、区)' if level == 'county' else '市州'}可排名。可以这样问:",
                )
            rows = _units_in(scope, state, tree, question, level)
        else:
            if not children:
                return None, f"{region.name}没有下辖地区可排名。可以这样问:"
            rows = metrics.by_region(scope, state, (_layer(measure),), _filters(question))
            rows = rows[~rows["is_own_level"]].copy()
            level = children[0].level
        group = f"{region.name}{'各县(市、区)' if level == 'county' else '各市州'}"
        where = state.region
    rows["value"] = [value_of(measure, r) for _, r in rows.iterrows()]
    rows = rows[rows["value"].notna()]
    if rows.empty:
        return None, f"{group}没有{_name(question)}的数据。可以这样问:"
    unit = _unit(tree[str(rows.iloc[0]["code"])].level)
    name = _name(question)
    period = state.period_label
    key = _layer(measure)
    if question.warning:
        flagged = rows[[lvl in WARNING_LEVELS for lvl in rows[f"{key}_level"]]] if measure == key else rows.iloc[0:0]
        if measure != key:
            return None, f"“{name}”没有预警分级。可以这样问:"
        flagged = flagged.sort_values("value", ascending=measure in LOWER_IS_WORSE, kind="stable")
        if flagged.empty:
            return f"{group}{period}没有{name}预警的地区(共{len(rows)}个)", where
        listed = "、".join(f"{r['name']} {show(measure, r['value'], unit)}" for _, r in flagged.head(10).iterrows())
        more = "等" if len(flagged) > 10 else ""
        return f"{group}{period}{name}预警的有{len(flagged)}个:{listed}{more}", where
    ascending = question.compare in ("min", "bottom")
    ordered = rows.sort_values(["value", "code"], ascending=[ascending, True], kind="stable")
    if asked_one:
        position = list(ordered["code"]).index(state.region) + 1 if state.region in set(ordered["code"]) else None
        value = ordered[ordered["code"] == state.region]["value"]
        shown = show(measure, value.iloc[0] if not value.empty else None, unit)
        if position is None:
            return None, f"{region.name}没有{name}的数据。可以这样问:"
        return f"{region.name}{period}{name} {shown},在{group}中从高到低排第{position}", where
    if question.compare in ("top", "bottom") or question.compare == "rank":
        n = question.top_n or (5 if question.compare != "rank" else min(len(ordered), 10))
        head = "前" if not ascending else "后"
        listed = "、".join(f"{r['name']} {show(measure, r['value'], unit)}" for _, r in ordered.head(n).iterrows())
        label = f"{'从高到低' if not ascending else '从低到高'}{head}{min(n, len(ordered))}名"
        return f"{group}{period}{name}{label}:{listed}", where
    first = ordered.iloc[0]
    word = "最低" if ascending else "最高"
    return f"{group}{period}{name}{word}的是{first['name']}({show(measure, first['value'], unit)})", where


_LEVEL_ORDER = {"province": 0, "city": 1, "county": 2}


def _peer_sentence(question: Question, scope: Scope, state: DrillState, tree: RegionTree) -> tuple[str | None, str]:
    """The region's rank among the county-level regions of its peer group (`PEER_GROUPING`: by kind, or by band of
    常住人口 or 综合财力; `queries.peers`) in the caller's scope."""
    region = tree[state.region]
    if peer_group(region) is None:
        return None, "同类排名只比较县级地区(市辖区、县级市、县),请问一个县(市、区)。可以这样问:"
    root = tree[scope.root or ""]
    if root.level == "county":
        return None, "同类排名要比较本地区以外的县,超出您的查看范围。可以这样问:"
    measure = question.measure or ""
    units = peers_q.peer_units(
        scope, replace(state, region=root.adcode, notices=()), (_layer(measure),), _filters(question)
    )
    own = units[units["code"] == state.region]
    group = own["group"].iloc[0] if not own.empty else None
    if not isinstance(group, str):
        return None, f"{region.name}没有确定同类组所需的常住人口或综合财力数据。可以这样问:"
    peers = units[units["group"] == group].copy()
    peers["value"] = [value_of(measure, r) for _, r in peers.iterrows()]
    peers = peers[peers["value"].notna()]
    peers = peers.assign(_v=peers["value"].astype(float)).sort_values(
        ["_v", "code"], ascending=[False, True], kind="stable"
    )
    codes = list(peers["code"])
    if state.region not in codes:
        return None, f"{region.name}没有{_name(question)}的数据。可以这样问:"
    value = peers[peers["code"] == state.region]["value"].iloc[0]
    shown = show(measure, value, _unit(region.level))
    position = int((peers["_v"] > float(value)).sum()) + 1  # equal values share a rank (as queries.peers.ranked)
    among = f"{len(codes)}个{group}" if group in PEER_GROUPS else f"{len(codes)}个同类地区({group})"
    return (
        f"{region.name}{state.period_label}{_name(question)} {shown},在{root.name}{among}中从高到低排第{position}",
        root.adcode,
    )
