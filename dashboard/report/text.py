"""The report's sentences, written from the figures: every clause depends on the number it states (增长 or 下降 or
持平, 高于 or 低于 序时进度, a missing base said as such), so no sentence is a template with blanks."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from dashboard.core import format as fmt
from dashboard.core import grades, settings
from dashboard.report.figures import Figures

FLAT = Decimal("0.05")  # a change under 0.05% rounds to 0.0%: said as 持平


def whole_word(meta: Figures) -> str:
    """全省 / 全市 / 全区 / 全县: the region as a whole, as a finance department says it."""
    if meta["level"] == "province":
        return "全省"
    if meta["level"] == "city":
        return "全市"
    name = meta["region_name"]
    return "全区" if name.endswith("区") else "全市" if name.endswith("市") else "全县"


def months(meta: Figures) -> str:
    first = meta.get("first_month", 1)
    return f"{meta['month']}月" if meta["month"] == first else f"{first}-{meta['month']}月"


def amount(value: Decimal | None, unit: str) -> str:
    return "无数据" if value is None else f"{fmt.money(value, unit)}{unit}"


def percent(ratio: float | None) -> str:
    return fmt.percent(ratio)


def points(value: float) -> str:
    return f"{Decimal(str(abs(value))).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}个百分点"


def growth(current: Decimal | None, previous: Decimal | None, unit: str, *, with_amount: bool = True) -> str:
    """同比增长 x.x%(增加 y), 同比下降 …, 与上年同期持平, or why there is no comparison."""
    if current is None:
        return "本期无数据"
    if previous is None:
        return "上年同期无数据,不作同比"
    if previous == 0:
        return "上年同期为零,不作同比"
    delta = current - previous
    pct = (delta / abs(previous) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    if abs(delta / abs(previous) * 100) < FLAT:
        return "与上年同期基本持平"
    word, more = ("增长", "增加") if delta > 0 else ("下降", "减少")
    tail = f"({more}{amount(abs(delta), unit)})" if with_amount else ""
    return f"同比{word}{abs(pct)}%{tail}"


def against_progress(rate: float | None, benchmark: float | None) -> str:
    """高于 / 低于 / 与 序时进度 (x%) … 个百分点."""
    if rate is None:
        return "预算指标为零,无法计算执行率"
    if benchmark is None:
        return ""
    gap = (rate - benchmark) * 100
    if abs(gap) < 0.05:
        return f"与序时进度({percent(benchmark)})持平"
    return f"{'高于' if gap > 0 else '低于'}序时进度({percent(benchmark)}){points(gap)}"


def overall(f: Figures) -> list[str]:
    meta, o = f["meta"], f["overall"]
    unit, who, when = meta["unit"], whole_word(meta), months(meta)
    out = [
        f"{when}{who}一般公共预算收入{amount(o['revenue'], unit)},{growth(o['revenue'], o['revenue_prev'], unit)}。"
        f"一般公共预算支出{amount(o['spending'], unit)},{growth(o['spending'], o['spending_prev'], unit)}。"
    ]
    rate = o["execution"]
    if rate is None:
        out.append("本年未下达预算指标,预算执行率无法计算。")
    else:
        out.append(
            f"全年预算指标{amount(o['budget'], unit)},预算执行率{percent(rate)},"
            f"{against_progress(rate, o['execution_benchmark'])}"
            + (f",评级为“{o['execution_label']}”" if o["execution_label"] else "")
            + "。"
        )
    if o["month_spending"] is not None:
        out.append(f"其中{meta['month']}月当月支出{amount(o['month_spending'], unit)}。")
    return out


def revenue(f: Figures) -> list[str]:
    meta, r = f["meta"], f["revenue"]
    unit = meta["unit"]
    out = []
    kinds = {k["name"]: k for k in r["kinds"]}
    parts = []
    for name in ("税收收入", "非税收入"):
        k = kinds.get(name)
        if k is None:
            parts.append(f"{name}无数据")
        else:
            parts.append(f"{name}{amount(k['current'], unit)},{growth(k['current'], k['previous'], unit)}")
    out.append(";".join(parts) + "。")
    if r["tax_share"] is not None:
        out.append(
            f"税收占比{percent(r['tax_share'])}(评级“{r['tax_share_label']}”),"
            f"财政自给率{percent(r['self_sufficiency'])}。"
        )
    ups = [d for d in r["drivers"] if d["change"] is not None and d["change"] > 0]
    downs = [d for d in r["drivers"] if d["change"] is not None and d["change"] < 0]
    if ups:
        out.append("增收主要来自" + "、".join(f"{d['name']}(增加{amount(d['change'], unit)})" for d in ups) + "。")
    if downs:
        out.append("减收主要在" + "、".join(f"{d['name']}(减少{amount(-d['change'], unit)})" for d in downs) + "。")
    if not ups and not downs:
        out.append("各收入项目与上年同期相比无变化或无上年数据。")
    return out


def spending(f: Figures) -> list[str]:
    meta, s = f["meta"], f["spending"]
    unit = meta["unit"]
    out = []
    top = s["functions"][:3]
    if top:
        out.append(
            "支出规模居前的功能科目为"
            + "、".join(f"{x['name']}{amount(x['paid'], unit)}(执行率{percent(x['rate'])})" for x in top)
            + "。"
        )
    if s["sanbao"] is not None:
        details = "、".join(f"{x['name']}{percent(x['rate'])}" for x in s["sanbao_rows"])
        out.append(
            f"“三保”支出{amount(s['sanbao_paid'], unit)},执行率{percent(s['sanbao'])}"
            f"(评级“{s['sanbao_label']}”),其中{details}。"
        )
    else:
        out.append("本年未下达“三保”预算指标。")
    if s["direct_rate"] is not None:
        out.append(
            f"直达资金已分配{amount(s['direct_allocated'], unit)},累计支付{amount(s['direct_paid'], unit)},"
            f"支付进度{percent(s['direct_rate'])},{against_progress(s['direct_rate'], s['direct_benchmark'])}。"
        )
    else:
        out.append("截至期末未分配直达资金指标。")
    return out


def debt(f: Figures) -> list[str]:
    meta, d = f["meta"], f["debt"]
    unit = meta["unit"]
    out = [
        f"{d['balance_date'][:4]}年债务余额{amount(d['debt'], unit)}(一般债务{amount(d['general_debt'], unit)}、"
        f"专项债务{amount(d['special_debt'], unit)}),债务限额{amount(d['limit'], unit)}。"
    ]
    if d["debt_ratio"] is not None:
        out.append(
            f"债务率{percent(d['debt_ratio'])}(综合财力{amount(d['capacity'], unit)},{d['capacity_note']}),"
            f"评级“{d['debt_grade']}”。"
        )
    interest = []
    if d["interest_ratio"] is not None:
        interest.append(f"一般债务利息支出率{percent(d['interest_ratio'])}")
    if d["special_interest_ratio"] is not None:
        interest.append(f"专项债务利息支出率{percent(d['special_interest_ratio'])}")
    if interest:
        out.append(",".join(interest) + "。")
    if d["cash_level"] is not None:
        out.append(f"期末库款保障水平{fmt.number(d['cash_level'])}个月(评级“{d['cash_grade']}”)。")
    else:
        out.append("期末无库款流出数据,库款保障水平无法计算。")
    return out


def highlights(f: Figures) -> list[str]:
    meta, s, p = f["meta"], f["subsidies"], f["procurement"]
    unit = meta["unit"]
    out = []
    if s["n"]:
        out.append(
            f"{months(meta)}惠民惠农补贴发放{s['n']:,}笔、{amount(s['amount'], unit)},惠及{s['recipients']:,}人,"
            f"{growth(s['amount'], s['amount_prev'], unit)}。"
        )
    else:
        out.append(f"{months(meta)}无惠民惠农补贴发放记录。")
    if p.get("n"):
        out.append(
            f"政府采购签订合同{p['n']:,}项,合同金额{amount(p['contract'], unit)},"
            f"{growth(p['contract'], p['contract_prev'], unit)};节约率{percent(p['saving_rate'])},"
            f"中小企业合同占比{percent(p['sme_share'])},单一来源采购占比{percent(p['single_source_share'])}。"
        )
    else:
        out.append("本期无政府采购合同记录。")
    return out


def risk(f: Figures) -> list[str]:
    r = f["risk"]
    if not r["total"]:
        return ["截至报告生成时,本区域无预警工单。"]
    grades = "、".join(f"{g}色{r['by_grade'][g]}件" for g in ("红", "橙", "黄", "蓝") if r["by_grade"].get(g))
    out = [
        f"截至报告生成时共有预警工单{r['total']}件,其中未销号{r['open']}件"
        + (f"({grades})" if grades else "")
        + f",逾期未反馈{r['overdue']}件,已销号{r['closed']}件;近30日新下发{r['new']}件。"
    ]
    if r["by_topic"]:
        top = sorted(r["by_topic"].items(), key=lambda kv: (-kv[1], kv[0]))[:3]
        out.append("未销号工单集中在" + "、".join(f"{t}({n}件)" for t, n in top) + "。")
    return out


def ranking(f: Figures) -> list[str]:
    children = [r for r in f["ranking"] if not r["is_own_level"] and r["execution"] is not None]
    if len(children) < 2:
        return []
    ordered = sorted(children, key=lambda r: -r["execution"])
    best, worst = ordered[0], ordered[-1]
    behind = [r for r in children if r["lag_points"] is not None and r["lag_points"] > 0]
    return [
        f"下级区划中预算执行率最高的是{best['name']}({percent(best['execution'])}),"
        f"最低的是{worst['name']}({percent(worst['execution'])});"
        + (
            f"{len(children)}个下级区划均低于序时进度。"
            if len(behind) == len(children)
            else f"{len(behind)}个低于序时进度。"
            if behind
            else "均不低于序时进度。"
        )
    ]


def quality(f: Figures) -> list[str]:
    """数据质量: the year's 总分 and dimensions, what was checked and found, the weakest child and the top rule."""
    q, meta = f["quality"], f["meta"]
    dims = "、".join(f"{d}{v:.2f}分" for d, v in q["dimensions"].items() if v is not None)
    out = [
        f"{q['period']}{whole_word(meta)}数据质量总分{q['overall']:.2f}分"
        + (f"({dims})" if dims else "")
        + f",共检查记录{q['checked']:,}条,"
        + (f"发现问题{q['failed']:,}条。" if q["failed"] else "未发现问题。")
    ]
    scored = [c for c in q["children"] if c["overall"] is not None]
    if len(scored) >= 2:
        worst = min(scored, key=lambda c: (c["overall"], c["name"]))
        line = settings.get("QUALITY_YELLOW")  # below it a score is graded (grades.data_quality)
        below = [c for c in scored if grades.data_quality(c["overall"]).level is not None]
        out.append(
            f"下级区划中得分最低的是{worst['name']}({worst['overall']:.2f}分)"
            + (f",{len(below)}个低于{line:g}分。" if below else f",均不低于{line:g}分。")
        )
    if q["rules"]:
        top = q["rules"][0]
        out.append(f"问题最多的规则是“{top['name']}”({top['dimension']},{top['failed']:,}条)。")
    return out
