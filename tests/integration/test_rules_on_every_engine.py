"""The 30 warning rules find the same warnings on PostgreSQL and ClickHouse as on DuckDB: every rule, region,
period and grade, and the measured value (a ratio the engine computes in doubles: equal to 12 significant digits)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.risk.measures import AsOf
from dashboard.risk.rules import RULES
from dashboard.risk.run import evaluate_all
from dashboard.store.engine import read_data_version


def _findings(engine) -> pd.DataFrame:
    as_of = AsOf.of(read_data_version(engine).data_through)
    found = evaluate_all(engine, as_of, RULES)
    text = found.drop(columns=["value"]).astype(str).assign(value=found["value"].astype(float))
    return text.sort_values([c for c in text.columns if c != "value"]).reset_index(drop=True)


@pytest.fixture(scope="module")
def on_duck(duck) -> pd.DataFrame:
    return _findings(duck)


def test_every_engine_finds_duckdbs_warnings(on_duck, server):
    on_server = _findings(server)
    assert len(on_duck) > 50 and on_duck["rule_code"].nunique() > 10
    pd.testing.assert_frame_equal(on_duck, on_server, check_exact=False, rtol=1e-12)
