"""一般公共预算 spending: indicators (预算指标), the projects they draw on (项目库) and their payments (国库集中支付).

Each unit's planned spending is split over functional classes, the agencies that spend them, and the indicators of
each agency; an execution rate turns what is paid into the budgeted amount. Planted here: 三保 and 直达资金 that lag
behind 序时进度, and project payments made on a weekend.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.demo import catalog as cat
from dashboard.demo.agencies import Pools
from dashboard.demo.anomalies import Planted
from dashboard.demo.province import Plan, Province, Units, random_dates, split_exact

_FUNC_CODES = [f[0] for f in cat.FUNCTIONS]
_FUNC_SHARE = np.array([f[2] for f in cat.FUNCTIONS])
_WAGE_SHARE = {f[0]: f[3] for f in cat.FUNCTIONS}
_KUAN = {f[0]: [k for k, _ in f[4]] for f in cat.FUNCTIONS}
_ECON_ITEMS = {e[0]: [k for k, _ in e[2]] for e in cat.ECONOMIC}
CARRY_OVER_UNITS = 0.05  # share of units carrying project money over at year end (ours)
CARRY_OVER_LAG = 0.03  # how far behind, at most on average, such a unit ends the year (ours)
_INDICATOR_COLUMNS = [
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


@dataclass(frozen=True)
class Spending:
    indicators: pd.DataFrame  # every indicator with its working columns (unit, paid, even, ...): transfers read it
    budget_indicator: pd.DataFrame
    project: pd.DataFrame
    payment: pd.DataFrame
    payment_unit: np.ndarray  # the unit index of each payment row: the treasury reads it


def spending(
    p: Province, plan: Plan, agency: pd.DataFrame, pools: Pools, rng: np.random.Generator, planted: Planted
) -> Spending:
    """The spending step: every indicator, project and payment of the province, planted anomalies included."""
    u = p.units
    agency_for = _agency_for(u, agency)
    ind_parts = []
    next_ind = 1
    n_project_per_year = max(400, int(40_000 * p.scale))
    class_noise = {year: rng.lognormal(0, 0.15, (len(u.code), len(_FUNC_CODES))) for year in p.years}
    agency_noise = np.random.default_rng(rng.integers(2**32))  # drawn per cell: same cells at every scale
    for year in p.years:
        ind = _year_indicators(p, plan, year, agency_for, class_noise[year], agency_noise, n_project_per_year, rng)
        rate = _execution_rates(p, ind, year, rng, planted)
        m = len(ind)
        ind["amount"] = np.ceil(ind["paid"].to_numpy() / rate).astype(np.int64)
        ind["id"] = np.arange(next_ind, next_ind + m, dtype=np.int64)
        next_ind += m
        ind["even"] = ind["sanbao_type"].notna().to_numpy()
        ind_parts.append(ind)
    ind, project = _projects(p, pd.concat(ind_parts, ignore_index=True), agency, rng)
    ind = _dated_indicators(p, ind, rng)
    budget_indicator = ind[_INDICATOR_COLUMNS].copy()
    budget_indicator["project_id"] = budget_indicator["project_id"].astype("Int64")
    payment = _payments(p, ind, agency, pools, rng, planted)
    payment_unit = agency.set_index("id")["unit"].reindex(payment["agency_id"]).to_numpy()
    return Spending(ind, budget_indicator, project, payment, payment_unit)


def _agency_for(units: Units, agency: pd.DataFrame) -> dict[tuple[int, str], list[tuple[int, float]]]:
    """(unit, 类) → [(agency id, weight)]: who spends a class in a unit."""
    out: dict[tuple[int, str], list[tuple[int, float]]] = {}
    for unit, func, dept, aid in agency[["unit", "func_code", "department", "id"]].itertuples(index=False):
        weight = 0.3 if dept in {"第一中学", "职业技术学院", "人民医院", "疾病预防控制中心", "残疾人联合会"} else 1.0
        out.setdefault((unit, func), []).append((aid, weight))
    finance = {
        unit: aid for unit, dept, aid in agency[["unit", "department", "id"]].itertuples(index=False) if dept == "财政"
    }
    by_dept = {(unit, dept): aid for unit, dept, aid in agency[["unit", "department", "id"]].itertuples(index=False)}
    for unit in range(len(units.code)):
        for code, *_ in cat.FUNCTIONS:
            if (unit, code) not in out:
                owner = by_dept.get((unit, cat.CLASS_OWNER.get(code, "财政")), finance[unit])
                out[(unit, code)] = [(owner, 1.0)]
    return out


def _year_indicators(
    p: Province,
    plan: Plan,
    year: int,
    agency_for: dict[tuple[int, str], list[tuple[int, float]]],
    noise: np.ndarray,
    agency_noise: np.random.Generator,
    n_project_per_year: int,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """The indicators of one year with what each pays (`paid`); the budgeted `amount` comes from the rates."""
    u = p.units
    # cells: (unit, 类, agency) with the money they pay this year
    shares = _FUNC_SHARE * noise
    unit_idx = np.repeat(np.arange(len(u.code)), len(_FUNC_CODES))
    paid_uf = split_exact(plan.spending[year], unit_idx, shares.ravel())
    cell_unit, cell_func, cell_agency, cell_weight, cell_parent = [], [], [], [], []
    for k, (unit, fi) in enumerate(zip(unit_idx, np.tile(np.arange(len(_FUNC_CODES)), len(u.code)))):
        for aid, w in agency_for[(int(unit), _FUNC_CODES[fi])]:
            cell_unit.append(unit)
            cell_func.append(_FUNC_CODES[fi])
            cell_agency.append(aid)
            cell_weight.append(w * agency_noise.lognormal(0, 0.2))
            cell_parent.append(k)
    cell_paid = split_exact(paid_uf, np.array(cell_parent), np.array(cell_weight))
    cells = pd.DataFrame({"unit": cell_unit, "func": cell_func, "agency": cell_agency, "paid": cell_paid})
    cells = cells[cells["paid"] > 0].reset_index(drop=True)
    ws = cells["func"].map(_WAGE_SHARE).to_numpy()
    wage = np.floor(cells["paid"].to_numpy() * ws).astype(np.int64)
    running = np.where(ws > 0, np.floor(cells["paid"].to_numpy() * cat.RUNNING_SHARE), 0).astype(np.int64)
    project = cells["paid"].to_numpy() - wage - running
    # 基本支出 indicators: wages (保工资) and running costs (保运转)
    basic = []
    for part, basic_econ, item_choices, basic_sanbao in (
        (wage, "301", ["30101", "30107", "30102"], "保工资"),
        (running, "302", ["30201", "30299", "30213"], "保运转"),
    ):
        has = part > 0
        basic.append(
            pd.DataFrame(
                {
                    "cell": np.flatnonzero(has),
                    "paid": part[has],
                    "econ_code": basic_econ,
                    "econ_item_code": np.array(item_choices)[rng.integers(0, 3, has.sum())],
                    "sanbao_type": basic_sanbao,
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
        kuan_code[sel] = rng.choice(_KUAN[f], size=sel.sum())
    econ_item = np.array(
        [_ECON_ITEMS[e][j % len(_ECON_ITEMS[e])] for e, j in zip(econ, rng.integers(0, 9, len(econ)))],
        dtype=object,
    )
    source = rng.choice(["年初预算", "追加", "上级转移支付"], size=len(proj_cell), p=[0.62, 0.10, 0.28])
    program = np.full(len(proj_cell), None, dtype=object)
    direct = np.zeros(len(proj_cell), dtype=bool)
    transfer_sel = np.flatnonzero(source == "上级转移支付")
    general = [prog for prog in cat.TRANSFER_PROGRAMS if prog[1] == "一般性" and prog[0] != "其他一般性转移支付"]
    for j in transfer_sel:
        matching = [prog for prog in cat.TRANSFER_PROGRAMS if prog[4] == funcs[j]] or general
        chosen = matching[rng.integers(0, len(matching))]
        program[j], direct[j] = chosen[0], chosen[2]
    sanbao = np.full(len(proj_cell), None, dtype=object)
    sanbao[(econ == "303") & np.isin(kuan_code, list(cat.SANBAO_LIVELIHOOD))] = "保基本民生"
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
        _KUAN[f][0] if f not in ("201", "205", "210") else _KUAN[f][int(h) % len(_KUAN[f])]
        for f, h in zip(ind.loc[missing, "func_code"], rng.integers(0, 99, missing.sum()))
    ]
    ind["year"] = year
    return ind


def _execution_rates(
    p: Province, ind: pd.DataFrame, year: int, rng: np.random.Generator, planted: Planted
) -> np.ndarray:
    """Paid ÷ budgeted per indicator at year end. The indicators are as adjusted at year end (unspent balances
    recalled, 指标收回), so 三保 and most units' project money are executed in full; a few units carry project money
    over (结转) and end the year a few points behind 序时进度 (黄, never more than CARRY_OVER_LAG). In the last year
    three counties lag in a 三保 type and two in 直达资金 (planted)."""
    u = p.units
    m = len(ind)
    units_arr = ind["unit"].to_numpy()
    is_project = ind["expense_kind"].eq("项目支出").to_numpy()
    carries_over = np.zeros(len(u.code), dtype=bool)  # the same units at every scale
    carries_over[rng.choice(len(u.code), size=round(CARRY_OVER_UNITS * len(u.code)), replace=False)] = True
    unit_lag = rng.uniform(0.01, CARRY_OVER_LAG, len(u.code))
    project_rate = np.clip(1 - unit_lag[units_arr] * rng.uniform(0.5, 1.5, m), 1 - 2 * CARRY_OVER_LAG, 1.0)
    rate = np.where(is_project & ind["sanbao_type"].isna().to_numpy() & carries_over[units_arr], project_rate, 1.0)
    if year == p.last_year:
        # 三保 lag: three counties, each lagging in one 三保 type it really spends on
        for kind in ("保基本民生", "保运转", "保基本民生"):
            of_kind = ind["sanbao_type"].eq(kind).to_numpy()
            money = pd.Series(ind["paid"].to_numpy()[of_kind]).groupby(units_arr[of_kind]).sum()
            for i in planted.counties(rng, u, 1, among=set(money[money > 1_000_000_000].index), grade="红"):
                planted.plant(
                    "sanbao_lag",
                    f"{u.code[i]}|{p.last_year}|{kind}",
                    u.code[i],
                    year=p.last_year,
                    sanbao_type=kind,
                    note="三保 paid evenly at 70–80% of budget: > 8 points behind 序时进度 from mid-year",
                )
                sel = (units_arr == i) & of_kind
                rate[sel] = rng.uniform(0.70, 0.80, sel.sum())
        direct = ind["direct_fund"].to_numpy()
        paid_money = ind["paid"].to_numpy().astype(float)
        # the 直达资金 lag goes where there is enough 直达资金 to see it
        direct_money = pd.Series(ind["paid"].to_numpy()[direct]).groupby(units_arr[direct]).sum()
        for i in planted.counties(rng, u, 2, among=set(direct_money[direct_money > 5_000_000_000].index)):
            planted.plant(
                "direct_fund_lag",
                f"{u.code[i]}|{p.last_year}",
                u.code[i],
                year=p.last_year,
                note="直达资金 paid at 55–65% of the allocated indicators by year end",
            )
            # 三保 money is paid first even here: the project part lags enough to bring the whole to 55–65%
            sel = (units_arr == i) & direct
            protected = sel & ind["sanbao_type"].notna().to_numpy()
            whole, kept = paid_money[sel].sum(), paid_money[protected].sum()
            target = rng.uniform(0.55, 0.65)
            rate[sel & ~protected] = (whole - kept) / (whole / target - kept)
    return rate


def _projects(
    p: Province, ind: pd.DataFrame, agency: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """项目库: the project indicators of an agency draw on a handful of its projects. Returns (the indicators with
    their `project_id`, the `project` table)."""
    ind = ind.copy()
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
    by_id = agency.set_index("id")
    func_name = {f[0]: f[1].removesuffix("支出") for f in cat.FUNCTIONS}
    proj_func = pd.Series(funcs).groupby(pick).first().reindex(range(len(proj_id))).fillna("229").to_numpy()
    kinds = rng.choice(["其他运转类", "特定目标类", "资本性"], size=len(proj_id), p=[0.3, 0.5, 0.2])
    words = np.array(["专项", "能力提升", "建设", "补助", "运维", "改造", "保障"])
    names = [
        f"{by_id.at[a, 'name']}{func_name.get(f, '')}{words[k % len(words)]}项目{n}"
        for a, f, k, n in zip(
            proj_agency,
            proj_func,
            rng.integers(0, 99, len(proj_id)),
            pd.Series(proj_agency).groupby(proj_agency).cumcount() + 1,
        )
    ]
    anc = by_id.loc[proj_agency, ["province_code", "city_code", "county_code", "region_code"]]
    project = pd.DataFrame(
        {
            "id": proj_id,
            "code": [f"{r}-XM{pid:06d}" for r, pid in zip(anc["region_code"], proj_id)],
            "name": names,
            "agency_id": proj_agency,
            "func_code": proj_func,
            "start_year": rng.integers(p.years[0] - 3, p.last_year + 1, len(proj_id)),
            "category": kinds,
            "province_code": anc["province_code"].to_numpy(),
            "city_code": anc["city_code"].to_numpy(),
            "county_code": anc["county_code"].to_numpy(),
        }
    )
    return ind, project


def _dated_indicators(p: Province, ind: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """The indicators with their document number (文号), issue date, fund nature and region columns."""
    u = p.units
    ind = ind.copy()
    prefix = {
        c: (n.removesuffix("省").removesuffix("市")[:1] if u.level[i] != "province" else "湘")
        for i, (c, n) in enumerate(zip(u.code, u.name))
    }
    if p.code != "430000":
        prefix[p.code] = u.name[u.level == "province"][0][:1]
    unit_codes = u.code[ind["unit"].to_numpy()]
    doc_seq = rng.integers(1, 300, len(ind))
    ind["doc_no"] = [
        f"{prefix[c]}财{'预' if s == '年初预算' else '追' if s == '追加' else '转'}〔{y}〕{n}号"
        for c, s, y, n in zip(unit_codes, ind["source"], ind["year"], doc_seq)
    ]
    starts_in_january = ind["source"].eq("年初预算").to_numpy() | ind["even"].to_numpy()
    months = np.where(starts_in_january, 1, rng.integers(2, 12, len(ind)))
    ind["issue_date"] = random_dates(rng, ind["year"].to_numpy(), months, 1, 20)
    ind["fund_nature"] = "一般公共预算"
    for k, v in u.ancestry(ind["unit"].to_numpy()).items():
        ind[k] = v
    return ind


def _payments(
    p: Province, ind: pd.DataFrame, agency: pd.DataFrame, pools: Pools, rng: np.random.Generator, planted: Planted
) -> pd.DataFrame:
    """The `payment` table: evenly paid 三保 monthly, project money in lognormal tranches after the issue month."""
    target = int(600_000 * p.scale) * len(p.years)
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
    early = _early_paying(ind["county_code"].fillna(ind["city_code"]).fillna(ind["province_code"]).to_numpy())[group]
    month = np.where(is_even | ~early | (month == 12), month, np.maximum(month - 1, 1))  # December stays the peak
    issue_month = pd.to_datetime(ind["issue_date"]).dt.month.to_numpy()[group]
    month = np.where(is_even, month, np.maximum(month, issue_month))  # never paid before the money exists
    wage = ind["sanbao_type"].eq("保工资").to_numpy()[group]
    pay_date = np.where(wage, random_dates(rng, years, month, 8, 15), random_dates(rng, years, month, 1, None))
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
    payee_name, payee_account, is_person = _payees(agency_ids, econ, wage, agency, pools, rng)
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
    frame["pay_date"] = _weekend_pay_dates(p, frame, rng, planted)
    frame["voucher_no"] = (
        "ZF" + pd.Series(pd.to_datetime(frame["pay_date"]).dt.year).astype(str) + frame["id"].astype(str).str.zfill(10)
    )
    return frame


def _early_paying(region_codes: np.ndarray) -> np.ndarray:
    """Whether each region pays its projects a month early: a fixed share of regions, chosen by a hash of the code
    (no random draw, so no other value of the demo moves)."""
    share = int(cat.EARLY_PAYING_SHARE * 1000)
    return np.array([zlib.crc32(str(code).encode()) % 1000 < share for code in region_codes], dtype=bool)


def _weekend_pay_dates(p: Province, frame: pd.DataFrame, rng: np.random.Generator, planted: Planted) -> np.ndarray:
    """The payments' dates with five project payments moved onto a Saturday or Sunday (planted: everything else is
    paid on workdays)."""
    pay_date = frame["pay_date"].to_numpy().copy()
    candidates = np.flatnonzero(
        (frame["econ_code"] == "310").to_numpy() & (pd.to_datetime(frame["pay_date"]).dt.year == p.last_year).to_numpy()
    )
    for row in rng.choice(candidates, size=min(5, len(candidates)), replace=False):
        date = np.datetime64(pay_date[row], "D")
        dow = (date.astype(np.int64) + 3) % 7
        weekend = date + np.timedelta64(5 - dow, "D")
        if weekend.astype("datetime64[Y]") != date.astype("datetime64[Y]"):
            weekend = weekend - np.timedelta64(7, "D")
        pay_date[row] = weekend
        region = next(
            frame.at[row, c] for c in ("county_code", "city_code", "province_code") if pd.notna(frame.at[row, c])
        )  # 本级 rows have NaN (truthy) below their own level
        planted.plant("payment_weekend", str(frame.at[row, "id"]), region, pay_date=str(weekend))
    return pay_date


def _payees(
    agency_ids: np.ndarray,
    econ: np.ndarray,
    wage: np.ndarray,
    agency: pd.DataFrame,
    pools: Pools,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(name, account, is a person) of each payee: companies for goods and works, people for 对个人和家庭的补助,
    the agency's own payroll for wages."""
    n = len(agency_ids)
    by_id = agency.set_index("id")
    pool = pools.suppliers
    person_pool = pools.persons
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
    names[wage] = by_id.loc[agency_ids[wage], "name"].to_numpy() + "(工资统发)"
    accounts[wage] = "1901" + pd.Series(agency_ids[wage]).astype(str).str.zfill(12).to_numpy()
    debt = econ == "307"
    names[debt] = "中央国债登记结算有限责任公司"
    accounts[debt] = "110060149018000112"
    return names, accounts, is_person
