"""The rules against the demo store: every planted anomaly is found (per kind), the rules that the generator keeps
clean raise nothing elsewhere, and the state store keeps warnings and tickets across re-runs and reloads."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil

import pytest
import sqlalchemy as sa

from dashboard.core.drill import DrillState
from dashboard.core.scope import Scope, User
from dashboard.demo import build_demo
from dashboard.risk import monitor
from dashboard.risk import tickets as t
from dashboard.risk.rules import RULES_BY_CODE
from dashboard.risk.run import region_tree_of, run_rules
from dashboard.state.engine import reset_state_engine, state_engine
from dashboard.state.warning_tables import risk_ticket, risk_ticket_event, risk_warning
from dashboard.store.engine import finance_engine_for
from tests.conftest import empty_state_store

# planted kind → the rule that must find it
KIND_RULE = {
    "direct_fund_lag": "DIRECT_PAY",
    "payment_weekend": "PAYMENT_WEEKEND",
    "nontax_jump": "REVENUE_NONTAX_JUMP",
    "debt_ratio": "DEBT_RATIO",
    "treasury_cash_low": "TREASURY_CASH",
    "subsidy_duplicate_id": "SUBSIDY_DUPLICATE_ID",
    "subsidy_after_death": "SUBSIDY_AFTER_DEATH",
    "subsidy_above_standard": "SUBSIDY_ABOVE_STANDARD",
    "subsidy_account_name_mismatch": "SUBSIDY_ACCOUNT_MISMATCH",
    "subsidy_public_employee_dibao": "SUBSIDY_EMPLOYEE_DIBAO",
    "procurement_high_ratio": "PROCUREMENT_HIGH_RATIO",
    "procurement_split": "PROCUREMENT_SPLIT",
    "quality_A01": "PAYMENT_OVER_INDICATOR",  # an indicator paid beyond its amount is also a payment warning
}
SANBAO_RULE = {"保工资": "SANBAO_WAGE", "保运转": "SANBAO_RUNNING", "保基本民生": "SANBAO_LIVELIHOOD"}
ALL_KINDS = sorted([*KIND_RULE, "sanbao_lag"])


@pytest.fixture(scope="module")
def warnings(risk_state_url):
    engine = sa.create_engine(risk_state_url)
    with engine.connect() as conn:
        rows = [dict(r._mapping) for r in conn.execute(sa.select(risk_warning))]
    engine.dispose()
    return rows


def _found(warnings, rule: str, region: str, period: str | None = None) -> list[dict]:
    return [
        w
        for w in warnings
        if w["rule_code"] == rule and w["region_code"] == region and (period is None or w["period"] == period)
    ]


def _expected_finds(anomaly: dict) -> list[tuple[str, str, str | None, str | None]]:
    """(rule, region, period, grade) that must be among the warnings for one planted anomaly."""
    kind = anomaly["kind"]
    if kind == "quality_A01":
        return [("PAYMENT_OVER_INDICATOR", anomaly["region"], None, None)]
    if kind.startswith("quality_"):  # graded by its region's score: tests/integration/test_quality.py
        return []
    if kind == "report_missing":  # not graded at all on its part-figures: test_an_unreported_unit_is_not_graded…
        return []
    if kind == "sanbao_lag":
        return [(SANBAO_RULE[anomaly["sanbao_type"]], anomaly["region"], None, "红")]
    if kind == "debt_ratio":
        return [("DEBT_RATIO", anomaly["region"], None, anomaly["grade"])]
    if kind == "treasury_cash_low":
        return [("TREASURY_CASH", anomaly["region"], month, "红") for month in anomaly["months"]]
    if kind == "nontax_jump":
        return [("REVENUE_NONTAX_JUMP", anomaly["region"], anomaly["month"], "红")]
    if kind == "subsidy_duplicate_id":
        return [("SUBSIDY_DUPLICATE_ID", county, None, "红") for county in anomaly["counties"]]
    if kind == "direct_fund_lag":
        return [("DIRECT_PAY", anomaly["region"], None, "红")]
    return [(KIND_RULE[kind], anomaly["region"], None, None)]


@pytest.mark.parametrize("kind", ALL_KINDS)
def test_every_planted_anomaly_of_the_kind_is_found(warnings, demo_anomalies, kind):
    planted = [a for a in demo_anomalies if a["kind"] == kind]
    assert planted
    for anomaly in planted:
        for rule, region, period, grade in _expected_finds(anomaly):
            found = _found(warnings, rule, region, period)
            assert found, f"{kind} {anomaly['key']}: no {rule} warning for {region} {period or ''}"
            if grade:
                assert {w["grade"] for w in found} == {grade}, (anomaly, found)


def test_record_warnings_count_every_planted_record(warnings, demo_anomalies):
    for kind in (
        "payment_weekend",
        "subsidy_after_death",
        "subsidy_above_standard",
        "subsidy_account_name_mismatch",
        "procurement_high_ratio",
    ):
        planted: dict[str, int] = {}
        for a in demo_anomalies:
            if a["kind"] == kind:
                records = len(a.get("payout_ids") or a.get("procurement_ids") or [1])
                planted[a["region"]] = planted.get(a["region"], 0) + records
        got = {w["region_code"]: int(w["value"]) for w in warnings if w["rule_code"] == KIND_RULE[kind]}
        assert got == planted, kind


CLEAN_BY_CONSTRUCTION = [
    "TREASURY_CASH",
    "DEBT_RATIO",
    "REVENUE_NONTAX_JUMP",
    "SUBSIDY_DUPLICATE_ID",
    "SUBSIDY_AFTER_DEATH",
    "SUBSIDY_ABOVE_STANDARD",
    "SUBSIDY_ACCOUNT_MISMATCH",
    "SUBSIDY_EMPLOYEE_DIBAO",
    "PROCUREMENT_HIGH_RATIO",
    "PROCUREMENT_SPLIT",
    "PAYMENT_WEEKEND",
    "PAYMENT_OVER_INDICATOR",
    "DEBT_LIMIT",
    "SANBAO_WAGE_MONTHS",
]


@pytest.mark.parametrize("rule", CLEAN_BY_CONSTRUCTION)
def test_rules_the_generator_keeps_clean_warn_only_where_something_was_planted(warnings, demo_anomalies, rule):
    planted_regions = {
        region
        for a in demo_anomalies
        for *_r, region, _p, _g in [(None, *f[1:]) for f in _expected_finds(a)]
        if f"{a['kind']}" and KIND_RULE.get(a["kind"], SANBAO_RULE.get(a.get("sanbao_type"))) == rule
    }
    assert {w["region_code"] for w in warnings if w["rule_code"] == rule} == planted_regions


def test_red_warnings_on_clean_regions_are_reported(warnings, demo_anomalies):
    planted_regions = {f[1] for a in demo_anomalies for f in _expected_finds(a)}
    clean_red = [w for w in warnings if w["grade"] == "红" and w["region_code"] not in planted_regions]
    by_rule: dict[str, int] = {}
    for w in clean_red:
        by_rule[w["rule_code"]] = by_rule.get(w["rule_code"], 0) + 1
    print(f"\nred warnings on clean regions: {len(clean_red)} {dict(sorted(by_rule.items()))}")
    assert not set(by_rule) & set(CLEAN_BY_CONSTRUCTION)


EXECUTION = ("BUDGET_EXEC", "BUDGET_EXEC_DEPT", "BUDGET_EXEC_CAPITAL", "BUDGET_EXEC_LIVELIHOOD")
CLEAN_YELLOW_OR_ORANGE = 0.10  # at most this share of a rule's clean cells is 黄 or 橙 (issue 12)


def _rules_set_off(anomaly: dict) -> set[str]:
    """The rules a planted anomaly may set off: its own, and the execution rules a lag drags down with it (a 三保
    or 直达资金 lag slows the unit's whole execution; 保基本民生 money is partly 直达资金 and the other way round)."""
    kind = anomaly["kind"]
    if kind.startswith("quality_"):
        return {"DATA_QUALITY", *({KIND_RULE[kind]} if kind in KIND_RULE else set())}
    if kind == "sanbao_lag":
        livelihood = {"DIRECT_PAY"} if anomaly["sanbao_type"] == "保基本民生" else set()
        return {SANBAO_RULE[anomaly["sanbao_type"]], *EXECUTION, *livelihood}
    if kind == "direct_fund_lag":
        return {"DIRECT_PAY", "SANBAO_LIVELIHOOD", *EXECUTION}
    if kind == "report_missing":  # the month it did not send lowers its 完整性 score
        return {"DATA_QUALITY"}
    return {KIND_RULE[kind]}


def test_clean_cells_have_no_red_and_few_yellow_or_orange_per_rule(warnings, demo_anomalies, duck):
    """On every rule, among the units where nothing of that rule was planted: no 红, and at most 10% 黄 or 橙."""
    with duck.connect() as conn:
        units = {r[0] for r in conn.execute(sa.text("select adcode from region where level <> 'country'"))}
    planted = {
        (rule, region)
        for a in demo_anomalies
        for rule in _rules_set_off(a)
        for region in (a.get("counties") or [a["region"]])
    }
    graded: dict[tuple[str, str], set[str]] = {}
    for w in warnings:
        graded.setdefault((w["rule_code"], w["region_code"]), set()).add(w["grade"])
    for rule in RULES_BY_CODE:
        clean = {u for u in units if (rule, u) not in planted}
        red = sorted(u for u in clean if "红" in graded.get((rule, u), set()))
        warned = sorted(u for u in clean if graded.get((rule, u), set()) & {"黄", "橙"})
        assert red == [], (rule, red)
        assert len(warned) <= CLEAN_YELLOW_OR_ORANGE * len(clean), (rule, len(warned), len(clean))


def test_province_risk_map_shows_at_least_three_grades(risk_state_url, use_state, use_store, demo_url):
    use_state(risk_state_url)
    use_store(demo_url)
    frame = monitor.region_risk(Scope("430000", "province"), DrillState("430000", 2024, 1, 12))
    assert len(frame) == 14
    assert {"红", "橙", "黄"} <= set(frame["grade"].dropna()), frame[["name", "grade"]]


def test_warning_evidence_is_json_with_masked_people(warnings):
    for w in warnings:
        evidence = json.loads(w["evidence"])
        assert evidence.get("facts") or evidence.get("columns")
    text = " ".join(w["evidence"] for w in warnings if w["rule_code"].startswith("SUBSIDY_"))
    assert "***" in text


def test_orange_and_red_warnings_have_one_ticket_each(risk_state_url):
    engine = sa.create_engine(risk_state_url)
    with engine.connect() as conn:
        needing = conn.execute(
            sa.select(sa.func.count()).select_from(risk_warning).where(risk_warning.c.grade.in_(["橙", "红"]))
        ).scalar_one()
        tickets = conn.execute(sa.select(risk_ticket.c.warning_id, risk_ticket.c.state)).all()
        issued = conn.execute(
            sa.select(sa.func.count()).select_from(risk_ticket_event).where(risk_ticket_event.c.action == t.ISSUE)
        ).scalar_one()
    engine.dispose()
    assert len(tickets) == needing == issued > 0
    assert {state for _w, state in tickets} == {t.PENDING}


# -- the state store across re-runs, reloads and transitions (SQLite and PostgreSQL) ---------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def state_url(request, tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path}/state.sqlite" if request.param == "sqlite" else request.getfixturevalue("pg_state_url")
    monkeypatch.setenv("COCKPIT_STATE_URL", url)
    reset_state_engine()
    yield url
    reset_state_engine()


@pytest.fixture
def pg_state_url(pg_url):
    """The PostgreSQL test database used as a state store, emptied of every state table first."""
    empty_state_store(pg_url)
    return pg_url


def _counts(engine) -> tuple[int, int, int]:
    with engine.connect() as conn:
        return tuple(
            conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
            for table in (risk_warning, risk_ticket, risk_ticket_event)
        )


SOME_RULES = tuple(RULES_BY_CODE[c] for c in ("TREASURY_CASH", "DEBT_RATIO", "SUBSIDY_AFTER_DEATH", "PAYMENT_WEEKEND"))


def _first_ticket(state) -> tuple[int, str]:
    with state.connect() as conn:
        return tuple(
            conn.execute(
                sa.select(risk_ticket.c.id, risk_ticket.c.region_code).order_by(risk_ticket.c.id).limit(1)
            ).one()
        )


def test_rerun_never_duplicates_open_warnings_or_tickets(state_url, demo_url):
    state = state_engine()
    finance = finance_engine_for(demo_url)
    try:
        first = run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 1, 5, 9))
        counts = _counts(state)
        ticket_id, region = _first_ticket(state)
        clerk = User("jingban", "经办员", "经办", region)
        assert (
            t.act(
                state, ticket_id, t.RESPOND, clerk, tree=region_tree_of(finance), comment="已整改", rectification="补发"
            )
            == t.RESPONDED
        )
        second = run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 1, 6, 9))
    finally:
        finance.dispose()
    assert first.new_warnings == counts[0] > 0 and first.tickets_issued == counts[1] > 0
    assert second.new_warnings == 0 and second.tickets_issued == 0 and second.findings == first.findings
    assert _counts(state) == (counts[0], counts[1], counts[2] + 1)  # + the response
    with state.connect() as conn:
        keys = conn.execute(sa.select(risk_warning.c.key)).scalars().all()
        event = conn.execute(
            sa.select(risk_ticket_event)
            .where(risk_ticket_event.c.ticket_id == ticket_id)
            .order_by(risk_ticket_event.c.id.desc())
            .limit(1)
        ).one()
    assert len(keys) == len(set(keys))
    assert (
        event.actor,
        event.role,
        event.action,
        event.from_state,
        event.to_state,
        event.comment,
        event.rectification,
    ) == ("jingban", "经办", t.RESPOND, t.PENDING, t.RESPONDED, "已整改", "补发")


