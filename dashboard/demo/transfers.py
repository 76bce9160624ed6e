"""Transfers (转移支付) from the centre down to the units, government debt (债券, 限额) and treasury cash (库款)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core import settings
from dashboard.demo import catalog as cat
from dashboard.demo.anomalies import Planted
from dashboard.demo.province import YI, Plan, Province, random_dates, split_exact, split_one


def transfers(
    p: Province, plan: Plan, indicators: pd.DataFrame, rng: np.random.Generator
) -> tuple[pd.DataFrame, dict[int, np.ndarray]]:
    """(the `transfer` table, what each unit receives per year in fen): the centre pays the province, the province
    passes the programs its units' indicators draw on, grossed up by an allocation rate, plus a general balance."""
    u = p.units
    ind = indicators
    is_prov = u.level == "province"
    prov_idx = int(np.flatnonzero(is_prov)[0])
    program_kind = {prog[0]: (prog[1], prog[2]) for prog in cat.TRANSFER_PROGRAMS}
    rows = []
    unit_transfers: dict[int, np.ndarray] = {}
    for year in p.years:
        _rev, _spend, central = p.totals[year]
        central_fen = round(central * YI)
        gap = np.maximum(plan.spending[year] - plan.revenue[year], plan.spending[year] * 0.05)
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
        unit_transfers[year] = totals
        for program, amount in central_parts.items():
            rows.append(("100000", prov_idx, program, amount, year))
        for (unit, program), amount in received.items():
            if unit != prov_idx:
                rows.append((p.code, unit, program, amount, year))
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
            "kind": [program_kind[prog][0] for prog in program],
            "program": program,
            "direct_fund": [program_kind[prog][1] for prog in program],
            "amount": amount,
            "transfer_date": random_dates(rng, frame["year"].to_numpy()[group], months, 5, 25),
            **u.ancestry(unit),
        }
    )
    return out[out["amount"] > 0].reset_index(drop=True), unit_transfers


SPECIAL_DEBT_TO_FUND = (1.0, 2.2)  # a unit's 专项 balance ÷ its fund revenue (ours: interest ≤ 2.2 × 4% < 10%)


