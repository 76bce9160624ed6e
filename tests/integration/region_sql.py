"""The tests' own SQL about regions, for checking drill figures against the store without the app's region code."""

from __future__ import annotations

import sqlalchemy as sa


def rows(engine, sql: str, **params) -> list:
    with engine.connect() as conn:
        return conn.execute(sa.text(sql), params).all()


def one(engine, sql: str, **params):
    return rows(engine, sql, **params)[0]


def subtree_sql(code: str) -> str:
    """A subquery of the region and every region below it (two levels: 省 → 市 → 县), from the region table."""
    return (
        f"SELECT adcode FROM region WHERE adcode = '{code}' OR parent_adcode = '{code}' OR parent_adcode IN "
        f"(SELECT adcode FROM region WHERE parent_adcode = '{code}')"
    )


def children(engine, code: str) -> list[str]:
    return [r[0] for r in rows(engine, "SELECT adcode FROM region WHERE parent_adcode = :c", c=code)]
