"""Who spends and who is paid: the budget agencies of every unit, the supplier pool and the pool of payees."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.demo import catalog as cat
from dashboard.demo import people
from dashboard.demo.province import Province

_CORE_DEPARTMENTS = {
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
AGENCY_COLUMNS = [
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


def agencies(p: Province) -> pd.DataFrame:
    """The agencies of every unit (the `agency` table's columns plus `unit`, the unit index the steps join on)."""
    u = p.units
    rows = []
    for i, code in enumerate(u.code):
        level = u.level[i]
        for short, func, suffix, kind in cat.DEPARTMENTS:
            if level == "county" and p.scale < 0.5 and short not in _CORE_DEPARTMENTS:
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
    for k, v in u.ancestry(frame["unit"].to_numpy()).items():
        frame[k] = v
    return frame


@dataclass(frozen=True)
class Pools:
    """Suppliers (the `supplier` table's columns plus their bank `account`) and people paid as individuals."""

    suppliers: pd.DataFrame
    persons: pd.DataFrame  # name, account, county

    def supplier_frame(self) -> pd.DataFrame:
        """The `supplier` table."""
        return self.suppliers.drop(columns=["account"])


def pools(p: Province, rng: np.random.Generator) -> Pools:
    u = p.units
    n_sup = max(300, int(4000 * min(1.0, p.scale) ** 0.5))
    home = rng.choice(np.arange(len(u.code)), size=n_sup, p=u.revenue_weight / u.revenue_weight.sum())
    city_names = np.array([p.tree.name(u.city_of[i]) if u.city_of[i] in p.tree else u.name[i] for i in home])
    names = people.company_names(rng, city_names)
    suppliers = pd.DataFrame(
        {
            "id": np.arange(1, n_sup + 1, dtype=np.int64),
            "name": names,
            "credit_code": ["91" + u.code[h] + f"{rng.integers(0, 10**9):09d}" + "X" for h in home],
            "sme": rng.random(n_sup) < 0.8,
            "region_code": u.code[home],
            "account": people.bank_accounts(rng, n_sup),
        }
    )
    counties = u.code[u.level == "county"]
    n_people = 3000
    persons = pd.DataFrame(
        {
            "name": people.person_names(rng, n_people),
            "account": people.bank_accounts(rng, n_people),
            "county": rng.choice(counties, n_people),
        }
    )
    return Pools(suppliers, persons)
