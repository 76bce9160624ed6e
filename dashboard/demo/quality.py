"""Data-quality defects planted in the finished demo frames, one kind per rule of dashboard.core.quality, and the
reporting calendar (`report_submission`: when each unit reported each month of payments, revenue and 库款).

The defects sit in four counties no other anomaly uses and change no total the calibration pins: a zeroed payment
gives its amount to a sibling of the same indicator and month, an indicator paid beyond its amount takes the
difference from a sibling with the same mart keys, a cash month that no longer balances keeps its closing. Each is
recorded as `quality_<rule>` with the key the quality check reports (`quality_failure.record_key`).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from dashboard.demo.anomalies import Planted
from dashboard.demo.province import Province

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"
REPORTED_TABLES = ("payment", "revenue", "treasury_cash")
PER_RULE = 2  # records planted per rule


def id_check(first17: str) -> str:
    return ID_CHECK[sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS)) % 11]


def _month_key(region: str, year: int, month: int) -> str:
    return f"{region}·{year}-{month:02d}"


def reporting(p: Province, through: dt.date, rng: np.random.Generator) -> pd.DataFrame:
    """Every unit reports every table's month on day 1–8 of the next month."""
    u = p.units
    months = [(y, m) for y in p.years for m in range(1, 13) if (y, m) <= (through.year, through.month)]
    rows = []
    for i in range(len(u.code)):
        for table in REPORTED_TABLES:
            days = rng.integers(1, 9, len(months))
            for (y, m), day in zip(months, days):
                ny, nm = (y + 1, 1) if m == 12 else (y, m + 1)
                rows.append((u.code[i], table, y, m, dt.date(ny, nm, int(day)), i))
    frame = pd.DataFrame(rows, columns=["region_code", "table_name", "year", "month", "submitted_at", "unit"])
    frame["submitted_at"] = pd.to_datetime(frame["submitted_at"])
    for col, values in u.ancestry(frame["unit"].to_numpy()).items():
        frame[col] = values
    return frame.drop(columns="unit")


def _in(frame: pd.DataFrame, county: str) -> pd.DataFrame:
    return frame[frame["county_code"] == county]


