"""The health index grades each component with the metric layer, over the region's units summed first."""

from __future__ import annotations

import pandas as pd

from dashboard.risk.health import COMPONENTS, health_index
from dashboard.risk.measures import AsOf


def _frame(rows: list[tuple[str, float, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["region", "num", "den"])


def test_components_are_graded_on_the_sums_of_the_units():
    measures = {key: _frame([]) for c in COMPONENTS for key in c.measures}
    # 债务率: each unit alone is 正常 (1.0) or has no 综合财力, together 250 ÷ 100 = 250% 橙
    measures["debt_ratio"] = _frame([("u1", 100, 100), ("u2", 150, 0)])
    measures["execution"] = _frame([("u1", 300, 600), ("u2", 200, 400)])  # 50% at the end of June: on time
    found = health_index(measures, {"R": ["u1", "u2"], "u1": ["u1"]}, AsOf(2024, 6)).set_index("code")
    assert found.loc["R", "债务率"] == "橙" and found.loc["R", "预算执行进度"] == "正常"
    assert found.loc["R", "health_index"] == round((20 * 30 + 15 * 100) / 35, 1)
    assert found.loc["u1", "债务率"] == "正常" and found.loc["u1", "health_index"] == 100
