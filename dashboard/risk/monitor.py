"""Risk for a region: open warnings and tickets (application-state store) over the region tree, and the fiscal
health index (finance store).

The big screen reads `region_risk`, `latest_warnings` and `ticket_summary`; /risk and /warnings read the rest.
Warnings change when rules run and tickets when people act, so every cached result is keyed by the state store's
version (latest run and latest ticket event) as well as by scope and data version.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.core.drill import DrillState
from dashboard.core.grades import GRADE_ORDER
from dashboard.core.regions import RegionTree
from dashboard.core.reporting import unreported
from dashboard.core.scope import Scope
from dashboard.risk import measures as m
from dashboard.risk.health import COMPONENTS, health_index
from dashboard.risk.measures import AsOf
from dashboard.risk.rules import REPORTED_TABLES, RULES_BY_CODE, TOPICS
from dashboard.risk.run import unit_name
from dashboard.risk.tickets import AWAITING_REGION, OPEN_STATES
from dashboard.state.engine import state_engine
from dashboard.state.warning_tables import (
    WARNING_OPEN,
    risk_attachment,
    risk_run,
    risk_ticket,
    risk_ticket_event,
    risk_warning,
)
from dashboard.store.engine import current_data_version, finance_engine
from dashboard.store.memo import memoized
from queries import peers as peers_q
from queries import reporting
from queries.regions import region_tree

log = logging.getLogger(__name__)

REGION_RISK_COLUMNS = ["code", "name", "grade", "health_index", "red", "orange", "yellow", "blue"]
LATEST_COLUMNS = ["raised_at", "region_code", "region_name", "rule_code", "rule_name", "topic", "grade", "message"]
GRADE_COUNT_COLUMNS = {"红": "red", "橙": "orange", "黄": "yellow", "蓝": "blue"}
TICKET_COLUMNS = [
    "id",
    "region_code",
    "region_name",
    "rule_code",
    "rule_name",
    "topic",
    "grade",
    "state",
    "overdue",
    "deadline",
    "issued_at",
    "updated_at",
    "message",
]


@dataclass(frozen=True)
class StateVersion:
    """The state store as of the latest rule run and ticket event: part of every cache key here."""

    key: str


def state_version() -> StateVersion:
    with state_engine().connect() as conn:
        run, event = conn.execute(
            sa.select(
                sa.select(sa.func.max(risk_run.c.id)).scalar_subquery(),
                sa.select(sa.func.max(risk_ticket_event.c.id)).scalar_subquery(),
            )
        ).one()
    return StateVersion(f"risk:{run}:{event}")


def _child_of(tree: RegionTree, code: str, parent: str) -> str | None:
    """The child of `parent` whose subtree holds `code` (None when `code` is `parent` itself or outside it)."""
    path = [r.adcode for r in tree.path(code)]
    if parent not in path or path[-1] == parent:
        return None
    return path[path.index(parent) + 1]


@memoized
def _open_warnings(scope: Scope, version: StateVersion) -> pd.DataFrame:
    """Every open warning of a unit inside the scope (state store), newest first."""
    tree = region_tree()
    w = risk_warning
    with state_engine().connect() as conn:
        rows = conn.execute(
            sa.select(
                w.c.id,
                w.c.raised_at,
                w.c.region_code,
                w.c.rule_code,
                w.c.topic,
                w.c.grade,
                w.c.grade_label,
                w.c.period_label,
                w.c.value_text,
                w.c.threshold,
                w.c.message,
                w.c.evidence,
            )
            .where(w.c.state == WARNING_OPEN)
            .order_by(w.c.raised_at.desc(), w.c.id.desc())
        ).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[
            "id",
            "raised_at",
            "region_code",
            "rule_code",
            "topic",
            "grade",
            "grade_label",
            "period_label",
            "value_text",
            "threshold",
            "message",
            "evidence",
        ],
    )
    frame = frame[frame["region_code"].map(lambda code: scope.sees(tree, code)).astype(bool)]
    frame = frame.reset_index(drop=True)  # a boolean Series, so an empty store keeps its columns
    frame["rule_name"] = frame["rule_code"].map(lambda c: RULES_BY_CODE[c].name if c in RULES_BY_CODE else c)
    frame["region_name"] = frame["region_code"].map(lambda c: unit_name(tree, c))
    return frame


def _in_subtree(frame: pd.DataFrame, tree: RegionTree, region: str) -> pd.DataFrame:
    return frame[frame["region_code"].map(lambda code: tree.is_within(code, region)).astype(bool)]


def _worst(grades_seen) -> str | None:
    ranked = [g for g in GRADE_ORDER if g in set(grades_seen)]
    return ranked[-1] if ranked else None


def region_risk(scope: Scope, state: DrillState) -> pd.DataFrame:
    """One row per child region of `state.region`: the worst open warning grade in the child's subtree, its
    health index (0–100, as of the end of the drill period) and its open warnings by grade."""
    return _region_risk(scope, state, state_version())


@memoized
def _region_risk(scope: Scope, state: DrillState, version: StateVersion) -> pd.DataFrame:
    tree = region_tree()
    if not scope.sees(tree, state.region):
        return pd.DataFrame(columns=REGION_RISK_COLUMNS)
    warnings = _open_warnings(scope, version)
    warnings = warnings.assign(child=[_child_of(tree, c, state.region) for c in warnings["region_code"]])
    health = health_by_child(scope, state).set_index("code")
    rows = []
    for child in tree.children(state.region):
        mine = warnings[warnings["child"] == child.adcode]
        counts = mine["grade"].value_counts()
        index = health["health_index"].get(child.adcode) if child.adcode in health.index else None
        rows.append(
            [
                child.adcode,
                child.name,
                _worst(mine["grade"]),
                None if pd.isna(index) else index,
                *(int(counts.get(g, 0)) for g in GRADE_COUNT_COLUMNS),
            ]
        )
    return pd.DataFrame(rows, columns=REGION_RISK_COLUMNS)


def latest_warnings(scope: Scope, state: DrillState, limit: int = 20) -> pd.DataFrame:
    """The newest open warnings within `state.region`'s subtree (most severe first among the same run)."""
    return _latest_warnings(scope, state, limit, state_version())


