"""What the public side (村务公开, the self-check, the service-hall screen) reads of the subsidy payouts.

No scope here: these pages have no user. Instead every function is narrowed to one county's village or township
by its arguments, and nothing personal leaves this module unmasked: the village list carries masked names only,
the self-check the last 4 digits of the account of the person who proved who they are (name and ID number).
A village is a (county, township, village) of `subsidy_payout`; its `key` (a digest of the three) names it in
URLs, so a village page's address says nothing a scanner could enumerate by counting.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa

from dashboard.core.masking import mask_public_name
from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.schema import subsidy_payout, subsidy_program

KEY_LENGTH = 10


@dataclass(frozen=True)
class Village:
    county: str
    township: str
    name: str
    key: str
    recipients: int


def village_key(county: str, township: str, village: str) -> str:
    """The village's name in URLs: stable across loads while the village keeps its county, township and name."""
    return hashlib.sha256(f"{county}|{township}|{village}".encode()).hexdigest()[:KEY_LENGTH]


def township_key(county: str, township: str) -> str:
    return village_key(county, township, "")


def _year() -> sa.ColumnElement:
    return sa.extract("year", subsidy_payout.c.pay_date)


def _month() -> sa.ColumnElement:
    return sa.extract("month", subsidy_payout.c.pay_date)


@functools.lru_cache(maxsize=64)
def _villages_for(version_key: str, county: str) -> tuple[Village, ...]:
    p = subsidy_payout.c
    query = (
        sa.select(p.township, p.village, sa.func.count(sa.distinct(p.recipient_id_number)))
        .where(p.county_code == county)
        .group_by(p.township, p.village)
        .order_by(p.township, p.village)
    )
    with finance_engine().connect() as conn:
        rows = conn.execute(query).all()
    return tuple(Village(county, t, v, village_key(county, t, v), int(n)) for t, v, n in rows)


def villages(county: str) -> tuple[Village, ...]:
    """The villages of `county` that have payouts, by township and name."""
    return _villages_for(current_data_version().key, county)


def village(county: str, key: str) -> Village | None:
    return next((v for v in villages(county) if v.key == key), None)


def township_villages(county: str, key: str) -> tuple[Village, ...]:
    """The villages of the township of `county` whose `township_key` is `key` (empty when there is none)."""
    return tuple(v for v in villages(county) if township_key(county, v.township) == key)


def years_shown(latest: int, years: int) -> tuple[int, int]:
    """(first, last) year of the public pages: the `years` years up to `latest`."""
    return latest - max(years, 1) + 1, latest


@functools.lru_cache(maxsize=1024)
def _months_for(version_key: str, county: str, township: str, name: str, first_year: int) -> tuple[str, ...]:
    p = subsidy_payout.c
    ym = (_year() * 100 + _month()).label("ym")
    query = (
        sa.select(ym)
        .where(p.county_code == county, p.township == township, p.village == name, _year() >= first_year)
        .distinct()
        .order_by(ym.desc())
    )
    with finance_engine().connect() as conn:
        return tuple(f"{int(r[0]) // 100}-{int(r[0]) % 100:02d}" for r in conn.execute(query))


def village_months(v: Village, first_year: int) -> tuple[str, ...]:
    """The months (YYYY-MM, latest first) in which the village was paid anything, from `first_year` on."""
    return _months_for(current_data_version().key, v.county, v.township, v.name, first_year)


@functools.lru_cache(maxsize=1024)
def _list_for(version_key: str, county: str, township: str, name: str, month: str) -> pd.DataFrame:
    p, g = subsidy_payout.c, subsidy_program.c
    year, mm = (int(part) for part in month.split("-"))
    query = (
        sa.select(p.recipient_name.label("name"), g.name.label("program"), p.amount)
        .select_from(subsidy_payout.join(subsidy_program, subsidy_program.c.id == p.program_id))
        .where(p.county_code == county, p.township == township, p.village == name, _year() == year, _month() == mm)
        .order_by(g.name, p.recipient_name, p.id)
    )
    with finance_engine().connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["name", "program", "amount"])
    frame["name"] = frame["name"].map(mask_public_name)  # the full name never leaves this function
    frame["month"] = month
    return frame[["name", "program", "month", "amount"]]


def village_list(v: Village, month: str) -> pd.DataFrame:
    """The village's 公示 for one month: masked name, program, month, amount (元, Decimal), by program and name."""
    return _list_for(current_data_version().key, v.county, v.township, v.name, month).copy()


def own_payouts(v: Village, name: str, id_text: str, *, last6: bool, first_year: int) -> pd.DataFrame:
    """The payouts of the village to the person named `name` whose ID number is `id_text` (or ends with it when
    `last6`): program, month, amount (元, Decimal) and the account's last 4 digits, latest first. One query, whatever
    matches: an unknown person and a wrong pair both get the empty frame, in the same work."""
    p, g = subsidy_payout.c, subsidy_program.c
    who = sa.func.substr(p.recipient_id_number, 13, 6) == id_text if last6 else p.recipient_id_number == id_text
    query = (
        sa.select(
            g.name.label("program"),
            _year().label("year"),
            _month().label("month"),
            p.amount,
            sa.func.substr(p.bank_account, sa.func.length(p.bank_account) - 3, 4).label("account"),
        )
        .select_from(subsidy_payout.join(subsidy_program, subsidy_program.c.id == p.program_id))
        .where(
            p.county_code == v.county,
            p.township == v.township,
            p.village == v.name,
            p.recipient_name == name,
            who,
            _year() >= first_year,
        )
        .order_by(p.pay_date.desc(), g.name, p.id)
    )
    with finance_engine().connect() as conn:
        rows = conn.execute(query).all()
    frame = pd.DataFrame(rows, columns=["program", "year", "month", "amount", "account"])
    frame["month"] = [f"{int(y)}-{int(m):02d}" for y, m in zip(frame["year"], frame["month"])]
    return frame[["program", "month", "amount", "account"]]


@functools.lru_cache(maxsize=256)
def _totals_for(version_key: str, county: str, township: str, year: int) -> pd.DataFrame:
    p, g = subsidy_payout.c, subsidy_program.c
    query = (
        sa.select(
            g.name.label("program"),
            sa.func.sum(p.amount).label("amount"),
            sa.func.count(sa.distinct(p.recipient_id_number)).label("recipients"),
        )
        .select_from(subsidy_payout.join(subsidy_program, subsidy_program.c.id == p.program_id))
        .where(p.county_code == county, p.township == township, _year() == year)
        .group_by(g.name)
        .order_by(sa.func.sum(p.amount).desc(), g.name)
    )
    with finance_engine().connect() as conn:
        frame = pd.DataFrame(conn.execute(query).all(), columns=["program", "amount", "recipients"])
    return frame.astype({"recipients": "int64"})


def township_totals(county: str, township: str, year: int) -> pd.DataFrame:
    """The township's payouts of `year` by program: amount (元, Decimal) and recipients, largest first."""
    return _totals_for(current_data_version().key, county, township, year).copy()


@functools.lru_cache(maxsize=4)
def _latest_year_for(version_key: str) -> int:
    with finance_engine().connect() as conn:
        value = conn.execute(sa.select(sa.func.max(_year()))).scalar()
    return int(value) if value is not None else 0


def latest_year() -> int:
    """The latest year with payouts in the store."""
    return _latest_year_for(current_data_version().key)
