"""A calibrated, deterministic demo province: every fact table of the store, plus the anomalies planted on purpose.

Money is planned top-down in integer fen and split exactly (largest remainder), so totals are exact by construction:
province spending → units (省本级, 市本级, counties) → functional classes → agencies → indicators → payments.
`scale` changes how many rows carry the money (granularity), never the totals, so a small test store is as well
calibrated as the full one. Everything is drawn from one seeded generator: the same seed gives the same store.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.core import settings
from dashboard.core.regions import RegionTree, national_tree
from dashboard.demo import catalog as cat
from dashboard.demo import people
from dashboard.demo.fund_spending import fund_spending

YI = 100_000_000 * 100  # one 亿元 in fen
Progress = Callable[[str], None]


@dataclass
class DemoData:
    frames: dict[str, pd.DataFrame]
    anomalies: list[dict]
    province: str
    years: tuple[int, ...]
    data_through: dt.date
    counts: dict[str, int] = field(default_factory=dict)


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


def _split_one(total: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return split_exact(np.array([total]), np.zeros(len(w), dtype=np.int64), w)


def _weekday(dates: np.ndarray) -> np.ndarray:
    """Move Saturdays and Sundays to the nearest weekday inside the same month (treasuries pay on workdays)."""
    days = dates.astype("datetime64[D]").astype(np.int64)
    dow = (days + 3) % 7  # 0 = Monday (1970-01-01 was a Thursday)
    day_of_month = (dates.astype("datetime64[D]") - dates.astype("datetime64[M]")).astype(np.int64) + 1
    back = np.where(dow == 5, -1, np.where(dow == 6, -2, 0))
    forward = np.where(dow == 5, 2, np.where(dow == 6, 1, 0))
    shift = np.where(day_of_month + back >= 1, back, forward)
    return (days + shift).astype("datetime64[D]")


def _month_start(years: np.ndarray, months: np.ndarray) -> np.ndarray:
    return ((years - 1970) * 12 + (months - 1)).astype("datetime64[M]").astype("datetime64[D]")


def _dates(
    rng: np.random.Generator,
    years: np.ndarray,
    months: np.ndarray,
    lo: int = 1,
    hi: int | None = None,
    workdays: bool = True,
) -> np.ndarray:
    month_start = _month_start(years, months)
    length = (_month_start(years, months + 1) - month_start).astype(np.int64)
    top = length if hi is None else np.minimum(hi, length)
    day = lo + np.floor(rng.random(len(years)) * (top - lo + 1)).astype(np.int64)
    dates = month_start + (day - 1).astype("timedelta64[D]")
    return _weekday(dates) if workdays else dates


# -- units: who spends (省本级, 市本级, counties) ------------------------------------------------------------------


@dataclass
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


def _units(tree: RegionTree, province: str, rng: np.random.Generator) -> Units:
    rows = []
    for region in sorted(tree.regions.values(), key=lambda r: r.adcode):
        if region.level not in ("province", "city", "county"):
            continue
        prov, city, county = tree.ancestry(region.adcode)
        rows.append((region.adcode, region.name, region.level, prov, city, county, city or prov))
    code, name, level, prov, city, county, city_of = (np.array(c, dtype=object) for c in zip(*rows))
    n = len(code)
    rev = np.zeros(n)
    spend = np.zeros(n)
    is_prov = level == "province"
    cities = [c for c in code if tree[c].level == "city"]
    # City-and-below sizes: 湖南 from its budgets, elsewhere lognormal with the capital largest.
    city_size = {}
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
            kids = list(tree.children(c))
            if level[i] == "city":
                share_r, share_s = cat.CITY_LEVEL_SHARE if kids else (1.0, 1.0)
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
            base = tuple(v * growth for v in cat.HUNAN_TOTALS[nearest])
        out[year] = tuple(v * size for v in base)
    return out


# -- the generator ---------------------------------------------------------------------------------------------------


class _Generator:
    def __init__(self, province: str, years: tuple[int, ...], scale: float, seed: int):
        self.rng = np.random.default_rng(seed)
        self.province = province
        self.years = tuple(sorted(years))
        self.last_year = self.years[-1]
        self.scale = scale
        nat = national_tree()
        if province not in nat or nat[province].level != "province":
            raise ValueError(f"{province} 不是省级区划代码")
        self.tree = nat.subtree(province)
        self.national = nat
        self.units = _units(self.tree, province, self.rng)
        self.totals = _year_totals(province, self.years, len(self.units.code))
        self.frames: dict[str, pd.DataFrame] = {}
        self.anomalies: list[dict] = []
        self._planted: set[str] = set()

    # ---- helpers
    def plant(self, kind: str, key: str, region: str, **detail) -> None:
        self.anomalies.append({"kind": kind, "key": key, "region": region, **detail})

    def pick_counties(self, n: int, among: set[int] | None = None) -> list[int]:
        """Unit indexes of `n` counties (from `among` if given) not used by an earlier plant, so every anomaly sits
        in its own place."""
        units = self.units
        pool = [
            i
            for i in np.flatnonzero(units.level == "county")
            if units.code[i] not in self._planted and (among is None or i in among)
        ]
        chosen = list(self.rng.choice(pool, size=min(n, len(pool)), replace=False))
        self._planted.update(units.code[i] for i in chosen)
        return chosen

    def ancestry_frame(self, unit_idx: np.ndarray) -> dict[str, np.ndarray]:
        u = self.units
        return {"province_code": u.province[unit_idx], "city_code": u.city[unit_idx], "county_code": u.county[unit_idx]}

    # ---- regions and classifications
    def regions(self) -> None:
        rows = [self.national["100000"], *self.tree.regions.values()]
        self.frames["region"] = pd.DataFrame(
            {
                "adcode": [r.adcode for r in rows],
                "name": [r.name for r in rows],
                "level": [r.level for r in rows],
                "parent_adcode": [r.parent for r in rows],
            }
        )

    def classifications(self) -> None:
        rows = [("revenue", c, n, None) for c, n in cat.REVENUE_CLASSES]
        rows += [("revenue", c, n, c[:3]) for c, n, _ in cat.TAX_ITEMS + cat.NONTAX_ITEMS]
        rows += [("fund_revenue", c, n, None) for c, n, _ in cat.FUND_ITEMS]
        for code, name, _s, _w, items in cat.FUNCTIONS:
            rows.append(("function", code, name, None))
            rows += [("function", c, n, code) for c, n in items]
        rows += [("function", c, n, None) for c, n in cat.OTHER_FUNCTIONS]
        for code, name, items in cat.ECONOMIC:
            rows.append(("economic", code, name, None))
            rows += [("economic", c, n, code) for c, n in items]
        self.frames["classification"] = pd.DataFrame(rows, columns=["kind", "code", "name", "parent_code"])

    # ---- money plan per unit and year
    def plan(self) -> None:
        u = self.units
        n = len(u.code)
        is_prov = u.level == "province"
        self.unit_revenue: dict[int, np.ndarray] = {}
        self.unit_spending: dict[int, np.ndarray] = {}
        for year in self.years:
            revenue_yi, spending_yi, _central = self.totals[year]
            drift = self.rng.lognormal(0, 0.03, n)  # units grow at slightly different rates
            rev_w = u.revenue_weight * drift
            spend_w = np.where(is_prov, 0.0, np.nan_to_num(u.spending_weight)) * drift
            province_spending = cat.PROVINCE_LEVEL_SPENDING * spending_yi / cat.HUNAN_TOTALS[2024][1]
            spend_w[is_prov] = spend_w[~is_prov].sum() * province_spending / (spending_yi - province_spending)
            self.unit_revenue[year] = _split_one(round(revenue_yi * YI), rev_w)
            self.unit_spending[year] = _split_one(round(spending_yi * YI), spend_w)

    # ---- agencies and projects
    def agencies(self) -> None:
        u = self.units
        core = {
            "财政",
            "教育",
            "公安",
            "人力资源和社会保障",
            "民政",
            "卫生健康",
            "农业农村",
            "住房和城乡建设",
            "交通运输",
            "自然资源",
            "科学技术",
            "生态环境",
            "文化旅游广电",
            "应急管理",
            "水利",
        }
        rows = []
        for i, code in enumerate(u.code):
            level = u.level[i]
            for short, func, suffix, kind in cat.DEPARTMENTS:
                if level == "county" and self.scale < 0.5 and short not in core:
                    continue
                if level == "county" and short in {"职业技术学院", "地方金融管理", "气象"}:
                    continue
                if level == "province":
                    name = f"{u.name[i]}{short}{suffix}"
                else:
                    local_suffix = {"厅": "局", "委员会": "委员会", "部": "部", "局": "局", "": ""}[suffix]
                    name = f"{u.name[i]}{short}{local_suffix}"
                rows.append((i, code, short, func, kind, name))
        frame = pd.DataFrame(rows, columns=["unit", "region_code", "department", "func_code", "kind", "name"])
        frame["id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
        frame["code"] = frame["region_code"] + "-" + (frame.groupby("unit").cumcount() + 1).astype(str).str.zfill(3)
        anc = self.ancestry_frame(frame["unit"].to_numpy())
        for k, v in anc.items():
            frame[k] = v
        self.agency_frame = frame
        self.frames["agency"] = frame[
            [
                "id",
                "code",
                "name",
                "region_code",
                "department",
                "kind",
                "func_code",
                "province_code",
                "city_code",
                "county_code",
            ]
        ]

    def _agency_for(self) -> dict[tuple[int, str], list[tuple[int, float]]]:
        """(unit, 类) → [(agency id, weight)]: who spends a class in a unit."""
        out: dict[tuple[int, str], list[tuple[int, float]]] = {}
        for unit, func, dept, aid in self.agency_frame[["unit", "func_code", "department", "id"]].itertuples(
            index=False
        ):
            weight = (
                0.3 if dept in {"第一中学", "职业技术学院", "人民医院", "疾病预防控制中心", "残疾人联合会"} else 1.0
            )
            out.setdefault((unit, func), []).append((aid, weight))
        finance = {
            unit: aid
            for unit, dept, aid in self.agency_frame[["unit", "department", "id"]].itertuples(index=False)
            if dept == "财政"
        }
        by_dept = {
            (unit, dept): aid
            for unit, dept, aid in self.agency_frame[["unit", "department", "id"]].itertuples(index=False)
        }
        for unit in range(len(self.units.code)):
            for code, *_ in cat.FUNCTIONS:
                if (unit, code) not in out:
                    owner = by_dept.get((unit, cat.CLASS_OWNER.get(code, "财政")), finance[unit])
                    out[(unit, code)] = [(owner, 1.0)]
        return out

    # ---- indicators and payments
    def spending(self) -> None:
        rng, u = self.rng, self.units
        agency_for = self._agency_for()
        agency_unit = self.agency_frame.set_index("id")["unit"]
        func_codes = [f[0] for f in cat.FUNCTIONS]
        func_share = np.array([f[2] for f in cat.FUNCTIONS])
        wage_share = {f[0]: f[3] for f in cat.FUNCTIONS}
        kuan = {f[0]: [k for k, _ in f[4]] for f in cat.FUNCTIONS}
        econ_items = {e[0]: [k for k, _ in e[2]] for e in cat.ECONOMIC}
        programs = cat.TRANSFER_PROGRAMS

        ind_parts = []
        next_ind = 1
        n_project_per_year = max(400, int(40_000 * self.scale))
        class_noise = {year: rng.lognormal(0, 0.15, (len(u.code), len(func_codes))) for year in self.years}
        agency_noise = np.random.default_rng(rng.integers(2**32))  # drawn per cell: same cells at every scale
        for year in self.years:
            # cells: (unit, 类, agency) with the money they pay this year
            noise = class_noise[year]
            shares = func_share * noise
            unit_idx = np.repeat(np.arange(len(u.code)), len(func_codes))
            paid_uf = split_exact(self.unit_spending[year], unit_idx, shares.ravel())
            cell_unit, cell_func, cell_agency, cell_weight, cell_parent = [], [], [], [], []
            for k, (unit, fi) in enumerate(zip(unit_idx, np.tile(np.arange(len(func_codes)), len(u.code)))):
                for aid, w in agency_for[(unit, func_codes[fi])]:
                    cell_unit.append(unit)
                    cell_func.append(func_codes[fi])
                    cell_agency.append(aid)
                    cell_weight.append(w * agency_noise.lognormal(0, 0.2))
                    cell_parent.append(k)
            cell_paid = split_exact(paid_uf, np.array(cell_parent), np.array(cell_weight))
            cells = pd.DataFrame({"unit": cell_unit, "func": cell_func, "agency": cell_agency, "paid": cell_paid})
            cells = cells[cells["paid"] > 0].reset_index(drop=True)
            ws = cells["func"].map(wage_share).to_numpy()
            wage = np.floor(cells["paid"].to_numpy() * ws).astype(np.int64)
            running = np.where(ws > 0, np.floor(cells["paid"].to_numpy() * cat.RUNNING_SHARE), 0).astype(np.int64)
            project = cells["paid"].to_numpy() - wage - running
            # 基本支出 indicators: wages (保工资) and running costs (保运转)
            basic = []
            for part, econ, item_choices, sanbao in (
                (wage, "301", ["30101", "30107", "30102"], "保工资"),
                (running, "302", ["30201", "30299", "30213"], "保运转"),
            ):
                has = part > 0
                basic.append(
                    pd.DataFrame(
                        {
                            "cell": np.flatnonzero(has),
                            "paid": part[has],
                            "econ_code": econ,
                            "econ_item_code": np.array(item_choices)[rng.integers(0, 3, has.sum())],
                            "sanbao_type": sanbao,
                            "expense_kind": "基本支出",
                            "source": "年初预算",
                            "transfer_program": None,
                            "direct_fund": False,
                            "project_id": None,
                        }
                    )
                )
            # 项目支出 indicators: several per cell, by sqrt of the money
            has = project > 0
            weight = np.sqrt(project[has].astype(float))
            per_cell = np.maximum(1, np.floor(weight / weight.sum() * n_project_per_year)).astype(np.int64)
            per_cell = np.minimum(per_cell, np.maximum(1, project[has] // 500_000))  # ≥ 5,000 元 each
            proj_cell = np.repeat(np.flatnonzero(has), per_cell)
            proj_paid = split_exact(
                project[has], np.repeat(np.arange(has.sum()), per_cell), rng.lognormal(0, 0.9, per_cell.sum())
            )
            funcs = cells["func"].to_numpy()[proj_cell]
            econ = np.empty(len(proj_cell), dtype=object)
            kuan_code = np.empty(len(proj_cell), dtype=object)
            for f in np.unique(funcs):
                sel = funcs == f
                mix = cat.PROJECT_ECON.get(f, cat.DEFAULT_PROJECT_ECON)
                econ[sel] = rng.choice(list(mix), size=sel.sum(), p=np.array(list(mix.values())) / sum(mix.values()))
                kuan_code[sel] = rng.choice(kuan[f], size=sel.sum())
            econ_item = np.array(
                [econ_items[e][j % len(econ_items[e])] for e, j in zip(econ, rng.integers(0, 9, len(econ)))],
                dtype=object,
            )
            source = rng.choice(["年初预算", "追加", "上级转移支付"], size=len(proj_cell), p=[0.62, 0.10, 0.28])
            program = np.full(len(proj_cell), None, dtype=object)
            direct = np.zeros(len(proj_cell), dtype=bool)
            transfer_sel = np.flatnonzero(source == "上级转移支付")
            general = [p for p in programs if p[1] == "一般性" and p[0] != "其他一般性转移支付"]
            for j in transfer_sel:
                matching = [p for p in programs if p[4] == funcs[j]] or general
                p = matching[rng.integers(0, len(matching))]
                program[j], direct[j] = p[0], p[2]
            sanbao = np.where((econ == "303") & np.isin(kuan_code, list(cat.SANBAO_LIVELIHOOD)), "保基本民生", None)
            projects = pd.DataFrame(
                {
                    "cell": proj_cell,
                    "paid": proj_paid,
                    "econ_code": econ,
                    "econ_item_code": econ_item,
                    "sanbao_type": sanbao,
                    "expense_kind": "项目支出",
                    "source": source,
                    "transfer_program": program,
                    "direct_fund": direct,
                    "project_id": None,
                    "func_item_code": kuan_code,
                }
            )
            ind = pd.concat([*basic, projects], ignore_index=True)
            ind = ind[ind["paid"] > 0].reset_index(drop=True)
            ind["unit"] = cells["unit"].to_numpy()[ind["cell"]]
            ind["func_code"] = cells["func"].to_numpy()[ind["cell"]]
            ind["agency_id"] = cells["agency"].to_numpy()[ind["cell"]]
            missing = ind["func_item_code"].isna()
            ind.loc[missing, "func_item_code"] = [
                kuan[f][0] if f not in ("201", "205", "210") else kuan[f][int(h) % len(kuan[f])]
                for f, h in zip(ind.loc[missing, "func_code"], rng.integers(0, 99, missing.sum()))
            ]
            ind["year"] = year
            # execution rate → budget amount; evenly paid 三保 and planted lags
            m = len(ind)
            even = ind["sanbao_type"].notna().to_numpy()
            units_arr = ind["unit"].to_numpy()
            unit_pace = rng.uniform(0.80, 0.99, len(u.code))  # how fast each unit spends its project money
            project_rate = np.clip(unit_pace[units_arr] + 0.12 * (rng.beta(5, 2, m) - 0.71), 0.55, 1.0)
            rate = np.where(
                ind["sanbao_type"].eq("保工资"),
                rng.uniform(0.985, 1.0, m),
                np.where(even, rng.uniform(0.955, 1.0, m), project_rate),
            )
            if year == self.last_year:
                # 三保 lag: three counties, each lagging in one 三保 type it really spends on
                for kind in ("保基本民生", "保运转", "保基本民生"):
                    of_kind = ind["sanbao_type"].eq(kind).to_numpy()
                    money = pd.Series(ind["paid"].to_numpy()[of_kind]).groupby(units_arr[of_kind]).sum()
                    for i in self.pick_counties(1, among=set(money[money > 1_000_000_000].index)):
                        self.plant(
                            "sanbao_lag",
                            f"{u.code[i]}|{self.last_year}|{kind}",
                            u.code[i],
                            year=self.last_year,
                            sanbao_type=kind,
                            note="三保 paid evenly at 70–80% of budget: > 8 points behind 序时进度 from mid-year",
                        )
                        sel = (units_arr == i) & of_kind
                        rate[sel] = rng.uniform(0.70, 0.80, sel.sum())
                direct = ind["direct_fund"].to_numpy()
                # the 直达资金 lag goes where there is enough 直达资金 to see it
                direct_money = pd.Series(ind["paid"].to_numpy()[direct]).groupby(units_arr[direct]).sum()
                for i in self.pick_counties(2, among=set(direct_money[direct_money > 5_000_000_000].index)):
                    self.plant(
                        "direct_fund_lag",
                        f"{u.code[i]}|{self.last_year}",
                        u.code[i],
                        year=self.last_year,
                        note="直达资金 paid at 55–65% of the allocated indicators by year end",
                    )
                    sel = (units_arr == i) & direct
                    rate[sel] = rng.uniform(0.55, 0.65, sel.sum())
            ind["amount"] = np.ceil(ind["paid"].to_numpy() / rate).astype(np.int64)
            ind["id"] = np.arange(next_ind, next_ind + m, dtype=np.int64)
            next_ind += m
            ind["even"] = even
            ind_parts.append(ind)
        ind = pd.concat(ind_parts, ignore_index=True)
        self._projects(ind)
        self._indicator_frame(ind)
        self._payments(ind, agency_unit)

    def _projects(self, ind: pd.DataFrame) -> None:
        """项目库: the project indicators of an agency draw on a handful of its projects."""
        rng = self.rng
        is_proj = ind["expense_kind"].eq("项目支出").to_numpy()
        agencies = ind.loc[is_proj, "agency_id"].to_numpy()
        funcs = ind.loc[is_proj, "func_code"].to_numpy()
        n_per_agency = pd.Series(agencies).groupby(agencies).size()
        projects_per_agency = np.clip(np.ceil(np.sqrt(n_per_agency.to_numpy())), 1, 12).astype(np.int64)
        agency_ids = n_per_agency.index.to_numpy()
        proj_agency = np.repeat(agency_ids, projects_per_agency)
        proj_id = np.arange(1, len(proj_agency) + 1, dtype=np.int64)
        first = np.concatenate([[0], np.cumsum(projects_per_agency)[:-1]])
        lookup = dict(zip(agency_ids, zip(first, projects_per_agency)))
        pick = np.array([lookup[a][0] + rng.integers(0, lookup[a][1]) for a in agencies])
        ind.loc[is_proj, "project_id"] = proj_id[pick]
        agency = self.agency_frame.set_index("id")
        func_name = {f[0]: f[1].removesuffix("支出") for f in cat.FUNCTIONS}
        proj_func = pd.Series(funcs).groupby(pick).first().reindex(range(len(proj_id))).fillna("229").to_numpy()
        kinds = rng.choice(["其他运转类", "特定目标类", "资本性"], size=len(proj_id), p=[0.3, 0.5, 0.2])
        words = np.array(["专项", "能力提升", "建设", "补助", "运维", "改造", "保障"])
        names = [
            f"{agency.at[a, 'name']}{func_name.get(f, '')}{words[k % len(words)]}项目{n}"
            for a, f, k, n in zip(
                proj_agency,
                proj_func,
                rng.integers(0, 99, len(proj_id)),
                pd.Series(proj_agency).groupby(proj_agency).cumcount() + 1,
            )
        ]
        anc = agency.loc[proj_agency, ["province_code", "city_code", "county_code", "region_code"]]
        self.frames["project"] = pd.DataFrame(
            {
                "id": proj_id,
                "code": [f"{r}-XM{p:06d}" for r, p in zip(anc["region_code"], proj_id)],
                "name": names,
                "agency_id": proj_agency,
                "func_code": proj_func,
                "start_year": rng.integers(self.years[0] - 3, self.last_year + 1, len(proj_id)),
                "category": kinds,
                "province_code": anc["province_code"].to_numpy(),
                "city_code": anc["city_code"].to_numpy(),
                "county_code": anc["county_code"].to_numpy(),
            }
        )

    def _indicator_frame(self, ind: pd.DataFrame) -> None:
        rng, u = self.rng, self.units
        prefix = {
            c: (n.removesuffix("省").removesuffix("市")[:1] if u.level[i] != "province" else "湘")
            for i, (c, n) in enumerate(zip(u.code, u.name))
        }
        if self.province != "430000":
            prefix[self.province] = u.name[u.level == "province"][0][:1]
        unit_codes = u.code[ind["unit"].to_numpy()]
        doc_seq = rng.integers(1, 300, len(ind))
        ind["doc_no"] = [
            f"{prefix[c]}财{'预' if s == '年初预算' else '追' if s == '追加' else '转'}〔{y}〕{n}号"
            for c, s, y, n in zip(unit_codes, ind["source"], ind["year"], doc_seq)
        ]
        starts_in_january = ind["source"].eq("年初预算").to_numpy() | ind["even"].to_numpy()
        months = np.where(starts_in_january, 1, rng.integers(2, 12, len(ind)))
        ind["issue_date"] = _dates(rng, ind["year"].to_numpy(), months, 1, 20)
        ind["fund_nature"] = "一般公共预算"
        for k, v in self.ancestry_frame(ind["unit"].to_numpy()).items():
            ind[k] = v
        self.indicators = ind
        cols = [
            "id",
            "doc_no",
            "year",
            "issue_date",
            "source",
            "fund_nature",
            "expense_kind",
            "func_code",
            "func_item_code",
            "econ_code",
            "econ_item_code",
            "agency_id",
            "project_id",
            "transfer_program",
            "direct_fund",
            "sanbao_type",
            "amount",
            "province_code",
            "city_code",
            "county_code",
        ]
        frame = ind[cols].copy()
        frame["project_id"] = frame["project_id"].astype("Int64")
        self.frames["budget_indicator"] = frame

    def _payments(self, ind: pd.DataFrame, agency_unit: pd.Series) -> None:
        rng = self.rng
        target = int(600_000 * self.scale) * len(self.years)
        even = ind["even"].to_numpy()
        paid = ind["paid"].to_numpy()
        # evenly paid 三保: one payment a month (wages, running costs, livelihood payouts)
        n_even = np.where(even, 12, 0)
        rest = max(target - int(n_even.sum()), (~even).sum())
        w = np.sqrt(paid.astype(float)) * ~even
        n_proj = np.where(~even, np.maximum(1, np.floor(w / w.sum() * rest)), 0).astype(np.int64)
        k = np.minimum(n_even + n_proj, np.maximum(1, paid // 10_000))  # every payment at least 100 元
        group = np.repeat(np.arange(len(ind)), k)
        position = np.arange(len(group)) - np.repeat(np.cumsum(k) - k, k)
        is_even = even[group]
        weights = np.where(is_even, 1.0, rng.lognormal(0, 0.7, len(group)))
        amount = split_exact(paid, group, weights)
        years = ind["year"].to_numpy()[group]
        month_w = np.array(cat.SPENDING_MONTH_WEIGHTS)
        month = np.where(
            is_even, (position % 12) + 1, rng.choice(np.arange(1, 13), size=len(group), p=month_w / month_w.sum())
        )
        issue_month = pd.to_datetime(ind["issue_date"]).dt.month.to_numpy()[group]
        month = np.where(is_even, month, np.maximum(month, issue_month))  # never paid before the money exists
        wage = ind["sanbao_type"].eq("保工资").to_numpy()[group]
        pay_date = np.where(wage, _dates(rng, years, month, 8, 15), _dates(rng, years, month, 1, None))
        econ = ind["econ_code"].to_numpy()[group]
        pay_type = np.where(
            wage,
            "直接支付",
            np.where(
                econ == "312",
                "实拨",
                rng.choice(["直接支付", "授权支付", "实拨"], size=len(group), p=[0.5, 0.42, 0.08]),
            ),
        )
        agency_ids = ind["agency_id"].to_numpy()[group]
        payee_name, payee_account, is_person = self._payees(agency_ids, econ, wage)
        frame = pd.DataFrame(
            {
                "id": np.arange(1, len(group) + 1, dtype=np.int64),
                "indicator_id": ind["id"].to_numpy()[group],
                "agency_id": agency_ids,
                "pay_type": pay_type,
                "pay_date": pay_date,
                "func_code": ind["func_code"].to_numpy()[group],
                "func_item_code": ind["func_item_code"].to_numpy()[group],
                "econ_code": econ,
                "econ_item_code": ind["econ_item_code"].to_numpy()[group],
                "payee_name": payee_name,
                "payee_account": payee_account,
                "payee_is_person": is_person,
                "amount": amount,
                "province_code": ind["province_code"].to_numpy()[group],
                "city_code": ind["city_code"].to_numpy()[group],
                "county_code": ind["county_code"].to_numpy()[group],
            }
        )
        frame = frame[frame["amount"] > 0].reset_index(drop=True)
        self._plant_weekend_payments(frame)
        frame["voucher_no"] = (
            "ZF"
            + pd.Series(pd.to_datetime(frame["pay_date"]).dt.year).astype(str)
            + frame["id"].astype(str).str.zfill(10)
        )
        self.frames["payment"] = frame
        self.payment_unit = agency_unit.reindex(frame["agency_id"]).to_numpy()

    def _plant_weekend_payments(self, frame: pd.DataFrame) -> None:
        """Five project payments moved onto a Saturday or Sunday (everything else is paid on workdays)."""
        rng = self.rng
        candidates = np.flatnonzero(
            (frame["econ_code"] == "310").to_numpy()
            & (pd.to_datetime(frame["pay_date"]).dt.year == self.last_year).to_numpy()
        )
        for row in rng.choice(candidates, size=min(5, len(candidates)), replace=False):
            date = np.datetime64(frame.at[row, "pay_date"], "D")
            dow = (date.astype(np.int64) + 3) % 7
            weekend = date + np.timedelta64(5 - dow, "D")
            if weekend.astype("datetime64[Y]") != date.astype("datetime64[Y]"):
                weekend = weekend - np.timedelta64(7, "D")
            frame.at[row, "pay_date"] = weekend
            region = next(
                frame.at[row, c] for c in ("county_code", "city_code", "province_code") if pd.notna(frame.at[row, c])
            )  # 本级 rows have NaN (truthy) below their own level
            self.plant("payment_weekend", str(frame.at[row, "id"]), region, pay_date=str(weekend))

    def _payees(self, agency_ids, econ, wage):
        """Companies for goods and works, people for 对个人和家庭的补助, the agency's own payroll for wages."""
        rng = self.rng
        n = len(agency_ids)
        agency = self.agency_frame.set_index("id")
        pool = self.supplier_frame
        person_pool = self.person_pool
        names = np.empty(n, dtype=object)
        accounts = np.empty(n, dtype=object)
        is_person = (econ == "303") & ~wage
        company = ~is_person & ~wage & (econ != "307")
        pick = (rng.zipf(1.3, company.sum()) - 1) % len(pool)
        names[company] = pool["name"].to_numpy()[pick]
        accounts[company] = pool["account"].to_numpy()[pick]
        pick = rng.integers(0, len(person_pool), is_person.sum())
        names[is_person] = person_pool["name"].to_numpy()[pick]
        accounts[is_person] = person_pool["account"].to_numpy()[pick]
        names[wage] = agency.loc[agency_ids[wage], "name"].to_numpy() + "(工资统发)"
        accounts[wage] = "1901" + pd.Series(agency_ids[wage]).astype(str).str.zfill(12).to_numpy()
        debt = econ == "307"
        names[debt] = "中央国债登记结算有限责任公司"
        accounts[debt] = "110060149018000112"
        return names, accounts, is_person

    # ---- suppliers and people pools
    def pools(self) -> None:
        rng, u = self.rng, self.units
        n_sup = max(300, int(4000 * min(1.0, self.scale) ** 0.5))
        home = rng.choice(np.arange(len(u.code)), size=n_sup, p=u.revenue_weight / u.revenue_weight.sum())
        city_names = np.array([self.tree.name(u.city_of[i]) if u.city_of[i] in self.tree else u.name[i] for i in home])
        names = people.company_names(rng, city_names)
        self.supplier_frame = pd.DataFrame(
            {
                "id": np.arange(1, n_sup + 1, dtype=np.int64),
                "name": names,
                "credit_code": ["91" + u.code[h] + f"{rng.integers(0, 10**9):09d}" + "X" for h in home],
                "sme": rng.random(n_sup) < 0.8,
                "region_code": u.code[home],
                "account": people.bank_accounts(rng, n_sup),
            }
        )
        self.frames["supplier"] = self.supplier_frame.drop(columns=["account"])
        counties = u.code[u.level == "county"]
        n_people = 3000
        self.person_pool = pd.DataFrame(
            {
                "name": people.person_names(rng, n_people),
                "account": people.bank_accounts(rng, n_people),
                "county": rng.choice(counties, n_people),
            }
        )

    # ---- revenue
    def revenue(self) -> None:
        rng, u = self.rng, self.units
        items = cat.TAX_ITEMS + cat.NONTAX_ITEMS
        item_codes = np.array([c for c, _n, _s in items])
        item_share = np.array([s for _c, _n, s in items])
        tax = np.array([c.startswith("101") for c in item_codes])
        item_share = np.where(
            tax,
            item_share / item_share[tax].sum() * cat.TAX_SHARE,
            item_share / item_share[~tax].sum() * (1 - cat.TAX_SHARE),
        )
        per_month = 3 if self.scale >= 0.5 else 1
        month_w = np.array(cat.REVENUE_MONTH_WEIGHTS)
        jump_unit = self.pick_counties(1)[0]
        jump_month = 9
        parts = []
        for year in self.years:
            n_u = len(u.code)
            w = item_share * rng.lognormal(0, 0.2, (n_u, len(items)))
            ui = np.repeat(np.arange(n_u), len(items))
            cell = split_exact(self.unit_revenue[year], ui, w.ravel())
            cell_item = np.tile(item_codes, n_u)
            slots = np.tile(np.repeat(np.arange(1, 13), per_month), len(cell))
            group = np.repeat(np.arange(len(cell)), 12 * per_month)
            sw = month_w[slots - 1] * rng.lognormal(0, 0.15, len(slots))
            if year == self.last_year:  # a sudden jump: one county's 罚没收入 concentrated in one month
                jump = (ui[group] == jump_unit) & (cell_item[group] == "10305")
                sw = np.where(jump & (slots == jump_month), sw * 40, sw)
            amount = split_exact(cell, group, sw)
            slot_index = np.tile(np.arange(per_month), 12 * len(cell))
            day = np.array([10, 20, 28])[slot_index] if per_month == 3 else np.full(len(slots), 25)
            dates = _month_start(np.full(len(slots), year), slots) + (day - 1).astype("timedelta64[D]")
            unit_of = ui[group]
            parts.append(
                pd.DataFrame(
                    {
                        "item_code": cell_item[group],
                        "collect_date": dates,
                        "amount": amount,
                        **self.ancestry_frame(unit_of),
                    }
                )
            )
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[frame["amount"] > 0].reset_index(drop=True)
        frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
        self.frames["revenue"] = frame
        self.plant(
            "nontax_jump",
            f"{u.code[jump_unit]}|{self.last_year}-{jump_month:02d}|10305",
            u.code[jump_unit],
            item_code="10305",
            month=f"{self.last_year}-{jump_month:02d}",
            note="罚没收入 of the year concentrated in one month (≈ 40× a normal month)",
        )

    def fund_revenue(self) -> None:
        rng, u = self.rng, self.units
        codes = np.array([c for c, _n, _s in cat.FUND_ITEMS])
        shares = np.array([s for _c, _n, s in cat.FUND_ITEMS])
        parts = []
        self.unit_fund: dict[int, np.ndarray] = {}
        for year in self.years:
            unit_total = (
                self.unit_revenue[year] * cat.FUND_TO_GENERAL_REVENUE * rng.lognormal(0, 0.3, len(u.code))
            ).astype(np.int64)
            self.unit_fund[year] = unit_total
            ui = np.repeat(np.arange(len(u.code)), len(codes))
            cell = split_exact(unit_total, ui, np.tile(shares, len(u.code)))
            group = np.repeat(np.arange(len(cell)), 12)
            months = np.tile(np.arange(1, 13), len(cell))
            amount = split_exact(cell, group, rng.lognormal(0, 0.5, len(group)))
            parts.append(
                pd.DataFrame(
                    {
                        "item_code": np.tile(codes, len(u.code))[group],
                        "collect_date": _dates(rng, np.full(len(group), year), months, 20, 28),
                        "amount": amount,
                        **self.ancestry_frame(ui[group]),
                    }
                )
            )
        frame = pd.concat(parts, ignore_index=True)
        frame = frame[frame["amount"] > 0].reset_index(drop=True)
        frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
        self.frames["fund_revenue"] = frame

    # ---- transfers
    def transfers(self) -> None:
        rng, u = self.rng, self.units
        ind = self.indicators
        is_prov = u.level == "province"
        prov_idx = int(np.flatnonzero(is_prov)[0])
        program_kind = {p[0]: (p[1], p[2]) for p in cat.TRANSFER_PROGRAMS}
        rows = []
        self.unit_transfers: dict[int, np.ndarray] = {}
        for year in self.years:
            _rev, _spend, central = self.totals[year]
            central_fen = round(central * YI)
            gap = np.maximum(self.unit_spending[year] - self.unit_revenue[year], self.unit_spending[year] * 0.05)
            gap[is_prov] = 0
            target = split_exact(np.array([int(central_fen * 0.9)]), np.zeros(len(gap), dtype=np.int64), gap)
            # what each unit issued from each program, grossed up by an allocation rate (分配进度) below 100%
            issued = (
                ind[(ind["year"] == year) & ind["transfer_program"].notna()]
                .groupby(["unit", "transfer_program"])["amount"]
                .sum()
            )
            received = {}
            for (unit, program), amount in issued.items():
                rate = rng.uniform(0.95, 1.0)
                received[(unit, program)] = int(np.ceil(amount / rate))
            totals = np.zeros(len(u.code), dtype=np.int64)
            for (unit, _p), amount in received.items():
                totals[unit] += amount
            for unit in np.flatnonzero(~is_prov):
                balance = int(target[unit]) - int(totals[unit])
                if balance > 0:
                    received[(unit, "其他一般性转移支付")] = received.get((unit, "其他一般性转移支付"), 0) + balance
                    totals[unit] += balance
            # the province receives from the centre what it passes down plus what it issues itself
            central_parts: dict[str, int] = {}
            for (_unit, program), amount in received.items():
                central_parts[program] = central_parts.get(program, 0) + amount
            passed = sum(central_parts.values())
            if central_fen > passed:
                central_parts["其他一般性转移支付"] = central_parts.get("其他一般性转移支付", 0) + central_fen - passed
            totals[prov_idx] = sum(central_parts.values())
            self.unit_transfers[year] = totals
            for program, amount in central_parts.items():
                rows.append(("100000", prov_idx, program, amount, year))
            for (unit, program), amount in received.items():
                if unit != prov_idx:
                    rows.append((self.province, unit, program, amount, year))
        # monthly tranches (清算 varies the amounts a little)
        frame = pd.DataFrame(rows, columns=["from_region", "unit", "program", "amount", "year"])
        group = np.repeat(np.arange(len(frame)), 12)
        amount = split_exact(frame["amount"].to_numpy(), group, rng.uniform(0.8, 1.2, len(group)))
        months = np.tile(np.arange(1, 13), len(frame))
        unit = frame["unit"].to_numpy()[group]
        program = frame["program"].to_numpy()[group]
        out = pd.DataFrame(
            {
                "id": np.arange(1, len(group) + 1, dtype=np.int64),
                "from_region": frame["from_region"].to_numpy()[group],
                "to_region": u.code[unit],
                "kind": [program_kind[p][0] for p in program],
                "program": program,
                "direct_fund": [program_kind[p][1] for p in program],
                "amount": amount,
                "transfer_date": _dates(rng, frame["year"].to_numpy()[group], months, 5, 25),
                **self.ancestry_frame(unit),
            }
        )
        self.frames["transfer"] = out[out["amount"] > 0].reset_index(drop=True)

    # ---- debt
    def debt(self) -> None:
        rng, u = self.rng, self.units
        last = self.last_year
        capacity = self.unit_revenue[last] + self.unit_fund[last] + self.unit_transfers[last]  # 综合财力
        ratio = rng.uniform(0.3, 1.1, len(u.code))
        bands = {
            "红": (settings.get("DEBT_RATIO_RED") + 0.1, settings.get("DEBT_RATIO_RED") + 0.7),
            "橙": (settings.get("DEBT_RATIO_ORANGE") + 0.1, settings.get("DEBT_RATIO_RED") - 0.1),
            "黄": (settings.get("DEBT_RATIO_YELLOW") + 0.1, settings.get("DEBT_RATIO_ORANGE") - 0.1),
        }
        for grade, (lo, hi) in bands.items():
            for i in self.pick_counties(2):
                ratio[i] = rng.uniform(lo, hi)
                self.plant(
                    "debt_ratio",
                    f"{u.code[i]}|{last}",
                    u.code[i],
                    grade=grade,
                    year=last,
                    ratio=round(float(ratio[i]), 4),
                    note="债务率 = 年末债务余额 ÷ 综合财力 (一般公共预算收入 + 政府性基金收入 + 上级转移支付)",
                )
        balance = (capacity * ratio).astype(np.int64)
        year_end = np.datetime64(f"{last}-12-31")
        rows = []
        for i in range(len(u.code)):
            n_live = int(rng.integers(3, 9))
            issue_year = rng.integers(last - 9, last + 1, n_live)
            term = np.array(list(rng.choice([5, 7, 10, 15, 20, 30], n_live)))
            term = np.where(issue_year + term <= last, last - issue_year + 2, term)  # still owed at year end
            principal = _split_one(int(balance[i]), rng.lognormal(0, 0.5, n_live))
            n_old = int(rng.integers(1, 4))  # bonds already repaid
            old_year = rng.integers(last - 14, last - 5, n_old)
            old_term = np.minimum(rng.choice([3, 5], n_old), last - old_year - 1)
            old_principal = (balance[i] * rng.uniform(0.02, 0.08, n_old)).astype(np.int64)
            for yr, tm, p, live in [
                *zip(issue_year, term, principal, [True] * n_live),
                *zip(old_year, old_term, old_principal, [False] * n_old),
            ]:
                issue = _dates(rng, np.array([yr]), rng.integers(3, 12, 1), 1, 28)[0]
                if yr == last:
                    issue = min(issue, year_end - np.timedelta64(20, "D"))
                maturity = (
                    np.datetime64(f"{yr + tm}-{str(issue)[5:]}")
                    if str(issue)[5:] != "02-29"
                    else np.datetime64(f"{yr + tm}-02-28")
                )
                kind = "专项" if rng.random() < 0.6 else "一般"
                rate = round(float(rng.uniform(2.1, 2.9) if yr >= last - 3 else rng.uniform(2.9, 4.0)), 4)
                rows.append(
                    (
                        i,
                        f"{yr}年{u.name[i]}{kind}债券({rng.integers(1, 30)}期)",
                        kind,
                        issue,
                        maturity,
                        int(p),
                        rate,
                        int(p) if live else 0,
                    )
                )
        frame = pd.DataFrame(
            rows, columns=["unit", "name", "kind", "issue_date", "maturity_date", "principal", "rate", "outstanding"]
        )
        frame = frame[frame["principal"] > 0].reset_index(drop=True)
        frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
        for k, v in self.ancestry_frame(frame["unit"].to_numpy()).items():
            frame[k] = v
        self.frames["bond"] = frame.drop(columns=["unit"])
        limits = []
        for year in self.years:
            end = np.datetime64(f"{year}-12-31")
            live = (frame["issue_date"].to_numpy() <= end) & (frame["maturity_date"].to_numpy() > end)
            by = frame[live].groupby(["unit", "kind"])["principal"].sum()
            for i in range(len(u.code)):
                general = int(by.get((i, "一般"), 0) * rng.uniform(1.03, 1.15))
                special = int(by.get((i, "专项"), 0) * rng.uniform(1.03, 1.15))
                limits.append((u.code[i], year, general, special))
        self.frames["debt_limit"] = pd.DataFrame(
            limits, columns=["region_code", "year", "general_limit", "special_limit"]
        )

    # ---- treasury cash
    def treasury(self) -> None:
        rng, u = self.rng, self.units
        pay = self.frames["payment"]
        months_all = [(y, m) for y in self.years for m in range(1, 13)]
        n_units, n_months = len(u.code), len(months_all)
        outflow = np.zeros((n_units, n_months), dtype=np.int64)
        pay_month = pd.to_datetime(pay["pay_date"])
        idx = (pay_month.dt.year.to_numpy() - self.years[0]) * 12 + pay_month.dt.month.to_numpy() - 1
        np.add.at(outflow, (self.payment_unit, idx), pay["amount"].to_numpy())
        tr = self.frames["transfer"]
        sent = tr[tr["from_region"] == self.province]
        tr_month = pd.to_datetime(sent["transfer_date"])
        prov_idx = int(np.flatnonzero(u.level == "province")[0])
        np.add.at(
            outflow[prov_idx],
            (tr_month.dt.year.to_numpy() - self.years[0]) * 12 + tr_month.dt.month.to_numpy() - 1,
            sent["amount"].to_numpy(),
        )
        ratio = np.clip(1.1 + np.cumsum(rng.normal(0, 0.06, (n_units, n_months)), axis=1), 0.85, 1.35)
        red = settings.get("CASH_RED")
        low_months = [n_months - 4, n_months - 3]  # September and October of the last year
        planted_low = self.pick_counties(3)
        for i in planted_low:
            for mi in low_months:
                ratio[i, mi] = rng.uniform(0.1, red - 0.08)
            y, m = months_all[low_months[0]]
            self.plant(
                "treasury_cash_low",
                f"{u.code[i]}|{y}-{m:02d}",
                u.code[i],
                months=[f"{months_all[mi][0]}-{months_all[mi][1]:02d}" for mi in low_months],
                note=f"库款保障水平 < {red}: month-end cash ÷ average outflow of the last 3 months",
            )
        # month-end cash targets; a backward pass keeps every target reachable (cash falls at most by the outflow)
        average = np.stack([outflow[:, max(0, mi - 2) : mi + 1].mean(axis=1) for mi in range(n_months)], axis=1)
        target = (ratio * average).astype(np.int64)
        for mi in range(n_months - 1, 0, -1):
            target[:, mi - 1] = np.minimum(target[:, mi - 1], target[:, mi] + outflow[:, mi])
        rows = []
        for i in range(n_units):
            opening = int(target[i, 0])
            for mi, (y, m) in enumerate(months_all):
                closing = int(target[i, mi])
                inflow = closing - opening + int(outflow[i, mi])
                rows.append((u.code[i], y, m, opening, inflow, int(outflow[i, mi]), closing, i))
                opening = closing
        frame = pd.DataFrame(
            rows, columns=["region_code", "year", "month", "opening", "inflow", "outflow", "closing", "unit"]
        )
        reached = frame.set_index(["unit", "year", "month"])["closing"]
        for i in planted_low:
            for mi in low_months:
                y, m = months_all[mi]
                level = reached[(i, y, m)] / outflow[i, max(0, mi - 2) : mi + 1].mean()
                if level >= red:
                    raise AssertionError(f"planted 库款 shortfall not reached in {u.code[i]} {y}-{m}: {level:.2f}")
        for k, v in self.ancestry_frame(frame["unit"].to_numpy()).items():
            frame[k] = v
        self.frames["treasury_cash"] = frame.drop(columns=["unit"])

    # ---- subsidies (惠民惠农 一卡通)
    def subsidies(self) -> None:
        rng, u = self.rng, self.units
        county_idx = np.flatnonzero(u.level == "county")
        if len(county_idx) == 0:
            county_idx = np.flatnonzero(u.level != "province")
        cats = cat.SUBSIDY_CATEGORIES
        cities = [c for c in u.code if self.tree[c].level == "city"]
        # programs: each category at province level, in every city, and in some counties (~260 in all)
        programs = []
        for name, freq, standard, _typical, _w in cats:
            programs.append((self.province, name, freq, standard, f"{name}"))
            for c in cities:
                programs.append((c, name, freq, round(standard * rng.uniform(0.9, 1.2)), f"{self.tree.name(c)}{name}"))
        extra = max(0, cat.PROGRAMS_PER_PROVINCE - len(programs))
        for _ in range(extra):
            c_i = county_idx[rng.integers(0, len(county_idx))]
            name, freq, standard, _t, _w = cats[rng.integers(0, len(cats))]
            programs.append(
                (u.code[c_i], name, freq, round(standard * rng.uniform(0.9, 1.2)), f"{u.name[c_i]}{name}(县级配套)")
            )
        prog = pd.DataFrame(programs, columns=["region_code", "category", "frequency", "standard", "name"])
        prog["id"] = np.arange(1, len(prog) + 1, dtype=np.int64)
        prog["code"] = "HM" + prog["region_code"] + "-" + prog["id"].astype(str).str.zfill(4)
        self.frames["subsidy_program"] = pd.DataFrame(
            {
                "id": prog["id"],
                "code": prog["code"],
                "name": prog["name"],
                "category": prog["category"],
                "region_code": prog["region_code"],
                "frequency": prog["frequency"],
                "standard_amount": prog["standard"].astype(np.int64) * 100,
            }
        )
        # people and their enrolments
        per_year = {"按月": 12, "按季": 4, "按年": 1, "一次性": 1}
        cat_w = np.array([c[4] for c in cats])
        payouts_per_enrolment = (cat_w / cat_w.sum() * np.array([per_year[c[1]] for c in cats])).sum()
        n_enrol = max(500, int(265_000 * self.scale / payouts_per_enrolment))
        n_people = int(n_enrol / 1.3)
        weight = u.spending_weight[county_idx]
        weight = np.nan_to_num(weight, nan=1.0)
        home = county_idx[rng.choice(len(county_idx), size=n_people, p=weight / weight.sum())]
        n_employees = max(200, int(8000 * self.scale))
        emp_home = county_idx[rng.integers(0, len(county_idx), n_employees)]
        all_ids = people.id_numbers(rng, np.concatenate([u.code[home], u.code[emp_home]]))
        ids, emp_ids = all_ids[:n_people], all_ids[n_people:]
        names = people.person_names(rng, n_people + n_employees)
        p_names, emp_names = names[:n_people], names[n_people:]
        accounts = people.bank_accounts(rng, n_people)
        towns = {}
        for c in np.unique(home):
            towns[c] = people.place_names(rng, int(rng.integers(8, 20)), "镇")
        township = np.array([towns[h][rng.integers(0, len(towns[h]))] for h in home], dtype=object)
        village = people.place_names(rng, n_people, "村")
        enrol_person = np.concatenate([np.arange(n_people), rng.integers(0, n_people, n_enrol - n_people)])
        enrol_cat = rng.choice(len(cats), size=n_enrol, p=cat_w / cat_w.sum())
        pairs = pd.DataFrame({"person": enrol_person, "cat": enrol_cat}).drop_duplicates()
        enrol_person, enrol_cat = pairs["person"].to_numpy(), pairs["cat"].to_numpy()
        # which program: the province's (50%), the person's city's (40%), or the county's own (10%)
        prog_key = {(r, c): i for i, (r, c) in enumerate(zip(prog["region_code"], prog["category"]))}
        person_city = u.city_of[home]
        choice = rng.random(len(enrol_person))
        cat_names = np.array([c[0] for c in cats])
        program_idx = np.empty(len(enrol_person), dtype=np.int64)
        for j, (pers, ci, ch) in enumerate(zip(enrol_person, enrol_cat, choice)):
            c_name = cat_names[ci]
            county_key = (u.code[home[pers]], c_name)
            city_key = (person_city[pers], c_name)
            if ch >= 0.9 and county_key in prog_key:
                program_idx[j] = prog_key[county_key]
            elif ch >= 0.5 and city_key in prog_key:
                program_idx[j] = prog_key[city_key]
            else:
                program_idx[j] = prog_key[(self.province, c_name)]
        freq = prog["frequency"].to_numpy()[program_idx]
        typical = np.array([c[3] for c in cats])[enrol_cat]
        standard = prog["standard"].to_numpy()[program_idx]
        base_amount = np.minimum(typical * rng.lognormal(0, 0.25, len(enrol_cat)), standard * 0.95)
        # payouts: months of each year by frequency
        months_for = {"按月": list(range(1, 13)), "按季": [3, 6, 9, 12], "按年": [6], "一次性": [4]}
        rows_e, rows_y, rows_m = [], [], []
        for f, months in months_for.items():
            sel = np.flatnonzero(freq == f)
            for year in self.years:
                for m in months:
                    rows_e.append(sel)
                    rows_y.append(np.full(len(sel), year))
                    rows_m.append(np.full(len(sel), m))
        e = np.concatenate(rows_e)
        y = np.concatenate(rows_y)
        m = np.concatenate(rows_m)
        amount_fen = (np.round(base_amount[e] * rng.uniform(0.97, 1.0, len(e)), 0) * 100).astype(np.int64)
        pay_date = _dates(rng, y, m, 5, 25)
        person = enrol_person[e]
        frame = pd.DataFrame(
            {
                "program_id": prog["id"].to_numpy()[program_idx[e]],
                "category": cat_names[enrol_cat[e]],
                "township": township[person],
                "village": village[person],
                "recipient_id_number": ids[person],
                "recipient_name": p_names[person],
                "bank_account": accounts[person],
                "account_name": p_names[person],
                "amount": amount_fen,
                "pay_date": pay_date,
                "person": person,
                **self.ancestry_frame(home[person]),
            }
        )
        # deaths: some elderly recipients die; their payouts stop (clean)
        deaths = rng.choice(n_people, size=max(10, n_people // 50), replace=False)
        death_date = _dates(
            rng, np.full(len(deaths), self.last_year), rng.integers(1, 12, len(deaths)), 1, 28, workdays=False
        )
        death_of = pd.Series(death_date, index=deaths)
        dd = death_of.reindex(frame["person"]).to_numpy()
        frame = frame[~(pd.notna(dd) & (frame["pay_date"].to_numpy() > dd))].reset_index(drop=True)
        frame = frame.sort_values(["pay_date", "program_id", "recipient_id_number"], kind="stable")
        frame = frame.reset_index(drop=True)
        frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
        frame = self._plant_subsidy_anomalies(frame, prog, deaths, death_of, ids, p_names, home)
        self.frames["subsidy_payout"] = frame.drop(columns=["person"])
        self.frames["person_death"] = pd.DataFrame(
            {
                "id_number": ids[death_of.index.to_numpy()],
                "name": p_names[death_of.index.to_numpy()],
                "death_date": death_of.to_numpy(),
                "region_code": u.code[home[death_of.index.to_numpy()]],
            }
        )
        # 财政供养人员: employees (none on 低保 except the planted ones)
        agencies = self.agency_frame
        county_agencies = agencies[agencies["region_code"].isin(u.code[county_idx])]
        emp_agency = county_agencies["id"].to_numpy()[rng.integers(0, len(county_agencies), n_employees)]
        employees = pd.DataFrame({"id_number": emp_ids, "name": emp_names, "agency_id": emp_agency})
        dibao = frame[frame["category"] == "城乡居民最低生活保障"]
        planted = dibao.drop_duplicates("recipient_id_number").sample(n=min(4, len(dibao)), random_state=rng)
        employees = pd.concat(
            [
                employees,
                pd.DataFrame(
                    {
                        "id_number": planted["recipient_id_number"],
                        "name": planted["recipient_name"],
                        "agency_id": county_agencies["id"].to_numpy()[
                            rng.integers(0, len(county_agencies), len(planted))
                        ],
                    }
                ),
            ],
            ignore_index=True,
        )
        for row in planted.itertuples():
            region = row.county_code or row.city_code
            self.plant(
                "subsidy_public_employee_dibao",
                row.recipient_id_number,
                region,
                note="财政供养人员 receiving 城乡居民最低生活保障",
            )
        self.frames["public_employee"] = employees

    def _plant_subsidy_anomalies(self, frame, prog, deaths, death_of, ids, p_names, home):
        rng, u = self.rng, self.units
        province_programs = set(prog.loc[prog["region_code"] == self.province, "id"])
        monthly = frame[
            frame["program_id"].isin(province_programs)
            & frame["category"].isin(["城乡居民最低生活保障", "高龄津贴", "困难残疾人生活补贴"])
            & (pd.to_datetime(frame["pay_date"]).dt.year == self.last_year)
        ]
        monthly = monthly[~monthly["person"].isin(deaths)]
        extra = []
        next_id = int(frame["id"].max()) + 1
        county_codes = u.code[u.level == "county"]
        # one ID paid in two counties for the same program and month
        for row in monthly.drop_duplicates("person").sample(n=min(6, len(monthly)), random_state=rng).itertuples():
            other = county_codes[rng.integers(0, len(county_codes))]
            while other == row.county_code:
                other = county_codes[rng.integers(0, len(county_codes))]
            prov, city, county = self.tree.ancestry(other)
            dup = frame.loc[row.Index].copy()
            dup["id"] = next_id
            dup["province_code"], dup["city_code"], dup["county_code"] = prov, city, county
            dup["township"] = people.place_names(rng, 1, "镇")[0]
            dup["bank_account"] = people.bank_accounts(rng, 1)[0]
            extra.append(dup)
            month = str(row.pay_date)[:7]
            self.plant(
                "subsidy_duplicate_id",
                f"{row.recipient_id_number}|{row.program_id}|{month}",
                county,
                counties=sorted([row.county_code, county]),
                payout_ids=[int(row.id), next_id],
            )
            next_id += 1
        # payouts after a recorded death
        duplicated_people = {int(d["person"]) for d in extra}
        victims = monthly[~monthly["person"].isin(duplicated_people)].drop_duplicates("person")
        victims = victims.sample(n=min(6, len(victims)), random_state=rng)
        for row in victims.itertuples():
            later = frame[(frame["person"] == row.person) & (frame["pay_date"] > row.pay_date)]
            if later.empty:
                continue
            date = np.datetime64(row.pay_date, "D") + np.timedelta64(1, "D")
            death_of.loc[row.person] = date
            self.plant(
                "subsidy_after_death",
                row.recipient_id_number,
                row.county_code,
                death_date=str(date),
                payout_ids=[int(i) for i in later["id"]],
            )
        # amounts above the program's standard
        standard = prog.set_index("id")["standard"]
        for idx in rng.choice(monthly.index.to_numpy(), size=min(6, len(monthly)), replace=False):
            limit = int(standard[frame.at[idx, "program_id"]]) * 100
            frame.at[idx, "amount"] = int(limit * rng.uniform(1.3, 2.0))
            self.plant(
                "subsidy_above_standard",
                str(frame.at[idx, "id"]),
                frame.at[idx, "county_code"],
                standard_fen=limit,
                amount_fen=int(frame.at[idx, "amount"]),
            )
        # paid to an account not in the recipient's name
        for idx in rng.choice(monthly.index.to_numpy(), size=min(5, len(monthly)), replace=False):
            frame.at[idx, "account_name"] = people.person_names(rng, 1)[0]
            self.plant("subsidy_account_name_mismatch", str(frame.at[idx, "id"]), frame.at[idx, "county_code"])
        if extra:
            frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
        return frame

    # ---- procurement (政府采购)
    def procurement(self) -> None:
        rng, u = self.rng, self.units
        agencies = self.agency_frame
        t_province = settings.get("TENDER_THRESHOLD_PROVINCE") * 100
        t_local = settings.get("TENDER_THRESHOLD_LOCAL") * 100
        band = settings.get("SPLIT_BAND")
        flag = settings.get("CONTRACT_RATIO_FLAG")
        n_year = max(300, int(10_000 * self.scale))
        parts = []
        agency_w = np.nan_to_num(u.spending_weight[agencies["unit"].to_numpy()], nan=20.0)
        agency_w = np.where(u.level[agencies["unit"].to_numpy()] == "province", 25.0, agency_w) ** 0.7
        suppliers = self.supplier_frame
        for year in self.years:
            a = rng.choice(len(agencies), size=n_year, p=agency_w / agency_w.sum())
            category = rng.choice(["货物", "服务", "工程"], size=n_year, p=[0.45, 0.40, 0.15])
            median = np.select([category == "货物", category == "服务"], [400_000, 450_000], 2_000_000) * 100
            budget = (median * rng.lognormal(0, 1.1, n_year)).astype(np.int64) // 100 * 100
            level = u.level[agencies["unit"].to_numpy()[a]]
            threshold = np.where(level == "province", t_province, t_local)
            over = np.where(category == "工程", budget >= 4_000_000 * 100, budget >= threshold)
            method = np.where(
                over,
                rng.choice(["公开招标", "单一来源", "竞争性磋商"], n_year, p=[0.93, 0.03, 0.04]),
                rng.choice(
                    ["竞争性磋商", "询价", "竞争性谈判", "框架协议", "单一来源", "邀请招标", "公开招标"],
                    n_year,
                    p=[0.38, 0.14, 0.10, 0.18, 0.05, 0.03, 0.12],
                ),
            )
            # clean data keeps non-tender goods and services out of the band just under the threshold
            in_band = (
                (category != "工程") & (method != "公开招标") & (budget >= band * threshold) & (budget < threshold)
            )
            budget = np.where(in_band, (budget * 0.6).astype(np.int64) // 100 * 100, budget)
            saving = np.where(
                method == "单一来源",
                rng.uniform(1 - flag + 0.005, 0.06, n_year),
                np.clip(rng.beta(2, 20, n_year) + (1 - flag) + 0.005, 0, 0.3),
            )
            contract = (budget * (1 - saving)).astype(np.int64)
            supplier = (rng.zipf(1.25, n_year) - 1) % len(suppliers)
            notice = _dates(rng, np.full(n_year, year), rng.integers(1, 12, n_year), 1, 28)
            contract_date = np.minimum(
                notice + rng.integers(15, 45, n_year).astype("timedelta64[D]"), np.datetime64(f"{year}-12-31")
            )
            items = np.array(
                [
                    cat.PROCUREMENT_ITEMS[c][k % len(cat.PROCUREMENT_ITEMS[c])]
                    for c, k in zip(category, rng.integers(0, 60, n_year))
                ]
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
        frame = self._plant_procurement(frame, agencies, t_province, t_local, flag)
        frame["id"] = np.arange(1, len(frame) + 1, dtype=np.int64)
        ag = agencies.iloc[frame["agency_row"].to_numpy()]
        sup = suppliers.iloc[frame["supplier_row"].to_numpy()]
        frame["agency_id"] = ag["id"].to_numpy()
        frame["supplier_id"] = sup["id"].to_numpy()
        frame["supplier_name"] = sup["name"].to_numpy()
        frame["sme"] = sup["sme"].to_numpy()
        frame["plan_no"] = (
            ag["region_code"].to_numpy()
            + "-"
            + frame["year"].astype(str)
            + "-CG"
            + frame["id"].astype(str).str.zfill(6)
        )
        for k in ("province_code", "city_code", "county_code"):
            frame[k] = ag[k].to_numpy()
        for anomaly in self.anomalies:
            if anomaly["kind"].startswith("procurement_"):
                rows = anomaly.pop("_rows")
                anomaly["procurement_ids"] = [int(frame.at[r, "id"]) for r in rows]
                anomaly["key"] = "|".join(str(i) for i in anomaly["procurement_ids"])
        self.frames["procurement"] = frame.drop(columns=["agency_row", "supplier_row"])

    def _plant_procurement(self, frame, agencies, t_province, t_local, flag):
        rng, u = self.rng, self.units
        # contracts at ≥ 97% of budget
        candidates = np.flatnonzero((frame["year"] == self.last_year).to_numpy())
        for row in rng.choice(candidates, size=8, replace=False):
            ratio = rng.uniform(flag + 0.002, 1.0)
            frame.at[row, "contract_amount"] = int(frame.at[row, "budget_amount"] * ratio)
            unit = agencies["unit"].iat[frame.at[row, "agency_row"]]
            self.anomalies.append(
                {
                    "kind": "procurement_high_ratio",
                    "key": "",
                    "region": u.code[unit],
                    "_rows": [int(row)],
                    "ratio": round(float(ratio), 4),
                }
            )
        # purchases split just under the 公开招标 threshold: same agency and supplier, within 30 days
        extra = []
        next_row = len(frame)
        county_agencies = np.flatnonzero(
            agencies["region_code"].isin([u.code[i] for i in self.pick_counties(3)]).to_numpy()
        )
        province_agencies = np.flatnonzero(u.level[agencies["unit"].to_numpy()] == "province")
        for a in [*rng.choice(county_agencies, 3, replace=False), rng.choice(province_agencies)]:
            threshold = t_province if u.level[agencies["unit"].iat[a]] == "province" else t_local
            supplier = int(rng.integers(0, len(self.supplier_frame)))
            start = np.datetime64(f"{self.last_year}-{int(rng.integers(3, 10)):02d}-{int(rng.integers(1, 20)):02d}")
            category = str(rng.choice(["货物", "服务"]))
            item = cat.PROCUREMENT_ITEMS[category][int(rng.integers(0, len(cat.PROCUREMENT_ITEMS[category])))]
            rows = []
            for k in range(int(rng.integers(2, 4))):
                budget = int(threshold * rng.uniform(0.90, 0.99)) // 100 * 100
                notice = _weekday(np.array([start + np.timedelta64(int(k * rng.integers(5, 12)), "D")]))[0]
                extra.append(
                    {
                        "agency_row": a,
                        "year": self.last_year,
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
            self.anomalies.append(
                {
                    "kind": "procurement_split",
                    "key": "",
                    "_rows": rows,
                    "region": agencies["region_code"].iat[a],
                    "threshold_fen": int(threshold),
                }
            )
        return pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)


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
    g = _Generator(province, tuple(years), scale, seed)
    steps = [
        ("区划与分类", lambda: (g.regions(), g.classifications(), g.plan())),
        ("预算单位、供应商与人员", lambda: (g.agencies(), g.pools())),
        ("预算指标与支付", g.spending),
        ("一般公共预算收入", g.revenue),
        ("政府性基金收入", g.fund_revenue),
        ("转移支付", g.transfers),
        ("政府债务", g.debt),
        ("库款", g.treasury),
        ("惠民惠农补贴", g.subsidies),
        ("政府采购", g.procurement),
        ("政府性基金预算支出", lambda: g.frames.update(fund_spending=fund_spending(g.frames, g.rng))),
    ]
    for index, (label, step) in enumerate(steps):
        progress(label)
        g.rng = np.random.default_rng([seed, index])  # each step draws from its own stream: what one step draws
        step()  # (which depends on scale) never shifts the next
    frames = g.frames
    frames["demo_anomaly"] = pd.DataFrame(
        {
            "kind": [a["kind"] for a in g.anomalies],
            "key": [a["key"] for a in g.anomalies],
            "detail": [json.dumps(a, ensure_ascii=False, default=str) for a in g.anomalies],
        }
    )
    through = max(
        pd.Timestamp(frames[t][c].max()).date()
        for t, c in (("payment", "pay_date"), ("revenue", "collect_date"), ("subsidy_payout", "pay_date"))
    )
    return DemoData(
        frames, g.anomalies, province, g.years, through, {name: len(frame) for name, frame in frames.items()}
    )