@memoized
def _latest_warnings(scope: Scope, state: DrillState, limit: int, version: StateVersion) -> pd.DataFrame:
    tree = region_tree()
    if not scope.sees(tree, state.region):
        return pd.DataFrame(columns=LATEST_COLUMNS)
    frame = _in_subtree(_open_warnings(scope, version), tree, state.region)
    frame = frame.assign(rank=frame["grade"].map(lambda g: -GRADE_ORDER.index(g)))
    frame = frame.sort_values(["raised_at", "rank", "id"], ascending=[False, True, False])
    return frame.head(limit)[LATEST_COLUMNS].reset_index(drop=True)


def warning_counts(scope: Scope, state: DrillState) -> dict[str, int]:
    """Open warnings in `state.region`'s subtree (本级 included) by grade."""
    tree = region_tree()
    if not scope.sees(tree, state.region):
        return {}
    frame = _in_subtree(_open_warnings(scope, state_version()), tree, state.region)
    return {grade: int(n) for grade, n in frame["grade"].value_counts().items()}


@memoized
def _tickets(scope: Scope, version: StateVersion) -> pd.DataFrame:
    """Every ticket of a unit inside the scope with its warning (state store)."""
    tree = region_tree()
    k, w = risk_ticket, risk_warning
    with state_engine().connect() as conn:
        rows = conn.execute(
            sa.select(
                k.c.id,
                k.c.region_code,
                w.c.rule_code,
                w.c.topic,
                w.c.grade,
                k.c.state,
                k.c.deadline,
                k.c.issued_at,
                k.c.updated_at,
                w.c.message,
            )
            .select_from(k.join(w, w.c.id == k.c.warning_id))
            .order_by(k.c.updated_at.desc(), k.c.id.desc())
        ).all()
    frame = pd.DataFrame(
        [tuple(r) for r in rows],
        columns=[
            "id",
            "region_code",
            "rule_code",
            "topic",
            "grade",
            "state",
            "deadline",
            "issued_at",
            "updated_at",
            "message",
        ],
    )
    frame = frame[frame["region_code"].map(lambda code: scope.sees(tree, code)).astype(bool)]
    frame = frame.reset_index(drop=True)  # a boolean Series, so an empty store keeps its columns
    frame["region_name"] = frame["region_code"].map(lambda c: unit_name(tree, c))
    frame["rule_name"] = frame["rule_code"].map(lambda c: RULES_BY_CODE[c].name if c in RULES_BY_CODE else c)
    now = dt.datetime.now()
    frame["overdue"] = [
        state in AWAITING_REGION and deadline < now for state, deadline in zip(frame["state"], frame["deadline"])
    ]
    return frame[TICKET_COLUMNS]


