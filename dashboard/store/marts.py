"""Marts: region × month × classification rollups that serve every chart, rebuilt from the facts after each load.

Built with SQLAlchemy Core `INSERT … SELECT … GROUP BY`, so DuckDB, PostgreSQL and MySQL build them the same way.
The region ancestry columns are carried as they are, so a mart answers any drill level with one GROUP BY.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from dashboard.store.schema import (
    MARTS,
    budget_indicator,
    mart_indicator_year,
    mart_payment_month,
    mart_revenue_month,
    payment,
    revenue,
)


def _year(col):
    return sa.cast(sa.extract("year", col), sa.Integer)


def _month(col):
    return sa.cast(sa.extract("month", col), sa.Integer)


def _ancestry(table):
    return [table.c.province_code, table.c.city_code, table.c.county_code]


def _payment_select() -> sa.Select:
    p, i = payment, budget_indicator
    keys = [_year(p.c.pay_date), _month(p.c.pay_date), *_ancestry(p), p.c.func_code, p.c.econ_code,
            p.c.pay_type, i.c.sanbao_type, i.c.direct_fund]
    return (sa.select(*keys, sa.func.sum(p.c.amount), sa.func.count())
            .select_from(p.join(i, i.c.id == p.c.indicator_id))
            .group_by(*keys))


def _indicator_select() -> sa.Select:
    i = budget_indicator
    keys = [i.c.year, *_ancestry(i), i.c.func_code, i.c.econ_code, i.c.source, i.c.sanbao_type, i.c.direct_fund]
    return sa.select(*keys, sa.func.sum(i.c.amount), sa.func.count()).group_by(*keys)


def _revenue_select() -> sa.Select:
    r = revenue
    keys = [_year(r.c.collect_date), _month(r.c.collect_date), *_ancestry(r), r.c.item_code]
    return sa.select(*keys, sa.func.sum(r.c.amount), sa.func.count()).group_by(*keys)


_SOURCES = {
    mart_payment_month: _payment_select,
    mart_indicator_year: _indicator_select,
    mart_revenue_month: _revenue_select,
}


def rebuild_marts(conn: Connection) -> dict[str, int]:
    """Empty and refill every mart from the facts; returns rows per mart."""
    counts = {}
    for mart in MARTS:
        conn.execute(mart.delete())
        conn.execute(mart.insert().from_select([c.name for c in mart.columns], _SOURCES[mart]()))
        counts[mart.name] = conn.execute(sa.select(sa.func.count()).select_from(mart)).scalar_one()
    return counts
