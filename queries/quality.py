"""数据质量 of a region: the scores the load computed (`quality_score`), per dimension and overall, of the region and
its children, by quarter; each rule's counts; the failing records (`quality_failure`) for the drill-through table.

The quarter comes from the page's `quarter` filter (1–4; unset: the whole year, stored as quarter 0); the rule
filter narrows the failing records to one rule. Scores are read as stored: computed once per load, with the
weights of the settings table at that time (dashboard.store.quality).
"""

from __future__ import annotations

import pandas as pd
import sqlalchemy as sa

from dashboard.core import quality as catalogue
from dashboard.core import settings
from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.memo import memoized
from dashboard.store.schema import quality_failure, quality_score
from dashboard.store.schema import region as region_table
from queries._filters import drill_region, fetch, in_region
from queries._paging import TableSource, table_source
from queries.regions import region_tree

ITEMS = (catalogue.OVERALL, *catalogue.DIMENSIONS)
QUARTERS = {"1": "一季度", "2": "二季度", "3": "三季度", "4": "四季度"}
RECORD_TABLES = {
    "payment": "国库集中支付",
    "budget_indicator": "预算指标",
    "subsidy_payout": "补贴发放",
    "procurement": "政府采购",
    "treasury_cash": "国库库款",
    "revenue": "一般公共预算收入",
}
FIELDS = {
    "recipient_id_number": "身份证号码",
    "bank_account": "银行账号",
    "payee_account": "收款人账号",
    "payee_name": "收款人名称",
    "account_name": "账户名",
    "amount": "金额",
    "func_item_code": "功能科目(款)",
    "doc_no": "指标文号",
    "project_id": "项目ID",
    "issue_date": "下达日期",
    "credit_code": "统一社会信用代码",
    "supplier_name": "供应商名称",
    "contract_date": "合同签订日期",
    "closing": "期末库款",
    "opening": "期初库款",
    "month": "月份",
    "submitted_at": "报送日期",
}
# value columns by how they are masked on screen: a failing record's value goes to the one its field needs
PERSONAL = {"recipient_id_number": "value_id", "bank_account": "value_account", "payee_account": "value_account"}
PERSONAL_NAMES = ("account_name",)


def quarter_of(state: DrillState) -> int:
    """The quarter the page shows: its `quarter` filter, 0 (the whole year) when unset."""
    value = state.filter("quarter")
    return int(value) if value in QUARTERS else 0


def period_label(state: DrillState) -> str:
    quarter = quarter_of(state)
    return f"{state.year}年" + (QUARTERS[str(quarter)] if quarter else "全年")


def _scores(codes: list[str], year: int | None, quarter: int | None, items: tuple[str, ...]) -> pd.DataFrame:
    q = quality_score.c
    where: list[sa.ColumnElement[bool]] = [q.region_code.in_(codes), q.item.in_(items)]
    if year is not None:
        where.append(q.year == year)
    if quarter is not None:
        where.append(q.quarter == quarter)
    statement = sa.select(q.region_code, q.year, q.quarter, q.item, q.score, q.checked, q.failed).where(*where)
    frame = fetch(statement)
    frame["score"] = [None if pd.isna(v) else float(v) for v in frame["score"]]
    return frame


def _wide(frame: pd.DataFrame, index: list[str]) -> pd.DataFrame:
    """One row per `index` with a score column per item and the records checked and failed of 总分."""
    if frame.empty:
        return pd.DataFrame(columns=[*index, *ITEMS, "checked", "failed"])
    scores = frame.pivot_table(index=index, columns="item", values="score", aggfunc="first", dropna=False)
    overall = frame[frame["item"] == catalogue.OVERALL].set_index(index)[["checked", "failed"]]
    out = scores.reindex(columns=list(ITEMS)).join(overall).reset_index()
    return out.astype(object).where(out.notna(), None)


