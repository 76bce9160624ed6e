"""Data-quality scoring, run in the engine after every load or import on the version being published.

Each rule of `dashboard.core.quality.RULES` is one SQLAlchemy Core select over the facts (DuckDB and PostgreSQL
alike): its *population*, one row per record it checks, with the record's region ancestry, year and quarter and a
`failed` flag (plus what a reader needs to find the record). From the populations the build writes
- `quality_stat`: per rule, unit and quarter, records checked and failed;
- `quality_failure`: every failing record;
- `quality_score`: scores 0–100 per province, city and county, per quarter (0: the whole year), per rule, per
  dimension and overall (总分), with the weights of the settings table at load time (see dashboard.core.quality).
All three carry the load id they judged, so the scores are kept with their data version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core import quality as catalogue
from dashboard.core import settings
from dashboard.store import dialect
from dashboard.store.schema import (
    QUALITY,
    budget_indicator,
    mart_payment_month,
    mart_revenue_month,
    payment,
    procurement,
    quality_failure,
    quality_score,
    quality_stat,
    report_submission,
    subsidy_payout,
    subsidy_program,
    supplier,
    treasury_cash,
)

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
QUARTER_OF_MONTH = ((3, 1), (6, 2), (9, 3))


def _int(expr) -> sa.ColumnElement:
    return sa.cast(expr, sa.Integer)


def _text(expr) -> sa.ColumnElement:
    return sa.cast(expr, sa.String)


def _quarter_of(month) -> sa.ColumnElement:
    return sa.case(*((month <= m, q) for m, q in QUARTER_OF_MONTH), else_=4)


class _Ctx:
    """What every rule's select needs: the data date (records dated after it are counted in its quarter)."""

    def __init__(self, through: dt.date) -> None:
        self.through = sa.literal(through, sa.Date)

    def when(self, date_col) -> tuple[sa.ColumnElement, sa.ColumnElement]:
        clipped = sa.func.least(date_col, self.through)
        return _int(sa.extract("year", clipped)), _int(sa.extract("quarter", clipped))


@dataclass(frozen=True)
class _Check:
    """One rule over one source: the records of `table` (where `where` holds) with their region ancestry (`anc`),
    year and quarter (`when`), whether each fails, and what identifies a failing record to a reader."""

    table: sa.FromClause
    anc: Any
    when: tuple[sa.ColumnElement, sa.ColumnElement]
    failed: sa.ColumnElement[bool]
    record_table: str | sa.ColumnElement
    key: Any
    field: str
    value: Any
    detail: Any
    where: sa.ColumnElement[bool] | None = None

    def columns(self) -> list[sa.ColumnElement]:
        return [self.anc.province_code, self.anc.city_code, self.anc.county_code, *self.when]

    def fails(self) -> sa.ColumnElement[bool]:
        return self.failed if self.where is None else sa.and_(self.where, self.failed)

    def what(self) -> list[sa.ColumnElement]:
        """record_table, record_key, value, detail of a failing record, as text."""
        table = sa.literal(self.record_table) if isinstance(self.record_table, str) else self.record_table
        return [_text(table), _text(self.key), _text(self.value), _text(self.detail)]

    def select(self) -> sa.Select:
        """The rule's population alone, one row per record checked (for reading and testing one rule)."""
        names = ("province_code", "city_code", "county_code", "year", "quarter")
        select = sa.select(
            *(c.label(n) for c, n in zip(self.columns(), names)),
            sa.case((self.failed, 1), else_=0).label("failed"),
            *(c.label(n) for c, n in zip(self.what(), ("record_table", "record_key", "value", "detail"))),
        ).select_from(self.table)
        return select.where(self.where) if self.where is not None else select


_population = _Check


def _blank(col) -> sa.ColumnElement[bool]:
    return sa.or_(col.is_(None), sa.func.trim(col) == "")


