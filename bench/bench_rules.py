"""Benchmark: run every warning rule over a finance store and sync a fresh state store (not a test).

    .venv/bin/python bench/bench_rules.py                                   # the scale-1 store in data/
    .venv/bin/python bench/bench_rules.py --db-url duckdb:////tmp/i6-x10.duckdb

Prints the wall time of `run_rules` (evaluate + write warnings and tickets) and of each rule's evaluation alone,
the warnings by grade, recall of the planted anomalies (per kind, from the store's `demo_anomaly` table) and the red
warnings on regions where nothing was planted. Target: <= 30 s at demo scale. Results go to bench/results/rules.json.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

import sqlalchemy as sa  # noqa: E402

from dashboard.risk.measures import AsOf  # noqa: E402
from dashboard.risk.rules import RULES  # noqa: E402
from dashboard.risk.run import run_rules  # noqa: E402
from dashboard.state.engine import state_metadata  # noqa: E402
from dashboard.state.warning_tables import risk_warning  # noqa: E402
from dashboard.store.engine import finance_engine_for, read_data_version  # noqa: E402
from dashboard.store.schema import demo_anomaly  # noqa: E402

# planted kind → (rule, whether the period must match the planted month)
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
}
SANBAO_RULE = {"保工资": "SANBAO_WAGE", "保运转": "SANBAO_RUNNING", "保基本民生": "SANBAO_LIVELIHOOD"}


def _regions_of(anomaly: dict) -> list[str]:
    return anomaly.get("counties") or [anomaly["region"]]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db-url", default="duckdb:///data/cockpit.duckdb")
    args = parser.parse_args()
    finance = finance_engine_for(args.db_url)
    version = read_data_version(finance)
    as_of = AsOf.of(version.data_through)
    per_rule = {}
    with finance.connect() as conn:
        for rule in RULES:
            started = time.monotonic()
            rule.evaluate(conn, as_of)
            per_rule[rule.code] = round(time.monotonic() - started, 3)
    with tempfile.TemporaryDirectory() as tmp:
        state = sa.create_engine(f"sqlite:///{tmp}/state.sqlite")
        import dashboard.state.warning_tables  # noqa: F401  (defines the tables)

        state_metadata.create_all(state)
        started = time.monotonic()
        summary = run_rules(finance, state)
        total = time.monotonic() - started
        with state.connect() as conn:
            warnings = [
                dict(r._mapping)
                for r in conn.execute(
                    sa.select(risk_warning.c.rule_code, risk_warning.c.region_code, risk_warning.c.grade)
                )
            ]
        state.dispose()
    with finance.connect() as conn:
        planted = [json.loads(row.detail) for row in conn.execute(sa.select(demo_anomaly.c.detail))]
    finance.dispose()
    found = {(w["rule_code"], w["region_code"]) for w in warnings}
    recall = {}
    for anomaly in planted:
        rule = KIND_RULE.get(anomaly["kind"]) or SANBAO_RULE.get(anomaly.get("sanbao_type"))
        hit = all((rule, region) in found for region in _regions_of(anomaly))
        seen, total_kind = recall.get(anomaly["kind"], (0, 0))
        recall[anomaly["kind"]] = (seen + hit, total_kind + 1)
    planted_regions = {region for a in planted for region in _regions_of(a)}
    clean_red = [w for w in warnings if w["grade"] == "红" and w["region_code"] not in planted_regions]
    clean_by_rule: dict[str, int] = {}
    for w in clean_red:
        clean_by_rule[w["rule_code"]] = clean_by_rule.get(w["rule_code"], 0) + 1
    result = {
        "db_url": args.db_url,
        "as_of": as_of.key,
        "run_rules_seconds": round(total, 2),
        "evaluate_seconds": round(sum(per_rule.values()), 2),
        "per_rule_seconds": per_rule,
        "warnings": summary.findings,
        "by_grade": summary.by_grade,
        "tickets": summary.tickets_issued,
        "recall": {k: f"{a}/{b}" for k, (a, b) in sorted(recall.items())},
        "red_on_clean_regions": len(clean_red),
        "red_on_clean_regions_by_rule": clean_by_rule,
    }
    print(json.dumps(result, ensure_ascii=False, indent=1))
    os.makedirs(os.path.join(ROOT, "bench", "results"), exist_ok=True)
    with open(os.path.join(ROOT, "bench", "results", "rules.json"), "w", encoding="utf-8") as fh:
        json.dump(result, fh, ensure_ascii=False, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
