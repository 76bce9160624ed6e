"""PLACEHOLDER for `queries.risk` (issue 6), with exactly its signatures and columns (see coord CONTRACT.md).

The big screen's ticker and risk map are built against these names. At merge the integrator deletes this module and
points the two imports `risk_placeholder as risk` (callbacks/screen.py, callbacks/overview.py) at `queries.risk`.
Until then the "warnings" are derived from the two graded indicators the cockpit already computes (执行进度 against
序时进度, 库款保障水平), and the screen labels them as provisional.
"""

from __future__ import annotations

import pandas as pd

from dashboard.drill import DrillState
from dashboard.grades import GRADE_ORDER
from dashboard.scope import Scope
from dashboard.store.engine import current_data_version
from queries.cockpit import region_indicators

RISK_COLUMNS = ["code", "name", "grade", "health_index", "red", "orange", "yellow", "blue"]
WARNING_COLUMNS = ["raised_at", "region_code", "region_name", "rule_code", "rule_name", "topic", "grade", "message"]
_COUNT_COLUMN = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}


def _warnings_of(row, time_progress: float) -> list[tuple[str, str, str, str, str]]:
    """(rule_code, rule_name, topic, grade, message) of one region row."""
    out = []
    if isinstance(row["execution_grade"], str):
        out.append(("PH-EXEC", "预算执行进度", "预算执行", row["execution_grade"],
                    f"{row['name']}预算执行率{row['execution'] * 100:.1f}%,低于序时进度{time_progress * 100:.1f}%"
                    f" {row['lag_points']:.1f} 个百分点({row['execution_label']})"))
    if isinstance(row["cash_grade"], str):
        out.append(("PH-CASH", "库款保障水平", "库款", row["cash_grade"],
                    f"{row['name']}库款保障水平 {row['cash_level']:.2f}({row['cash_label']})"))
    return out


def region_risk(scope: Scope, state: DrillState) -> pd.DataFrame:
    """One row per child region of `state.region`: worst open grade, a 0–100 health index, counts by grade."""
    rows = region_indicators(scope, state)
    records = []
    for _, row in rows[~rows["is_own_level"].astype(bool)].iterrows():
        found = [w[3] for w in _warnings_of(row, state.time_progress)]
        worst = max(found, key=GRADE_ORDER.index) if found else None
        counts = {column: found.count(grade) for grade, column in _COUNT_COLUMN.items()}
        health = max(0, 100 - 25 * counts["red"] - 15 * counts["orange"] - 8 * counts["yellow"] - 2 * counts["blue"])
        records.append([row["code"], row["name"], worst, health, *counts.values()])
    return pd.DataFrame(records, columns=RISK_COLUMNS)


def latest_warnings(scope: Scope, state: DrillState, limit: int = 20) -> pd.DataFrame:
    """Newest first within `state.region`'s subtree (here: its own level and its children, most severe first)."""
    rows = region_indicators(scope, state)
    raised_at = current_data_version().loaded_at
    records = [[raised_at, row["code"] or state.region, row["name"], *warning]
               for _, row in rows.iterrows() for warning in _warnings_of(row, state.time_progress)]
    frame = pd.DataFrame(records, columns=WARNING_COLUMNS)
    frame["_rank"] = frame["grade"].map(GRADE_ORDER.index)
    return frame.sort_values("_rank", ascending=False, kind="stable").drop(columns="_rank").head(limit)


def ticket_summary(scope: Scope, state: DrillState) -> dict:
    """Open and overdue tickets in the subtree (no tickets exist before issue 6)."""
    return {"open": 0, "overdue": 0}