def _id_check_ok(col) -> sa.ColumnElement[bool]:
    """The 18th character of an ID number is the GB 11643 check code of the first 17 (digits by their code)."""
    total = sum((sa.func.ascii(sa.func.substr(col, i + 1, 1)) - 48) * w for i, w in enumerate(ID_WEIGHTS))
    check = sa.func.substr(sa.literal(ID_CHECK), (total % 11) + 1, 1)
    return sa.and_(dialect.matches(col, "^[0-9]{17}[0-9Xx]$"), sa.func.upper(sa.func.substr(col, 18, 1)) == check)


def _payout_rules(ctx: _Ctx) -> dict[str, _Check]:
    s = subsidy_payout.c
    when = ctx.when(s.pay_date)
    rid = s.recipient_id_number
    birth = "^(19|20)[0-9]{2}(0[1-9]|1[0-2])(0[1-9]|[12][0-9]|3[01])$"
    prog = subsidy_payout.outerjoin(subsidy_program, subsidy_program.c.id == s.program_id)
    return {
        "G01": _population(
            prog,
            s,
            when,
            sa.not_(_id_check_ok(rid)),
            "subsidy_payout",
            s.id,
            "recipient_id_number",
            rid,
            "校验位不符",
        ),
        "G02": _population(
            prog,
            s,
            when,
            sa.not_(dialect.matches(sa.func.substr(rid, 7, 8), birth)),
            "subsidy_payout",
            s.id,
            "recipient_id_number",
            rid,
            "出生日期无效",
        ),
        "G04": _population(
            prog,
            s,
            when,
            sa.not_(dialect.matches(s.bank_account, "^[0-9]{16,19}$")),
            "subsidy_payout",
            s.id,
            "bank_account",
            s.bank_account,
            "卡号 " + _text(sa.func.length(s.bank_account)) + " 位",
        ),
        "A04": _population(
            prog,
            s,
            when,
            s.amount > subsidy_program.c.standard_amount,
            "subsidy_payout",
            s.id,
            "amount",
            s.amount,
            "标准 " + _text(subsidy_program.c.standard_amount) + " 元",
        ),
        "A05": _population(
            prog,
            s,
            when,
            s.account_name != s.recipient_name,
            "subsidy_payout",
            s.id,
            "account_name",
            s.account_name,
            "户名与收款人姓名不一致",
        ),
    }


def _payment_rules(ctx: _Ctx) -> dict[str, _Check]:
    p, i = payment.c, budget_indicator.c
    when = ctx.when(p.pay_date)
    with_indicator = payment.join(budget_indicator, i.id == p.indicator_id)
    return {
        "G03": _population(
            with_indicator,
            p,
            when,
            sa.not_(dialect.matches(p.payee_account, "^[0-9]{8,30}$")),
            "payment",
            p.voucher_no,
            "payee_account",
            p.payee_account,
            "账号 " + _text(sa.func.length(p.payee_account)) + " 位",
            where=sa.not_(_blank(p.payee_account)),
        ),
        "G06": _population(
            with_indicator, p, when, p.amount <= 0, "payment", p.voucher_no, "amount", p.amount, "金额不为正"
        ),
        "C01": _population(
            with_indicator,
            p,
            when,
            _blank(p.payee_name),
            "payment",
            p.voucher_no,
            "payee_name",
            p.payee_name,
            "收款人名称为空",
        ),
        "C02": _population(
            with_indicator,
            p,
            when,
            _blank(p.payee_account),
            "payment",
            p.voucher_no,
            "payee_account",
            p.payee_account,
            "收款账号为空",
        ),
        "A06": _population(
            with_indicator,
            p,
            when,
            p.func_item_code != i.func_item_code,
            "payment",
            p.voucher_no,
            "func_item_code",
            p.func_item_code,
            "指标科目 " + i.func_item_code,
        ),
    }