def ticket_summary(scope: Scope, state: DrillState) -> dict:
    """Tickets in `state.region`'s subtree: `open` (not yet 销号) and `overdue` (the region owes a response past
    its deadline)."""
    tree = region_tree()
    if not scope.sees(tree, state.region):
        return {"open": 0, "overdue": 0}
    frame = _in_subtree(_tickets(scope, state_version()), tree, state.region)
    return {"open": int(frame["state"].isin(OPEN_STATES).sum()), "overdue": int(frame["overdue"].sum())}


@dataclass(frozen=True)
class TicketFilter:
    """What /warnings narrows the list to (every field optional); `key` makes it part of a cache key."""

    grade: str | None = None
    topic: str | None = None
    state: str | None = None
    overdue: bool = False

    @property
    def key(self) -> str:
        return f"{self.grade}|{self.topic}|{self.state}|{self.overdue}"


def ticket_list(scope: Scope, state: DrillState, filters: TicketFilter = TicketFilter()) -> pd.DataFrame:
    """Tickets in `state.region`'s subtree matching `filters`, most recently changed first."""
    tree = region_tree()
    if not scope.sees(tree, state.region):
        return pd.DataFrame(columns=TICKET_COLUMNS)
    frame = _in_subtree(_tickets(scope, state_version()), tree, state.region)
    for column, wanted in (("grade", filters.grade), ("topic", filters.topic), ("state", filters.state)):
        if wanted:
            frame = frame[frame[column] == wanted]
    if filters.overdue:
        frame = frame[frame["overdue"]]
    return frame.reset_index(drop=True)


def ticket_detail(scope: Scope, ticket_id: int) -> tuple[dict, pd.DataFrame] | None:
    """A ticket in the scope with its warning (evidence parsed) and its full history, oldest first; None when there
    is no such ticket or it is outside the scope."""
    tree = region_tree()
    k, w, e, a = risk_ticket, risk_warning, risk_ticket_event, risk_attachment
    with state_engine().connect() as conn:
        row = conn.execute(
            sa.select(
                k.c.id,
                k.c.region_code,
                k.c.state,
                k.c.deadline,
                k.c.issued_at,
                w.c.rule_code,
                w.c.topic,
                w.c.grade,
                w.c.grade_label,
                w.c.period_label,
                w.c.value_text,
                w.c.threshold,
                w.c.message,
                w.c.evidence,
                w.c.state.label("warning_state"),
            )
            .select_from(k.join(w, w.c.id == k.c.warning_id))
            .where(k.c.id == ticket_id)
        ).first()
        if row is None or not scope.sees(tree, row.region_code):
            return None
        events = conn.execute(
            sa.select(
                e.c.at,
                e.c.actor,
                e.c.role,
                e.c.action,
                e.c.from_state,
                e.c.to_state,
                e.c.comment,
                e.c.rectification,
                a.c.filename,
                a.c.size,
                a.c.id,
            )
            .select_from(e.outerjoin(a, a.c.id == e.c.attachment_id))
            .where(e.c.ticket_id == ticket_id)
            .order_by(e.c.id)
        ).all()
    ticket = dict(row._mapping)
    ticket["evidence"] = json.loads(ticket["evidence"])
    ticket["region_name"] = unit_name(tree, ticket["region_code"])
    rule = RULES_BY_CODE.get(ticket["rule_code"])
    ticket["rule_name"], ticket["computes"] = (rule.name, rule.computes) if rule else (ticket["rule_code"], "")
    ticket["overdue"] = ticket["state"] in AWAITING_REGION and ticket["deadline"] < dt.datetime.now()
    history = pd.DataFrame(
        [tuple(r) for r in events],
        columns=[
            "at",
            "actor",
            "role",
            "action",
            "from_state",
            "to_state",
            "comment",
            "rectification",
            "attachment",
            "attachment_size",
            "attachment_id",
        ],
    )
    return ticket, history


