"""惠民惠农补贴 (一卡通) of a region: payouts by category, program, region and township, averages, the monthly course,
and the auditors' anomaly lists (one ID paid in two counties, paid after death, above the program's standard).

A payout belongs to the period by its pay date and to the region of the recipient's home county. Topic filters
(`category`, `program`) are keyword arguments; None means all. The drill-through tables (programs of a region, then
one program's payouts) are TableSources that read the same filters from the state. Money in 元 (Decimal). Rows carry
personal data (PERSONAL_COLUMNS) unmasked: callers mask them (`dashboard.masking.mask_frame`) before anything leaves
the server.
"""

from __future__ import annotations

from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.drill import DrillState
from dashboard.format import ratio
from dashboard.scope import Scope
from dashboard.store.engine import finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import MONEY, person_death, region, subsidy_payout, subsidy_program
from queries._paging import TableSource, table_source
from queries._filters import by_child, child_rows, in_region, month_range, visible_region
from queries.regions import region_tree

MEASURES = ["n", "amount", "recipients"]  # recipients: distinct ID numbers, the costly one, asked for only where shown
PAYOUT_MEASURES = MEASURES[:2]
RECORD_COLUMNS = ["id", "pay_date", "program_id", "program_name", "category", "region_code", "region_name",
                  "township", "village", "recipient_id_number", "recipient_name", "bank_account", "account_name",
                  "amount"]
PERSONAL_COLUMNS = {"recipient_id_number": "id_number", "recipient_name": "name", "bank_account": "account",
                    "account_name": "name"}

s = subsidy_payout
prog = subsidy_program


def _measures(people: bool = True) -> list[sa.ColumnElement]:
    measures = [sa.func.count().label("n"),
                sa.func.coalesce(sa.func.sum(s.c.amount), sa.cast(0, MONEY)).label("amount")]
    if people:
        measures.append(sa.func.count(sa.distinct(s.c.recipient_id_number)).label("recipients"))
    return measures


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


def _selection(scope: Scope, state: DrillState, category: str | None, program: int | None,
               year: int | None = None) -> list[sa.ColumnElement[bool]] | None:
    """Predicates for the payouts of the view (None when the region is outside the scope: no rows)."""
    region = visible_region(scope, state.region)
    if region is None:
        return None
    where = [*in_region(s, scope.column, scope.root, region.level, region.adcode),
             month_range(s.c.pay_date, year or state.year, state.first_month, state.last_month)]
    if category:
        where.append(s.c.category == category)
    if program is not None:
        where.append(s.c.program_id == program)
    return where


def _frame(statement: sa.Select, columns: list[str]) -> pd.DataFrame:
    with finance_engine().connect() as conn:
        return pd.DataFrame([tuple(r) for r in conn.execute(statement)], columns=columns)


@memoized
def summary(scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
            ) -> pd.DataFrame:
    """The headline of the view: one row with 发放笔数 (n), 发放金额 (amount), 受益人数 (distinct recipients), the
    averages, and `amount_prev` / `n_prev` for the same months a year before (同比)."""
    current = _selection(scope, state, category, program)
    if current is None:
        empty = with_averages(pd.DataFrame(columns=MEASURES))
        return empty.assign(amount_prev=pd.Series(dtype=object), n_prev=pd.Series(dtype=int))
    previous = _selection(scope, state, category, program, year=state.year - 1)
    frame = with_averages(_frame(sa.select(*_measures()).where(*current), MEASURES))
    prev = _frame(sa.select(*_measures(people=False)).where(*previous), ["n", "amount"])
    return frame.assign(amount_prev=Decimal(prev.at[0, "amount"]), n_prev=int(prev.at[0, "n"]))