def test_reloading_the_finance_store_keeps_tickets_and_their_state(tmp_path, use_state, demo_url):
    use_state(f"sqlite:///{tmp_path}/state.sqlite")
    shutil.copy(os.path.realpath(demo_url.removeprefix("duckdb:///")), tmp_path / "cockpit-1.duckdb")
    os.symlink("cockpit-1.duckdb", tmp_path / "cockpit.duckdb")  # a published store of our own, as a load leaves it
    url = f"duckdb:///{tmp_path}/cockpit.duckdb"
    state = state_engine()
    finance = finance_engine_for(url)
    try:
        run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 1, 5, 9))
        ticket_id, region = _first_ticket(state)
        t.act(
            state,
            ticket_id,
            t.RESPOND,
            User("jb", "经办员", "经办", region),
            tree=region_tree_of(finance),
            comment="已整改",
        )
    finally:
        finance.dispose()
    before = _counts(state)
    build_demo(url, scale=0.02, seed=8)  # a new load replaces every finance table
    finance = finance_engine_for(url)
    try:
        run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 1, 6, 9))
    finally:
        finance.dispose()
    after = _counts(state)
    assert after[1] >= before[1] and after[2] >= before[2]
    with state.connect() as conn:
        assert (
            conn.execute(sa.select(risk_ticket.c.state).where(risk_ticket.c.id == ticket_id)).scalar_one()
            == t.RESPONDED
        )


