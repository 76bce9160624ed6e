"""DuckDB, PostgreSQL and ClickHouse hold the same demo to the fen: row counts and money sums of every fact and mart table."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard.store.schema import FACTS, MARTS, payment

pytestmark = pytest.mark.postgres

TABLES = [*FACTS, *MARTS]


def _money_columns(table: sa.Table) -> list[sa.Column]:
    return [c for c in table.columns if isinstance(c.type, sa.Numeric)]


def _profile(engine, table: sa.Table) -> tuple:
    cols = _money_columns(table)
    query = sa.select(sa.func.count(), *(sa.func.sum(c) for c in cols)).select_from(table)
    with engine.connect() as conn:
        return tuple(conn.execute(query).one())


@pytest.fixture
def both(duck, server):
    return duck, server


@pytest.mark.parametrize("table", TABLES, ids=[t.name for t in TABLES])
def test_row_count_and_money_sums_are_identical(both, table):
    duck, pg = both
    d, p = _profile(duck, table), _profile(pg, table)
    assert d == p
    if table.name not in ("demo_anomaly",):
        assert d[0] > 0, f"{table.name} is empty in both: the comparison proves nothing"


def test_money_sums_are_compared_as_exact_decimals(both):
    duck, pg = both
    d, p = _profile(duck, payment), _profile(pg, payment)
    assert isinstance(d[1], Decimal) and isinstance(p[1], Decimal)
    assert d[1] == p[1] and d[1] == d[1].quantize(Decimal("0.01"))


def test_per_city_2024_payment_sums_are_identical(both):
    duck, pg = both
    year = sa.cast(sa.extract("year", payment.c.pay_date), sa.Integer)
    query = (
        sa.select(payment.c.city_code, sa.func.sum(payment.c.amount), sa.func.count())
        .where(year == 2024)
        .group_by(payment.c.city_code)
    )
    with duck.connect() as conn:
        d = {r[0]: (r[1], r[2]) for r in conn.execute(query)}
    with pg.connect() as conn:
        p = {r[0]: (r[1], r[2]) for r in conn.execute(query)}
    assert d == p
    assert len([c for c in d if c is not None]) == 14 and None in d  # 14 cities plus 省本级


def test_same_planted_anomalies_in_both(both):
    duck, pg = both
    query = sa.text("SELECT kind, key FROM demo_anomaly ORDER BY kind, key")
    with duck.connect() as conn:
        d = conn.execute(query).all()
    with pg.connect() as conn:
        p = conn.execute(query).all()
    assert d == p and len(d) > 20