def plant_quality(
    p: Province, frames: dict[str, pd.DataFrame], through: dt.date, rng: np.random.Generator, planted: Planted
) -> None:
    """Plant one kind of defect per rule (see module docstring) into `frames`, in place, and record each."""
    u = p.units
    pay, ind, proc = frames["payment"], frames["budget_indicator"], frames["procurement"]
    payout, cash, sub = frames["subsidy_payout"], frames["treasury_cash"], frames["report_submission"]
    index = {str(c): i for i, c in enumerate(u.code)}

    def having(frame: pd.DataFrame, n: int) -> set[int]:
        sizes = frame.groupby("county_code").size()
        return {index[str(c)] for c, k in sizes.items() if k >= n and str(c) in index}

    recipients = payout.drop_duplicates(["county_code", "recipient_id_number"])
    small_purchases = proc[proc["budget_amount"] < 50_000_000]
    d1, d2, d3, d4 = (
        str(u.code[(planted.counties(rng, u, 1, among=among) or planted.counties(rng, u, 1))[0]])
        for among in (
            having(recipients, 20),
            having(proc, PER_RULE),
            having(small_purchases, PER_RULE * 3),
            None,
        )
    )

    def plant(rule: str, key: str, region: str, **detail) -> None:
        planted.plant(f"quality_{rule}", key, region, rule=rule, **detail)

    # -- subsidy payouts (d1): all payouts of a recipient get the same bad ID, so no head count moves
    flagged_ids = set(frames["person_death"]["id_number"]) | set(frames["public_employee"]["id_number"])
    mine = _in(payout, d1)
    counts = payout.groupby("recipient_id_number").size()
    people = [
        r
        for r in sorted(mine["recipient_id_number"].unique())
        if r not in flagged_ids and counts[r] == len(mine[mine["recipient_id_number"] == r])
    ]
    people = [people[i] for i in rng.choice(len(people), size=min(PER_RULE * 2, len(people)), replace=False)]
    taken_ids = set(payout["recipient_id_number"])
    for k, old in enumerate(people):
        if k < PER_RULE:  # G01: the check character is wrong
            new = old[:17] + next(c for c in ID_CHECK if c != id_check(old[:17]))
            rule = "G01"
        else:  # G02: born in month 13 (the check character made right, so only the date is wrong)
            first = old[:10] + "13" + old[12:17]
            new = first + id_check(first)
            rule = "G02"
        assert new not in taken_ids
        rows = payout.index[payout["recipient_id_number"] == old]
        payout.loc[rows, "recipient_id_number"] = new
        for pid in payout.loc[rows, "id"]:
            plant(rule, str(int(pid)), d1, id_number=new)
    clean_payouts = mine[mine["recipient_id_number"].isin(set(mine["recipient_id_number"]) - set(people))]
    for pid in clean_payouts["id"].to_numpy()[
        rng.choice(len(clean_payouts), min(PER_RULE, len(clean_payouts)), replace=False)
    ]:
        row = payout.index[payout["id"] == pid][0]
        payout.loc[row, "bank_account"] = str(payout.loc[row, "bank_account"])[:12]  # G04
        plant("G04", str(int(pid)), d1, bank_account_length=12)

    # -- payments: (d1) bad account, zero amount, paid beyond the indicator; (d3) no payee, no account; (d2) item
    def some_payments(county: str, n: int, used: set[int]) -> list[int]:
        rows = _in(pay, county)
        rows = rows[~rows.index.isin(used)]
        chosen = [int(i) for i in rng.choice(rows.index.to_numpy(), size=min(n, len(rows)), replace=False)]
        used.update(chosen)
        return chosen

    used: set[int] = set()
    for row in some_payments(d1, PER_RULE, used):
        pay.loc[row, "payee_account"] = "12345"  # G03
        plant("G03", str(pay.loc[row, "voucher_no"]), d1, payee_account="12345")
    for row in some_payments(d3, PER_RULE, used):
        pay.loc[row, "payee_name"] = None  # C01
        plant("C01", str(pay.loc[row, "voucher_no"]), d3)
    for row in some_payments(d3, PER_RULE, used):
        pay.loc[row, "payee_account"] = None  # C02
        plant("C02", str(pay.loc[row, "voucher_no"]), d3)
    classes = frames["classification"]
    items = classes[classes["kind"] == "function"]["code"].astype(str)
    for row in some_payments(d2, PER_RULE, used):
        old = str(pay.loc[row, "func_item_code"])
        sibling = sorted(c for c in items if len(c) == 5 and c[:3] == old[:3] and c != old)
        if not sibling:
            continue
        pay.loc[row, "func_item_code"] = sibling[0]  # A06: the class (类) stays, the mart does not move
        plant("A06", str(pay.loc[row, "voucher_no"]), d2, func_item_code=sibling[0], indicator_item=old)
    # G06: a payment zeroed, its amount given to a sibling of the same indicator and month
    mine_pay = pay[pay["county_code"].isin((d1, d2, d3, d4)) & ~pay.index.isin(used)]
    pairs = mine_pay.groupby([mine_pay["indicator_id"], mine_pay["pay_date"].dt.to_period("M")]).groups
    twins = [list(rows) for rows in pairs.values() if len(rows) >= 2]
    for k in rng.choice(len(twins), size=min(PER_RULE, len(twins)), replace=False):
        zeroed, keeper = twins[int(k)][:2]
        pay.loc[keeper, "amount"] += pay.loc[zeroed, "amount"]
        pay.loc[zeroed, "amount"] = 0
        used.update((int(zeroed), int(keeper)))
        plant("G06", str(pay.loc[zeroed, "voucher_no"]), str(pay.loc[zeroed, "county_code"]))

    # -- budget indicators (not 直达资金: their issue dates count in 分配进度)
    paid = pay.groupby("indicator_id").agg(first=("pay_date", "min"), paid=("amount", "sum"))
    mart_keys = ["year", "county_code", "func_code", "econ_code", "source", "sanbao_type", "direct_fund"]

    def some_indicators(county: str, n: int, used_ind: set[int], extra=None) -> list[int]:
        rows = _in(ind, county)
        rows = rows[~rows["direct_fund"] & ~rows.index.isin(used_ind)]
        if extra is not None:
            rows = rows[extra(rows)]
        chosen = [int(i) for i in rng.choice(rows.index.to_numpy(), size=min(n, len(rows)), replace=False)]
        used_ind.update(chosen)
        return chosen

    used_ind: set[int] = set()
    for row in some_indicators(d2, PER_RULE, used_ind):
        year = int(ind.loc[row, "year"])
        ind.loc[row, "doc_no"] = f"湘财预{year}-{int(ind.loc[row, 'id']) % 1000}"  # G07
        plant("G07", str(int(ind.loc[row, "id"])), d2, doc_no=ind.loc[row, "doc_no"])
    for row in some_indicators(d3, PER_RULE, used_ind):
        ind.loc[row, "doc_no"] = None  # C03
        plant("C03", str(int(ind.loc[row, "id"])), d3)
    for row in some_indicators(d3, PER_RULE, used_ind, lambda r: r["expense_kind"] == "项目支出"):
        ind.loc[row, "project_id"] = pd.NA  # C04
        plant("C04", str(int(ind.loc[row, "id"])), d3)
    late = pd.Timestamp(through) + pd.Timedelta(days=20)
    for row in some_indicators(d2, PER_RULE, used_ind):
        ind.loc[row, "issue_date"] = late  # T02
        plant("T02", str(int(ind.loc[row, "id"])), d2, issue_date=late.date())
    for row in some_indicators(d2, PER_RULE, used_ind, lambda r: r["id"].isin(paid.index)):
        first = paid.loc[int(ind.loc[row, "id"]), "first"]
        ind.loc[row, "issue_date"] = first - pd.Timedelta(days=400)  # T03
        plant("T03", str(int(ind.loc[row, "id"])), d2, issue_date=(first - pd.Timedelta(days=400)).date())
    # A01: an indicator paid beyond its amount; a sibling with the same mart keys takes the difference
    spare = ind[ind["county_code"].isin((d1, d2, d3, d4)) & ~ind["direct_fund"] & ~ind.index.isin(used_ind)]
    spare = spare[spare["id"].isin(paid.index) & (spare["year"] == p.years[-1])]  # the warning rule's year too
    groups = [list(g) for g in spare.fillna({"sanbao_type": ""}).groupby(mart_keys).groups.values() if len(g) >= 2]
    for k in rng.choice(len(groups), size=min(PER_RULE, len(groups)), replace=False):
        short, sibling = groups[int(k)][:2]
        spent = int(paid.loc[int(ind.loc[short, "id"]), "paid"])
        cut = int(ind.loc[short, "amount"]) - (spent - 100)
        ind.loc[short, "amount"] -= cut
        ind.loc[sibling, "amount"] += cut
        used_ind.update((int(short), int(sibling)))
        amount = int(ind.loc[short, "amount"])
        plant(
            "A01", str(int(ind.loc[short, "id"])), str(ind.loc[short, "county_code"]), paid_fen=spent, amount_fen=amount
        )

    # -- procurement (d3): small purchases only, far below the 公开招标 thresholds (no 拆分 flag moves)
    small = _in(proc, d3)
    small = small[small["budget_amount"] < 50_000_000]
    chosen = [int(i) for i in rng.choice(small.index.to_numpy(), size=min(PER_RULE * 3, len(small)), replace=False)]
    for k, row in enumerate(chosen):
        key = str(proc.loc[row, "plan_no"])
        if k < PER_RULE:
            proc.loc[row, "notice_date"] = proc.loc[row, "contract_date"] + pd.Timedelta(days=7)  # T04
            plant("T04", key, d3)
        elif k < 2 * PER_RULE:
            proc.loc[row, "notice_date"] = proc.loc[row, "contract_date"] - pd.Timedelta(days=90)  # T05
            plant("T05", key, d3)
        else:
            proc.loc[row, "supplier_name"] = None  # C06
            plant("C06", key, d3)
    # G05: a supplier of d2 gets a code with a letter the standard never uses (I); every purchase from it fails
    sup = frames["supplier"]
    d2_suppliers = proc[proc["county_code"] == d2]["supplier_id"].value_counts()
    uses = proc["supplier_id"].value_counts()
    supplier_id = int(min(d2_suppliers.index, key=lambda s: (uses[s], s)))
    srow = sup.index[sup["id"] == supplier_id][0]
    sup.loc[srow, "credit_code"] = "I" + str(sup.loc[srow, "credit_code"])[1:]
    for _, r in proc[proc["supplier_id"] == supplier_id].iterrows():
        plant(
            "G05",
            str(r["plan_no"]),
            str(r["county_code"] or r["city_code"] or r["province_code"]),
            supplier_id=supplier_id,
        )

    # -- treasury cash (d4): a month gone (C05), a month out of balance (A02), an opening off the last closing (A03)
    def cash_row(year: int, month: int) -> int:
        return int(cash.index[(cash["region_code"] == d4) & (cash["year"] == year) & (cash["month"] == month)][0])

    first_year, last_year = p.years[0], p.years[-1]
    row = cash_row(last_year, 3)
    cash.loc[row, "inflow"] += 100_000  # A02: closing kept
    plant("A02", _month_key(d4, last_year, 3), d4)
    row = cash_row(last_year, 5)
    cash.loc[row, "opening"] -= 50_000  # A03: still balances, but not on April's closing
    cash.loc[row, "inflow"] += 50_000
    plant("A03", _month_key(d4, last_year, 5), d4)
    frames["treasury_cash"] = cash = cash.drop(index=cash_row(first_year, 1))  # C05: January never reported
    gone = (sub["region_code"] == d4) & (sub["year"] == first_year) & (sub["month"] == 1)
    frames["report_submission"] = sub = sub[~(gone & (sub["table_name"] == "treasury_cash"))]
    plant("C05", _month_key(d4, first_year, 1), d4, table="treasury_cash")
    # T01: three months reported after the deadline
    for table, month_no in zip(REPORTED_TABLES, (2, 7, 10)):
        srows = sub.index[
            (sub["region_code"] == d4)
            & (sub["table_name"] == table)
            & (sub["year"] == last_year)
            & (sub["month"] == month_no)
        ]
        sub.loc[srows, "submitted_at"] = pd.Timestamp(last_year, month_no + 1, 20)
        plant("T01", _month_key(d4, last_year, month_no), d4, table=table)
    # A04 and A05 are the subsidy step's 超标准 and 户名不符 plants
    for a in list(planted.anomalies):
        if a.kind == "subsidy_above_standard":
            plant("A04", a.key, a.region, planted_as=a.kind)
        elif a.kind == "subsidy_account_name_mismatch":
            plant("A05", a.key, a.region, planted_as=a.kind)


