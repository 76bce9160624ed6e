"""The query layer: scope is enforced in SQL (fail closed), results are cached per scope and data version,
and DuckDB and PostgreSQL answer the same question with the same numbers."""

from __future__ import annotations

from decimal import Decimal

import pytest
import sqlalchemy as sa
from cachelib import SimpleCache

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store import memo
from dashboard.store.engine import current_data_version
from queries.overview import MONEY_COLUMNS, region_breakdown

PROVINCE = Scope("430000", "province")
CHANGSHA = Scope("430100", "city")
ZHUZHOU = Scope("430200", "city")


@pytest.fixture
def cache():
    backend = SimpleCache()
    memo.bind_cache(backend)
    yield backend
    memo.bind_cache(None)


@pytest.fixture
def store(demo_url, use_store):
    use_store(demo_url)


@pytest.mark.parametrize(
    "scope, region, visible",
    [
        (PROVINCE, "430000", True),
        (PROVINCE, "430102", True),
        (CHANGSHA, "430100", True),
        (CHANGSHA, "430102", True),
        (CHANGSHA, "430200", False),
        (CHANGSHA, "430000", False),
        (ZHUZHOU, "430102", False),
        (Scope.nothing(), "430000", False),
        (Scope.nothing(), "430102", False),
    ],
)
def test_scope_decides_what_rows_exist(store, scope, region, visible):
    rows = region_breakdown(scope, DrillState(region, 2024, 1, 12))
    assert (not rows.empty) == visible
    if visible:
        assert rows["spending"].map(Decimal).sum() > 0


def test_rows_of_a_city_add_up_to_the_city(store, duck):
    rows = region_breakdown(PROVINCE, DrillState("430100", 2024, 1, 12))
    with duck.connect() as conn:
        total = conn.execute(
            sa.text("select sum(amount) from payment where city_code = '430100' and extract(year from pay_date) = 2024")
        ).scalar()
    assert rows["spending"].sum() == total
    assert rows["is_own_level"].sum() == 1


def test_cache_never_serves_one_scope_to_another(store, cache):
    state = DrillState("430100", 2024, 1, 12)
    mine = region_breakdown(CHANGSHA, state)
    theirs = region_breakdown(ZHUZHOU, state)
    assert not mine.empty and theirs.empty
    assert region_breakdown(ZHUZHOU, state).empty  # a second call, now cached, stays empty
    keys = {memo.cache_key(region_breakdown.uncached, s, (state,), {}) for s in (CHANGSHA, ZHUZHOU, PROVINCE)}
    assert len(keys) == 3


def test_cache_key_changes_with_the_data_version(store, cache, monkeypatch):
    state = DrillState("430000", 2024, 1, 12)
    before = memo.cache_key(region_breakdown.uncached, PROVINCE, (state,), {})
    version = current_data_version()
    monkeypatch.setattr(
        "dashboard.store.memo.current_data_version",
        lambda: type(version)(version.load_id + 1, version.loaded_at, version.province_code, version.data_through),
    )
    assert memo.cache_key(region_breakdown.uncached, PROVINCE, (state,), {}) != before


def test_cached_result_equals_uncached(store, cache):
    state = DrillState("430000", 2024, 1, 9)
    first = region_breakdown(PROVINCE, state)
    second = region_breakdown(PROVINCE, state)
    assert len(cache._cache) >= 1
    assert first.equals(second)


@pytest.mark.parametrize("region", ["430000", "430100", "430102", "433100"])
def test_every_engine_gives_identical_breakdowns(demo_url, server_url, use_store, region):
    state = DrillState(region, 2024, 1, 6)
    use_store(demo_url)
    on_duckdb = region_breakdown(PROVINCE, state).sort_values("name").reset_index(drop=True)
    use_store(server_url)
    on_server = region_breakdown(PROVINCE, state).sort_values("name").reset_index(drop=True)
    assert list(on_duckdb["name"]) == list(on_server["name"])
    for column in MONEY_COLUMNS:
        assert [Decimal(v) for v in on_duckdb[column]] == [Decimal(v) for v in on_server[column]], column
