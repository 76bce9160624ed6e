"""The province every step builds on: its spending units, their money plan, exact splitting and payment dates.

Money is planned top-down in integer fen and split exactly (largest remainder), so totals are exact by construction.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.core.regions import RegionTree, national_tree
from dashboard.demo import catalog as cat

YI = 100_000_000 * 100  # one 亿元 in fen


# -- exact splitting -------------------------------------------------------------------------------------------------


def split_exact(totals: np.ndarray, group: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Split integer `totals[g]` over the items of each group `g` in proportion to `weights`, exactly.

    Largest-remainder rounding: every group's parts are whole fen and add up to its total to the fen.
    """
    totals = np.asarray(totals, dtype=np.int64)
    group = np.asarray(group, dtype=np.int64)
    weights = np.asarray(weights, dtype=np.float64)
    wsum = np.bincount(group, weights, minlength=len(totals))
    if (wsum[group] == 0).any():  # a group with no weight at all is split evenly
        weights = np.where(wsum[group] == 0, 1.0, weights)
        wsum = np.bincount(group, weights, minlength=len(totals))
    raw = totals[group] * (weights / wsum[group])
    base = np.maximum(np.floor(raw - 1e-6), 0).astype(np.int64)
    remainder = totals - np.bincount(group, base, minlength=len(totals)).astype(np.int64)
    order = np.lexsort((-(raw - base), group))
    starts = np.searchsorted(group[order], np.arange(len(totals)))
    rank = np.arange(len(group)) - starts[group[order]]
    bump = np.zeros(len(group), dtype=np.int64)
    bump[order] = (rank < remainder[group[order]]).astype(np.int64)
    return base + bump


def split_one(total: int, weights: np.ndarray) -> np.ndarray:
    """`split_exact` of a single total."""
    w = np.asarray(weights, dtype=np.float64)
    return split_exact(np.array([total]), np.zeros(len(w), dtype=np.int64), w)


# -- dates -----------------------------------------------------------------------------------------------------------