def reserve_unreported(p: Province, rng: np.random.Generator, planted: Planted) -> str:
    """The county that will not have reported the last month, taken before any other plant (from its own stream,
    so the choice does not depend on `scale` and no other anomaly lands in it)."""
    return str(p.units.code[planted.counties(rng, p.units, 1)[0]])


def plant_unreported(
    p: Province, frames: dict[str, pd.DataFrame], through: dt.date, county: str, planted: Planted
) -> None:
    """`county` has not yet reported the last month: its payments, revenue and 库款 of that month are not in the
    store and it has no `report_submission` row for them. The pages show it as 未报送 (not as a county that spent
    nothing), the warning rules do not grade its incomplete figures, and C05 finds the missing month."""
    year, month = through.year, through.month
    for table, date_column in (("payment", "pay_date"), ("revenue", "collect_date")):
        frame = frames[table]
        dates = pd.to_datetime(frame[date_column])
        gone = (frame["county_code"] == county) & (dates.dt.year == year) & (dates.dt.month == month)
        frames[table] = frame[~gone]
    cash, sub = frames["treasury_cash"], frames["report_submission"]
    frames["treasury_cash"] = cash[
        ~((cash["region_code"] == county) & (cash["year"] == year) & (cash["month"] == month))
    ]
    frames["report_submission"] = sub[
        ~((sub["region_code"] == county) & (sub["year"] == year) & (sub["month"] == month))
    ]
    key = _month_key(county, year, month)
    planted.plant("report_missing", key, county, year=year, month=month, tables=list(REPORTED_TABLES))
    planted.plant("quality_C05", key, county, rule="C05", table="payment")