@memoized
def by_category(scope: Scope, state: DrillState, *, program: int | None = None) -> pd.DataFrame:
    """Payouts per 补贴类别 (category, PAYOUT_MEASURES, 笔均, `share` of the amount), largest amount first."""
    columns = ["category", *PAYOUT_MEASURES]
    where = _selection(scope, state, None, program)
    if where is None:
        return with_averages(pd.DataFrame(columns=columns)).assign(share=pd.Series(dtype=float))
    frame = with_averages(_frame(sa.select(s.c.category, *_measures(people=False)).where(*where)
                                 .group_by(s.c.category), columns))
    total = frame["amount"].sum()
    frame["share"] = [ratio(a, total) for a in frame["amount"]]
    return frame.sort_values(["amount", "category"], ascending=[False, True], ignore_index=True)


def _program_rows(scope: Scope, state: DrillState, category: str | None, people: bool = True
                  ) -> sa.Select | None:
    """One row per program paid in the view (id = the program's id), with the level that runs it."""
    where = _selection(scope, state, category, None)
    if where is None:
        return None
    keys = [prog.c.id, prog.c.name, prog.c.category, region.c.name, prog.c.standard_amount]
    return (sa.select(prog.c.id.label("id"), prog.c.name.label("program_name"), prog.c.category.label("category"),
                      region.c.name.label("run_by"), prog.c.standard_amount.label("standard_amount"),
                      *_measures(people))
            .select_from(s.join(prog, prog.c.id == s.c.program_id)
                         .join(region, region.c.adcode == prog.c.region_code))
            .where(*where).group_by(*keys))


@memoized
def by_program(scope: Scope, state: DrillState, *, category: str | None = None, limit: int = 15) -> pd.DataFrame:
    """The `limit` programs with the largest amount in the view (id, program_name, category, run_by: the level
    running it, standard_amount, PAYOUT_MEASURES, 笔均)."""
    columns = ["id", "program_name", "category", "run_by", "standard_amount", *PAYOUT_MEASURES]
    rows = _program_rows(scope, state, category, people=False)
    if rows is None:
        return with_averages(pd.DataFrame(columns=columns))
    sub = rows.subquery()
    frame = with_averages(_frame(sa.select(sub).order_by(sub.c.amount.desc(), sub.c.id).limit(limit), columns))
    frame["standard_amount"] = frame["standard_amount"].map(Decimal)
    return frame


@memoized
def region_ranking(scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
                   ) -> pd.DataFrame:
    """本级 and each child region with MEASURES and averages; payouts and amounts add up to the region (recipients
    need not: one person may be paid in two places)."""
    region = visible_region(scope, state.region)
    where = _selection(scope, state, category, program)
    if region is None or where is None:
        return with_averages(pd.DataFrame(columns=["code", "name", "is_own_level", *MEASURES]))
    found = _frame(by_child(sa.select(*_measures()).where(*where), s, region.level), [*MEASURES, "code"])
    return with_averages(child_rows(region, found.set_index("code"), {m: 0 for m in MEASURES}))


@memoized
def township_ranking(scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None,
                     limit: int = 30, people: bool = True) -> pd.DataFrame:
    """The 乡镇 of the view with the largest amounts (region_code and region_name of the county, township,
    PAYOUT_MEASURES, with recipients when `people`, averages): where the money lands below the county."""
    columns = ["region_code", "township", *(MEASURES if people else PAYOUT_MEASURES)]
    where = _selection(scope, state, category, program)
    if where is None:
        return with_averages(pd.DataFrame(columns=columns)).assign(region_name=pd.Series(dtype=str))
    measures = _measures(people)
    statement = (sa.select(s.c.county_code, s.c.township, *measures).where(*where)
                 .group_by(s.c.county_code, s.c.township)
                 .order_by(measures[1].desc(), s.c.county_code, s.c.township).limit(limit))
    frame = with_averages(_frame(statement, columns))
    tree = region_tree()
    frame.insert(1, "region_name", [tree.name(c) if c in tree else "" for c in frame["region_code"]])
    return frame


