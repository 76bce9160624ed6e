"""惠民惠农 subsidies paid through 一卡通: programs, payouts, deaths and 财政供养人员, with their planted anomalies."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.demo import catalog as cat
from dashboard.demo import people
from dashboard.demo.anomalies import Planted
from dashboard.demo.province import Province, random_dates

VILLAGE_SIZE = 25  # people per village in the demo (a village's public list: 村务公开)


@dataclass(frozen=True)
class Subsidies:
    subsidy_program: pd.DataFrame
    subsidy_payout: pd.DataFrame
    person_death: pd.DataFrame
    public_employee: pd.DataFrame
    sampling: pd.DataFrame  # the share of the province's real payouts the demo holds


def subsidies(p: Province, agency: pd.DataFrame, rng: np.random.Generator, planted: Planted) -> Subsidies:
    """Programs, enrolled people and their payouts; recorded deaths stop payouts; 财政供养人员 with a few planted
    on 低保; the payout anomalies are planted in `_plant_payout_anomalies`."""
    u = p.units
    county_idx = np.flatnonzero(u.level == "county")
    if len(county_idx) == 0:
        county_idx = np.flatnonzero(u.level != "province")
    cats = cat.SUBSIDY_CATEGORIES
    cities = [c for c in u.code if p.tree[c].level == "city"]
    # programs: each category at province level, in every city, and in some counties (~260 in all)
    programs = []
    for name, freq, standard, _typical, _w in cats:
        programs.append((p.code, name, freq, standard, f"{name}"))
        for c in cities:
            programs.append((c, name, freq, round(standard * rng.uniform(0.9, 1.2)), f"{p.tree.name(c)}{name}"))
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
    program = pd.DataFrame(
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
    n_enrol = max(500, int(265_000 * p.scale / payouts_per_enrolment))
    n_people = int(n_enrol / 1.3)
    weight = u.spending_weight[county_idx]
    weight = np.nan_to_num(weight, nan=1.0)
    home = county_idx[rng.choice(len(county_idx), size=n_people, p=weight / weight.sum())]
    n_employees = max(200, int(8000 * p.scale))
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
    village = _villages(home, township, people.place_names(rng, n_people, "村"))
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
            program_idx[j] = prog_key[(p.code, c_name)]
    freq = prog["frequency"].to_numpy()[program_idx]
    typical = np.array([c[3] for c in cats])[enrol_cat]
    standard = prog["standard"].to_numpy()[program_idx]
    fixed = np.isin(cat_names[enrol_cat], list(cat.FIXED_SUBSIDIES))
    base_amount = np.where(
        fixed, standard, np.minimum(typical * rng.lognormal(0, 0.25, len(enrol_cat)), standard * 0.95)
    )
    # payouts: months of each year by frequency
    months_for = {"按月": list(range(1, 13)), "按季": [3, 6, 9, 12], "按年": [6], "一次性": [4]}
    rows_e, rows_y, rows_m = [], [], []
    for f, months in months_for.items():
        sel = np.flatnonzero(freq == f)
        for year in p.years:
            for month in months:
                rows_e.append(sel)
                rows_y.append(np.full(len(sel), year))
                rows_m.append(np.full(len(sel), month))
    e = np.concatenate(rows_e)
    y = np.concatenate(rows_y)
    m = np.concatenate(rows_m)
    amount_fen = (np.round(base_amount[e] * np.where(fixed[e], 1.0, rng.uniform(0.97, 1.0, len(e))), 0) * 100).astype(
        np.int64
    )
    pay_date = random_dates(rng, y, m, 5, 25)
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
            **u.ancestry(home[person]),
        }
    )
    # deaths: some elderly recipients die; their payouts stop (clean)
    deaths = rng.choice(n_people, size=max(10, n_people // 50), replace=False)
    death_date = random_dates(
        rng, np.full(len(deaths), p.last_year), rng.integers(1, 12, len(deaths)), 1, 28, workdays=False
    )
    death_of = pd.Series(death_date, index=deaths)
    dd = death_of.reindex(frame["person"]).to_numpy()
    frame = frame[~(pd.notna(dd) & (frame["pay_date"].to_numpy() > dd))].reset_index(drop=True)
    frame = frame.sort_values(["pay_date", "program_id", "recipient_id_number"], kind="stable")
    frame = frame.reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
    frame, death_of = _plant_payout_anomalies(p, frame, prog, deaths, death_of, rng, planted)
    person_death = pd.DataFrame(
        {
            "id_number": ids[death_of.index.to_numpy()],
            "name": p_names[death_of.index.to_numpy()],
            "death_date": death_of.to_numpy(),
            "region_code": u.code[home[death_of.index.to_numpy()]],
        }
    )
    # 财政供养人员: employees (none on 低保 except the planted ones)
    agencies = agency
    county_agencies = agencies[agencies["region_code"].isin(u.code[county_idx])]
    emp_agency = county_agencies["id"].to_numpy()[rng.integers(0, len(county_agencies), n_employees)]
    employees = pd.DataFrame({"id_number": emp_ids, "name": emp_names, "agency_id": emp_agency})
    dibao = frame[
        frame["category"].eq("城乡居民最低生活保障") & frame["county_code"].map(lambda c: planted.allows(c, "红"))
    ]
    on_dibao = dibao.drop_duplicates("recipient_id_number").sample(n=min(4, len(dibao)), random_state=rng)
    employees = pd.concat(
        [
            employees,
            pd.DataFrame(
                {
                    "id_number": on_dibao["recipient_id_number"],
                    "name": on_dibao["recipient_name"],
                    "agency_id": county_agencies["id"].to_numpy()[rng.integers(0, len(county_agencies), len(on_dibao))],
                }
            ),
        ],
        ignore_index=True,
    )
    for row in on_dibao.itertuples():
        region = row.county_code or row.city_code
        planted.plant(
            "subsidy_public_employee_dibao",
            row.recipient_id_number,
            region,
            note="财政供养人员 receiving 城乡居民最低生活保障",
        )
    last_year = int((pd.to_datetime(frame["pay_date"]).dt.year == p.last_year).sum())
    sample = pd.DataFrame({"topic": ["subsidies"], "share": [round(last_year / cat.SUBSIDY_PAYOUTS_PER_YEAR, 8)]})
    return Subsidies(program, frame.drop(columns=["person"]), person_death, employees, sample)


def _villages(home: np.ndarray, township: np.ndarray, drawn: np.ndarray) -> np.ndarray:
    """Each person's village: a township's people live in a few villages of about VILLAGE_SIZE people, named by
    the names drawn for the first of them (the draws are the same as before, so nothing else in the demo moves)."""
    frame = pd.DataFrame({"home": home, "township": township, "drawn": drawn})
    groups = frame.groupby(["home", "township"], sort=False)
    rank = groups.cumcount().to_numpy()
    villages = np.maximum(1, np.ceil(groups["drawn"].transform("size").to_numpy() / VILLAGE_SIZE)).astype(int)
    first = groups["drawn"].transform(lambda names: names.iloc[0]).to_numpy()
    slot = rank % villages
    # slot k of a township is named by the drawn name of its (k+1)-th person: distinct enough, deterministic
    named = frame.assign(rank=rank, slot=slot)
    names = named[named["rank"] < villages].set_index(["home", "township", "rank"])["drawn"]
    keys = pd.MultiIndex.from_arrays([home, township, slot])
    out = names.reindex(keys).to_numpy()
    return np.where(pd.isna(out), first, out).astype(object)


def _plant_payout_anomalies(
    p: Province,
    frame: pd.DataFrame,
    prog: pd.DataFrame,
    deaths: np.ndarray,
    death_of: pd.Series,
    rng: np.random.Generator,
    planted: Planted,
) -> tuple[pd.DataFrame, pd.Series]:
    """Plant, in the last year's monthly provincial payouts: one ID paid in two counties, payouts after a death (the
    death is recorded the day after a payout), amounts above the standard, accounts in another name. Returns (the
    payouts, the death dates)."""
    u = p.units
    frame = frame.copy()
    death_of = death_of.copy()
    province_programs = set(prog.loc[prog["region_code"] == p.code, "id"])
    monthly = frame[
        frame["program_id"].isin(province_programs)
        & frame["category"].isin(["城乡居民最低生活保障", "高龄津贴", "困难残疾人生活补贴"])
        & (pd.to_datetime(frame["pay_date"]).dt.year == p.last_year)
    ]
    monthly = monthly[~monthly["person"].isin(deaths)]
    may = {g: monthly["county_code"].map(lambda c, g=g: planted.allows(c, g)).to_numpy(bool) for g in ("橙", "红")}
    orange, red = monthly[may["橙"]], monthly[may["红"]]
    red_counties = [c for c in u.code[u.level == "county"] if planted.allows(c, "红")]
    extra = []
    next_id = int(frame["id"].max()) + 1
    county_codes = np.array(red_counties)
    # one ID paid in two counties for the same program and month
    for row in red.drop_duplicates("person").sample(n=min(6, len(red)), random_state=rng).itertuples():
        other = county_codes[rng.integers(0, len(county_codes))]
        while other == row.county_code:
            other = county_codes[rng.integers(0, len(county_codes))]
        prov, city, county = p.tree.ancestry(other)
        dup = frame.loc[row.Index].copy()
        dup["id"] = next_id
        dup["province_code"], dup["city_code"], dup["county_code"] = prov, city, county
        dup["township"] = people.place_names(rng, 1, "镇")[0]
        dup["bank_account"] = people.bank_accounts(rng, 1)[0]
        extra.append(dup)
        month = str(row.pay_date)[:7]
        planted.plant(
            "subsidy_duplicate_id",
            f"{row.recipient_id_number}|{row.program_id}|{month}",
            county or other,  # `other` is a county: its ancestry ends in itself
            counties=sorted([row.county_code, county]),
            payout_ids=[int(row.id), next_id],
        )
        next_id += 1
    # payouts after a recorded death
    duplicated_people = {int(d["person"]) for d in extra}
    victims = red[~red["person"].isin(duplicated_people)].drop_duplicates("person")
    victims = victims.sample(n=min(6, len(victims)), random_state=rng)
    for row in victims.itertuples():
        later = frame[(frame["person"] == row.person) & (frame["pay_date"] > row.pay_date)]
        if later.empty:
            continue
        date = np.datetime64(row.pay_date, "D") + np.timedelta64(1, "D")
        death_of.loc[row.person] = date
        planted.plant(
            "subsidy_after_death",
            row.recipient_id_number,
            row.county_code,
            death_date=str(date),
            payout_ids=[int(i) for i in later["id"]],
        )
    # amounts above the program's standard
    standard = prog.set_index("id")["standard"]
    for idx in rng.choice(orange.index.to_numpy(), size=min(6, len(orange)), replace=False):
        limit = int(standard[frame.at[idx, "program_id"]]) * 100
        frame.at[idx, "amount"] = int(limit * rng.uniform(1.3, 2.0))
        planted.plant(
            "subsidy_above_standard",
            str(frame.at[idx, "id"]),
            frame.at[idx, "county_code"],
            standard_fen=limit,
            amount_fen=int(frame.at[idx, "amount"]),
        )
    # paid to an account not in the recipient's name
    for idx in rng.choice(orange.index.to_numpy(), size=min(5, len(orange)), replace=False):
        frame.at[idx, "account_name"] = people.person_names(rng, 1)[0]
        planted.plant("subsidy_account_name_mismatch", str(frame.at[idx, "id"]), frame.at[idx, "county_code"])
    if extra:
        frame = pd.concat([frame, pd.DataFrame(extra)], ignore_index=True)
    return frame, death_of
