"""What the warning rules measure over the finance store: one function per measure, SQLAlchemy Core, portable.

Every measure is per *unit* — the fiscal level that answers for the money: 省本级, 市本级 or a county, i.e.
`COALESCE(county_code, city_code, province_code)` of a fact row — as of the end of a month (`AsOf`). Ratio measures
return `num` and `den` rather than the ratio, so a region's figure over its subtree is "sums first, then the ratio"
(the health index adds the units up; the rules divide per unit). Record measures return the flagged rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.core import settings
from dashboard.core.periods import month_end
from dashboard.core.quality import DIMENSIONS, OVERALL
from dashboard.store.schema import (
    agency,
    bond,
    budget_indicator,
    debt_limit,
    mart_indicator_year,
    mart_payment_month,
    mart_revenue_month,
    mart_subsidy_flag,
    payment,
    procurement,
    quality_score,
)
from queries import metrics
from queries.metrics import Period

RATIO_COLUMNS = ["region", "num", "den"]


@dataclass(frozen=True)
class AsOf:
    """The month whose end the rules look from: year to date is months 1..month of `year`."""

    year: int
    month: int

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, 1, 1)

    @property
    def end(self) -> dt.date:
        return month_end(self.year, self.month)

    @property
    def time_progress(self) -> float:
        """序时进度 at the end of the month."""
        return self.month / 12

    @property
    def key(self) -> str:
        return f"{self.year}-{self.month:02d}"

    def previous_quarter_end(self) -> AsOf:
        """The last month of the quarter before this month's quarter (September for November, December before)."""
        month = 3 * ((self.month - 1) // 3)
        return AsOf(self.year, month) if month else AsOf(self.year - 1, 12)

    @classmethod
    def of(cls, day: dt.date) -> AsOf:
        return cls(day.year, day.month)


def unit_of(table: sa.Table) -> sa.ColumnElement:
    """The unit a fact row belongs to (本级 rows keep their own region's code)."""
    return sa.func.coalesce(table.c.county_code, table.c.city_code, table.c.province_code)


def _frame(conn: Connection, statement, columns: list[str]) -> pd.DataFrame:
    rows = conn.execute(statement).all()
    return pd.DataFrame([tuple(r) for r in rows], columns=columns)


def _sums(
    conn: Connection,
    table: sa.Table,
    amount: sa.ColumnElement,
    *where,
    label: str,
    region: sa.ColumnElement | None = None,
) -> pd.DataFrame:
    """region → SUM(amount) as float, over the rows matching `where`."""
    region = unit_of(table) if region is None else region
    frame = _frame(conn, sa.select(region, sa.func.sum(amount)).where(*where).group_by(region), ["region", label])
    frame[label] = frame[label].map(lambda v: float(v or 0))
    return frame


def _ratio(num: pd.DataFrame, den: pd.DataFrame) -> pd.DataFrame:
    """Units with a positive denominator, num 0 where they have none."""
    out = den.merge(num, on="region", how="left").fillna({"num": 0.0})
    return out[out["den"] > 0][RATIO_COLUMNS].reset_index(drop=True)


def _ytd(mart: sa.Table, as_of: AsOf) -> list:
    return [mart.c.year == as_of.year, mart.c.month <= as_of.month]


# -- spending ------------------------------------------------------------------------------------------------------


def metric(conn: Connection, key: str, as_of: AsOf, filters: dict[str, object] | None = None) -> pd.DataFrame:
    """region, num, den, value of metric `key` of `queries.metrics` per unit, January to the end of `as_of`
    (units with a positive denominator): the same sums and division every page shows."""
    return metrics_of(conn, (key,), as_of, filters)[key]


def metrics_of(
    conn: Connection, keys: tuple[str, ...], as_of: AsOf, filters: dict[str, object] | None = None
) -> dict[str, pd.DataFrame]:
    """`metric` for several keys from one pass of the metric layer (each table read once per window)."""
    frame = metrics.by_unit(conn, keys, Period(as_of.year, 1, as_of.month), filters)
    found = {}
    for key in keys:
        out = pd.DataFrame(
            {
                "region": frame["region"],
                "num": frame[f"{key}_num"].map(float),
                "den": frame[f"{key}_den"].map(float),
                "value": frame[key],
            }
        )
        found[key] = out[out["den"] > 0].reset_index(drop=True)
    return found


def execution(
    conn: Connection, as_of: AsOf, key: str = "execution", filters: dict[str, object] | None = None
) -> pd.DataFrame:
    """预算执行 (or a 三保 / 直达 variant `key`): payments of the year to date ÷ the year's budget indicators,
    narrowed by `filters` (an economic or functional class) when given."""
    return metric(conn, key, as_of, filters)


def department_execution(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Per unit and department (主管部门): payments of the year to date ÷ the year's indicators."""
    p, i, a = payment, budget_indicator, agency
    paid = _frame(
        conn,
        sa.select(unit_of(p), a.c.department, sa.func.sum(p.c.amount))
        .select_from(p.join(a, a.c.id == p.c.agency_id))
        .where(p.c.pay_date.between(as_of.start, as_of.end))
        .group_by(unit_of(p), a.c.department),
        ["region", "department", "num"],
    )
    budget = _frame(
        conn,
        sa.select(unit_of(i), a.c.department, sa.func.sum(i.c.amount))
        .select_from(i.join(a, a.c.id == i.c.agency_id))
        .where(i.c.year == as_of.year)
        .group_by(unit_of(i), a.c.department),
        ["region", "department", "den"],
    )
    out = budget.merge(paid, on=["region", "department"], how="left")
    out["num"] = out["num"].map(lambda v: 0.0 if v is None or pd.isna(v) else float(v))
    out["den"] = out["den"].map(float)
    return out[out["den"] > 0].reset_index(drop=True)


def wage_months_paid(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Units with 保工资 indicators this year: months of the year to date in which wages were paid (num) of all
    (den)."""
    p, b = mart_payment_month, mart_indicator_year
    units = _frame(
        conn,
        sa.select(unit_of(b)).where(b.c.year == as_of.year, b.c.sanbao_type == "保工资", b.c.amount > 0).distinct(),
        ["region"],
    )
    months = _frame(
        conn,
        sa.select(unit_of(p), sa.func.count(sa.distinct(p.c.month)))
        .where(*_ytd(p, as_of), p.c.sanbao_type == "保工资", p.c.amount > 0)
        .group_by(unit_of(p)),
        ["region", "num"],
    )
    out = units.merge(months, on="region", how="left").fillna({"num": 0})
    out["num"] = out["num"].astype(float)
    out["den"] = float(as_of.month)
    return out[RATIO_COLUMNS]


def year_end_share(conn: Connection, year: int) -> pd.DataFrame:
    """December's payments ÷ the whole year's (a complete year only)."""
    p = mart_payment_month
    december = _sums(conn, p, p.c.amount, p.c.year == year, p.c.month == 12, label="num")
    whole = _sums(conn, p, p.c.amount, p.c.year == year, label="den")
    return _ratio(december, whole)


# -- treasury cash and debt ------------------------------------------------------------------------------------------


def cash_levels(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """库款保障水平 (`queries.metrics`) of every unit for every month of the year to date, with a `month` column."""
    frames = [
        metric(conn, "cash_level", AsOf(as_of.year, month)).assign(month=month) for month in range(1, as_of.month + 1)
    ]
    return pd.concat(frames, ignore_index=True)


def _live_bonds(as_of: AsOf) -> list:
    """Bonds outstanding at the end of the month (issued by then, not yet matured)."""
    return [bond.c.issue_date <= as_of.end, bond.c.maturity_date > as_of.end]


def debt_ratio(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """债务率 (`queries.metrics`): debt at the end of the month ÷ a full year's 综合财力 (this year in December,
    else the last closed year)."""
    return metric(conn, "debt_ratio", as_of)


def interest_general(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """一般债务付息 ÷ 一般公共预算支出, year to date (`queries.metrics`)."""
    return metric(conn, "interest_general", as_of)


def interest_special(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """专项债务付息 ÷ 政府性基金预算支出, year to date (`queries.metrics`)."""
    return metric(conn, "interest_special", as_of)


def maturity_cover(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """到期债务偿还压力 (`queries.metrics`): debt maturing within 12 months of the month end ÷ that month-end's 库款."""
    return metric(conn, "maturity_cover", as_of)


def debt_over_limit(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Outstanding debt by kind (一般 / 专项) against the year's 限额: region, kind, num (debt), den (limit)."""
    debt = _frame(
        conn,
        sa.select(unit_of(bond), bond.c.kind, sa.func.sum(bond.c.principal))
        .where(*_live_bonds(as_of))
        .group_by(unit_of(bond), bond.c.kind),
        ["region", "kind", "num"],
    )
    limits = _frame(
        conn,
        sa.select(debt_limit.c.region_code, debt_limit.c.general_limit, debt_limit.c.special_limit).where(
            debt_limit.c.year == as_of.year
        ),
        ["region", "一般", "专项"],
    )
    limits = limits.melt(id_vars="region", var_name="kind", value_name="den")
    out = debt.merge(limits, on=["region", "kind"], how="left")
    out["num"] = out["num"].map(float)
    out["den"] = out["den"].map(lambda v: 0.0 if v is None or pd.isna(v) else float(v))
    return out


# -- 直达资金 -------------------------------------------------------------------------------------------------------


def direct_allocation(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """直达资金 分配进度 (`queries.metrics`, the figure /transfers shows): the unit's 直达 indicators issued to final
    payers by the month end ÷ the 直达 transfers it received year to date less those it passed down."""
    return metric(conn, "direct_allocate", as_of)


# -- revenue ------------------------------------------------------------------------------------------------------


def tax_share(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """税收 (101xx) ÷ 一般公共预算收入, year to date (`queries.metrics`)."""
    return metric(conn, "tax_share", as_of)


def self_sufficiency(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """一般公共预算收入 ÷ 一般公共预算支出, year to date (`queries.metrics`)."""
    return metric(conn, "self_sufficiency", as_of)


def revenue_growth(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """一般公共预算收入 of the year to date ÷ the same months last year (`queries.metrics`)."""
    return metric(conn, "revenue_growth", as_of)


def nontax_months(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Each unit's 非税收入 (103xx) by item and month of the year to date: region, item, month, amount."""
    r = mart_revenue_month
    frame = _frame(
        conn,
        sa.select(unit_of(r), r.c.item_code, r.c.month, sa.func.sum(r.c.amount))
        .where(*_ytd(r, as_of), r.c.item_code.like("103%"))
        .group_by(unit_of(r), r.c.item_code, r.c.month),
        ["region", "item", "month", "amount"],
    )
    frame["amount"] = frame["amount"].map(float)
    frame["month"] = frame["month"].astype(int)
    return frame


# -- procurement ----------------------------------------------------------------------------------------------------


def _year_of_procurement(as_of: AsOf) -> list:
    return [procurement.c.year == as_of.year, procurement.c.contract_date <= as_of.end]


def single_source(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """单一来源 budget ÷ all procurement budget of the year to date (`queries.metrics`)."""
    return metric(conn, "single_source", as_of)


def _procurement_columns() -> list:
    t = procurement
    return [
        unit_of(t).label("region"),
        t.c.id,
        t.c.plan_no,
        t.c.item_name,
        t.c.method,
        t.c.budget_amount,
        t.c.contract_amount,
        t.c.supplier_name,
        t.c.notice_date,
    ]


PROCUREMENT_COLUMNS = [
    "region",
    "id",
    "plan_no",
    "item_name",
    "method",
    "budget_amount",
    "contract_amount",
    "supplier_name",
    "notice_date",
]


def procurement_high_ratio(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Contracts at or above CONTRACT_RATIO_FLAG of their budget."""
    t = procurement
    flag = sa.literal(Decimal(str(settings.get("CONTRACT_RATIO_FLAG"))), sa.Numeric(8, 4))
    return _frame(
        conn,
        sa.select(*_procurement_columns())
        .where(*_year_of_procurement(as_of), t.c.contract_amount >= t.c.budget_amount * flag)
        .order_by(t.c.id),
        PROCUREMENT_COLUMNS,
    )


def procurement_split(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Purchases split to stay under the 公开招标 threshold: goods or services bought without a tender by one agency
    from one supplier, each within SPLIT_BAND below the threshold, within SPLIT_WINDOW_DAYS of each other, together
    reaching the threshold. Returns the rows of every such group with a `group` number."""
    t = procurement
    band = Decimal(str(settings.get("SPLIT_BAND")))
    province_level = sa.and_(t.c.city_code.is_(None), t.c.county_code.is_(None))
    threshold = sa.case(
        (province_level, Decimal(settings.get("TENDER_THRESHOLD_PROVINCE"))),
        else_=Decimal(settings.get("TENDER_THRESHOLD_LOCAL")),
    )
    rows = _frame(
        conn,
        sa.select(*_procurement_columns(), t.c.agency_id, t.c.supplier_id, t.c.category, threshold.label("threshold"))
        .where(
            *_year_of_procurement(as_of),
            t.c.category != "工程",
            t.c.method != "公开招标",
            t.c.budget_amount >= threshold * band,
            t.c.budget_amount < threshold,
        )
        .order_by(t.c.agency_id, t.c.supplier_id, t.c.category, t.c.notice_date, t.c.id),
        [*PROCUREMENT_COLUMNS, "agency_id", "supplier_id", "category", "threshold"],
    )
    if rows.empty:
        return rows.assign(group=pd.Series(dtype=int))
    window = pd.Timedelta(days=settings.get("SPLIT_WINDOW_DAYS"))
    dates = pd.to_datetime(rows["notice_date"])
    same = rows[["agency_id", "supplier_id", "category"]].eq(rows[["agency_id", "supplier_id", "category"]].shift())
    rows["group"] = (~(same.all(axis=1) & (dates.diff() <= window))).cumsum()
    totals = rows.groupby("group").agg(n=("id", "size"), total=("budget_amount", "sum"), threshold=("threshold", "max"))
    flagged = totals[(totals["n"] >= 2) & (totals["total"] >= totals["threshold"])].index
    return rows[rows["group"].isin(flagged)].reset_index(drop=True)


# -- subsidies (惠民惠农补贴) ------------------------------------------------------------------------------------------

PAYOUT_COLUMNS = ["region", "id", "recipient_id_number", "recipient_name", "category", "amount", "pay_date"]


def _payout_columns(s: sa.Table) -> list:
    return [
        unit_of(s).label("region"),
        s.c.id,
        s.c.recipient_id_number,
        s.c.recipient_name,
        s.c.category,
        s.c.amount,
        s.c.pay_date,
    ]


def _flagged_payouts(conn: Connection, as_of: AsOf, flag: str) -> pd.DataFrame:
    """The year's payouts that check `flag` caught: the checks are decided once per load in `mart_subsidy_flag`
    (their definitions are there), so the rules and the /subsidies lists always agree."""
    f = mart_subsidy_flag
    return _frame(
        conn,
        sa.select(*_payout_columns(f))
        .where(f.c.flag == flag, f.c.pay_date.between(as_of.start, as_of.end))
        .order_by(f.c.id),
        PAYOUT_COLUMNS,
    )


def subsidy_duplicates(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Payouts of one ID number in two or more places for the same program and month (every place involved)."""
    return _flagged_payouts(conn, as_of, "duplicate_id")


def subsidy_after_death(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Payouts dated after the recipient's recorded death."""
    return _flagged_payouts(conn, as_of, "after_death")


def subsidy_above_standard(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Payouts above their program's standard (the most one payout may be)."""
    return _flagged_payouts(conn, as_of, "above_standard")


def subsidy_account_mismatch(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Payouts to a bank account held in another person's name."""
    return _flagged_payouts(conn, as_of, "account_mismatch")


def subsidy_employee_dibao(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """城乡居民最低生活保障 payouts to 财政供养人员 (public employees)."""
    return _flagged_payouts(conn, as_of, "employee_dibao")


# -- payments -------------------------------------------------------------------------------------------------------

PAYMENT_COLUMNS = ["region", "id", "voucher_no", "pay_date", "amount", "func_code", "econ_code"]


def weekend_payments(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Payments dated on a Saturday or Sunday (day of week 6 or 0 in both DuckDB and PostgreSQL)."""
    p = payment
    return _frame(
        conn,
        sa.select(unit_of(p), p.c.id, p.c.voucher_no, p.c.pay_date, p.c.amount, p.c.func_code, p.c.econ_code)
        .where(p.c.pay_date.between(as_of.start, as_of.end), sa.extract("dow", p.c.pay_date).in_([0, 6]))
        .order_by(p.c.id),
        PAYMENT_COLUMNS,
    )


def payments_over_indicator(conn: Connection, as_of: AsOf) -> pd.DataFrame:
    """Indicators of the year paid beyond their amount: region, id, doc_no, amount (indicator), paid."""
    p, i = payment, budget_indicator
    paid = (
        sa.select(p.c.indicator_id, sa.func.sum(p.c.amount).label("paid"))
        .where(p.c.pay_date <= as_of.end)
        .group_by(p.c.indicator_id)
        .subquery()
    )
    return _frame(
        conn,
        sa.select(unit_of(i), i.c.id, i.c.doc_no, i.c.amount, paid.c.paid)
        .select_from(i.join(paid, paid.c.indicator_id == i.c.id))
        .where(i.c.year == as_of.year, paid.c.paid > i.c.amount)
        .order_by(i.c.id),
        ["region", "id", "doc_no", "amount", "paid"],
    )


def quality_scores(conn: Connection, year: int) -> pd.DataFrame:
    """数据质量 of each county for `year`, as the load scored it (`quality_score`, quarter 0): region, level, item
    (总分 and each dimension), score, checked, failed. Counties only: a warning's region is a fiscal unit, and a
    city's score covers its whole area, not its 市本级 (the risk map shows a city at its worst county)."""
    q = quality_score.c
    rows = conn.execute(
        sa.select(q.region_code, q.level, q.item, q.score, q.checked, q.failed).where(
            q.year == year, q.quarter == 0, q.level == "county", q.item.in_([OVERALL, *DIMENSIONS])
        )
    ).all()
    return pd.DataFrame(rows, columns=["region", "level", "item", "score", "checked", "failed"])
