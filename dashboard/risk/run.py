"""Run every warning rule over the finance store and bring the warnings and tickets of the state store up to date.

Called after every load (`python -m dashboard demo`) and on demand (`python -m dashboard rules run`). A warning's
key is rule + region + period, so a re-run updates the open warning rather than adding a second one; a warning at
橙 or 红 gets a ticket issued to its region; open warnings of the periods a rule judged that it no longer finds
are cleared (已解除); overdue tickets are escalated.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from dataclasses import dataclass

import pandas as pd
import sqlalchemy as sa
from sqlalchemy.engine import Engine

from dashboard.core.regions import RegionTree
from dashboard.risk.measures import AsOf
from dashboard.risk.rules import REPORTED_TABLES, RULES, Rule
from dashboard.risk.tickets import ISSUE, escalate_overdue, issue_tickets
from dashboard.state import audit
from dashboard.state.warning_tables import WARNING_CLEARED, WARNING_OPEN, risk_run, risk_ticket, risk_warning
from dashboard.store.engine import read_data_version
from dashboard.store.schema import region as region_table
from queries import reporting

TICKET_GRADES = ("橙", "红")


@dataclass(frozen=True)
class RunSummary:
    run_id: int
    as_of: AsOf
    seconds: float
    findings: int
    by_grade: dict[str, int]
    new_warnings: int
    cleared: int
    tickets_issued: int
    escalated: int


def region_tree_of(engine: Engine) -> RegionTree:
    with engine.connect() as conn:
        rows = conn.execute(
            sa.select(region_table.c.adcode, region_table.c.name, region_table.c.level, region_table.c.parent_adcode)
        )
        return RegionTree.from_rows([tuple(r) for r in rows])


def unit_name(tree: RegionTree, code: str) -> str:
    """A unit as people say it: a county by its name, a city or the province as its 本级."""
    if code not in tree:
        return code
    region = tree[code]
    return region.name if region.level == "county" else f"{region.name}本级"


def _reported_only(found: pd.DataFrame, rule: Rule, as_of: AsOf, calendar: reporting.Calendar) -> pd.DataFrame:
    """`found` without the findings of units that have not reported every month the rule's figures need (their
    figures are incomplete: the unit shows as 未报送, and 数据质量 flags the missing month, instead of a grade)."""
    table = REPORTED_TABLES.get(rule.topic)
    if table is None or found.empty:
        return found

    def complete(unit: str, period: str) -> bool:
        year, _, month = period.partition("-")
        if not year.isdigit():
            return True
        if rule.cadence == "month" and month.isdigit():
            months = {int(month)}
        else:
            months = set(range(1, (as_of.month if int(year) == as_of.year else 12) + 1))
        return months <= calendar.get((unit, table, int(year)), frozenset())

    keep = [complete(str(u), str(p)) for u, p in zip(found["region"], found["period"])]
    return found[keep].reset_index(drop=True)


def evaluate_all(finance: Engine, as_of: AsOf, rules: tuple[Rule, ...] = RULES) -> pd.DataFrame:
    """Every rule's findings in one frame, with the rule's code, name and topic; reads only the finance store.
    Units that have not reported a month a rule needs are not graded by it (`_reported_only`)."""
    parts = []
    with finance.connect() as conn:
        calendar = reporting.calendar(conn)
        for rule in rules:
            found = _reported_only(rule.evaluate(conn, as_of), rule, as_of, calendar)
            parts.append(
                found.assign(rule_code=rule.code, rule_name=rule.name, topic=rule.topic, threshold=rule.threshold())
            )
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def run_rules(
    finance: Engine,
    state: Engine,
    *,
    as_of: AsOf | None = None,
    rules: tuple[Rule, ...] = RULES,
    now: dt.datetime | None = None,
) -> RunSummary:
    """Evaluate `rules` as of `as_of` (default: the month of the data's 数据截至) and sync the state store."""
    started = time.monotonic()
    now = now or dt.datetime.now()
    version = read_data_version(finance)
    as_of = as_of or AsOf.of(version.data_through)
    tree = region_tree_of(finance)
    findings = evaluate_all(finance, as_of, rules)
    if findings.empty:
        findings = pd.DataFrame(columns=["rule_code", "region", "period"])
    findings["key"] = findings["rule_code"] + "|" + findings["region"] + "|" + findings["period"]
    w = risk_warning
    with state.begin() as conn:
        run_id = conn.execute(
            risk_run.insert()
            .values(
                started_at=now,
                seconds=0.0,
                data_version=version.key,
                as_of=as_of.key,
                rules=len(rules),
                findings=len(findings),
                new_warnings=0,
                tickets_issued=0,
            )
            .returning(risk_run.c.id)
        ).scalar_one()
        existing = {
            row.key: row
            for row in conn.execute(
                sa.select(w.c.id, w.c.key, w.c.state, w.c.rule_code, w.c.period).where(
                    w.c.rule_code.in_([r.code for r in rules])
                )
            )
        }
        inserts, updates = [], []
        for f in findings.itertuples(index=False):
            values = {
                "grade": f.level,
                "grade_label": f.label,
                "value": None if pd.isna(f.value) else float(f.value),
                "value_text": f.value_text[:200],
                "threshold": f.threshold[:200],
                "message": f"{unit_name(tree, f.region)} {f.period_label}{f.rule_name}:{f.value_text}({f.label})",
                "evidence": json.dumps(f.evidence, ensure_ascii=False),
                "updated_at": now,
                "last_run_id": run_id,
            }
            known = existing.get(f.key)
            if known is None:
                inserts.append(
                    {
                        **values,
                        "key": f.key,
                        "rule_code": f.rule_code,
                        "topic": f.topic,
                        "region_code": f.region,
                        "period": f.period,
                        "period_label": f.period_label,
                        "state": WARNING_OPEN,
                        "raised_at": now,
                    }
                )
            elif known.state != "已销号":
                updates.append({**values, "b_id": known.id, "state": WARNING_OPEN})
        if inserts:
            conn.execute(w.insert(), inserts)
        if updates:
            conn.execute(w.update().where(w.c.id == sa.bindparam("b_id")), updates)
        judged = {(r.code, p) for r in rules for p in r.periods(as_of)}
        found_keys = set(findings["key"])
        stale = [
            row.id
            for row in existing.values()
            if row.state == WARNING_OPEN and row.key not in found_keys and (row.rule_code, row.period) in judged
        ]
        for start in range(0, len(stale), 500):
            conn.execute(
                w.update().where(w.c.id.in_(stale[start : start + 500])).values(state=WARNING_CLEARED, updated_at=now)
            )
        needing = conn.execute(
            sa.select(w.c.id, w.c.region_code)
            .select_from(w.outerjoin(risk_ticket, risk_ticket.c.warning_id == w.c.id))
            .where(w.c.state == WARNING_OPEN, w.c.grade.in_(TICKET_GRADES), risk_ticket.c.id.is_(None))
        ).all()
        issued = issue_tickets(conn, [(row.id, row.region_code) for row in needing], now)
    if issued:
        audit.record("ticket." + ISSUE, rows=issued, detail="tickets issued for new 橙 / 红 warnings")
    escalated = escalate_overdue(state, now=now)
    seconds = time.monotonic() - started
    with state.begin() as conn:
        conn.execute(
            risk_run.update()
            .where(risk_run.c.id == run_id)
            .values(seconds=seconds, new_warnings=len(inserts), tickets_issued=issued)
        )
    by_grade = findings["level"].value_counts().to_dict() if len(findings) else {}
    audit.record(
        "rules.run",
        params={"as_of": as_of.key, "data_version": version.key},
        rows=len(findings),
        detail=f"new={len(inserts)} cleared={len(stale)} tickets={issued} escalated={escalated}",
    )
    return RunSummary(run_id, as_of, seconds, len(findings), by_grade, len(inserts), len(stale), issued, escalated)