def weekday(dates: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the nearest weekday inside the same month (treasuries pay on workdays)."""
    days = dates.astype("datetime64[D]").astype(np.int64)
    dow = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    day_of_month = (dates.astype("datetime64[D]") - dates.astype("datetime64[M]")).astype(np.int64) + 1
    back = np.where(dow == 5, -1, np.where(dow == 6, -2, 0))
    forward = np.where(dow == 5, 2, np.where(dow == 6, 1, 0))
    shift = np.where(day_of_month + back >= 1, back, forward)
    return (days + shift).astype("datetime64[D]")


def month_start(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    return ((years - 1970) * 12 + (months - 1)).astype("datetime64[M]").astype("datetime64[D]")


def random_dates(
    rng: np.random.Generator,
    years: np.ndarray,
    months: np.ndarray,
    lo: int = 1,
    hi: int | None = None,
    workdays: bool = True,
) -> np.ndarray:
    """A date in each (year, month) on a day drawn from `lo..hi` (capped at the month's length); workdays by default."""
    start = month_start(years, months)
    length = (month_start(years, months + 1) - start).astype(np.int64)
    top = length if hi is None else np.minimum(hi, length)
    day = lo + np.floor(rng.random(len(years)) * (top - lo + 1)).astype(np.int64)
    dates = start + (day - 1).astype("timedelta64[D]")
    return weekday(dates) if workdays else dates


# -- units: who spends (省本级, 市本级, counties) ------------------------------------------------------------------


@dataclass(frozen=True)
class Units:
    code: np.ndarray
    name: np.ndarray
    level: np.ndarray
    province: np.ndarray
    city: np.ndarray  # None where not applicable
    county: np.ndarray
    city_of: np.ndarray  # the city a unit belongs to (itself for a 市本级), province for provincial units
    revenue_weight: np.ndarray
    spending_weight: np.ndarray

    def ancestry(self, unit_idx: np.ndarray) -> dict[str, np.ndarray]:
        """The region columns of rows belonging to units `unit_idx`."""
        return {
            "province_code": self.province[unit_idx],
            "city_code": self.city[unit_idx],
            "county_code": self.county[unit_idx],
        }


def _units(tree: RegionTree, province: str, rng: np.random.Generator) -> Units:
    rows = []
    for region in sorted(tree.regions.values(), key=lambda r: r.adcode):
        if region.level not in ("province", "city", "county"):
            continue
        in_prov, in_city, in_county = tree.ancestry(region.adcode)
        rows.append((region.adcode, region.name, region.level, in_prov, in_city, in_county, in_city or in_prov))
    code, name, level, prov, city, county, city_of = (np.array(c, dtype=object) for c in zip(*rows))
    n = len(code)
    rev = np.zeros(n)
    spend = np.zeros(n)
    is_prov = level == "province"
    cities = [c for c in code if tree[c].level == "city"]
    # City-and-below sizes: 湖南 from its budgets, elsewhere lognormal with the capital largest.
    city_size: dict[str, tuple[float, float]] = {}
    for c in cities:
        if province == "430000" and c in cat.HUNAN_CITIES:
            city_size[c] = cat.HUNAN_CITIES[c]
        else:
            base = rng.lognormal(0.0, 0.45) * (3.0 if c.endswith("0100") else 1.0)
            city_size[c] = (base * 200, base**0.6 * 420)
    for i in np.flatnonzero(~is_prov):
        c = city_of[i]
        if c in city_size:
            r_city, s_city = city_size[c]
            has_counties = bool(tree.children(c))
            if level[i] == "city":
                share_r, share_s = cat.CITY_LEVEL_SHARE if has_counties else (1.0, 1.0)
                rev[i], spend[i] = r_city * share_r, s_city * share_s
            else:
                rev[i], spend[i] = r_city, s_city  # scaled below among the city's counties
        else:  # a county hanging directly on the province: a small city of its own
            rev[i], spend[i] = 40.0, 120.0
    # counties: split the non-本级 part of their city by lognormal weights (districts raise more, 县 spend more)
    for c in cities:
        kids = np.flatnonzero((city_of == c) & (level == "county"))
        if len(kids) == 0:
            continue
        r_city, s_city = city_size[c]
        is_district = np.array([str(name[k]).endswith("区") for k in kids])
        w_r = rng.lognormal(0.0, 0.45, len(kids)) * np.where(is_district, 1.7, 1.0)
        w_s = rng.lognormal(0.0, 0.30, len(kids)) * np.where(is_district, 0.8, 1.1)
        rev[kids] = r_city * (1 - cat.CITY_LEVEL_SHARE[0]) * w_r / w_r.sum()
        spend[kids] = s_city * (1 - cat.CITY_LEVEL_SHARE[1]) * w_s / w_s.sum()
    rev[is_prov] = rev[~is_prov].sum() * cat.PROVINCE_LEVEL_REVENUE_SHARE / (1 - cat.PROVINCE_LEVEL_REVENUE_SHARE)
    spend[is_prov] = np.nan  # fixed share of the total, set per year
    return Units(code.astype(str), name.astype(str), level.astype(str), prov, city, county, city_of, rev, spend)


def _year_totals(province: str, years: tuple[int, ...], n_units: int) -> dict[int, tuple[float, float, float]]:
    """(revenue, spending, central transfers) in 亿元 per year; other provinces scale 湖南 by their size."""
    size = 1.0 if province == "430000" else n_units / 137
    out = {}
    for year in years:
        if year in cat.HUNAN_TOTALS:
            base = cat.HUNAN_TOTALS[year]
        else:
            nearest = min(cat.HUNAN_TOTALS, key=lambda y: abs(y - year))
            growth = 1.03 ** (year - nearest)
            revenue, spending, central = cat.HUNAN_TOTALS[nearest]
            base = (revenue * growth, spending * growth, central * growth)
        out[year] = (base[0] * size, base[1] * size, base[2] * size)
    return out


# -- the province ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Province:
    """What every step reads and none changes: the province, its years, scale, regions and spending units."""

    code: str
    years: tuple[int, ...]  # sorted
    scale: float
    national: RegionTree
    tree: RegionTree
    units: Units
    totals: dict[int, tuple[float, float, float]]  # (revenue, spending, central transfers) in 亿元 per year

    @property
    def last_year(self) -> int:
        return self.years[-1]


def province(code: str, years: tuple[int, ...], scale: float, rng: np.random.Generator) -> Province:
    """The province `code` with its units sized (the sizes outside 湖南 are drawn from `rng`)."""
    nat = national_tree()
    if code not in nat or nat[code].level != "province":
        raise ValueError(f"{code} 不是省级区划代码")
    tree = nat.subtree(code)
    ordered = tuple(sorted(years))
    units = _units(tree, code, rng)
    return Province(code, ordered, scale, nat, tree, units, _year_totals(code, ordered, len(units.code)))


def region_frame(p: Province) -> pd.DataFrame:
    rows = [p.national["100000"], *p.tree.regions.values()]
    return pd.DataFrame(
        {
            "adcode": [r.adcode for r in rows],
            "name": [r.name for r in rows],
            "level": [r.level for r in rows],
            "parent_adcode": [r.parent for r in rows],
        }
    )


def classification_frame() -> pd.DataFrame:
    rows: list[tuple[str, str, str, str | None]] = [("revenue", c, n, None) for c, n in cat.REVENUE_CLASSES]
    rows += [("revenue", c, n, c[:3]) for c, n, _ in cat.TAX_ITEMS + cat.NONTAX_ITEMS]
    rows += [("fund_revenue", c, n, None) for c, n, _ in cat.FUND_ITEMS]
    for code, name, _s, _w, items in cat.FUNCTIONS:
        rows.append(("function", code, name, None))
        rows += [("function", c, n, code) for c, n in items]
    rows += [("function", c, n, None) for c, n in cat.OTHER_FUNCTIONS]
    known = {code for _kind, code, _n, _p in rows}
    rows += [("function", c, n, c[:3]) for c, n in cat.FUND_SPENDING_ITEMS if c not in known]
    for code, name, econ_items in cat.ECONOMIC:
        rows.append(("economic", code, name, None))
        rows += [("economic", c, n, code) for c, n in econ_items]
    return pd.DataFrame(rows, columns=["kind", "code", "name", "parent_code"])


# -- the money plan --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """Each unit's 一般公共预算 revenue and spending per year, in fen (index = unit)."""

    revenue: dict[int, np.ndarray]
    spending: dict[int, np.ndarray]


def plan(p: Province, rng: np.random.Generator) -> Plan:
    u = p.units
    n = len(u.code)
    is_prov = u.level == "province"
    revenue: dict[int, np.ndarray] = {}
    spending: dict[int, np.ndarray] = {}
    # each unit's 财政自给率 floor, the same every year (a few units, LOW_SELF_SUFFICIENCY_UNITS, below the 30% line)
    lo, hi = cat.SELF_SUFFICIENCY_FLOOR
    low = rng.random(n) < cat.LOW_SELF_SUFFICIENCY_UNITS
    floor = np.where(low, rng.uniform(0.2, 0.29, n), rng.uniform(lo, hi, n))
    for year in p.years:
        revenue_yi, spending_yi, _central = p.totals[year]
        drift = rng.lognormal(0, 0.03, n)  # units grow at slightly different rates
        rev_w = u.revenue_weight * drift
        spend_w = np.where(is_prov, 0.0, np.nan_to_num(u.spending_weight)) * drift
        province_spending = cat.PROVINCE_LEVEL_SPENDING * spending_yi / cat.HUNAN_TOTALS[2024][1]
        spend_w[is_prov] = spend_w[~is_prov].sum() * province_spending / (spending_yi - province_spending)
        spending[year] = split_one(round(spending_yi * YI), spend_w)
        revenue[year] = split_one(
            round(revenue_yi * YI), _self_sufficient(rev_w, spending[year], round(revenue_yi * YI), floor)
        )
    return Plan(revenue, spending)


def _self_sufficient(rev_w: np.ndarray, spending: np.ndarray, revenue_total: int, floor: np.ndarray) -> np.ndarray:
    """Revenue weights moved so that every unit raises at least its `floor` share of what it spends, the money taken
    from the units above their floor in proportion to their surplus: the total and the ranking of the rich hold."""
    revenue = rev_w / rev_w.sum() * revenue_total
    need = np.maximum(floor * spending - revenue, 0)
    surplus = np.maximum(revenue - floor * spending, 0)
    if surplus.sum() <= need.sum():
        return rev_w
    return revenue + need - surplus * (need.sum() / surplus.sum())