@memoized
def region_scores(scope: Scope, state: DrillState) -> pd.DataFrame:
    """The drilled region first (`is_total`), then each child region, with its 总分 and dimension scores for the
    page's year and quarter; a child without records is listed with no scores."""
    region = drill_region(scope, state)
    columns = ["code", "name", "is_total", "is_own_level", *ITEMS, "checked", "failed"]
    if region is None:
        return pd.DataFrame(columns=columns)
    tree = region_tree()
    children = tree.children(region.adcode)
    codes = [region.adcode, *(c.adcode for c in children)]
    wide = _wide(_scores(codes, state.year, quarter_of(state), ITEMS), ["region_code"]).set_index("region_code")
    records = []
    for code in codes:
        row = wide.loc[code] if code in wide.index else None
        records.append(
            {
                "code": code,
                "name": tree.name(code),
                "is_total": code == region.adcode,
                "is_own_level": False,
                **{k: (None if row is None else row[k]) for k in (*ITEMS, "checked", "failed")},
            }
        )
    return pd.DataFrame(records, columns=columns)


@memoized
def trend(scope: Scope, state: DrillState) -> pd.DataFrame:
    """The drilled region's 总分 and dimension scores for every quarter of every year (year, quarter, items)."""
    region = drill_region(scope, state)
    if region is None:
        return pd.DataFrame(columns=["year", "quarter", *ITEMS])
    frame = _scores([region.adcode], None, None, ITEMS)
    frame = frame[frame["quarter"] > 0]
    return _wide(frame, ["year", "quarter"]).sort_values(["year", "quarter"], ignore_index=True)


@memoized
def rule_results(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Every rule with its dimension, name, definition, weight, and the drilled region's records checked, failed
    and score for the page's year and quarter (a rule that checked nothing has no score)."""
    region = drill_region(scope, state)
    codes = [r.code for r in catalogue.RULES]
    found = (
        _scores([region.adcode], state.year, quarter_of(state), tuple(codes)).set_index("item")
        if region is not None
        else pd.DataFrame(columns=["score", "checked", "failed"])
    )
    records = []
    for rule in catalogue.RULES:
        row = found.loc[rule.code] if rule.code in found.index else None
        records.append(
            {
                "code": rule.code,
                "dimension": rule.dimension,
                "name": rule.name,
                "definition": rule.definition,
                "weight": float(settings.get(catalogue.weight_setting(rule.code))),
                "checked": 0 if row is None else int(row["checked"]),
                "failed": 0 if row is None else int(row["failed"]),
                "score": None if row is None else row["score"],
            }
        )
    return pd.DataFrame(records)


def _case(column, mapping: dict[str, str], default) -> sa.ColumnElement:
    return sa.case(*((column == k, v) for k, v in mapping.items()), else_=default)


def _failure_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The failing records in the drilled region for the year (and quarter, and rule, when the page sets them)."""
    region = drill_region(scope, state)
    if region is None:
        return None
    f = quality_failure
    where = [*in_region(f, scope.column, scope.root, region.level, region.adcode), f.c.year == state.year]
    if quarter_of(state):
        where.append(f.c.quarter == quarter_of(state))
    rule = state.filter("rule")
    if rule is not None:
        where.append(f.c.rule == rule)
    unit = sa.func.coalesce(f.c.county_code, f.c.city_code, f.c.province_code)
    personal = f.c.field.in_([*PERSONAL, *PERSONAL_NAMES])

    def only(fields) -> sa.ColumnElement:
        return sa.case((f.c.field.in_(list(fields)), f.c.value), else_=sa.null())

    return (
        sa.select(
            f.c.id,
            f.c.rule,
            _case(f.c.rule, {r.code: r.name for r in catalogue.RULES}, f.c.rule).label("rule_name"),
            _case(f.c.rule, {r.code: r.dimension for r in catalogue.RULES}, "").label("dimension"),
            region_table.c.name.label("region_name"),
            (sa.cast(f.c.year, sa.String) + "Q" + sa.cast(f.c.quarter, sa.String)).label("period"),
            _case(f.c.record_table, RECORD_TABLES, f.c.record_table).label("record_table"),
            f.c.record_key,
            _case(f.c.field, FIELDS, f.c.field).label("field"),
            only(["recipient_id_number"]).label("value_id"),
            only(["bank_account", "payee_account"]).label("value_account"),
            only(PERSONAL_NAMES).label("value_name"),
            sa.case((personal, sa.null()), else_=f.c.value).label("value"),
            f.c.detail,
        )
        .select_from(f.join(region_table, region_table.c.adcode == unit))
        .where(*where)
    )


FAILURES = table_source(
    TableSource(
        "quality.failures",
        _failure_rows,
        (),
        {"rule": "text", "region_name": "text", "record_key": "text", "id": "int"},
        "id",
        default_descending=False,
    )
)
