"""Drill-through tables name their 科目: /revenue's items (10101 → 增值税) and /spending's indicators and payments
(功能科目 '205 教育支出', 经济科目 '301 工资福利支出'), names read here from the store's classification."""

from __future__ import annotations

import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from queries import revenue, spending  # noqa: F401  (they register their table sources)
from queries._paging import SOURCES, PageRequest, table_page

PROVINCE = Scope("430000", "province")


def _names(duck, kind: str) -> dict[str, str]:
    with duck.connect() as conn:
        rows = conn.execute(sa.text("select code, name from classification where kind = :k"), {"k": kind})
        return {code: name for code, name in rows}  # noqa: C416  (dict(result) takes it for a mapping)


def test_revenue_items_carry_their_names(use_store, demo_url, duck):
    use_store(demo_url)
    rows = table_page(
        PROVINCE, DrillState("430100", 2024, 1, 6), "revenue.items", PageRequest.of(SOURCES["revenue.items"])
    ).rows
    names = _names(duck, "revenue")
    assert len(rows) and all(row.item_name == names[row.item_code] for row in rows.itertuples())
    assert "增值税" in set(rows["item_name"])


def test_indicator_and_payment_tables_show_code_and_name(use_store, demo_url, duck):
    use_store(demo_url)
    with duck.connect() as conn:
        agency, indicator = conn.exec_driver_sql(
            "select agency_id, indicator_id from payment where city_code = '430100'"
            " and pay_date between date '2024-01-01' and date '2024-06-30' order by id limit 1"
        ).one()
    functions, economic = _names(duck, "function"), _names(duck, "economic")
    state = DrillState("430100", 2024, 1, 6, filters=(("agency", str(agency)),))
    rows = table_page(PROVINCE, state, "spending.indicators", PageRequest.of(SOURCES["spending.indicators"])).rows
    assert len(rows)
    for func, econ in zip(rows["func_code"], rows["econ_code"]):
        code, name = func.split(" ", 1)
        assert functions[code] == name, func
        code, name = econ.split(" ", 1)
        assert economic[code] == name, econ
    state = DrillState("430100", 2024, 1, 6, filters=(("agency", str(agency)), ("indicator", str(indicator))))
    rows = table_page(PROVINCE, state, "spending.payments", PageRequest.of(SOURCES["spending.payments"])).rows
    assert len(rows) and all(economic[t.split(" ", 1)[0]] == t.split(" ", 1)[1] for t in rows["econ_item_code"])
