"""政府性基金预算支出 of the demo: what each unit spends out of its fund revenue, and the interest on its 专项 bonds.

A step of its own (run after the debt step), so it draws from its own random stream and never shifts another
step's draws. Per unit and year: 专项债务付息 (232 / 23204) is the live 专项 bonds' principal × rate (%), and the
rest of the fund budget (212 / 21208, land-sale revenue spent on 城乡社区) is the fund revenue × a rate below one.
Both are split over the twelve months in integer fen.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.demo import catalog as cat

ANCESTRY = ["province_code", "city_code", "county_code"]
ITEMS = tuple((code[:3], code) for code, _name in cat.FUND_SPENDING_ITEMS)  # land-sale spending; 专项付息


def _monthly(rng: np.random.Generator, total: int) -> np.ndarray:
    """`total` fen split over twelve months (largest remainder, so the months add up to it exactly)."""
    weights = rng.lognormal(0, 0.3, 12)
    raw = weights / weights.sum() * total
    out = np.floor(raw).astype(np.int64)
    out[np.argsort(raw - out)[::-1][: total - int(out.sum())]] += 1
    return out


def fund_spending(frames: dict[str, pd.DataFrame], rng: np.random.Generator) -> pd.DataFrame:
    """The fund_spending fact frame from the frames already generated (fund_revenue, bond)."""
    fund = frames["fund_revenue"].assign(year=pd.to_datetime(frames["fund_revenue"]["collect_date"]).dt.year)
    revenue = fund.groupby([*ANCESTRY, "year"], dropna=False)["amount"].sum()
    bonds = frames["bond"]
    special = bonds[bonds["kind"] == "专项"]
    rows = []
    for (province, city, county, year), amount in revenue.items():
        end = np.datetime64(f"{year}-12-31")
        mine = special[
            (special["province_code"] == province)
            & (special["city_code"].fillna("") == (city if isinstance(city, str) else ""))
            & (special["county_code"].fillna("") == (county if isinstance(county, str) else ""))
            & (special["issue_date"].to_numpy() <= end)
            & (special["maturity_date"].to_numpy() > end)
        ]
        interest = int((mine["principal"] * mine["rate"] / 100).sum())  # rate in percent
        other = int(amount * rng.uniform(0.85, 0.98))
        for (func, item), total in zip(ITEMS, (other, interest)):
            for month, part in enumerate(_monthly(rng, total), start=1):
                if part > 0:
                    rows.append(
                        (func, item, np.datetime64(f"{year}-{month:02d}-15"), int(part), province, city, county)
                    )
    frame = pd.DataFrame(rows, columns=["func_code", "func_item_code", "pay_date", "amount", *ANCESTRY])
    frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame.reset_index(drop=True)