def debt(
    p: Province, capacity: np.ndarray, fund: np.ndarray, rng: np.random.Generator, planted: Planted
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(the `bond` table, the `debt_limit` table): each unit owes its 综合财力 (`capacity`, fen, 本级 net of what it
    passes down) times a ratio; six counties are planted in the red, orange and yellow 债务率 bands. 专项 bonds are
    repaid from fund revenue, so a unit's 专项 balance is held to SPECIAL_DEBT_TO_FUND times its fund revenue
    (`fund`, fen) and its 专项 interest stays below 10% of its fund spending; few bonds fall due within a year."""
    u = p.units
    last = p.last_year
    ratio = rng.uniform(0.3, 1.1, len(u.code))
    bands = {
        "红": (settings.get("DEBT_RATIO_RED") + 0.1, settings.get("DEBT_RATIO_RED") + 0.7),
        "橙": (settings.get("DEBT_RATIO_ORANGE") + 0.1, settings.get("DEBT_RATIO_RED") - 0.1),
        "黄": (settings.get("DEBT_RATIO_YELLOW") + 0.1, settings.get("DEBT_RATIO_ORANGE") - 0.1),
    }
    for grade, (lo, hi) in bands.items():  # 橙 and 黄 in the cities zoned for them, so the map shows them
        for i in planted.counties(rng, u, 2, grade=grade, zoned=grade != "红"):
            ratio[i] = rng.uniform(lo, hi)
            planted.plant(
                "debt_ratio",
                f"{u.code[i]}|{last}",
                u.code[i],
                grade=grade,
                year=last,
                ratio=round(float(ratio[i]), 4),
                note="债务率 = 年末债务余额 ÷ 综合财力 (一般公共预算收入 + 政府性基金收入 + 上级转移支付)",
            )
    balance = (capacity * ratio).astype(np.int64)
    special_owed = np.minimum(
        balance * rng.uniform(0.5, 0.7, len(u.code)), fund * rng.uniform(*SPECIAL_DEBT_TO_FUND, len(u.code))
    )
    year_end = np.datetime64(f"{last}-12-31")
    rows = []
    for i in range(len(u.code)):
        n_live = int(rng.integers(3, 9))
        issue_year = rng.integers(last - 9, last + 1, n_live)
        term = np.array(list(rng.choice([5, 7, 10, 15, 20, 30], n_live)))
        term = np.where(issue_year + term <= last, last - issue_year + 2, term)  # still owed at year end
        kinds = np.where(np.arange(n_live) < max(1, n_live // 2), "专项", "一般")
        # what falls due within a year is small beside the year-end 库款 (到期债务偿还压力 stays normal)
        due_soon = issue_year + term == last + 1
        weight = rng.lognormal(0, 0.5, n_live) * np.where(due_soon, 0.1, 1.0)
        principal = np.zeros(n_live, dtype=np.int64)
        for kind, owed in (("专项", int(special_owed[i])), ("一般", int(balance[i]) - int(special_owed[i]))):
            mine = kinds == kind
            principal[mine] = split_one(owed, weight[mine])
        n_old = int(rng.integers(1, 4))  # bonds already repaid
        old_year = rng.integers(last - 14, last - 5, n_old)
        old_term = np.minimum(rng.choice([3, 5], n_old), last - old_year - 1)
        old_principal = (balance[i] * rng.uniform(0.02, 0.08, n_old)).astype(np.int64)
        old_kind = rng.choice(["专项", "一般"], n_old)
        for yr, tm, owed, live, kind in [
            *zip(issue_year, term, principal, [True] * n_live, kinds),
            *zip(old_year, old_term, old_principal, [False] * n_old, old_kind),
        ]:
            issue = random_dates(rng, np.array([yr]), rng.integers(3, 12, 1), 1, 28)[0]
            if yr == last:
                issue = min(issue, year_end - np.timedelta64(20, "D"))
            maturity = (
                np.datetime64(f"{yr + tm}-{str(issue)[5:]}")
                if str(issue)[5:] != "02-29"
                else np.datetime64(f"{yr + tm}-02-28")
            )
            rate = round(float(rng.uniform(2.1, 2.9) if yr >= last - 3 else rng.uniform(2.9, 4.0)), 4)
            rows.append(
                (
                    i,
                    f"{yr}年{u.name[i]}{kind}债券({rng.integers(1, 30)}期)",
                    kind,
                    issue,
                    maturity,
                    int(owed),
                    rate,
                    int(owed) if live else 0,
                )
            )
    frame = pd.DataFrame(
        rows, columns=["unit", "name", "kind", "issue_date", "maturity_date", "principal", "rate", "outstanding"]
    )
    frame = frame[frame["principal"] > 0].reset_index(drop=True)
    frame.insert(0, "id", np.arange(1, len(frame) + 1, dtype=np.int64))
    for k, v in u.ancestry(frame["unit"].to_numpy()).items():
        frame[k] = v
    limits = []
    for year in p.years:
        end = np.datetime64(f"{year}-12-31")
        live = (frame["issue_date"].to_numpy() <= end) & (frame["maturity_date"].to_numpy() > end)
        by = frame[live].groupby(["unit", "kind"])["principal"].sum()
        for i in range(len(u.code)):
            general = int(by.get((i, "一般"), 0) * rng.uniform(1.03, 1.15))
            special = int(by.get((i, "专项"), 0) * rng.uniform(1.03, 1.15))
            limits.append((u.code[i], year, general, special))
    debt_limit = pd.DataFrame(limits, columns=["region_code", "year", "general_limit", "special_limit"])
    return frame.drop(columns=["unit"]), debt_limit


def treasury(
    p: Province,
    payment: pd.DataFrame,
    payment_unit: np.ndarray,
    transfer: pd.DataFrame,
    rng: np.random.Generator,
    planted: Planted,
) -> pd.DataFrame:
    """The `treasury_cash` table: month-end cash at a random-walk multiple of the last three months' outflow
    (payments, and transfers sent down by the province); three counties planted short in September and October."""
    u = p.units
    pay = payment
    months_all = [(y, m) for y in p.years for m in range(1, 13)]
    n_units, n_months = len(u.code), len(months_all)
    outflow = np.zeros((n_units, n_months), dtype=np.int64)
    pay_month = pd.to_datetime(pay["pay_date"])
    idx = (pay_month.dt.year.to_numpy() - p.years[0]) * 12 + pay_month.dt.month.to_numpy() - 1
    np.add.at(outflow, (payment_unit, idx), pay["amount"].to_numpy())
    tr = transfer
    sent = tr[tr["from_region"] == p.code]
    tr_month = pd.to_datetime(sent["transfer_date"])
    prov_idx = int(np.flatnonzero(u.level == "province")[0])
    np.add.at(
        outflow[prov_idx],
        (tr_month.dt.year.to_numpy() - p.years[0]) * 12 + tr_month.dt.month.to_numpy() - 1,
        sent["amount"].to_numpy(),
    )
    lo, hi = cat.CLEAN_CASH
    ratio = np.clip((lo + hi) / 2 + np.cumsum(rng.normal(0, 0.03, (n_units, n_months)), axis=1), lo, hi)
    red = settings.get("CASH_RED")
    low_months = [n_months - 4, n_months - 3]  # September and October of the last year
    average = np.stack([outflow[:, max(0, mi - 2) : mi + 1].mean(axis=1) for mi in range(n_months)], axis=1)
    low_ratio = rng.uniform(0.1, red - 0.08, (n_units, len(low_months)))
    # every unit as if planted; the shortfall goes to counties where it is reached without pulling a clean month
    # below the clean range
    as_planted = _cash_path(ratio, average, outflow, low_months, low_ratio, lo)
    reached = (as_planted[:, low_months] < red * average[:, low_months]).all(axis=1)
    planted_low = planted.counties(rng, u, 3, among=set(np.flatnonzero(reached)))
    for i in planted_low:
        y, m = months_all[low_months[0]]
        planted.plant(
            "treasury_cash_low",
            f"{u.code[i]}|{y}-{m:02d}",
            u.code[i],
            months=[f"{months_all[mi][0]}-{months_all[mi][1]:02d}" for mi in low_months],
            note=f"库款保障水平 < {red}: month-end cash ÷ average outflow of the last 3 months",
        )
    target = _cash_path(ratio, average, outflow, [], low_ratio, lo)
    target[planted_low] = as_planted[planted_low]
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
    for k, v in u.ancestry(frame["unit"].to_numpy()).items():
        frame[k] = v
    return frame.drop(columns=["unit"])


def _cash_path(
    ratio: np.ndarray,
    average: np.ndarray,
    outflow: np.ndarray,
    low_months: list[int],
    low_ratio: np.ndarray,
    floor: float,
) -> np.ndarray:
    """Month-end cash (fen) per unit and month: `ratio` × the average outflow (with `low_months` at `low_ratio` ×
    it), reachable with inflows that are never negative: a month cash cannot fall to is reached by running the months
    before it down (backward), never below `floor` × their own average, and what is still out of reach stays higher
    (forward). A clean month thus stays at or above the floor, and a planted shortfall may stay unreached: the caller
    checks and plants it only where it is reached."""
    target = ratio * average
    for k, mi in enumerate(low_months):
        target[:, mi] = low_ratio[:, k] * average[:, mi]
    for mi in range(target.shape[1] - 1, 0, -1):
        target[:, mi - 1] = np.minimum(
            target[:, mi - 1], np.maximum(floor * average[:, mi - 1], target[:, mi] + outflow[:, mi])
        )
    cash = np.ceil(target).astype(np.int64)  # whole fen, never below the ratio
    for mi in range(1, cash.shape[1]):  # forward: what cannot fall that far stays higher
        cash[:, mi] = np.maximum(cash[:, mi], cash[:, mi - 1] - outflow[:, mi])
    return cash
