"""Revenue: 一般公共预算收入 by item and month (a planted jump in one county's 罚没收入) and 政府性基金收入."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.demo import catalog as cat
from dashboard.demo.anomalies import Planted
from dashboard.demo.province import Plan, Province, month_start, random_dates, split_exact

_JUMP_ITEM = "10305"  # 罚没收入
_JUMP_MONTH = 9


def revenue(p: Province, plan: Plan, rng: np.random.Generator, planted: Planted) -> pd.DataFrame:
    """The `revenue` table: each unit's planned revenue split over items and collection dates."""
    u = p.units
    items = cat.TAX_ITEMS + cat.NONTAX_ITEMS
    item_codes = np.array([c for c, _n, _s in items])
    item_share = np.array([s for _c, _n, s in items])
    tax = np.array([c.startswith("101") for c in item_codes])
    item_share = np.where(
        tax,
        item_share / item_share[tax].sum() * cat.TAX_SHARE,
        item_share / item_share[~tax].sum() * (1 - cat.TAX_SHARE),
    )
    per_month = 3 if p.scale >= 0.5 else 1
    month_w = np.array(cat.REVENUE_MONTH_WEIGHTS)
    capital = {i for i in range(len(u.code)) if str(u.city_of[i]).endswith("0100")}  # a 红 the capital holds
    jump_unit = (planted.counties(rng, u, 1, among=capital) or planted.counties(rng, u, 1))[0]
    parts = []
    for year in p.years:
        n_u = len(u.code)
        w = item_share * rng.lognormal(0, 0.2, (n_u, len(items)))
        ui = np.repeat(np.arange(n_u), len(items))
        cell = split_exact(plan.revenue[year], ui, w.ravel())
        cell_item = np.tile(item_codes, n_u)
        slots = np.tile(np.repeat(np.arange(1, 13), per_month), len(cell))
        group = np.repeat(np.arange(len(cell)), 12 * per_month)
        sw = month_w[slots - 1] * rng.lognormal(0, 0.15, len(slots))
        if year == p.last_year:  # a sudden jump: one county's 罚没收入 concentrated in one month
            jump = (ui[group] == jump_unit) & (cell_item[group] == _JUMP_ITEM)
            sw = np.where(jump & (slots == _JUMP_MONTH), sw * 40, sw)
        amount = split_exact(cell, group, sw)
        slot_index = np.tile(np.arange(per_month), 12 * len(cell))
        day = np.array([10, 20, 28])[slot_index] if per_month == 3 else np.full(len(slots), 25)
        dates = month_start(np.full(len(slots), year), slots) + (day - 1).astype("timedelta64[D]")
        parts.append(
            pd.DataFrame(
                {"item_code": cell_item[group], "collect_date": dates, "amount": amount, **u.ancestry(ui[group])}
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["amount"] > 0].reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
    month = f"{p.last_year}-{_JUMP_MONTH:02d}"
    planted.plant(
        "nontax_jump",
        f"{u.code[jump_unit]}|{month}|{_JUMP_ITEM}",
        u.code[jump_unit],
        item_code=_JUMP_ITEM,
        month=month,
        note="罚没收入 of the year concentrated in one month (≈ 40× a normal month)",
    )
    return frame


def fund_revenue(p: Province, plan: Plan, rng: np.random.Generator) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """(the `fund_revenue` table, each unit's fund revenue per year in fen)."""
    u = p.units
    codes = np.array([c for c, _n, _s in cat.FUND_ITEMS])
    shares = np.array([s for _c, _n, s in cat.FUND_ITEMS])
    parts = []
    unit_fund: dict[int, np.ndarray] = {}
    for year in p.years:
        unit_total = (plan.revenue[year] * cat.FUND_TO_GENERAL_REVENUE * rng.lognormal(0, 0.3, len(u.code))).astype(
            np.int64
        )
        unit_fund[year] = unit_total
        ui = np.repeat(np.arange(len(u.code)), len(codes))
        cell = split_exact(unit_total, ui, np.tile(shares, len(u.code)))
        group = np.repeat(np.arange(len(cell)), 12)
        months = np.tile(np.arange(1, 13), len(cell))
        amount = split_exact(cell, group, rng.lognormal(0, 0.5, len(group)))
        parts.append(
            pd.DataFrame(
                {
                    "item_code": np.tile(codes, len(u.code))[group],
                    "collect_date": random_dates(rng, np.full(len(group), year), months, 20, 28),
                    "amount": amount,
                    **u.ancestry(ui[group]),
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["amount"] > 0].reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame, unit_fund