def _indicator_rules(ctx: _Ctx) -> dict[str, _Check]:
    i, p = budget_indicator.c, payment.c
    issued = _int(sa.extract("year", i.issue_date))
    quarter = sa.case((issued < i.year, 1), (issued > i.year, 4), else_=_int(sa.extract("quarter", i.issue_date)))
    when = (_int(i.year), _int(quarter))  # an indicator counts in its budget year
    paid = (
        sa.select(p.indicator_id, sa.func.min(p.pay_date).label("first"), sa.func.sum(p.amount).label("paid"))
        .group_by(p.indicator_id)
        .subquery()
    )
    with_paid = budget_indicator.outerjoin(paid, paid.c.indicator_id == i.id)
    gap = settings.get("QUALITY_PAY_GAP_DAYS")
    return {
        "G07": _population(
            with_paid,
            i,
            when,
            sa.not_(dialect.matches(i.doc_no, "^.+〔[0-9]{4}〕[0-9]+号$")),
            "budget_indicator",
            i.id,
            "doc_no",
            i.doc_no,
            "文号格式不规范",
            where=sa.not_(_blank(i.doc_no)),
        ),
        "C03": _population(
            with_paid, i, when, _blank(i.doc_no), "budget_indicator", i.id, "doc_no", i.doc_no, "文号为空"
        ),
        "C04": _population(
            with_paid,
            i,
            when,
            i.project_id.is_(None),
            "budget_indicator",
            i.id,
            "project_id",
            i.project_id,
            "项目支出未关联项目",
            where=i.expense_kind == "项目支出",
        ),
        "T02": _population(
            with_paid,
            i,
            when,
            i.issue_date > ctx.through,
            "budget_indicator",
            i.id,
            "issue_date",
            i.issue_date,
            "晚于数据截至日",
        ),
        "T03": _population(
            with_paid,
            i,
            when,
            (paid.c.first - i.issue_date) > gap,
            "budget_indicator",
            i.id,
            "issue_date",
            i.issue_date,
            "首笔支付 " + _text(paid.c.first),
            where=paid.c.first.is_not(None),
        ),
        "A01": _population(
            with_paid,
            i,
            when,
            paid.c.paid > i.amount,
            "budget_indicator",
            i.id,
            "amount",
            i.amount,
            "已支付 " + _text(paid.c.paid) + " 元",
            where=paid.c.paid.is_not(None),
        ),
    }


def _procurement_rules(ctx: _Ctx) -> dict[str, _Check]:
    r = procurement.c
    when = ctx.when(r.contract_date)
    with_supplier = procurement.outerjoin(supplier, supplier.c.id == r.supplier_id)
    credit = supplier.c.credit_code
    days = settings.get("QUALITY_CONTRACT_GAP_DAYS")
    return {
        "G05": _population(
            with_supplier,
            r,
            when,
            sa.or_(credit.is_(None), sa.not_(dialect.matches(credit, "^[0-9A-HJ-NPQRTUWXY]{18}$"))),
            "procurement",
            r.plan_no,
            "credit_code",
            credit,
            "供应商 " + r.supplier_name,
        ),
        "C06": _population(
            with_supplier,
            r,
            when,
            _blank(r.supplier_name),
            "procurement",
            r.plan_no,
            "supplier_name",
            r.supplier_name,
            "供应商名称为空",
        ),
        "T04": _population(
            with_supplier,
            r,
            when,
            r.contract_date < r.notice_date,
            "procurement",
            r.plan_no,
            "contract_date",
            r.contract_date,
            "公告日期 " + _text(r.notice_date),
        ),
        "T05": _population(
            with_supplier,
            r,
            when,
            dialect.days_between(r.contract_date, r.notice_date) > days,
            "procurement",
            r.plan_no,
            "contract_date",
            r.contract_date,
            "公告日期 " + _text(r.notice_date),
        ),
    }


def _month_key(region, year, month) -> sa.ColumnElement:
    return region + "·" + _text(year) + "-" + sa.case((month < 10, "0"), else_="") + _text(month)


