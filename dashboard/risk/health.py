"""The fiscal health index (财政健康指数): one number 0–100 per region, from the graded indicators it is made of.

Each component is a metric of `queries.metrics` measured over the region's whole subtree (the units' sums first,
then the ratio), divided and graded by the metric layer as everywhere else, and scored by its grade: 正常 100,
蓝 90, 黄 60, 橙 30, 红 0. The index is the weighted mean of the scores of the components the region has data for.
The weights are shown on the /risk page.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.core.grades import Grade
from dashboard.risk.measures import AsOf
from queries import metrics
from queries.metrics import Period

GRADE_SCORE = {None: 100, "蓝": 90, "黄": 60, "橙": 30, "红": 0}


@dataclass(frozen=True)
class Component:
    name: str
    weight: int
    measures: tuple[str, ...]  # metric keys (`queries.metrics`), measured per unit by `monitor.UNIT_MEASURES`


COMPONENTS: tuple[Component, ...] = (
    Component("预算执行进度", 15, ("execution",)),
    Component("三保支出执行", 20, ("sanbao_wage", "sanbao_running", "sanbao_livelihood")),
    Component("库款保障水平", 15, ("cash_level",)),
    Component("债务率", 20, ("debt_ratio",)),
    Component("直达资金支付进度", 10, ("direct_pay",)),
    Component("财政自给率", 10, ("self_sufficiency",)),
    Component("税收占比", 10, ("tax_share",)),
)


def grades_of(key: str, sums: dict[str, tuple[float, float]], as_of: AsOf) -> dict[str, Grade]:
    """The grade metric `key` gives each region's sums (num, den) as of a month (January to its end): one pass of
    the metric layer for every region at once."""
    if not sums:
        return {}
    codes = list(sums)
    frame = pd.DataFrame({f"{key}_num": [sums[c][0] for c in codes], f"{key}_den": [sums[c][1] for c in codes]})
    graded = metrics.evaluate(key, frame, Period(as_of.year, 1, as_of.month))
    return {
        code: Grade(level if isinstance(level, str) else None, label)
        for code, level, label in zip(codes, graded[f"{key}_level"], graded[f"{key}_label"])
    }


def health_index(measures: dict[str, pd.DataFrame], members: dict[str, list[str]], as_of: AsOf) -> pd.DataFrame:
    """code → health_index (0–100, None without data) and each component's grade, for regions whose units are
    `members[code]`; `measures[name]` holds each unit's num and den."""
    pairs = pd.DataFrame(
        [(code, unit) for code, units in members.items() for unit in units], columns=["code", "region"]
    )
    graded: dict[str, dict[str, Grade]] = {}
    for name in {m for component in COMPONENTS for m in component.measures}:
        found = pairs.merge(measures[name][["region", "num", "den"]], on="region")  # a unit counts in every region
        totals = found.groupby("code", sort=False)[["num", "den"]].sum()  # it belongs to (the drill and its child)
        sums = {code: (float(r.num), float(r.den)) for code, r in totals.iterrows() if r.den}
        graded[name] = grades_of(name, sums, as_of)
    rows = []
    for code in members:
        record: dict = {"code": code}
        total = weight = 0
        for component in COMPONENTS:
            worst: Grade | None = None
            for name in component.measures:
                grade = graded[name].get(code)
                if grade is not None and (worst is None or grade.rank > worst.rank):
                    worst = grade
            record[component.name] = None if worst is None else worst.level or "正常"
            if worst is not None:
                total += component.weight * GRADE_SCORE[worst.level]
                weight += component.weight
        record["health_index"] = round(total / weight, 1) if weight else None
        rows.append(record)
    return pd.DataFrame(rows, columns=["code", "health_index", *(c.name for c in COMPONENTS)])
