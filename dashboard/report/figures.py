"""Every number of the monthly report, read from the metric layer (`queries.metrics`) and the queries the pages
show (`queries.cockpit` for `/`, `queries.revenue`, `queries.spending`, `queries.debt`, `queries.transfers`,
`queries.subsidies`, `queries.procurement`, `dashboard.risk.monitor` for the tickets), for one region and the months
January to the report's month. Nothing is computed here that a page computes too: the figures are copied out of
the frames those functions return, into a plain mapping (`Figures`) that `encode` turns into JSON and `decode`
back, so a frozen pack can be shown and printed again from its stored figures.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from decimal import Decimal
from typing import Any

import pandas as pd

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState
from dashboard.core.quality import DIMENSIONS, OVERALL
from dashboard.core.scope import Scope
from dashboard.risk import monitor
from dashboard.risk.tickets import CLOSED, OPEN_STATES
from dashboard.store.engine import current_data_version
from queries import cockpit, debt, metrics, procurement, quality, revenue, spending, subsidies, transfers
from queries.regions import available_years, region_tree

Figures = dict[str, Any]
ZERO = Decimal(0)
SANBAO_KEYS = ("sanbao", "sanbao_wage", "sanbao_running", "sanbao_livelihood")
REVENUE_KEYS = ("tax_share", "self_sufficiency", "revenue_growth")
APPENDIX_KEYS = (
    "execution",
    "sanbao",
    "direct_pay",
    "cash_level",
    "capacity",
    "debt_ratio",
    "interest_general",
    "interest_special",
    "tax_share",
    "self_sufficiency",
    "revenue_growth",
    "single_source",
)


class ReportError(ValueError):
    """A report that cannot be made as asked (the message is Chinese and shown as it is)."""


def report_state(scope: Scope, region: str, year: int, month: int) -> DrillState:
    """January to `month` of `year` at `region`, checked against the scope and the data the store holds."""
    tree = region_tree()
    if region not in tree:
        raise ReportError(f"未找到区划代码“{region[:20]}”。")
    if not scope.sees(tree, region):
        raise ReportError(f"无权生成“{tree.name(region)}”的报告。")
    if tree[region].level not in ("province", "city", "county"):
        raise ReportError("月报按省、市、县区生成。")
    through = current_data_version().data_through
    if year not in available_years():
        raise ReportError(f"财政数据仓没有{year}年的数据。")
    if not 1 <= month <= 12:
        raise ReportError(f"月份“{month}”无效。")
    if (year, month) > (through.year, through.month):
        raise ReportError(f"数据截至{through:%Y年%m月%d日},{year}年{month}月尚未结束。")
    return DrillState(region, year, 1, month)


def _money(value: object) -> Decimal | None:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return Decimal(str(value)) if not isinstance(value, Decimal) else value


def _float(value: object) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if pd.isna(number) else number


def _text(value: object) -> str | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else str(value)


def _overall(scope: Scope, state: DrillState) -> tuple[Figures, list[Figures]]:
    """The figures of `/` (the cockpit's KPI row and region table): totals and one row per 本级 / child."""
    rows = cockpit.region_indicators(scope, state)
    totals = cockpit.region_totals(rows, state)

    def pick(row: pd.Series) -> Figures:
        return {
            "revenue": _money(row["revenue"]),
            "revenue_prev": _money(row["revenue_prev"]),
            "revenue_yoy": _float(row["revenue_yoy"]),
            "spending": _money(row["spending"]),
            "spending_prev": _money(row["spending_prev"]),
            "budget": _money(row["budget"]),
            "month_spending": _money(row["month_spending"]),
            "execution": _float(row["execution"]),
            "execution_benchmark": _float(row["execution_benchmark"]),
            "execution_label": _text(row["execution_label"]),
            "execution_level": _text(row["execution_level"]),
            "lag_points": _float(row["lag_points"]),
            "direct_pay": _float(row["direct_pay"]),
            "direct_pay_label": _text(row["direct_pay_label"]),
            "cash_level": _float(row["cash_level"]),
            "cash_level_label": _text(row["cash_level_label"]),
        }

    ranking = [
        {"code": _text(r["code"]), "name": str(r["name"]), "is_own_level": bool(r["is_own_level"]), **pick(r)}
        for _, r in rows.iterrows()
    ]
    return pick(totals), ranking


def _revenue(scope: Scope, state: DrillState) -> Figures:
    kinds = revenue.by_item(scope, state, "kind")
    items = revenue.by_item(scope, state, "item")
    measured = metrics.whole(scope, state, REVENUE_KEYS)
    item_rows: list[dict[str, Any]] = [
        {
            "code": str(r["key"]),
            "name": str(r["name"]),
            "current": _money(r["current"]),
            "previous": _money(r["previous"]),
            "change": _money(r["change"]),
        }
        for _, r in items.iterrows()
    ]
    return {
        "kinds": [
            {
                "name": str(r["name"]),
                "current": _money(r["current"]),
                "previous": _money(r["previous"]),
                "change": _money(r["change"]),
            }
            for _, r in kinds.iterrows()
        ],
        "items": sorted(item_rows, key=lambda r: (-(r["current"] or ZERO), r["code"]))[:8],
        "drivers": sorted(item_rows, key=lambda r: (-abs(r["change"] or ZERO), r["code"]))[:4],
        **{k: _float(measured[k]) for k in REVENUE_KEYS},
        **{f"{k}_label": _text(measured[f"{k}_label"]) for k in REVENUE_KEYS},
    }


def _spending(scope: Scope, state: DrillState) -> Figures:
    functions = spending.breakdown(scope, state, "func")
    functions = functions.sort_values(["paid", "key"], ascending=[False, True]).head(10)
    sanbao = spending.breakdown(scope, state, "sanbao")
    measured = metrics.whole(scope, state, SANBAO_KEYS)
    direct = transfers.direct_payment(scope, state, None).iloc[0]
    benchmark = metrics.whole(scope, state, ("direct_pay",))["direct_pay_benchmark"]
    return {
        "functions": [
            {
                "code": str(r["key"]),
                "name": str(r["name"]),
                "paid": _money(r["paid"]),
                "paid_prev": _money(r["paid_prev"]),
                "budget": _money(r["budget"]),
                "rate": _float(r["rate"]),
                "grade": _text(r["grade_label"]),
            }
            for _, r in functions.iterrows()
        ],
        "sanbao_rows": [
            {
                "name": str(r["key"]),
                "paid": _money(r["paid"]),
                "budget": _money(r["budget"]),
                "rate": _float(r["rate"]),
                "grade": _text(r["grade_label"]),
            }
            for _, r in sanbao.iterrows()
        ],
        "sanbao": _float(measured["sanbao"]),
        "sanbao_label": _text(measured["sanbao_label"]),
        "sanbao_paid": _money(measured["sanbao_num"]),
        "sanbao_budget": _money(measured["sanbao_den"]),
        "direct_allocated": _money(direct["allocated"]),
        "direct_paid": _money(direct["paid"]),
        "direct_rate": _float(direct["payment_rate"]),
        "direct_grade": _text(direct["payment_grade"]),
        "direct_benchmark": _float(benchmark),
    }


def _debt(scope: Scope, state: DrillState) -> Figures:
    rows = debt.debt_breakdown(scope, state)
    total = debt.whole_region(rows, debt.debt_metrics(scope, state), state)
    return {
        "debt": _money(total["debt"]),
        "general_debt": _money(total["general_debt"]),
        "special_debt": _money(total["special_debt"]),
        "limit": _money(total["limit"]),
        "capacity": _money(total["capacity"]),
        "capacity_note": _text(total["capacity_note"]),
        "debt_ratio": _float(total["debt_ratio"]),
        "debt_grade": _text(total["debt_grade"]),
        "interest_ratio": _float(total["interest_ratio"]),
        "interest_grade": _text(total["interest_grade"]),
        "special_interest_ratio": _float(total["special_interest_ratio"]),
        "special_interest_grade": _text(total["special_interest_grade"]),
        "cash_level": _float(total["cash_level"]),
        "cash_grade": _text(total["cash_grade"]),
        "balance_date": debt.balance_date(state.year).isoformat(),
    }


def _subsidies(scope: Scope, state: DrillState) -> Figures:
    head = subsidies.summary(scope, state)
    categories = subsidies.by_category(scope, state).head(5)
    row = head.iloc[0] if not head.empty else None
    return {
        "n": int(row["n"]) if row is not None else 0,
        "amount": _money(row["amount"]) if row is not None else None,
        "amount_prev": _money(row["amount_prev"]) if row is not None else None,
        "recipients": int(row["recipients"]) if row is not None else 0,
        "categories": [
            {"name": str(r["category"]), "amount": _money(r["amount"]), "share": _float(r["share"])}
            for _, r in categories.iterrows()
        ],
    }


def _procurement(scope: Scope, state: DrillState) -> Figures:
    head = procurement.summary(scope, state)
    row = head.iloc[0] if not head.empty else None
    if row is None:
        return {"n": 0}
    return {
        "n": int(row["n"]),
        "budget": _money(row["budget"]),
        "contract": _money(row["contract"]),
        "contract_prev": _money(row["contract_prev"]),
        "saving_rate": _float(row["saving_rate"]),
        "sme_share": _float(row["sme_share"]),
        "single_source_share": _float(row["single_source_share"]),
    }


def _risk(scope: Scope, state: DrillState, now: dt.datetime) -> Figures:
    """Tickets in the region's subtree as they stand when the report is made: open by grade and by topic, overdue,
    closed, and those issued in the 30 days before."""
    tickets = monitor.ticket_list(scope, state)
    open_ = tickets[tickets["state"].isin(OPEN_STATES)]
    since = now - dt.timedelta(days=30)
    return {
        "total": len(tickets),
        "open": len(open_),
        "overdue": int(tickets["overdue"].sum()) if len(tickets) else 0,
        "closed": int((tickets["state"] == CLOSED).sum()),
        "new": int((pd.to_datetime(tickets["issued_at"]) >= since).sum()) if len(tickets) else 0,
        "by_grade": {str(g): int(n) for g, n in open_["grade"].value_counts().items()},
        "by_topic": {str(t): int(n) for t, n in open_["topic"].value_counts().items()},
        "closed_by_grade": {
            str(g): int(n) for g, n in tickets[tickets["state"] == CLOSED]["grade"].value_counts().items()
        },
    }


def _quality(scope: Scope, state: DrillState) -> Figures | None:
    """数据质量 of the quarter the report's month falls in (the scores the /quality page shows for it,
    `queries.quality`): the region's 总分 and dimensions, its children's, and the rules that failed most; None when
    the load scored nothing here."""
    quarter = str((state.last_month - 1) // 3 + 1)
    asked = replace(state, filters=(("quarter", quarter),))
    rows = quality.region_scores(scope, asked)
    if rows.empty or rows.iloc[0][OVERALL] is None:
        return None
    own = rows.iloc[0]
    rules = quality.rule_results(scope, asked)
    failing = rules[rules["failed"] > 0].sort_values(["failed", "code"], ascending=[False, True]).head(5)
    return {
        "period": quality.period_label(asked),
        "overall": float(own[OVERALL]),
        "dimensions": {d: (None if own[d] is None else float(own[d])) for d in DIMENSIONS},
        "checked": int(own["checked"] or 0),
        "failed": int(own["failed"] or 0),
        "children": [
            {"name": r["name"], "overall": None if r[OVERALL] is None else float(r[OVERALL])}
            for r in rows.iloc[1:].to_dict("records")
        ],
        "rules": [
            {"code": r["code"], "name": r["name"], "dimension": r["dimension"], "failed": int(r["failed"])}
            for r in failing.to_dict("records")
        ],
    }


def collect(scope: Scope, state: DrillState, *, now: dt.datetime | None = None) -> Figures:
    """The report's figures for `state` (January to its last month) within `scope`."""
    tree = region_tree()
    region = tree[state.region]
    version = current_data_version()
    now = now or dt.datetime.now().replace(microsecond=0)
    overall, ranking = _overall(scope, state)
    trend = cockpit.monthly_trend(scope, state)
    return {
        "meta": {
            "region": region.adcode,
            "region_name": region.name,
            "level": region.level,
            "year": state.year,
            "month": state.last_month,
            "first_month": state.first_month,
            "period_label": state.period_label,
            "unit": fmt.unit_for_level(region.level),
            "data_version": version.key,
            "load_id": version.load_id,
            "data_through": version.data_through.isoformat(),
            "generated_at": now.isoformat(sep=" "),
        },
        "overall": overall,
        "revenue": _revenue(scope, state),
        "spending": _spending(scope, state),
        "debt": _debt(scope, state),
        "subsidies": _subsidies(scope, state),
        "procurement": _procurement(scope, state),
        "risk": _risk(scope, state, now),
        "quality": _quality(scope, state),
        "ranking": ranking,
        "trend": [
            {
                "year": int(r["year"]),
                "month": int(r["month"]),
                "revenue": _money(r["revenue"]),
                "spending": _money(r["spending"]),
            }
            for _, r in trend.iterrows()
        ],
        "definitions": [
            {"key": m.key, "name": m.name, "definition": m.definition, "period_rule": m.period_rule}
            for m in metrics.metrics()
            if m.key in APPENDIX_KEYS
        ],
    }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return {"$d": str(value)}
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$d"}:
            return Decimal(value["$d"])
        return {k: _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return value


def encode(figures: Figures) -> str:
    """JSON of the figures, money kept exact (a Decimal is written as {"$d": "123.45"})."""
    return json.dumps(_plain(figures), ensure_ascii=False, sort_keys=True)


def decode(text: str) -> Figures:
    return _typed(json.loads(text))