def test_overdue_tickets_escalate_once_and_keep_their_history(state_url, demo_url):
    finance = finance_engine_for(demo_url)
    try:
        state = state_engine()
        run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 1, 5, 9))
        later = run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 3, 1, 9))  # past the deadlines
        again = run_rules(finance, state, rules=SOME_RULES, now=dt.datetime(2025, 3, 2, 9))
    finally:
        finance.dispose()
    with state.connect() as conn:
        states = set(conn.execute(sa.select(risk_ticket.c.state)).scalars())
        history = conn.execute(
            sa.select(risk_ticket_event.c.action, risk_ticket_event.c.actor).order_by(risk_ticket_event.c.id)
        ).all()
    assert later.escalated > 0 and again.escalated == 0
    assert states == {t.ESCALATED}
    assert {(a, who) for a, who in history} == {(t.ISSUE, "system"), (t.ESCALATE, "system")}


def test_an_unreported_unit_is_not_graded_on_its_part_figures(warnings, demo_anomalies, duck, risk_state_url):
    """A county that has not sent its last month would look like one that stopped paying, collecting and keeping
    cash: the rules over payments, revenue and 库款 leave it alone (it shows as 未报送), and nothing else changes."""
    from dashboard.risk import run
    from dashboard.risk.measures import AsOf

    silent = [a for a in demo_anomalies if a["kind"] == "report_missing"]
    assert len(silent) == 1
    county = silent[0]["region"]
    graded_topics = set(run.REPORTED_TABLES)
    assert not [w for w in warnings if w["region_code"] == county and w["topic"] in graded_topics]
    # the same rules without the reporting filter would paint it red: the filter is what keeps it clean
    as_of = AsOf(silent[0]["year"], silent[0]["month"])
    keep = run._reported_only
    try:
        run._reported_only = lambda found, *_args: found
        unfiltered = run.evaluate_all(duck, as_of)
    finally:
        run._reported_only = keep
    red = unfiltered[(unfiltered["region"] == county) & (unfiltered["level"] == "红")]
    assert set(red["topic"]) & graded_topics
    filtered = run.evaluate_all(duck, as_of)
    others = unfiltered[unfiltered["region"] != county]
    assert len(filtered[filtered["region"] != county]) == len(others)