def _treasury_rules(ctx: _Ctx) -> dict[str, _Check]:
    t = treasury_cash.c
    prev = treasury_cash.alias("prev")
    when = (_int(t.year), _int(_quarter_of(t.month)))
    key = _month_key(t.region_code, t.year, t.month)
    previous = sa.and_(
        prev.c.region_code == t.region_code,
        _int(prev.c.year) * 12 + prev.c.month == _int(t.year) * 12 + t.month - 1,
    )
    with_prev = treasury_cash.outerjoin(prev, previous)
    return {
        "A02": _population(
            with_prev,
            t,
            when,
            t.closing != t.opening + t.inflow - t.outflow,
            "treasury_cash",
            key,
            "closing",
            t.closing,
            "应为 " + _text(t.opening + t.inflow - t.outflow),
        ),
        "A03": _population(
            with_prev,
            t,
            when,
            t.opening != prev.c.closing,
            "treasury_cash",
            key,
            "opening",
            t.opening,
            "上月期末 " + _text(prev.c.closing),
            where=prev.c.region_code.is_not(None),
        ),
    }


def _missing_months(ctx: _Ctx) -> _Check:
    """C05: every unit × month of a year in which the unit has rows of the table, up to the last month anyone has."""
    through = ctx.through
    parts = []
    for name, table in (
        ("payment", mart_payment_month),
        ("revenue", mart_revenue_month),
        ("treasury_cash", treasury_cash),
    ):
        anc = [table.c.province_code, table.c.city_code, table.c.county_code]
        present = sa.select(*anc, table.c.year.label("y"), table.c.month.label("m")).distinct().subquery()
        units = (
            sa.select(present.c.province_code, present.c.city_code, present.c.county_code, present.c.y)
            .distinct()
            .subquery()
        )
        last = _int(sa.extract("year", through)) * 100 + _int(sa.extract("month", through))
        months = (
            sa.select(present.c.y, present.c.m)
            .where(_int(present.c.y) * 100 + present.c.m <= last)
            .distinct()
            .subquery()
        )
        found = present.alias()
        grid = units.join(months, months.c.y == units.c.y).outerjoin(
            found,
            sa.and_(
                found.c.province_code == units.c.province_code,
                found.c.city_code.is_not_distinct_from(units.c.city_code),
                found.c.county_code.is_not_distinct_from(units.c.county_code),
                found.c.y == months.c.y,
                found.c.m == months.c.m,
            ),
        )
        unit = sa.func.coalesce(units.c.county_code, units.c.city_code, units.c.province_code)
        parts.append(
            sa.select(
                units.c.province_code,
                units.c.city_code,
                units.c.county_code,
                _int(months.c.y).label("year"),
                _int(_quarter_of(months.c.m)).label("quarter"),
                sa.literal(name).label("record_table"),
                _month_key(unit, months.c.y, months.c.m).label("record_key"),
                _int(months.c.m).label("month"),
                sa.case((found.c.y.is_(None), 1), else_=0).label("missing"),
            ).select_from(grid)
        )
    grid_rows = sa.union_all(*parts).subquery("months_grid")
    g = grid_rows.c
    return _Check(
        grid_rows, g, (g.year, g.quarter), g.missing == 1, g.record_table, g.record_key, "month", g.month, "本月无数据"
    )


def _late_reports(ctx: _Ctx) -> _Check:
    """T01: a month reported after the deadline day of the next month."""
    r = report_submission.c
    lateness = (
        _int(sa.extract("year", r.submitted_at)) * 12
        + _int(sa.extract("month", r.submitted_at))
        - (_int(r.year) * 12 + r.month)
    )
    deadline = settings.get("QUALITY_REPORT_DEADLINE_DAY")
    late = sa.or_(lateness > 1, sa.and_(lateness == 1, _int(sa.extract("day", r.submitted_at)) > deadline))
    return _population(
        report_submission,
        r,
        (_int(r.year), _int(_quarter_of(r.month))),
        late,
        r.table_name,
        _month_key(r.region_code, r.year, r.month),
        "submitted_at",
        r.submitted_at,
        "报送日期晚于截止日",
    )


