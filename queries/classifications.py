"""政府收支分类科目 names (revenue items, function 类/款, economic 类/款), loaded once per data version.

Names are not scoped: the classification is public; only amounts are.
"""

from __future__ import annotations

import functools

import sqlalchemy as sa

from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.schema import classification


@functools.lru_cache(maxsize=8)
def _names_for(version_key: str, kind: str) -> dict[str, str]:
    c = classification
    with finance_engine().connect() as conn:
        rows = conn.execute(sa.select(c.c.code, c.c.name).where(c.c.kind == kind).order_by(c.c.code))
        return {code: name for code, name in rows}  # noqa: C416  (dict(result) would take it for a mapping)


def classification_names(kind: str, digits: int | None = None) -> dict[str, str]:
    """{code: name} of one classification kind (revenue / function / economic / fund_revenue), in code order;
    `digits` keeps one depth (3 for 类, 5 for 款)."""
    names = _names_for(current_data_version().key, kind)
    return {c: n for c, n in names.items() if digits is None or len(c) == digits}
