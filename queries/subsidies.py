"""惠民惠农补贴 (一卡通) of a region: payouts by category, program, region and township, averages, the monthly course,
and the auditors' anomaly lists (one ID paid in two counties, paid after death, above the program's standard).

A payout belongs to the period by its pay date and to the region of the recipient's home county. Counts and
amounts come from `mart_subsidy_month` (place × township × program × month), 受益人数 (distinct ID numbers) from
`mart_subsidy_recipient` and the anomaly lists from `mart_subsidy_flag`, all decided once per load, so no chart
scans the payouts: only the drill-through table of single payouts reads them, by keyset. Topic filters
(`category`, `program`) are keyword arguments; None means all. The drill-through tables (programs of a region, then
one program's payouts) are TableSources that read the same filters from the state. Money in 元 (Decimal). Rows carry
personal data (PERSONAL_COLUMNS) unmasked: callers mask them (`dashboard.core.masking.mask_frame`) before anything
leaves the server.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TypedDict

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.format import ratio
from dashboard.core.scope import Scope
from dashboard.store import dialect
from dashboard.store.memo import memoized
from dashboard.store.schema import (
    MONEY,
    mart_subsidy_flag,
    mart_subsidy_month,
    mart_subsidy_recipient,
    region,
    sampling,
    subsidy_payout,
    subsidy_program,
)
from queries._filters import by_child, checked, child_rows, fetch, in_region, month_range, visible_region
from queries._paging import TableSource, table_source
from queries.regions import region_tree

MEASURES = ["n", "amount", "recipients"]  # recipients: distinct ID numbers (from mart_subsidy_recipient)
PAYOUT_MEASURES = MEASURES[:2]
RECORD_COLUMNS = [
    "id",
    "pay_date",
    "program_id",
    "program_name",
    "category",
    "region_code",
    "region_name",
    "township",
    "village",
    "recipient_id_number",
    "recipient_name",
    "bank_account",
    "account_name",
    "amount",
]
PERSONAL_COLUMNS = {
    "recipient_id_number": "id_number",
    "recipient_name": "name",
    "bank_account": "account",
    "account_name": "name",
}

s = subsidy_payout
prog = subsidy_program
month_mart = mart_subsidy_month
recipient_mart = mart_subsidy_recipient
flag_mart = mart_subsidy_flag


def _measures(table: sa.Table = month_mart) -> list[sa.ColumnElement]:
    """发放笔数 and 发放金额 over the rows of `table` (the month mart's rows carry their count, a payout is one)."""
    count = sa.func.count() if table is s else sa.cast(sa.func.coalesce(sa.func.sum(table.c.n), 0), sa.BigInteger)
    return [count.label("n"), sa.func.coalesce(sa.func.sum(table.c.amount), sa.cast(0, MONEY)).label("amount")]


def _recipients() -> sa.ColumnElement:
    return sa.func.count(sa.distinct(recipient_mart.c.recipient_id_number)).label("recipients")


def with_averages(frame: pd.DataFrame) -> pd.DataFrame:
    """`frame` (MEASURES, or PAYOUT_MEASURES) with 笔均 (`per_payout` = amount ÷ payouts) and, when it has
    recipients, 人均 (`per_recipient` = amount ÷ distinct recipients), in 元, from the row's own sums."""
    out = frame.copy()
    out["amount"] = out["amount"].map(Decimal)
    out["n"] = out["n"].astype(int)
    out["per_payout"] = [Decimal(a) / n if n else None for a, n in zip(out["amount"], out["n"])]
    if "recipients" in out.columns:
        out["recipients"] = out["recipients"].astype(int)
        out["per_recipient"] = [Decimal(a) / r if r else None for a, r in zip(out["amount"], out["recipients"])]
    return out


def _selection(
    scope: Scope,
    state: DrillState,
    category: str | None,
    program: int | None,
    year: int | None = None,
    table: sa.Table = month_mart,
) -> list[sa.ColumnElement[bool]] | None:
    """Predicates for the payouts of the view (None when the region is outside the scope: no rows), on the payouts
    or on a subsidy mart (`table`, with the same columns, or a year and month mask for the recipients')."""
    region = visible_region(scope, state.region)
    if region is None:
        return None
    where = in_region(table, scope.column, scope.root, region.level, region.adcode)
    if table is recipient_mart:
        period = sum(1 << (month - 1) for month in range(state.first_month, state.last_month + 1))
        where += [recipient_mart.c.year == (year or state.year), dialect.bit_and(recipient_mart.c.months, period) != 0]
    elif table is month_mart:
        where += [
            month_mart.c.year == (year or state.year),
            month_mart.c.month.between(state.first_month, state.last_month),
        ]
    else:
        where.append(month_range(table.c.pay_date, year or state.year, state.first_month, state.last_month))
    if category:
        where.append(table.c.category == category)
    if program is not None:
        where.append(table.c.program_id == program)
    return where


@memoized
def summary(
    scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
) -> pd.DataFrame:
    """The headline of the view: one row with 发放笔数 (n), 发放金额 (amount), 受益人数 (distinct recipients), the
    averages, and `amount_prev` / `n_prev` for the same months a year before (同比)."""
    current = _selection(scope, state, category, program)
    if current is None:
        empty = with_averages(pd.DataFrame(columns=MEASURES))
        return empty.assign(amount_prev=pd.Series(dtype=object), n_prev=pd.Series(dtype=int))
    previous = _selection(scope, state, category, program, year=state.year - 1)
    paid = sa.select(*_measures()).where(*current).subquery()
    paid_before = sa.select(*_measures()).where(*checked(previous)).subquery()
    recipients = sa.select(_recipients()).where(
        *checked(_selection(scope, state, category, program, table=recipient_mart))
    )
    statement = sa.select(
        paid.c.n, paid.c.amount, recipients.scalar_subquery(), paid_before.c.n, paid_before.c.amount
    ).select_from(paid.join(paid_before, sa.true()))
    frame = fetch(statement, [*MEASURES, "n_prev", "amount_prev"])
    return with_averages(frame).assign(
        amount_prev=frame["amount_prev"].map(Decimal), n_prev=frame["n_prev"].astype(int)
    )


@memoized
def by_category(scope: Scope, state: DrillState, *, program: int | None = None) -> pd.DataFrame:
    """Payouts per 补贴类别 (category, PAYOUT_MEASURES, 笔均, `share` of the amount), largest amount first."""
    columns = ["category", *PAYOUT_MEASURES]
    where = _selection(scope, state, None, program)
    if where is None:
        return with_averages(pd.DataFrame(columns=columns)).assign(share=pd.Series(dtype=float))
    frame = with_averages(
        fetch(sa.select(month_mart.c.category, *_measures()).where(*where).group_by(month_mart.c.category), columns)
    )
    total = frame["amount"].sum()
    frame["share"] = [ratio(a, total) for a in frame["amount"]]
    return frame.sort_values(["amount", "category"], ascending=[False, True], ignore_index=True)


def _program_rows(scope: Scope, state: DrillState, category: str | None, with_people: bool = True) -> sa.Select | None:
    """One row per program paid in the view (id = the program's id), with the level that runs it."""
    where = _selection(scope, state, category, None)
    if where is None:
        return None
    paid = sa.select(month_mart.c.program_id, *_measures()).where(*where).group_by(month_mart.c.program_id).subquery()
    measures = [paid.c.n, paid.c.amount]
    source = paid.join(prog, prog.c.id == paid.c.program_id).join(region, region.c.adcode == prog.c.region_code)
    if with_people:
        paid_to = (
            sa.select(recipient_mart.c.program_id, _recipients())
            .where(*checked(_selection(scope, state, category, None, table=recipient_mart)))
            .group_by(recipient_mart.c.program_id)
            .subquery()
        )
        source = source.outerjoin(paid_to, paid_to.c.program_id == paid.c.program_id)
        measures.append(sa.func.coalesce(paid_to.c.recipients, 0).label("recipients"))
    return sa.select(
        prog.c.id.label("id"),
        prog.c.name.label("program_name"),
        prog.c.category.label("category"),
        region.c.name.label("run_by"),
        prog.c.standard_amount.label("standard_amount"),
        *measures,
    ).select_from(source)


@memoized
def by_program(scope: Scope, state: DrillState, *, category: str | None = None, limit: int = 15) -> pd.DataFrame:
    """The `limit` programs with the largest amount in the view (id, program_name, category, run_by: the level
    running it, standard_amount, PAYOUT_MEASURES, 笔均)."""
    columns = ["id", "program_name", "category", "run_by", "standard_amount", *PAYOUT_MEASURES]
    rows = _program_rows(scope, state, category, with_people=False)
    if rows is None:
        return with_averages(pd.DataFrame(columns=columns))
    sub = rows.subquery()
    frame = with_averages(fetch(sa.select(sub).order_by(sub.c.amount.desc(), sub.c.id).limit(limit), columns))
    frame["standard_amount"] = frame["standard_amount"].map(Decimal)
    return frame


@memoized
def region_ranking(
    scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
) -> pd.DataFrame:
    """本级 and each child region with MEASURES and averages; payouts and amounts add up to the region (recipients
    need not: one person may be paid in two places)."""
    region = visible_region(scope, state.region)
    where = _selection(scope, state, category, program)
    if region is None or where is None:
        return with_averages(pd.DataFrame(columns=["code", "name", "is_own_level", *MEASURES]))
    paid = fetch(by_child(sa.select(*_measures()).where(*where), month_mart, region.level), [*PAYOUT_MEASURES, "code"])
    recipients = sa.select(_recipients()).where(
        *checked(_selection(scope, state, category, program, table=recipient_mart))
    )
    paid_to = fetch(by_child(recipients, recipient_mart, region.level), ["recipients", "code"])
    found = paid.set_index("code").join(paid_to.set_index("code"), how="outer")
    return with_averages(child_rows(region, found, dict.fromkeys(MEASURES, 0)))


@memoized
def township_ranking(
    scope: Scope,
    state: DrillState,
    *,
    category: str | None = None,
    program: int | None = None,
    limit: int = 30,
    people: bool = True,
) -> pd.DataFrame:
    """The 乡镇 of the view with the largest amounts (region_code and region_name of the county, township,
    PAYOUT_MEASURES, with recipients when `people`, averages): where the money lands below the county."""
    columns = ["region_code", "township", *(MEASURES if people else PAYOUT_MEASURES)]
    where = _selection(scope, state, category, program)
    if where is None:
        return with_averages(pd.DataFrame(columns=columns)).assign(region_name=pd.Series(dtype=str))
    measures, m = _measures(), month_mart
    statement = (
        sa.select(m.c.county_code, m.c.township, *measures)
        .where(*where)
        .group_by(m.c.county_code, m.c.township)
        .order_by(measures[1].desc(), m.c.county_code, m.c.township)
        .limit(limit)
    )
    if people:
        towns = statement.subquery()
        paid_to = (
            sa.select(recipient_mart.c.county_code, recipient_mart.c.township, _recipients())
            .where(*checked(_selection(scope, state, category, program, table=recipient_mart)))
            .group_by(recipient_mart.c.county_code, recipient_mart.c.township)
            .subquery()
        )
        statement = (
            sa.select(towns, sa.func.coalesce(paid_to.c.recipients, 0))
            .select_from(
                towns.outerjoin(
                    paid_to,
                    sa.and_(paid_to.c.county_code == towns.c.county_code, paid_to.c.township == towns.c.township),
                )
            )
            .order_by(towns.c.amount.desc(), towns.c.county_code, towns.c.township)
        )
    frame = with_averages(fetch(statement, columns))
    tree = region_tree()
    frame.insert(1, "region_name", [tree.name(c) if c in tree else "" for c in frame["region_code"]])
    return frame


@memoized
def monthly(
    scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
) -> pd.DataFrame:
    """Payouts per month of the period, this year and the year before (year, month, n, amount): 环比 along a
    year, 同比 between the two."""
    columns = ["year", "month", "n", "amount"]
    frames = []
    for year in (state.year - 1, state.year):
        where = _selection(scope, state, category, program, year=year)
        if where is None:
            return pd.DataFrame(columns=columns)
        month = month_mart.c.month
        found = fetch(sa.select(month, *_measures()).where(*where).group_by(month), ["month", *PAYOUT_MEASURES])
        frames.append(found.assign(year=year))
    frame = pd.concat(frames, ignore_index=True)[columns]
    frame[["year", "month", "n"]] = frame[["year", "month", "n"]].astype(int)
    frame["amount"] = frame["amount"].map(Decimal)
    return frame.sort_values(["year", "month"], ignore_index=True)


FLAG_DETAIL = {
    "duplicate_id": "counties",
    "after_death": "death_date",
    "above_standard": "standard_amount",
    "account_mismatch": None,
    "employee_dibao": None,
}  # the column that proves each flag, if any


def _flag_where(
    scope: Scope, state: DrillState, flag: str, category: str | None, program: int | None
) -> list[sa.ColumnElement[bool]] | None:
    where = _selection(scope, state, category, program, table=flag_mart)
    return None if where is None else [*where, flag_mart.c.flag == flag]


@memoized
def flag_summary(
    scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
) -> pd.DataFrame:
    """Per anomaly flag (FLAG_DETAIL order, every flag present): payouts, amount and distinct recipients of the
    view that the checks flagged."""
    columns = ["flag", "n", "amount", "recipients"]
    where = _selection(scope, state, category, program, table=flag_mart)
    found = (
        pd.DataFrame(columns=columns)
        if where is None
        else fetch(
            sa.select(
                flag_mart.c.flag,
                sa.func.count(),
                sa.func.sum(flag_mart.c.amount),
                sa.func.count(sa.distinct(flag_mart.c.recipient_id_number)),
            )
            .where(*where)
            .group_by(flag_mart.c.flag),
            columns,
        )
    )
    found = found.set_index("flag").reindex(list(FLAG_DETAIL))
    return pd.DataFrame(
        {
            "flag": list(FLAG_DETAIL),
            "n": found["n"].fillna(0).astype(int).to_numpy(),
            "amount": [Decimal(0) if pd.isna(a) else Decimal(a) for a in found["amount"]],
            "recipients": found["recipients"].fillna(0).astype(int).to_numpy(),
        }
    )


@memoized
def flagged_payouts(
    scope: Scope,
    state: DrillState,
    flag: str,
    *,
    category: str | None = None,
    program: int | None = None,
    limit: int | None = None,
) -> pd.DataFrame:
    """The payouts of the view that check `flag` caught (RECORD_COLUMNS and the flag's detail column, see
    FLAG_DETAIL), largest amount first, at most `limit`. A duplicate's twin in another scope is counted in
    `counties`, never listed."""
    detail = FLAG_DETAIL[flag]
    extra = [detail] if detail else []
    where = _flag_where(scope, state, flag, category, program)
    if where is None:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, *extra])
    f = flag_mart
    unit = sa.func.coalesce(f.c.county_code, f.c.city_code, f.c.province_code)
    statement = (
        sa.select(
            f.c.id,
            f.c.pay_date,
            f.c.program_id,
            f.c.program_name,
            f.c.category,
            unit,
            sa.null(),
            f.c.township,
            f.c.village,
            f.c.recipient_id_number,
            f.c.recipient_name,
            f.c.bank_account,
            f.c.account_name,
            f.c.amount,
            *(f.c[c] for c in extra),
        )
        .where(*where)
        .order_by(f.c.amount.desc(), f.c.id)
        .limit(limit)
    )
    frame = fetch(statement, [*RECORD_COLUMNS, *extra])
    tree = region_tree()
    frame["region_name"] = [tree.name(c) if c in tree else "" for c in frame["region_code"]]
    frame["amount"] = frame["amount"].map(Decimal)
    if detail == "standard_amount":
        frame["standard_amount"] = frame["standard_amount"].map(Decimal)
    return frame