@memoized
def monthly(scope: Scope, state: DrillState, *, category: str | None = None, program: int | None = None
            ) -> pd.DataFrame:
    """Payouts per month of the period, this year and the year before (year, month, n, amount): 环比 along a
    year, 同比 between the two."""
    columns = ["year", "month", "n", "amount"]
    frames = []
    for year in (state.year - 1, state.year):
        where = _selection(scope, state, category, program, year=year)
        if where is None:
            return pd.DataFrame(columns=columns)
        month = sa.cast(sa.extract("month", s.c.pay_date), sa.Integer)
        found = _frame(sa.select(month, *_measures(people=False)).where(*where).group_by(month),
                       ["month", *PAYOUT_MEASURES])
        frames.append(found.assign(year=year))
    frame = pd.concat(frames, ignore_index=True)[columns]
    frame[["year", "month", "n"]] = frame[["year", "month", "n"]].astype(int)
    frame["amount"] = frame["amount"].map(Decimal)
    return frame.sort_values(["year", "month"], ignore_index=True)


def _records(where: list[sa.ColumnElement[bool]], *extra: sa.ColumnElement, source=None) -> sa.Select:
    unit = sa.func.coalesce(s.c.county_code, s.c.city_code, s.c.province_code)
    return (sa.select(s.c.id, s.c.pay_date, s.c.program_id, prog.c.name, s.c.category, unit, sa.null(), s.c.township,
                      s.c.village, s.c.recipient_id_number, s.c.recipient_name, s.c.bank_account, s.c.account_name,
                      s.c.amount, *extra)
            .select_from(source if source is not None else s.join(prog, prog.c.id == s.c.program_id))
            .where(*where))


def _record_frame(statement: sa.Select, extra: list[str]) -> pd.DataFrame:
    frame = _frame(statement, [*RECORD_COLUMNS, *extra])
    tree = region_tree()
    frame["region_name"] = [tree.name(c) if c in tree else "" for c in frame["region_code"]]
    frame["amount"] = frame["amount"].map(Decimal)
    return frame


@memoized
def duplicate_id_payouts(scope: Scope, state: DrillState, *, category: str | None = None,
                         program: int | None = None) -> pd.DataFrame:
    """Anomaly: payouts of the view to an ID number that the same program also paid in another county in the same
    month (RECORD_COLUMNS and `counties`, how many counties paid it that month). The other county may lie outside
    the scope: it is counted, never listed."""
    where = _selection(scope, state, category, program)
    if where is None:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, "counties"])
    other = s.alias("other")  # every county's payouts of the period: the twin may lie outside the scope
    keys = [other.c.recipient_id_number, other.c.program_id, sa.extract("year", other.c.pay_date),
            sa.extract("month", other.c.pay_date)]
    twins = [month_range(other.c.pay_date, state.year, state.first_month, state.last_month)]
    if category:
        twins.append(other.c.category == category)
    if program is not None:
        twins.append(other.c.program_id == program)
    paid_twice = (sa.select(*(k.label(f"k{i}") for i, k in enumerate(keys)),
                            sa.func.count(sa.distinct(other.c.county_code)).label("counties"))
                  .where(*twins).group_by(*keys)
                  .having(sa.func.min(other.c.county_code) != sa.func.max(other.c.county_code)).subquery())
    mine = [s.c.recipient_id_number, s.c.program_id, sa.extract("year", s.c.pay_date),
            sa.extract("month", s.c.pay_date)]
    source = (s.join(prog, prog.c.id == s.c.program_id)
              .join(paid_twice, sa.and_(*(paid_twice.c[f"k{i}"] == k for i, k in enumerate(mine)))))
    frame = _record_frame(_records(where, paid_twice.c.counties, source=source), ["counties"])
    return frame.sort_values(["recipient_id_number", "pay_date", "id"], ignore_index=True)