def ticket_attachment(scope: Scope, attachment_id: int) -> dict | None:
    """An attachment of a ticket in the scope (id, ticket, region, filename, content type, content); None when
    there is no such attachment or its ticket is outside the scope."""
    a, k = risk_attachment, risk_ticket
    with state_engine().connect() as conn:
        row = conn.execute(
            sa.select(a.c.id, a.c.ticket_id, k.c.region_code, a.c.filename, a.c.content_type, a.c.content)
            .select_from(a.join(k, k.c.id == a.c.ticket_id))
            .where(a.c.id == attachment_id)
        ).first()
    if row is None or not scope.sees(region_tree(), row.region_code):
        return None
    return dict(row._mapping)


def risk_matrix(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Children of `state.region` × warning topics: the worst open grade in the child's subtree, how many open
    warnings, and the most severe one's message, value and threshold (for the heatmap's hover)."""
    return _risk_matrix(scope, state, state_version())


@memoized
def _risk_matrix(scope: Scope, state: DrillState, version: StateVersion) -> pd.DataFrame:
    columns = ["code", "name", "topic", "grade", "count", "message", "value_text", "threshold", "unreported"]
    tree = region_tree()
    if not scope.sees(tree, state.region):
        return pd.DataFrame(columns=columns)
    silent: dict[str, set[str]] = {}  # reported table → children none of whose units reported the period
    for table in set(REPORTED_TABLES.values()):
        found = reporting.row_reporting(scope, state, (table,))
        silent[table] = {c for c, u, n in zip(found["code"], found["units"], found["unreported"]) if unreported(u, n)}
    warnings = _open_warnings(scope, version)
    warnings = warnings.assign(
        child=[_child_of(tree, c, state.region) for c in warnings["region_code"]],
        rank=warnings["grade"].map(GRADE_ORDER.index),
    )
    rows = []
    for child in tree.children(state.region):
        mine = warnings[warnings["child"] == child.adcode]
        for topic in TOPICS:
            cell = mine[mine["topic"] == topic].sort_values("rank", ascending=False)
            top = cell.iloc[0] if len(cell) else None
            rows.append(
                [
                    child.adcode,
                    child.name,
                    topic,
                    None if top is None else top["grade"],
                    len(cell),
                    "" if top is None else top["message"],
                    "" if top is None else top["value_text"],
                    "" if top is None else top["threshold"],
                    topic in REPORTED_TABLES and child.adcode in silent[REPORTED_TABLES[topic]],
                ]
            )
    return pd.DataFrame(rows, columns=columns)


def warnings_in(scope: Scope, state: DrillState, code: str, topic: str | None = None) -> pd.DataFrame:
    """Open warnings in `code`'s subtree (within `state.region`'s, of one topic if given), most severe first, with
    their evidence parsed and what their rule computes."""
    tree = region_tree()
    if not (scope.sees(tree, state.region) and code in tree and tree.is_within(code, state.region)):
        return pd.DataFrame()
    frame = _in_subtree(_open_warnings(scope, state_version()), tree, code)
    if topic:
        frame = frame[frame["topic"] == topic]
    frame = frame.assign(
        rank=frame["grade"].map(GRADE_ORDER.index),
        computes=frame["rule_code"].map(lambda c: RULES_BY_CODE[c].computes if c in RULES_BY_CODE else ""),
        evidence=frame["evidence"].map(json.loads),
    )
    return frame.sort_values(["rank", "id"], ascending=[False, True]).reset_index(drop=True)


# -- the fiscal health index ----------------------------------------------------------------------------------------

UNIT_MEASURES = (  # the metrics (`queries.metrics`) the health components are made of, per unit, year to date
    "execution",
    "sanbao_wage",
    "sanbao_running",
    "sanbao_livelihood",
    "cash_level",
    "debt_ratio",
    "direct_pay",
    "self_sufficiency",
    "tax_share",
)


_MEASURED: dict[tuple[str, AsOf], dict[str, pd.DataFrame]] = {}  # (data version, month) → components per unit
_WARMED: set[str] = set()  # data versions whose months are being (or were) measured in the background
_MEASURED_LOCK = threading.Lock()
_MEASURED_MAX = 96  # four years of months of two data versions


def _measure(engine: Engine, version_key: str, as_of: AsOf) -> dict[str, pd.DataFrame]:
    """Every unit's health components as of a month (num and den per unit), in one pass of the metric layer, kept
    per data version (the engine is the one that version was read from)."""
    key = (version_key, as_of)
    found = _MEASURED.get(key)
    if found is None:
        with engine.connect() as conn:
            found = m.metrics_of(conn, UNIT_MEASURES, as_of)
        with _MEASURED_LOCK:
            while len(_MEASURED) >= _MEASURED_MAX:
                _MEASURED.pop(next(iter(_MEASURED)))
            _MEASURED[key] = found
    return found


def _warm_every_month(engine: Engine, version_key: str, through: dt.date) -> None:
    """Once per data version and process, measure every month the store holds in a background thread: a period
    change on /screen or /risk then reads its two months (the period's end and the quarter before) instead of
    computing them (≈ 60 ms each) while a presenter's wall waits."""
    with _MEASURED_LOCK:
        if version_key in _WARMED:
            return
        _WARMED.add(version_key)
    months = [AsOf(y, mo) for y in range(through.year - 1, through.year + 1) for mo in range(1, 13)]
    months = [a for a in months if (a.year, a.month) <= (through.year, through.month)]

    def run() -> None:
        try:
            for as_of in reversed(months):  # the latest months first: the ones people look at
                _measure(engine, version_key, as_of)
        except Exception:  # the store went away or was replaced meanwhile: a request measures what it needs
            log.debug("health warm-up stopped", exc_info=True)

    threading.Thread(
        target=run, name="health-warm-up"
    ).start()  # not a daemon: DuckDB aborts a process that exits mid-query


def unit_measures(as_of: AsOf) -> dict[str, pd.DataFrame]:
    version, engine = current_data_version(), finance_engine()
    _warm_every_month(engine, version.key, version.data_through)
    return _measure(engine, version.key, as_of)


@memoized
def health_by_child(scope: Scope, state: DrillState) -> pd.DataFrame:
    """Each child of `state.region` (and the region itself, code = the region): its health index as of the end of
    the drill period, as of the end of the quarter before, the change, and each component's grade."""
    tree = region_tree()
    columns = ["code", "name", "health_index", "previous_index", "change", *(c.name for c in COMPONENTS)]
    if not scope.sees(tree, state.region):
        return pd.DataFrame(columns=columns)
    regions = [tree[state.region], *tree.children(state.region)]
    members = {r.adcode: list(tree.subtree(r.adcode).regions) for r in regions}
    as_of = AsOf(state.year, state.last_month)
    now = health_index(unit_measures(as_of), members, as_of)
    before = health_index(unit_measures(as_of.previous_quarter_end()), members, as_of.previous_quarter_end())
    out = now.merge(before[["code", "health_index"]].rename(columns={"health_index": "previous_index"}), on="code")
    out["change"] = [
        None if pd.isna(a) or pd.isna(b) else round(a - b, 1)
        for a, b in zip(out["health_index"], out["previous_index"])
    ]
    out["name"] = out["code"].map(tree.name)
    return out[columns]


def health_peer_ranks(scope: Scope, state: DrillState) -> pd.DataFrame:
    """code, group, health_index, peer_rank, peer_count of the drilled region's children, or of the drilled county
    itself: a county-level region ranked by 财政健康指数 among every county-level peer in the scope
    (`queries.peers`, the grouping of `PEER_GROUPING`); cities among the scope's cities (市州). Not memoised itself
    (its parts are, the peer settings in their key)."""
    tree = region_tree()
    columns = ["code", "group", "health_index", "peer_rank", "peer_count"]
    if not scope.sees(tree, state.region):
        return pd.DataFrame(columns=columns)
    region = tree[state.region]
    children = tree.children(state.region)
    wanted = {c.adcode for c in children} if children else {region.adcode}
    as_of = AsOf(state.year, state.last_month)
    if children and not all(c.level == "county" for c in children):
        found = health_by_child(scope, state)
        found = found[found["code"] != state.region].copy()
        found["group"] = peers_q.CITY_GROUP
    else:
        units = peers_q.peer_units(scope, state, ())
        if units.empty:
            return pd.DataFrame(columns=columns)
        health = health_index(unit_measures(as_of), {c: [c] for c in units["code"]}, as_of)
        found = units[["code", "group"]].merge(health[["code", "health_index"]], on="code")
    ranked = peers_q.ranked(found, "health_index")
    return ranked[ranked["code"].isin(wanted)][columns].reset_index(drop=True)