# -- drill-through: region → program → payouts ----------------------------------------------------------------------


class ViewFilters(TypedDict):
    category: str | None
    program: int | None


def state_filters(state: DrillState) -> ViewFilters:
    """The topic filters of a drill state as query keyword arguments (the program as its integer id)."""
    program_text = state.filter("program")
    return {"category": state.filter("category"), "program": int(program_text) if program_text else None}


def _payout_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The single payouts of the view (one program's, once the drill has chosen one); personal data unmasked."""
    where = _selection(scope, state, **state_filters(state), table=s)
    if where is None:
        return None
    unit = sa.func.coalesce(s.c.county_code, s.c.city_code, s.c.province_code)
    return (
        sa.select(
            s.c.id.label("id"),
            s.c.pay_date.label("pay_date"),
            prog.c.name.label("program_name"),
            region.c.name.label("region_name"),
            s.c.township.label("township"),
            s.c.village.label("village"),
            s.c.recipient_name.label("recipient_name"),
            s.c.recipient_id_number.label("recipient_id_number"),
            s.c.bank_account.label("bank_account"),
            s.c.amount.label("amount"),
        )
        .select_from(s.join(prog, prog.c.id == s.c.program_id).join(region, region.c.adcode == unit))
        .where(*where)
    )


PROGRAM_TABLE = table_source(
    TableSource(
        "subsidies.programs",
        lambda scope, state: _program_rows(scope, state, state.filter("category")),
        money=("amount",),
        sortable={"amount": "money", "n": "int", "recipients": "int", "program_name": "text"},
        default_sort="amount",
    )
)
PAYOUT_TABLE = table_source(
    TableSource(
        "subsidies.payouts",
        _payout_rows,
        money=("amount",),
        sortable={"amount": "money", "pay_date": "date", "township": "text"},
        default_sort="amount",
    )
)


def _flagged_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """Every payout of the view that the check in the state's `flag` filter caught, for paging and export."""
    flag = state.filter("flag")
    where = None if flag not in FLAG_DETAIL else _flag_where(scope, state, flag, **state_filters(state))
    if where is None:
        return None
    f = flag_mart
    unit = sa.func.coalesce(f.c.county_code, f.c.city_code, f.c.province_code)
    return (
        sa.select(
            f.c.id.label("id"),
            f.c.pay_date.label("pay_date"),
            f.c.program_name.label("program_name"),
            region.c.name.label("region_name"),
            f.c.township.label("township"),
            f.c.recipient_name.label("recipient_name"),
            f.c.recipient_id_number.label("recipient_id_number"),
            f.c.bank_account.label("bank_account"),
            f.c.account_name.label("account_name"),
            f.c.amount.label("amount"),
            f.c.counties.label("counties"),
            f.c.death_date.label("death_date"),
            f.c.standard_amount.label("standard_amount"),
        )
        .select_from(f.join(region, region.c.adcode == unit))
        .where(*where)
    )


FLAGGED_TABLE = table_source(
    TableSource(
        "subsidies.flagged",
        _flagged_rows,
        money=("amount",),
        sortable={"amount": "money", "pay_date": "date", "program_name": "text", "region_name": "text"},
        default_sort="amount",
    )
)


@memoized
def sample_share(scope: Scope) -> Decimal | None:
    """The share of the real payouts the store holds (a demo holds a sample), or None when it holds them all."""
    frame = fetch(sa.select(sampling.c.share).where(sampling.c.topic == "subsidies"), ["share"])
    share = frame["share"].iloc[0] if len(frame) else None
    return None if share is None or share >= 1 else Decimal(share)


@memoized
def programs(scope: Scope) -> pd.DataFrame:
    """Every program that paid anyone in the scope (id as text, name, category): the valid values of the URL
    filters."""
    columns = ["id", "name", "category"]
    if scope.column is None:
        return pd.DataFrame(columns=columns)
    paid_here = sa.select(month_mart.c.program_id).where(month_mart.c[scope.column] == scope.root).distinct()
    frame = fetch(
        sa.select(prog.c.id, prog.c.name, prog.c.category).where(prog.c.id.in_(paid_here)).order_by(prog.c.id), columns
    )
    return frame.assign(id=frame["id"].astype(str))
