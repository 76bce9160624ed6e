"""The data contract: docs/import.md is what the code says, and every table of the store has Chinese names."""

from __future__ import annotations

import pathlib

from dashboard.store.contract import TABLES, render_markdown
from dashboard.store.importer import _table_for
from dashboard.store.schema import FACTS

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "import.md"


def test_document_equals_the_code():
    assert DOC.read_text(encoding="utf-8") == render_markdown(), "run: python -m dashboard contract-doc"


def test_every_fact_table_and_column_has_a_chinese_name():
    assert set(TABLES) == {t.name for t in FACTS}
    for contract in TABLES.values():
        assert contract.label != contract.name, contract.name
        labels = [f.label for f in contract.fields]
        assert len(set(labels)) == len(labels), contract.name
        assert all(f.label != f.name for f in contract.fields), contract.name


def test_payment_contract():
    payment = TABLES["payment"]
    assert payment.key == ("voucher_no",) and ("id",) in payment.unique
    assert payment.field("amount").kind == "money" and payment.field("amount").required
    assert payment.field("pay_type").codes is not None and "授权支付" in payment.field("pay_type").codes.values
    assert payment.field("city_code").required is False


def test_files_are_matched_by_english_or_chinese_name():
    assert _table_for("/x/payment.csv").name == "payment"
    assert _table_for("/x/国库集中支付明细_202403.xlsx").name == "payment"
    assert _table_for("/x/fund_revenue-2.parquet").name == "fund_revenue"
    assert _table_for("/x/revenue.csv").name == "revenue"
    assert _table_for("/x/subsidy_payout_2024.csv").name == "subsidy_payout"