def checks(through: dt.date) -> dict[str, _Check]:
    """Every rule's check, by rule code, for a store whose data end at `through`."""
    ctx = _Ctx(through)
    rules: dict[str, _Check] = {}
    builders: tuple[Callable[[_Ctx], dict[str, _Check]], ...] = (
        _payout_rules,
        _payment_rules,
        _indicator_rules,
        _procurement_rules,
        _treasury_rules,
    )
    for build in builders:
        rules |= build(ctx)
    rules["C05"] = _missing_months(ctx)
    rules["T01"] = _late_reports(ctx)
    return {r.code: rules[r.code] for r in catalogue.RULES}


def populations(through: dt.date) -> dict[str, sa.Select]:
    """Every rule's population select alone (one row per record checked, `failed` 0 or 1), by rule code."""
    return {code: check.select() for code, check in checks(through).items()}


def _scratch(conn: Connection, name: str, select: sa.Select) -> sa.Table:
    """A temporary table holding `select`'s rows."""
    table = sa.Table(
        name,
        sa.MetaData(),
        *(sa.Column(c.name, c.type) for c in select.selected_columns),
        prefixes=["TEMPORARY"],
    )
    dialect.create_scratch(conn, table)
    conn.execute(table.insert().from_select([c.name for c in select.selected_columns], select))
    return table


_ORDER = {r.code: n + 1 for n, r in enumerate(catalogue.RULES)}
_STAT_COLUMNS = ("province_code", "city_code", "county_code", "year", "quarter")


def _check_source(conn: Connection, load_id: int, group: list[tuple[str, _Check]]) -> None:
    """The rules over one source in two scans: counts per unit and quarter, then the failing records."""
    first = group[0][1]
    where_cols = [c.label(n) for c, n in zip(first.columns(), _STAT_COLUMNS)]
    counted = []
    for code, check in group:
        checked = sa.case((check.where, 1), else_=0) if check.where is not None else sa.literal(1)
        counted += [
            sa.func.sum(checked).label(f"c_{code}"),
            sa.func.sum(sa.case((check.fails(), 1), else_=0)).label(f"f_{code}"),
        ]
    agg = _scratch(
        conn, "_quality_agg", sa.select(*where_cols, *counted).select_from(first.table).group_by(*first.columns())
    )
    flagged_cols = []
    for code, check in group:
        flagged_cols.append(sa.case((check.fails(), 1), else_=0).label(f"f_{code}"))
        flagged_cols += [c.label(f"{n}_{code}") for c, n in zip(check.what(), ("t", "k", "v", "d"))]
    flagged = _scratch(
        conn,
        "_quality_flagged",
        sa.select(*where_cols, *flagged_cols)
        .select_from(first.table)
        .where(sa.or_(*(check.fails() for _code, check in group))),
    )
    stat_keys = [agg.c[n] for n in _STAT_COLUMNS]
    flag_keys = [flagged.c[n] for n in _STAT_COLUMNS]
    for code, check in group:
        conn.execute(
            quality_stat.insert().from_select(
                ["load_id", "rule", *_STAT_COLUMNS, "checked", "failed"],
                sa.select(
                    sa.literal(load_id), sa.literal(code), *stat_keys, agg.c[f"c_{code}"], agg.c[f"f_{code}"]
                ).where(agg.c[f"c_{code}"] > 0),
            )
        )
        conn.execute(
            quality_failure.insert().from_select(
                ["id", "load_id", "rule", *_STAT_COLUMNS, "record_table", "record_key", "field", "value", "detail"],
                sa.select(
                    sa.func.row_number().over(order_by=(flagged.c[f"k_{code}"], flagged.c[f"t_{code}"]))
                    + _ORDER[code] * 10**10,
                    sa.literal(load_id),
                    sa.literal(code),
                    *flag_keys,
                    flagged.c[f"t_{code}"],
                    flagged.c[f"k_{code}"],
                    sa.literal(check.field),
                    flagged.c[f"v_{code}"],
                    flagged.c[f"d_{code}"],
                ).where(flagged.c[f"f_{code}"] == 1),
            )
        )
    agg.drop(conn)
    flagged.drop(conn)


def _weight(item) -> sa.ColumnElement:
    return sa.case(
        *((item == r.code, float(settings.get(catalogue.weight_setting(r.code)))) for r in catalogue.RULES),
        else_=0.0,
    )


