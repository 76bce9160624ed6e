"""Transfers received (转移支付) and 直达资金 progress of a region: by child region, by kind and by program.

Money moves down the tree (中央 → 省 → 市 → 县), so what a set of units *received from above* is the transfers into
it from outside it. For the rows under a drilled region X that is:
- a child c: transfers into c's subtree from X or X's ancestors (from_region on X's path);
- X's own level (本级): everything sent to X itself (上级补助收入), with what X passed down (对下转移支付) beside it;
- X as a whole (全辖): 本级 received − 本级 passed down + the children, so a transfer between levels of the same
  region is never counted twice.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Sequence
from decimal import Decimal

import pandas as pd
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope
from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.memo import memoized
from dashboard.store.schema import MONEY, mart_indicator_unit_year, transfer
from dashboard.store.schema import region as region_table
from queries import metrics
from queries._filters import by_child, drill_region, in_drill, in_region, row_name
from queries._paging import TableSource, table_source
from queries.regions import region_tree

KINDS = ("一般性", "专项", "共同事权")
FLOW_COLUMNS = ["code", "name", "is_own_level", "kind", "program", "direct_fund", "received", "passed_down"]
DIRECT_COLUMNS = ["code", "name", "is_own_level", "program", "received", "passed_down", "kind"]
DIRECT_MONEY = DIRECT_COLUMNS[4:6]
PAYMENT_COLUMNS = ["allocated", "paid", "payment_rate", "payment_grade", "payment_grade_level", "allocation_rate"]


def _first_day(year: int, month: int) -> dt.date:
    return dt.date(year + month // 13, (month - 1) % 12 + 1, 1)


def _in_period(column: sa.ColumnElement) -> sa.ColumnElement[bool]:
    return sa.and_(column >= sa.bindparam("start"), column < sa.bindparam("end"))


def _transfer_branches(
    scope_column: str, level: str, keys: Sequence[sa.ColumnElement], tail: list, *where
) -> list[sa.Select]:
    """Received from above (by child; 本级 gross) and passed down by the region itself (on the 本级 row), as
    (keys…, received, passed_down, tail…, code)."""
    t = transfer
    zero = sa.cast(sa.literal(0), MONEY)
    received = by_child(
        sa.select(*keys, sa.func.sum(t.c.amount).label("received"), zero.label("passed_down"), *tail)
        .where(
            *in_drill(t, scope_column, level),
            _in_period(t.c.transfer_date),
            t.c.from_region.in_(sa.bindparam("path", expanding=True)),
            *where,
        )
        .group_by(*keys),
        t,
        level,
    )
    passed = (
        sa.select(
            *keys, zero.label("received"), sa.func.sum(t.c.amount).label("passed_down"), *tail, sa.null().label("code")
        )
        .where(
            *in_drill(t, scope_column, level),
            _in_period(t.c.transfer_date),
            t.c.from_region == sa.bindparam("region"),
            *where,
        )
        .group_by(*keys)
    )
    return [received, passed]


@functools.lru_cache(maxsize=16)
def _flows_statement(scope_column: str, level: str) -> sa.Select:
    t = transfer
    keys = [t.c.kind, t.c.program, t.c.direct_fund]
    parts = sa.union_all(*_transfer_branches(scope_column, level, keys, [])).subquery()
    return sa.select(
        parts.c.code,
        parts.c.kind,
        parts.c.program,
        parts.c.direct_fund,
        sa.func.sum(parts.c.received).label("received"),
        sa.func.sum(parts.c.passed_down).label("passed_down"),
    ).group_by(parts.c.code, parts.c.kind, parts.c.program, parts.c.direct_fund)


def _params(scope: Scope, region: str, start: dt.date, end: dt.date) -> dict:
    path = [r.adcode for r in region_tree().path(region)]
    return {"scope_root": scope.root, "region": region, "start": start, "end": end, "path": path}


def _frame(rows, columns: list[str], money: list[str], region, tree) -> pd.DataFrame:
    """Rows in one order on every engine (a GROUP BY's order is the engine's; names sort by code point here, not by
    the database's collation)."""
    keys = [c for c in columns[3:] if c not in money]
    rows = sorted(rows, key=lambda r: (r.code is None, r.code or "", *(str(getattr(r, k)) for k in keys)))
    records = [
        [
            r.code,
            row_name(tree, region, r.code),
            r.code is None,
            *(getattr(r, c) for c in columns[3:] if c not in money),
            *(Decimal(getattr(r, c) or 0) for c in money),
        ]
        for r in rows
    ]
    return pd.DataFrame(records, columns=columns)


@memoized
def transfer_flows(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Transfers of the period's months, one row per (row of the drill, kind, program, 直达 flag), in 元 (Decimal).

    `received`: from above into the row (see the module docstring); `passed_down`: only on the 本级 row, what the
    region itself sent to its subtree. Σ received − Σ passed_down is what the whole region received from above.
    Empty when the region is outside the scope.
    """
    region = drill_region(scope, state)
    if region is None:
        return pd.DataFrame(columns=FLOW_COLUMNS)
    params = _params(
        scope, region.adcode, _first_day(state.year, state.first_month), _first_day(state.year, state.last_month + 1)
    )
    with finance_engine().connect() as conn:
        rows = conn.execute(_flows_statement(scope.column, region.level), params).all()
    return _frame(rows, FLOW_COLUMNS, ["received", "passed_down"], region, region_tree())


@functools.lru_cache(maxsize=16)
def _direct_statement(scope_column: str, level: str) -> sa.Select:
    t = transfer
    parts = sa.union_all(
        *_transfer_branches(scope_column, level, [t.c.program.label("program")], [], t.c.direct_fund)
    ).subquery()
    return sa.select(parts.c.code, parts.c.program, *(sa.func.sum(parts.c[c]).label(c) for c in DIRECT_MONEY)).group_by(
        parts.c.code, parts.c.program
    )


@memoized
def direct_fund_flows(scope: Scope, state: DrillState) -> pd.DataFrame:
    """直达 transfers year to date at the end of the period (progress against 序时进度 is cumulative, so January on),
    one row per (row of the drill, program), in 元 (Decimal): received / passed_down as in `transfer_flows`; kind:
    the program's kind. What was allocated and paid comes from the metric layer (`direct_payment`). Empty outside
    the scope.
    """
    region = drill_region(scope, state)
    if region is None:
        return pd.DataFrame(columns=DIRECT_COLUMNS)
    params = _params(scope, region.adcode, dt.date(state.year, 1, 1), _first_day(state.year, state.last_month + 1))
    with finance_engine().connect() as conn:
        rows = conn.execute(_direct_statement(scope.column, region.level), params).all()
    frame = _frame(rows, DIRECT_COLUMNS[:-1], DIRECT_MONEY, region, region_tree())
    return frame.assign(kind=frame["program"].map(_program_kinds(current_data_version().key)))


@functools.lru_cache(maxsize=4)
def _program_kinds(version_key: str) -> dict[str, str]:
    """Program → kind (一般性 / 专项 / 共同事权), the catalogue the store's transfers carry (per data version)."""
    with finance_engine().connect() as conn:
        return dict(conn.execute(sa.select(transfer.c.program, transfer.c.kind).distinct()).all())


DIRECT_KEYS = ("direct_pay", "direct_allocate")


def _program_filter(kind: str | None, program: str | None) -> tuple[tuple[str, object], ...]:
    """The metric layer's `program` filter for the page's kind and program filters (none: every 直达 program)."""
    if kind is None and program is None:
        return ()
    kinds = _program_kinds(current_data_version().key)
    chosen = tuple(sorted(p for p, k in kinds.items() if kind in (None, k) and program in (None, p)))
    return (("program", chosen),)


def _payment_columns(values: pd.DataFrame | pd.Series) -> dict[str, object]:
    """allocated, paid, payment_rate and its grade (`direct_pay`), allocation_rate (`direct_allocate`) from metric
    columns."""
    return {
        "allocated": values["direct_pay_den"],
        "paid": values["direct_pay_num"],
        "payment_rate": values["direct_pay"],
        "payment_grade": values["direct_pay_label"],
        "payment_grade_level": values["direct_pay_level"],
        "allocation_rate": values["direct_allocate"],
    }


def direct_payment(
    scope: Scope, state: DrillState, by: str | None, kind: str | None = None, program: str | None = None
) -> pd.DataFrame:
    """直达资金支付进度 from the metric layer (`queries.metrics`, `direct_pay`: paid from January ÷ the 直达 indicators
    issued by the period's end, graded against 序时进度) by `by` ('code': 本级 and each child; 'program'; None: the
    whole region), under the page's kind and program filters: the key column, allocated, paid, payment_rate,
    payment_grade, payment_grade_level."""
    by_program = metrics.cells(scope, state, DIRECT_KEYS, "program", _program_filter(kind, None))
    if by == "program":
        kinds = _program_kinds(current_data_version().key)
        programs = [p for p in _direct_programs(current_data_version().key) if kind in (None, kinds.get(p))]
        found = metrics.values_of(by_program, DIRECT_KEYS, "program", state).set_index("program")
        columns = [f"{k}_{part}" for k in DIRECT_KEYS for part in ("num", "den")]
        sums = found.reindex(programs)[columns].astype(object)
        sums = sums.where(sums.notna(), Decimal(0)).reset_index(drop=True)  # no row: nothing issued, nothing paid
        period = metrics.period_of(state)
        per_program = pd.concat([metrics.evaluate(k, sums, period) for k in DIRECT_KEYS], axis=1)
        per_program = per_program.loc[:, ~per_program.columns.duplicated()]
        return pd.DataFrame({"program": programs, **_payment_columns(per_program)})
    if program is None:  # the same pass as by program: one scan serves both
        rows = metrics.regions_of(by_program, scope, state, DIRECT_KEYS)
    else:
        rows = metrics.by_region(scope, state, DIRECT_KEYS, _program_filter(kind, program))
    if by == "code":
        return pd.DataFrame({c: rows[c] for c in ("code", "name", "is_own_level")} | _payment_columns(rows))
    return pd.DataFrame([_payment_columns(metrics.total_of(rows, DIRECT_KEYS, state))])


@functools.lru_cache(maxsize=4)
def _direct_programs(version_key: str) -> list[str]:
    """The programs 直达 indicators are issued under (per data version)."""
    i = mart_indicator_unit_year
    with finance_engine().connect() as conn:
        found = conn.execute(sa.select(i.c.transfer_program).where(i.c.direct_fund).distinct()).scalars()
        return sorted(p for p in found if p is not None)


def direct_fund_progress(flows: pd.DataFrame, by: str | None, payment: pd.DataFrame) -> pd.DataFrame:
    """Sum `direct_fund_flows` by `by` ('code' with name and is_own_level, 'program', or None: one row for the
    whole region) beside the metric layer's 直达 figures (`payment`: `direct_payment` by the same key): allocated,
    paid, 支付进度 with its grade, 分配进度 (allocated ÷ what stayed at the row: received − passed down). A row with
    直达 indicators or payments but no transfer in the period is kept (received 0)."""
    keys = {"code": ["code", "name", "is_own_level"], "program": ["program"], None: []}[by]
    if keys:
        out = flows.groupby(keys, dropna=False, sort=False)[["received", "passed_down"]].sum().reset_index()
        seen = set(out[keys[0]].astype(object).fillna(""))
        spent = payment[(payment["allocated"] != 0) | (payment["paid"] != 0)]
        extra = spent[~spent[keys[0]].astype(object).fillna("").isin(seen)]
        if not extra.empty:
            added = extra[keys].assign(received=Decimal(0), passed_down=Decimal(0))
            out = pd.concat([out, added], ignore_index=True) if not out.empty else added.reset_index(drop=True)
        paid = payment.assign(**{keys[0]: payment[keys[0]].astype(object).fillna("")}).set_index(keys[0])
        index = out[keys[0]].astype(object).fillna("")
        for column in PAYMENT_COLUMNS:
            out[column] = [paid[column].get(k) for k in index]
        out[["allocated", "paid"]] = out[["allocated", "paid"]].map(lambda v: Decimal(0) if v is None else v)
    else:
        out = pd.DataFrame([{c: sum(flows[c], Decimal(0)) for c in ("received", "passed_down")}])
        for column in PAYMENT_COLUMNS:
            out[column] = [payment.iloc[0][column]]
    return out


def in_view(flows: pd.DataFrame, kind: str | None = None, program: str | None = None) -> pd.DataFrame:
    """The rows of `transfer_flows` or `direct_fund_flows` under the page's kind and program filters (None: all)."""
    keep = pd.Series(True, index=flows.index)
    if kind is not None:
        keep &= flows["kind"] == kind
    if program is not None:
        keep &= flows["program"] == program
    return flows[keep]


def _received_from_above(scope: Scope, state: DrillState) -> list[sa.ColumnElement[bool]] | None:
    """The tranches the region as a whole received from above in the period (from a strict ancestor, so their sum
    is the page's 转移支付收入), under the kind and program filters; None outside the scope."""
    drilled = drill_region(scope, state)
    if drilled is None:
        return None
    t = transfer
    above = [r.adcode for r in region_tree().path(drilled.adcode)][:-1]
    where = [
        *in_region(t, scope.column, scope.root, drilled.level, drilled.adcode),
        t.c.from_region.in_(above),
        t.c.transfer_date >= _first_day(state.year, state.first_month),
        t.c.transfer_date < _first_day(state.year, state.last_month + 1),
    ]
    for name in ("kind", "program"):
        if state.filter(name) is not None:
            where.append(t.c[name] == state.filter(name))
    return where


def _program_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """One row per transfer program received in the view: kind, 直达, tranches, amount. A program's `id` is its
    first tranche's (unique, for the keyset); its link sets the `program` filter by name."""
    where = _received_from_above(scope, state)
    if where is None:
        return None
    t = transfer
    return (
        sa.select(
            sa.func.min(t.c.id).label("id"),
            t.c.program.label("program"),
            t.c.kind.label("kind"),
            sa.case((sa.func.max(sa.case((t.c.direct_fund, 1), else_=0)) == 1, "是"), else_="否").label("direct_fund"),
            sa.func.count().label("tranches"),
            sa.func.sum(t.c.amount).label("amount"),
        )
        .where(*where)
        .group_by(t.c.program, t.c.kind)
    )


def _record_rows(scope: Scope, state: DrillState) -> sa.Select | None:
    """Every tranche of the view (see `_received_from_above`) with who sent and who received it."""
    where = _received_from_above(scope, state)
    if where is None:
        return None
    t = transfer
    giver, receiver = region_table.alias("giver"), region_table.alias("receiver")
    return (
        sa.select(
            t.c.id,
            t.c.transfer_date,
            giver.c.name.label("from_name"),
            receiver.c.name.label("to_name"),
            t.c.kind,
            t.c.program,
            sa.case((t.c.direct_fund, "是"), else_="否").label("direct_fund"),
            t.c.amount,
        )
        .select_from(
            t.join(giver, giver.c.adcode == t.c.from_region).join(receiver, receiver.c.adcode == t.c.to_region)
        )
        .where(*where)
    )


PROGRAMS = table_source(
    TableSource(
        "transfers.programs",
        _program_rows,
        ("amount",),
        {"amount": "money", "tranches": "int", "program": "text"},
        "amount",
    )
)
RECORDS = table_source(
    TableSource(
        "transfers.records",
        _record_rows,
        ("amount",),
        {"amount": "money", "transfer_date": "date", "program": "text"},
        "amount",
    )
)


KIND_COLUMNS = {"一般性": "general", "专项": "special", "共同事权": "shared"}


def net_by(flows: pd.DataFrame, column: str) -> pd.DataFrame:
    """Net transfers received (received − passed down) by `column` (kind or program), with `key` = its value for
    cross-filtering; categories with nothing left out."""
    frame = flows.assign(net=flows["received"] - flows["passed_down"])
    out = frame.groupby(column, sort=False)["net"].sum().reset_index()
    return out[out["net"] != 0].assign(key=lambda f: f[column]).reset_index(drop=True)


def total_row(rows: pd.DataFrame, whole: pd.Series) -> pd.Series:
    """The 合计 line of `by_row`: what the whole region received from above (the sum of the nets, so 上级补助收入 =
    净额 and nothing was passed down outside it), with the whole region's 直达资金 progress (`whole`: the row of
    `direct_fund_progress(…, None, …)`)."""
    net = sum(rows["net"], Decimal(0))
    total = {"received": net, "passed_down": None, "net": net}  # the whole region: nothing passed down inside it
    total.update({c: sum(rows[c], Decimal(0)) for c in KIND_COLUMNS.values()})
    total.update({c: whole[c] for c in ("allocation_rate", "payment_rate", "payment_grade", "payment_grade_level")})
    return pd.Series(total)


def by_row(flows: pd.DataFrame, direct: pd.DataFrame) -> pd.DataFrame:
    """One row per row of the drill (本级 first): 上级补助收入 received, 对下转移支付 passed down, the net, the net by
    kind (general / special / shared), and 直达资金 分配进度 / 支付进度 with its grade (`direct` from
    `direct_fund_progress(…, "code", …)`). The nets add up to what the whole region received from above."""
    keys = ["code", "name", "is_own_level"]
    own = ""  # the 本级 row's code while grouping (a missing key would be dropped or never match)
    frame = flows.assign(net=flows["received"] - flows["passed_down"], code=flows["code"].astype(object).fillna(own))
    out = frame.groupby(keys, sort=False)[["received", "passed_down", "net"]].sum()
    kinds = frame.groupby([*keys, "kind"], sort=False)["net"].sum()
    for kind, column in KIND_COLUMNS.items():
        out[column] = [kinds.get((*index, kind), Decimal(0)) for index in out.index]
    out = out.reset_index()
    rates = direct.assign(code=direct["code"].astype(object).fillna(own)).set_index("code")
    for column in ("allocation_rate", "payment_rate", "payment_grade", "payment_grade_level"):
        out[column] = [rates[column].get(c) for c in out["code"]]
    out["code"] = out["code"].where(out["code"] != own, None)
    # A child's row is its whole subtree: a transfer inside it is neither received nor passed down, so its
    # 对下转移支付 is not 0 but not applicable (None, shown "—"); only the 本级 row passes money down.
    out["passed_down"] = [v if own_level else None for v, own_level in zip(out["passed_down"], out["is_own_level"])]
    return out.sort_values("is_own_level", ascending=False, kind="stable").reset_index(drop=True)
