"""ClickHouse's DDL and bulk insert (dashboard/store/clickhouse.py): sorting keys, types, the cluster form, exact money."""

from __future__ import annotations

from decimal import Decimal

import pandas as pd

from dashboard.store import clickhouse
from dashboard.store.schema import mart_payment_month, payment, region, subsidy_payout


def test_facts_are_ordered_by_ancestry_then_date_and_marts_by_year_and_month_first():
    assert clickhouse.sorting_key(payment) == [
        "`province_code`",
        "ifNull(`city_code`, '')",
        "ifNull(`county_code`, '')",
        "`pay_date`",
    ]
    assert clickhouse.sorting_key(mart_payment_month)[:3] == ["`year`", "`month`", "`province_code`"]


def test_money_is_decimal_and_optional_columns_nullable():
    ddl = clickhouse.create_table_sql(payment, "cockpit_v1")
    assert "`amount` Decimal(18, 2)" in ddl and "`city_code` Nullable(String)" in ddl
    assert "`pay_date` Date" in ddl and ddl.endswith(
        "ENGINE = MergeTree ORDER BY (`province_code`, ifNull(`city_code`, ''), ifNull(`county_code`, ''), `pay_date`)"
    )


def test_on_a_cluster_facts_are_sharded_by_county_and_the_rest_replicated_everywhere():
    local, distributed = clickhouse.cluster_ddl(subsidy_payout, "cockpit_v7", "finance")
    assert local.startswith("CREATE TABLE `cockpit_v7`.`subsidy_payout_local` ON CLUSTER `finance` (")
    assert "ReplicatedMergeTree('/clickhouse/tables/{shard}/cockpit_v7/subsidy_payout_local', '{replica}')" in local
    assert distributed == (
        "CREATE TABLE `cockpit_v7`.`subsidy_payout` ON CLUSTER `finance` AS `cockpit_v7`.`subsidy_payout_local` "
        "ENGINE = Distributed(`finance`, `cockpit_v7`, `subsidy_payout_local`, "
        "cityHash64(`province_code`, ifNull(`city_code`, ''), ifNull(`county_code`, '')))"
    )
    (only,) = clickhouse.cluster_ddl(region, "cockpit_v7", "finance")
    assert "ReplicatedMergeTree('/clickhouse/tables/all/cockpit_v7/region', '{replica}')" in only
    (mart,) = clickhouse.cluster_ddl(mart_payment_month, "cockpit_v7", "finance")
    assert "/clickhouse/tables/all/" in mart  # marts are small: every node holds all of them


def test_money_goes_to_arrow_exactly_from_fen():
    frame = pd.DataFrame(
        {"amount": pd.array([-1205, 0, 123_456_789_012_345, 7], dtype="Int64"), "standard_amount": [1, None, 3, 4]}
    )
    money = clickhouse._decimal_from_fen(frame["amount"], 18, 2)
    assert money.to_pylist() == [Decimal("-12.05"), Decimal("0.00"), Decimal("1234567890123.45"), Decimal("0.07")]
    with_null = clickhouse._decimal_from_fen(frame["standard_amount"], 18, 2)
    assert with_null.to_pylist() == [Decimal("0.01"), None, Decimal("0.03"), Decimal("0.04")]


def test_embedded_means_the_chdb_interface_only():
    assert clickhouse.is_embedded("clickhousedb:///cockpit?interface=chdb&path=/tmp/x")
    assert not clickhouse.is_embedded("clickhousedb://u:p@ch1:8123/cockpit")
    assert not clickhouse.is_embedded("duckdb:///data/cockpit.duckdb")