def _dimension(item) -> sa.ColumnElement:
    return sa.case(*((item == r.code, r.dimension) for r in catalogue.RULES), else_="")


def _score_rules(conn: Connection, load_id: int) -> None:
    """Rule rows of quality_score: each level's regions, each quarter and the year (quarter 0)."""
    st = quality_stat.c
    zero_rate = float(settings.get("QUALITY_ZERO_RATE"))
    for level, column in (("province", st.province_code), ("city", st.city_code), ("county", st.county_code)):
        for by_quarter in (True, False):
            quarter = st.quarter if by_quarter else sa.literal(0)
            checked, failed = sa.func.sum(st.checked), sa.func.sum(st.failed)
            rate = sa.cast(failed, sa.Float) / sa.func.nullif(sa.cast(checked, sa.Float), 0.0)
            score = 100.0 * (1.0 - sa.func.least(1.0, rate / zero_rate))
            keys = [column, st.year, st.rule] + ([st.quarter] if by_quarter else [])
            select = (
                sa.select(
                    sa.literal(load_id),
                    sa.literal(level),
                    column,
                    st.year,
                    quarter,
                    st.rule,
                    sa.cast(sa.func.round(sa.cast(score, sa.Numeric(12, 6)), 2), sa.Numeric(6, 2)),
                    checked,
                    failed,
                )
                .where(column.is_not(None))
                .group_by(*keys)
            )
            conn.execute(
                quality_score.insert().from_select(
                    ["load_id", "level", "region_code", "year", "quarter", "item", "score", "checked", "failed"],
                    select,
                )
            )


def _score_rollups(conn: Connection, load_id: int) -> None:
    """Dimension and 总分 rows: the weighted mean of the rule scores that checked something."""
    q = quality_score.c
    rule_rows = sa.select(quality_score).where(q.item.in_([r.code for r in catalogue.RULES])).subquery()
    weight = _weight(rule_rows.c.item)
    weighted = sa.func.sum(sa.case((rule_rows.c.score.is_not(None), weight * rule_rows.c.score), else_=None))
    weights = sa.func.sum(sa.case((rule_rows.c.score.is_not(None), weight), else_=None))
    value = sa.cast(
        sa.func.round(sa.cast(weighted / sa.func.nullif(weights, 0.0), sa.Numeric(12, 6)), 2), sa.Numeric(6, 2)
    )
    keys = [rule_rows.c.level, rule_rows.c.region_code, rule_rows.c.year, rule_rows.c.quarter]
    columns = ["load_id", "level", "region_code", "year", "quarter", "item", "score", "checked", "failed"]
    counts = [sa.func.sum(rule_rows.c.checked), sa.func.sum(rule_rows.c.failed)]
    dimension = _dimension(rule_rows.c.item)
    by_dimension = sa.select(sa.literal(load_id), *keys, dimension, value, *counts).group_by(*keys, dimension)
    overall = sa.select(sa.literal(load_id), *keys, sa.literal(catalogue.OVERALL), value, *counts).group_by(*keys)
    conn.execute(quality_score.insert().from_select(columns, by_dimension))
    conn.execute(quality_score.insert().from_select(columns, overall))


def rebuild_quality(conn: Connection, load_id: int, through: dt.date) -> dict[str, int]:
    """Empty and refill the quality tables for the load being published; returns failures per rule."""
    for table in QUALITY:
        dialect.empty(conn, table)
    sources: dict[int, list[tuple[str, _Check]]] = {}
    for code, check in checks(through).items():
        sources.setdefault(id(check.table), []).append((code, check))
    for group in sources.values():
        _check_source(conn, load_id, group)
    _score_rules(conn, load_id)
    _score_rollups(conn, load_id)
    q = quality_failure.c
    counts: dict[str, int] = dict(conn.execute(sa.select(q.rule, sa.func.count()).group_by(q.rule)).all())
    return {r.code: int(counts.get(r.code, 0)) for r in catalogue.RULES}