@memoized
def after_death_payouts(scope: Scope, state: DrillState, *, category: str | None = None,
                        program: int | None = None) -> pd.DataFrame:
    """Anomaly: payouts of the view dated after the recipient's recorded death (RECORD_COLUMNS and `death_date`)."""
    where = _selection(scope, state, category, program)
    if where is None:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, "death_date"])
    source = (s.join(prog, prog.c.id == s.c.program_id)
              .join(person_death, person_death.c.id_number == s.c.recipient_id_number))
    statement = _records([*where, s.c.pay_date > person_death.c.death_date], person_death.c.death_date,
                         source=source)
    frame = _record_frame(statement, ["death_date"])
    return frame.sort_values(["recipient_id_number", "pay_date", "id"], ignore_index=True)


@memoized
def above_standard_payouts(scope: Scope, state: DrillState, *, category: str | None = None,
                           program: int | None = None) -> pd.DataFrame:
    """Anomaly: payouts of the view above their program's standard (the most one payout may be); RECORD_COLUMNS
    and `standard_amount`, largest excess first."""
    where = _selection(scope, state, category, program)
    if where is None:
        return pd.DataFrame(columns=[*RECORD_COLUMNS, "standard_amount"])
    frame = _record_frame(_records([*where, s.c.amount > prog.c.standard_amount], prog.c.standard_amount),
                          ["standard_amount"])
    frame["standard_amount"] = frame["standard_amount"].map(Decimal)
    excess = frame["amount"] - frame["standard_amount"]
    return frame.assign(_excess=excess).sort_values(["_excess", "id"], ascending=[False, True]).drop(
        columns="_excess").reset_index(drop=True)


# -- drill-through: region → program → payouts ----------------------------------------------------------------------

def state_filters(state: DrillState) -> dict[str, object]:
    """The topic filters of a drill state as query keyword arguments (the program as its integer id)."""
    program_text = state.filter("program")
    return {"category": state.filter("category"), "program": int(program_text) if program_text else None}


def _payout_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """The single payouts of the view (one program's, once the drill has chosen one); personal data unmasked."""
    where = _selection(scope, state, **state_filters(state))
    if where is None:
        return None
    unit = sa.func.coalesce(s.c.county_code, s.c.city_code, s.c.province_code)
    return (sa.select(s.c.id.label("id"), s.c.pay_date.label("pay_date"), prog.c.name.label("program_name"),
                      region.c.name.label("region_name"), s.c.township.label("township"),
                      s.c.village.label("village"), s.c.recipient_name.label("recipient_name"),
                      s.c.recipient_id_number.label("recipient_id_number"), s.c.bank_account.label("bank_account"),
                      s.c.amount.label("amount"))
            .select_from(s.join(prog, prog.c.id == s.c.program_id).join(region, region.c.adcode == unit))
            .where(*where))


PROGRAM_TABLE = table_source(TableSource(
    "subsidies.programs", lambda scope, state: _program_rows(scope, state, state.filter("category")),
    money=("amount",), sortable={"amount": "money", "n": "int", "recipients": "int", "program_name": "text"},
    default_sort="amount"))
PAYOUT_TABLE = table_source(TableSource(
    "subsidies.payouts", _payout_rows, money=("amount",),
    sortable={"amount": "money", "pay_date": "date", "township": "text"}, default_sort="amount"))


@memoized
def programs(scope: Scope) -> pd.DataFrame:
    """Every program that paid anyone in the scope (id as text, name, category): the valid values of the URL
    filters."""
    columns = ["id", "name", "category"]
    if scope.column is None:
        return pd.DataFrame(columns=columns)
    paid_here = sa.select(s.c.program_id).where(s.c[scope.column] == scope.root).distinct()
    frame = _frame(sa.select(prog.c.id, prog.c.name, prog.c.category).where(prog.c.id.in_(paid_here))
                   .order_by(prog.c.id), columns)
    return frame.assign(id=frame["id"].astype(str))
