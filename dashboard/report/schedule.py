"""The schedule: once per data load, each region's monthly report for the last month the load closed.

`closed_month` is the last month wholly inside the data (数据截至 on a month's last day closes that month);
`run` makes the reports of the province and its cities (and, asked for, its counties) that the current data
version does not have yet, so running it again, from cron or right after an import, does only what is missing:

    # /etc/cron.d/cockpit-reports: every day at 06:15, after the nightly load (user cockpit)
    15 6 * * * cockpit cd /srv/cockpit && .venv/bin/python -m dashboard report scheduled >>/var/log/cockpit.log 2>&1
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from dashboard.core.periods import month_end
from dashboard.core.scope import Scope
from dashboard.report import archive
from dashboard.store.engine import current_data_version
from queries.regions import region_tree

LEVELS = ("province", "city", "county")


def closed_month(through: dt.date) -> tuple[int, int]:
    """(year, month) of the last month the data covers to its end."""
    if through == month_end(through.year, through.month):
        return through.year, through.month
    first = through.replace(day=1) - dt.timedelta(days=1)
    return first.year, first.month


@dataclass(frozen=True)
class Made:
    region: str
    report_id: int
    new: bool
    seconds: float


def run(
    levels: tuple[str, ...] = ("province", "city"),
    *,
    actor: str = "schedule",
    progress: Callable[[str], None] | None = None,
) -> list[Made]:
    """The closed month's report of every region at `levels` of the store's province (made when missing)."""
    version = current_data_version()
    year, month = closed_month(version.data_through)
    tree = region_tree()
    province = version.province_code
    scope = Scope(province, "province")
    regions = [code for code, r in sorted(tree.regions.items()) if r.level in levels and tree.is_within(code, province)]
    made = []
    for code in regions:
        report, new = archive.monthly(scope, code, year, month, actor)
        made.append(Made(code, report.id, new, report.seconds))
        if progress:
            progress(f"{tree.name(code)} {year}-{month:02d} {'已生成' if new else '已存在'}")
    return made
