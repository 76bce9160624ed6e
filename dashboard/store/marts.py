"""Marts: region × month × classification rollups that serve every chart, rebuilt from the facts after each load.

Rows are written in (year, month, region ancestry) order, so an engine that keeps min/max per block (DuckDB's zone
maps, ClickHouse's sparse index) skips the other year's blocks when a chart asks for one year.

Built with SQLAlchemy Core `INSERT … SELECT … GROUP BY`, so DuckDB, PostgreSQL and MySQL build them the same way.
The region ancestry columns are carried as they are, so a mart answers any drill level with one GROUP BY.
`MARTS` is the build order: a rollup of a mart (`_rollup`: the payment unit mart summed to agency, project or 款)
is built after the mart it sums. ARCHITECTURE.md ("The marts") says which page reads which.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.store import dialect
from dashboard.store.schema import (
    MARTS,
    budget_indicator,
    mart_indicator_unit_year,
    mart_indicator_year,
    mart_payment_agency_month,
    mart_payment_item_month,
    mart_payment_month,
    mart_payment_project_month,
    mart_payment_unit_month,
    mart_revenue_month,
    mart_subsidy_flag,
    mart_subsidy_month,
    mart_subsidy_recipient,
    payment,
    person_death,
    public_employee,
    revenue,
    subsidy_payout,
    subsidy_program,
)


def _year(col):
    return sa.cast(sa.extract("year", col), sa.Integer)


def _month(col):
    return sa.cast(sa.extract("month", col), sa.Integer)


def _ancestry(table):
    return [table.c.province_code, table.c.city_code, table.c.county_code]


def _payment_select() -> sa.Select:
    p, i = payment, budget_indicator
    keys = [
        _year(p.c.pay_date),
        _month(p.c.pay_date),
        *_ancestry(p),
        p.c.func_code,
        p.c.econ_code,
        p.c.pay_type,
        i.c.sanbao_type,
        i.c.direct_fund,
        i.c.transfer_program,
    ]
    return (
        sa.select(*keys, sa.func.sum(p.c.amount), sa.func.count())
        .select_from(p.join(i, i.c.id == p.c.indicator_id))
        .group_by(*keys)
        .order_by(*keys[:5])
    )


def _indicator_select() -> sa.Select:
    i = budget_indicator
    keys = [i.c.year, *_ancestry(i), i.c.func_code, i.c.econ_code, i.c.source, i.c.sanbao_type, i.c.direct_fund]
    return sa.select(*keys, sa.func.sum(i.c.amount), sa.func.count()).group_by(*keys).order_by(*keys[:4])


def _revenue_select() -> sa.Select:
    r = revenue
    keys = [_year(r.c.collect_date), _month(r.c.collect_date), *_ancestry(r), r.c.item_code]
    return sa.select(*keys, sa.func.sum(r.c.amount), sa.func.count()).group_by(*keys).order_by(*keys[:5])


def _payment_unit_select() -> sa.Select:
    """Paid per agency, project (of the indicator paid), 款 and month, with every filter of the spending page."""
    p, i = payment, budget_indicator
    keys = [
        _year(p.c.pay_date),
        _month(p.c.pay_date),
        *_ancestry(p),
        p.c.agency_id,
        i.c.project_id,
        i.c.year.label("indicator_year"),
        p.c.func_code,
        p.c.func_item_code,
        p.c.econ_code,
        p.c.pay_type,
        i.c.sanbao_type,
    ]
    return (
        sa.select(*keys, sa.func.sum(p.c.amount), sa.func.count())
        .select_from(p.outerjoin(i, i.c.id == p.c.indicator_id))  # a payment always counts
        .group_by(*keys)
        .order_by(*keys[:5])
    )


def _rollup(mart: sa.Table, keys: tuple[str, ...], *where: sa.ColumnElement[bool]) -> Callable[[], sa.Select]:
    """A coarser mart summed from the unit mart (built before it, `MARTS` order): fewer columns, fewer rows."""

    def select() -> sa.Select:
        u = mart_payment_unit_month
        columns = [u.c[k] for k in keys]
        return (
            sa.select(*columns, sa.func.sum(u.c.amount), sa.func.sum(u.c.n))
            .where(*where)
            .group_by(*columns)
            .order_by(*columns[:5])
        )

    return select


def _indicator_unit_select() -> sa.Select:
    """Budget per agency and month of issue (year × 12 + month, so 'issued by the period's end' is one test)."""
    i = budget_indicator
    issued = _year(i.c.issue_date) * 12 + _month(i.c.issue_date)
    keys = [
        i.c.year,
        issued,
        *_ancestry(i),
        i.c.agency_id,
        i.c.func_code,
        i.c.econ_code,
        i.c.sanbao_type,
        i.c.direct_fund,
        i.c.transfer_program,
    ]
    return sa.select(*keys, sa.func.sum(i.c.amount), sa.func.count()).group_by(*keys).order_by(*keys[:4])


def _subsidy_month_select() -> sa.Select:
    """Payouts (count and amount) per place, township, program and month."""
    s = subsidy_payout
    keys = [_year(s.c.pay_date), _month(s.c.pay_date), *_ancestry(s), s.c.township, s.c.category, s.c.program_id]
    return sa.select(*keys, sa.func.sum(s.c.amount), sa.func.count()).group_by(*keys).order_by(*keys[:5])


def _recipient_select() -> sa.Select:
    """Each recipient once per year, place, township and program, with the months paid as bits (bit m-1: month m),
    so 受益人数 of any months is COUNT(DISTINCT id) over the rows whose mask meets the period's."""
    s = subsidy_payout
    keys = [_year(s.c.pay_date), *_ancestry(s), s.c.township, s.c.category, s.c.program_id, s.c.recipient_id_number]
    return sa.select(*keys, sa.cast(dialect.bit_or(dialect.month_bit(_month(s.c.pay_date))), sa.Integer)).group_by(
        *keys
    )


def _unit(table: sa.Table) -> sa.ColumnElement:
    """The place a payout was made: its county, else city, else province."""
    return sa.func.coalesce(table.c.county_code, table.c.city_code, table.c.province_code)


def _flag_select() -> sa.CompoundSelect:
    """The auditors' subsidy checks over every payout, one row per (flag, payout), with what proves it:
    - duplicate_id: the same ID paid by the same program in the same month in two or more places (`counties`);
    - after_death: paid after the recipient's recorded death (`death_date`);
    - above_standard: more than the program's standard, the most one payout may be (`standard_amount`);
    - account_mismatch: paid into an account held in another name;
    - employee_dibao: 城乡居民最低生活保障 paid to a 财政供养人员.
    The twin of a duplicate may lie in another scope: it is counted here, and listed only where it is visible."""
    s, prog, death, employee = subsidy_payout, subsidy_program, person_death, public_employee
    record = [*s.columns, sa.func.coalesce(prog.c.name, "")]  # in mart_subsidy_flag's order
    none_int, none_date, none_money = (
        sa.cast(sa.null(), t) for t in (sa.SmallInteger, sa.Date, mart_subsidy_flag.c.amount.type)
    )
    payouts = s.outerjoin(prog, prog.c.id == s.c.program_id)  # a payout of an unknown program is still checked
    month = [_year(s.c.pay_date), _month(s.c.pay_date)]
    twins = (
        sa.select(
            s.c.recipient_id_number.label("rid"),
            s.c.program_id.label("pid"),
            *(m.label(n) for m, n in zip(month, ("y", "m"))),
            sa.func.count(sa.distinct(_unit(s))).label("places"),
        )
        .group_by(s.c.recipient_id_number, s.c.program_id, *month)
        .having(sa.func.count(sa.distinct(_unit(s))) >= 2)
        .subquery()
    )
    same_month = sa.and_(
        twins.c.rid == s.c.recipient_id_number,
        twins.c.pid == s.c.program_id,
        twins.c.y == month[0],
        twins.c.m == month[1],
    )
    return sa.union_all(
        sa.select(
            sa.literal("duplicate_id"), *record, sa.cast(twins.c.places, sa.SmallInteger), none_date, none_money
        ).select_from(payouts.join(twins, same_month)),
        sa.select(sa.literal("after_death"), *record, none_int, death.c.death_date, none_money)
        .select_from(payouts.join(death, death.c.id_number == s.c.recipient_id_number))
        .where(s.c.pay_date > death.c.death_date),
        sa.select(sa.literal("above_standard"), *record, none_int, none_date, prog.c.standard_amount)
        .select_from(payouts)
        .where(s.c.amount > prog.c.standard_amount),
        sa.select(sa.literal("account_mismatch"), *record, none_int, none_date, none_money)
        .select_from(payouts)
        .where(s.c.account_name != s.c.recipient_name),
        sa.select(sa.literal("employee_dibao"), *record, none_int, none_date, none_money)
        .select_from(payouts.join(employee, employee.c.id_number == s.c.recipient_id_number))
        .where(s.c.category == "城乡居民最低生活保障"),
    )


_SOURCES = {
    mart_payment_month: _payment_select,
    mart_indicator_year: _indicator_select,
    mart_revenue_month: _revenue_select,
    mart_payment_unit_month: _payment_unit_select,
    mart_payment_agency_month: _rollup(
        mart_payment_agency_month, ("year", "month", "province_code", "city_code", "county_code", "agency_id")
    ),
    mart_payment_project_month: _rollup(
        mart_payment_project_month,
        ("year", "month", "province_code", "city_code", "county_code", "project_id"),
        mart_payment_unit_month.c.project_id.is_not(None),
    ),
    mart_payment_item_month: _rollup(
        mart_payment_item_month,
        ("year", "month", "province_code", "city_code", "county_code", "func_code", "func_item_code"),
    ),
    mart_indicator_unit_year: _indicator_unit_select,
    mart_subsidy_month: _subsidy_month_select,
    mart_subsidy_recipient: _recipient_select,
    mart_subsidy_flag: _flag_select,
}


def rebuild_marts(conn: Connection, marts: tuple[sa.Table, ...] = MARTS) -> dict[str, int]:
    """Empty and refill the marts (every one unless told) from the facts; returns rows per mart."""
    counts = {}
    for mart in marts:
        dialect.empty(conn, mart)
        conn.execute(mart.insert().from_select([c.name for c in mart.columns], _SOURCES[mart]()))
        counts[mart.name] = conn.execute(sa.select(sa.func.count()).select_from(mart)).scalar_one()
    return counts
