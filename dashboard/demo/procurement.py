"""政府采购: purchases by agency and supplier, with the planted red flags."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.core import settings
from dashboard.demo import catalog as cat
from dashboard.demo import people
from dashboard.demo.agencies import Pools
from dashboard.demo.anomalies import Planted
from dashboard.demo.province import YI, Province, random_dates, weekday


def procurement(
    p: Province, agency: pd.DataFrame, pools: Pools, rng: np.random.Generator, planted: Planted
) -> pd.DataFrame:
    """The `procurement` table: purchases by agency, method and supplier, clean of the red flags except those
    planted (contracts at ≥ 97% of budget, purchases split just under the 公开招标 threshold)."""
    u = p.units
    agencies = agency
    t_province = settings.get("TENDER_THRESHOLD_PROVINCE") * 100
    t_local = settings.get("TENDER_THRESHOLD_LOCAL") * 100
    band = settings.get("SPLIT_BAND")
    flag = settings.get("CONTRACT_RATIO_FLAG")
    n_year = max(300, int(10_000 * p.scale))
    parts = []
    agency_w = np.nan_to_num(u.spending_weight[agencies["unit"].to_numpy()], nan=20.0)
    agency_w = np.where(u.level[agencies["unit"].to_numpy()] == "province", 25.0, agency_w) ** 0.7
    suppliers = pools.suppliers
    trade = supplier_trades(suppliers["name"].to_numpy())
    value_share = dict(cat.PROCUREMENT_CATEGORIES)
    for year in p.years:
        a = rng.choice(len(agencies), size=n_year, p=agency_w / agency_w.sum())
        category = rng.choice(["货物", "服务", "工程"], size=n_year, p=[0.45, 0.40, 0.15])
        median = np.select([category == "货物", category == "服务"], [400_000, 450_000], 2_000_000) * 100
        budget = (median * rng.lognormal(0, 1.1, n_year)).astype(np.int64) // 100 * 100
        level = u.level[agencies["unit"].to_numpy()[a]]
        threshold = np.where(level == "province", t_province, t_local)
        over = np.where(category == "工程", budget >= 4_000_000 * 100, budget >= threshold)
        method = np.where(
            over,
            rng.choice(
                ["公开招标", "竞争性磋商", "单一来源", "竞争性谈判", "邀请招标"], n_year, p=cat.OVER_THRESHOLD_METHODS
            ),
            rng.choice(
                ["竞争性磋商", "询价", "竞争性谈判", "框架协议", "单一来源", "邀请招标", "公开招标"],
                n_year,
                p=[0.38, 0.14, 0.10, 0.18, 0.05, 0.03, 0.12],
            ),
        )
        # the purchases over the threshold carry the money: scaled so the year's total is PROCUREMENT_PER_YEAR 亿元,
        # split by category as nationally (货物 / 工程 / 服务 ≈ 26 / 45 / 29 %); `scale` changes only their count
        for c, share in value_share.items():
            big, small = (category == c) & over, (category == c) & ~over
            factor = max(1.0, (cat.PROCUREMENT_PER_YEAR * YI * share - budget[small].sum()) / max(budget[big].sum(), 1))
            budget[big] = (budget[big] * factor).astype(np.int64) // 100 * 100
        # 单一来源 buys what only one supplier has: a specific, smaller purchase
        budget = np.where(method == "单一来源", (budget * 0.5).astype(np.int64) // 100 * 100, budget)
        # clean data keeps non-tender goods and services out of the band just under the threshold
        in_band = (category != "工程") & (method != "公开招标") & (budget >= band * threshold) & (budget < threshold)
        budget = np.where(in_band, (budget * 0.6).astype(np.int64) // 100 * 100, budget)
        saving = np.where(
            method == "单一来源",
            rng.uniform(1 - flag + 0.005, 0.06, n_year),
            np.clip(rng.beta(2, 20, n_year) + (1 - flag) + 0.005, 0, 0.3),
        )
        contract = (budget * (1 - saving)).astype(np.int64)
        items = np.array(
            [
                cat.PROCUREMENT_ITEMS[c][k % len(cat.PROCUREMENT_ITEMS[c])]
                for c, k in zip(category, rng.integers(0, 60, n_year))
            ]
        )
        supplier = _suppliers_for(items, trade, rng)
        notice = random_dates(rng, np.full(n_year, year), rng.integers(1, 12, n_year), 1, 28)
        contract_date = np.minimum(
            notice + rng.integers(15, 45, n_year).astype("timedelta64[D]"), np.datetime64(f"{year}-12-31")
        )
        parts.append(
            pd.DataFrame(
                {
                    "agency_row": a,
                    "year": year,
                    "method": method,
                    "category": category,
                    "item_name": items,
                    "budget_amount": budget,
                    "contract_amount": contract,
                    "supplier_row": supplier,
                    "notice_date": notice,
                    "contract_date": contract_date,
                }
            )
        )
    frame = pd.concat(parts, ignore_index=True)
    frame, flagged = _plant_red_flags(p, frame, agencies, trade, t_province, t_local, flag, rng, planted)
    frame["id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
    ag = agencies.iloc[frame["agency_row"].to_numpy()]
    sup = suppliers.iloc[frame["supplier_row"].to_numpy()]
    frame["agency_id"] = ag["id"].to_numpy()
    frame["supplier_id"] = sup["id"].to_numpy()
    frame["supplier_name"] = sup["name"].to_numpy()
    frame["sme"] = sup["sme"].to_numpy()
    frame["plan_no"] = (
        ag["region_code"].to_numpy() + "-" + frame["year"].astype(str) + "-CG" + frame["id"].astype(str).str.zfill(6)
    )
    for k in ("province_code", "city_code", "county_code"):
        frame[k] = ag[k].to_numpy()
    for kind, region, rows, detail in flagged:  # planted now that the rows have their ids
        ids = [int(frame.at[r, "id"]) for r in rows]
        planted.plant(kind, "|".join(str(i) for i in ids), region, **detail, procurement_ids=ids)
    return frame.drop(columns=["agency_row", "supplier_row"])


def _plant_red_flags(
    p: Province,
    frame: pd.DataFrame,
    agencies: pd.DataFrame,
    trade: np.ndarray,
    t_province: int,
    t_local: int,
    flag: float,
    rng: np.random.Generator,
    planted: Planted,
) -> tuple[pd.DataFrame, list[tuple[str, str, list[int], dict[str, Any]]]]:
    """The purchases with the red flags planted, and (kind, region, rows, detail) of each flag: it is recorded once
    the rows have their ids. Takes the three counties of the split purchases."""
    u = p.units
    frame = frame.copy()
    flagged: list[tuple[str, str, list[int], dict[str, Any]]] = []
    # contracts at ≥ 97% of budget
    region = agencies["region_code"].to_numpy()[frame["agency_row"].to_numpy()]
    allowed = np.array([planted.allows(r, "橙") for r in region])
    candidates = np.flatnonzero((frame["year"] == p.last_year).to_numpy() & allowed)
    for row in rng.choice(candidates, size=8, replace=False):
        ratio = rng.uniform(flag + 0.002, 1.0)
        frame.at[row, "contract_amount"] = int(frame.at[row, "budget_amount"] * ratio)
        unit = agencies["unit"].iat[frame.at[row, "agency_row"]]
        flagged.append(("procurement_high_ratio", u.code[unit], [int(row)], {"ratio": round(float(ratio), 4)}))
    # purchases split just under the 公开招标 threshold: same agency and supplier, within 30 days
    extra = []
    next_row = len(frame)
    county_agencies = np.flatnonzero(
        agencies["region_code"].isin([u.code[i] for i in planted.counties(rng, u, 3)]).to_numpy()
    )
    province_agencies = np.flatnonzero(u.level[agencies["unit"].to_numpy()] == "province")
    for a in [*rng.choice(county_agencies, 3, replace=False), rng.choice(province_agencies)]:
        threshold = t_province if u.level[agencies["unit"].iat[a]] == "province" else t_local
        start = np.datetime64(f"{p.last_year}-{int(rng.integers(3, 10)):02d}-{int(rng.integers(1, 20)):02d}")
        category = str(rng.choice(["货物", "服务"]))
        item = cat.PROCUREMENT_ITEMS[category][int(rng.integers(0, len(cat.PROCUREMENT_ITEMS[category])))]
        supplier = int(_suppliers_for(np.array([item]), trade, rng)[0])
        rows = []
        for k in range(int(rng.integers(2, 4))):
            budget = int(threshold * rng.uniform(0.90, 0.99)) // 100 * 100
            notice = weekday(np.array([start + np.timedelta64(int(k * rng.integers(5, 12)), "D")]))[0]
            extra.append(
                {
                    "agency_row": a,
                    "year": p.last_year,
                    "method": str(rng.choice(["询价", "竞争性磋商"])),
                    "category": category,
                    "item_name": item,
                    "budget_amount": budget,
                    "contract_amount": int(budget * rng.uniform(0.88, 0.95)),
                    "supplier_row": supplier,
                    "notice_date": notice,
                    "contract_date": notice + np.timedelta64(10, "D"),
                }
            )
            rows.append(next_row)
            next_row += 1
        flagged.append(("procurement_split", agencies["region_code"].iat[a], rows, {"threshold_fen": int(threshold)}))
    return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True), flagged


def supplier_trades(names: np.ndarray) -> np.ndarray:
    """The trade of each supplier, read off its name (the longest trade word it contains)."""
    stems = sorted((t.removesuffix("有限公司") for t in people.COMPANY_TRADES), key=len, reverse=True)
    return np.array([next((t for t in stems if t in str(n)), "") for n in names], dtype=object)


def _suppliers_for(items: np.ndarray, trade: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A supplier row for each purchase among those whose trade sells the item (`ITEM_TRADES`), a few suppliers
    winning much (Zipf)."""
    out = np.empty(len(items), dtype=np.int64)
    for item in np.unique(items):
        sel = np.flatnonzero(items == item)
        pool = np.flatnonzero(np.isin(trade, cat.ITEM_TRADES[item]))
        out[sel] = pool[(rng.zipf(1.25, len(sel)) - 1) % len(pool)]
    return out
