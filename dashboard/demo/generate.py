"""A calibrated, deterministic demo province: every fact table of the store, plus the anomalies planted on purpose.

Money is planned top-down in integer fen and split exactly (largest remainder), so totals are exact by construction:
province spending → units (省本级, 市本级, counties) → functional classes → agencies → indicators → payments.
`scale` changes how many rows carry the money (granularity), never the totals, so a small test store is as well
calibrated as the full one. Every step draws from its own stream seeded by (seed, step): the same seed gives the same
store, and what one step draws (which depends on scale) never shifts the next.

The steps are functions of the frames they read, returning the frames they make; `generate` threads them. Anomalies
are planted by the step that owns the rows and recorded in one `Planted` ledger.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.demo import agencies as ag
from dashboard.demo import province as pr
from dashboard.demo.anomalies import Planted, zones
from dashboard.demo.fund_spending import fund_spending
from dashboard.demo.procurement import procurement
from dashboard.demo.quality import plant_quality, plant_unreported, reporting, reserve_unreported
from dashboard.demo.revenue import fund_revenue, revenue
from dashboard.demo.spending import spending
from dashboard.demo.statistics import region_stat
from dashboard.demo.subsidies import subsidies
from dashboard.demo.transfers import debt, transfers, treasury

Progress = Callable[[str], None]


@dataclass
class DemoData:
    frames: dict[str, pd.DataFrame]
    anomalies: list[dict[str, Any]]
    province: str
    years: tuple[int, ...]
    data_through: dt.date
    counts: dict[str, int] = field(default_factory=dict)


def generate(
    province: str = "430000",
    years: tuple[int, ...] = (2023, 2024),
    scale: float = 1.0,
    seed: int = 7,
    progress: Progress = lambda _msg: None,
) -> DemoData:
    """Build every fact table of a demo province (see module docstring); pure: touches no store."""
    if scale <= 0:
        raise ValueError("scale must be positive")
    p = pr.province(province, tuple(years), scale, np.random.default_rng(seed))
    planted = Planted()
    step = iter(range(12))

    def stream(label: str) -> np.random.Generator:
        """Report the next step and give it its own random stream."""
        progress(label)
        return np.random.default_rng([seed, next(step)])

    rng = stream("区划与分类")
    frames = {"region": pr.region_frame(p), "classification": pr.classification_frame()}
    plan = pr.plan(p, rng)
    planted.ceiling.update(zones(p.units, rng))
    silent = reserve_unreported(p, np.random.default_rng([seed, 100]), planted)  # its own stream: shifts no step

    rng = stream("预算单位、供应商与人员")
    agency = ag.agencies(p)
    pools = ag.pools(p, rng)
    frames["agency"] = agency[ag.AGENCY_COLUMNS]
    frames["supplier"] = pools.supplier_frame()

    spent = spending(p, plan, agency, pools, stream("预算指标与支付"), planted)
    frames["project"] = spent.project
    frames["budget_indicator"] = spent.budget_indicator
    frames["payment"] = spent.payment

    frames["revenue"] = revenue(p, plan, stream("一般公共预算收入"), planted)
    frames["fund_revenue"], unit_fund = fund_revenue(p, plan, stream("政府性基金收入"))
    frames["transfer"], unit_transfers = transfers(p, plan, spent.indicators, stream("转移支付"))

    last = p.last_year
    # 综合财力 of each level itself: the province passes on to cities and counties most of what the centre sends
    received = unit_transfers[last]
    passed_down = np.where(p.units.level == "province", received[p.units.level != "province"].sum(), 0)
    capacity = plan.revenue[last] + unit_fund[last] + received - passed_down
    frames["bond"], frames["debt_limit"] = debt(p, capacity, unit_fund[last], stream("政府债务"), planted)
    frames["treasury_cash"] = treasury(
        p, spent.payment, spent.payment_unit, frames["transfer"], stream("库款"), planted
    )

    paid_out = subsidies(p, agency, stream("惠民惠农补贴"), planted)
    frames["subsidy_program"] = paid_out.subsidy_program
    frames["subsidy_payout"] = paid_out.subsidy_payout
    frames["person_death"] = paid_out.person_death
    frames["public_employee"] = paid_out.public_employee
    frames["sampling"] = paid_out.sampling

    frames["procurement"] = procurement(p, agency, pools, stream("政府采购"), planted)
    frames["fund_spending"] = fund_spending(frames, stream("政府性基金预算支出"))  # shifts no other step

    through = max(
        pd.Timestamp(frames[t][c].max()).date()
        for t, c in (("payment", "pay_date"), ("revenue", "collect_date"), ("subsidy_payout", "pay_date"))
    )
    rng = stream("报送记录与数据质量缺陷")  # last: shifts no other step
    frames["report_submission"] = reporting(p, through, rng)
    plant_quality(p, frames, through, rng, planted)
    plant_unreported(p, frames, through, silent, planted)
    frames["demo_anomaly"] = planted.frame()
    frames["region_stat"] = region_stat(p)  # deterministic (no stream): published figures, apportioned
    return DemoData(
        frames, planted.records(), province, p.years, through, {name: len(frame) for name, frame in frames.items()}
    )
