"""Data quality on the demo store: every rule has planted defects and finds each of them and nothing else; the
rules' verdicts equal the test's own checks (ID check digits in Python, missing and late months, indicators paid
beyond their amount); the scores follow the formula from the counts; a clean region scores ≥ 95; DuckDB and
PostgreSQL agree; the warning loop grades the scores; /quality shows the ranking, the rules and the failing
records (masked, paged, exported)."""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict

import pytest
import sqlalchemy as sa

from dashboard.core import quality as catalogue
from dashboard.core import settings
from tests.integration.dash_tree import by_id, text_of
from tests.integration.region_sql import rows
from tests.integration.topic_helpers import render, row_count, table, table_rows, walk_table

KEY = "quality"
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _quality(anomalies) -> list[dict]:
    return [a for a in anomalies if a["kind"].startswith("quality_")]


@pytest.fixture(scope="module")
def failures(duck) -> set[tuple[str, str]]:
    return {(r, k) for r, k in rows(duck, "SELECT rule, record_key FROM quality_failure")}


def test_the_catalogue_has_20_rules_over_four_dimensions_each_weighted_in_the_settings():
    assert len(catalogue.RULES) >= 20
    assert {r.dimension for r in catalogue.RULES} == set(catalogue.DIMENSIONS)
    names = {s.name for s in settings.SETTINGS}
    for rule in catalogue.RULES:
        assert re.search(r"[\u4e00-\u9fff]", rule.name) and re.search(r"[\u4e00-\u9fff]", rule.definition)
        assert catalogue.weight_setting(rule.code) in names


def test_every_rule_has_a_planted_defect_and_finds_every_one(demo_anomalies, failures):
    planted = _quality(demo_anomalies)
    assert {a["rule"] for a in planted} == {r.code for r in catalogue.RULES}
    missing = [(a["rule"], a["key"]) for a in planted if (a["rule"], a["key"]) not in failures]
    assert missing == []


def test_nothing_but_the_planted_defects_fails(demo_anomalies, failures):
    planted = {(a["rule"], a["key"]) for a in _quality(demo_anomalies)}
    assert failures - planted == set()


def _check_char(number: str) -> str:
    return "10X98765432"[sum(int(c) * w for c, w in zip(number[:17], WEIGHTS)) % 11]


def test_id_numbers_fail_exactly_where_python_says_the_check_digit_is_wrong(duck):
    bad = {
        str(pid)
        for pid, number in rows(duck, "SELECT id, recipient_id_number FROM subsidy_payout")
        if not (re.fullmatch(r"[0-9]{17}[0-9X]", number) and number[17] == _check_char(number))
    }
    found = {k for (k,) in rows(duck, "SELECT record_key FROM quality_failure WHERE rule = 'G01'")}
    assert bad and found == bad


def test_missing_and_late_months_equal_our_own_sql(duck):
    missing = rows(
        duck,
        """
        WITH have AS (SELECT DISTINCT region_code, year, month FROM treasury_cash),
             grid AS (SELECT u.region_code, m.year, m.month FROM (SELECT DISTINCT region_code, year FROM have) u
                      JOIN (SELECT DISTINCT year, month FROM have) m USING (year))
        SELECT region_code || '·' || year || '-' || lpad(CAST(month AS VARCHAR), 2, '0') FROM grid
        EXCEPT SELECT region_code || '·' || year || '-' || lpad(CAST(month AS VARCHAR), 2, '0') FROM have""",
    )
    found = rows(duck, "SELECT record_key FROM quality_failure WHERE rule = 'C05' AND record_table = 'treasury_cash'")
    assert missing and sorted(missing) == sorted(found)
    deadline = settings.get("QUALITY_REPORT_DEADLINE_DAY")
    late = rows(
        duck,
        f"""SELECT table_name, region_code || '·' || year || '-' || lpad(CAST(month AS VARCHAR), 2, '0')
        FROM report_submission
        WHERE submitted_at > make_date(CAST(year + month // 12 AS INTEGER), CAST(month % 12 + 1 AS INTEGER),
                                       {deadline})""",
    )
    found = rows(duck, "SELECT record_table, record_key FROM quality_failure WHERE rule = 'T01'")
    assert late and sorted(late) == sorted(found)


def test_indicators_paid_beyond_their_amount_equal_our_own_sql(duck):
    over = rows(
        duck,
        """SELECT CAST(i.id AS VARCHAR) FROM budget_indicator i JOIN payment p ON p.indicator_id = i.id
        GROUP BY i.id, i.amount HAVING SUM(p.amount) > i.amount""",
    )
    assert over and sorted(over) == sorted(rows(duck, "SELECT record_key FROM quality_failure WHERE rule = 'A01'"))


def _expected_scores(duck, level_column: str, code: str, year: int, quarter: int) -> dict[str, float | None]:
    where = f"{level_column} = '{code}' AND year = {year}" + (f" AND quarter = {quarter}" if quarter else "")
    counts = {
        rule: (int(c), int(f))
        for rule, c, f in rows(
            duck, f"SELECT rule, SUM(checked), SUM(failed) FROM quality_stat WHERE {where} GROUP BY rule"
        )
    }
    zero = settings.get("QUALITY_ZERO_RATE")
    rule_score = {r: 100 * (1 - min(1, (f / c) / zero)) for r, (c, f) in counts.items() if c}
    out: dict[str, float | None] = {}
    groups = defaultdict(list)
    for rule in catalogue.RULES:
        if rule.code in rule_score:
            groups[rule.dimension].append((rule.weight, rule_score[rule.code]))
            groups[catalogue.OVERALL].append((rule.weight, rule_score[rule.code]))
    for item, pairs in groups.items():
        out[item] = sum(w * s for w, s in pairs) / sum(w for w, _ in pairs)
    return out


@pytest.mark.parametrize("quarter", [0, 3])
def test_scores_follow_the_formula_from_the_counts(duck, demo_anomalies, quarter):
    county = sorted({a["region"] for a in _quality(demo_anomalies) if a["rule"] == "C01"})[0]
    for level, column, code in (("county", "county_code", county), ("city", "city_code", f"{county[:4]}00")):
        expected = _expected_scores(duck, column, code, 2024, quarter)
        stored = dict(
            rows(
                duck,
                "SELECT item, score FROM quality_score WHERE level = :level AND region_code = :code AND year = 2024 "
                "AND quarter = :quarter",
                level=level,
                code=code,
                quarter=quarter,
            )
        )
        for item, value in expected.items():
            assert float(stored[item]) == pytest.approx(value, abs=0.006), (level, item)


def test_a_clean_region_scores_at_least_95_and_a_defective_one_less(duck, demo_anomalies):
    defective = {a["region"] for a in _quality(demo_anomalies)}
    low = rows(
        duck,
        "SELECT region_code, year, quarter, score FROM quality_score WHERE level = 'county' AND item = '总分' "
        "AND score < 95",
    )
    assert low and {r[0] for r in low} <= defective
    clean = rows(duck, "SELECT MIN(score) FROM quality_score WHERE level = 'county' AND item = '总分'")
    assert clean[0][0] is not None


def test_engines_agree_on_scores_and_failures(duck, server):
    statements = (
        "SELECT level, region_code, year, quarter, item, score, checked, failed FROM quality_score",
        "SELECT id, rule, record_table, record_key, year, quarter, field, value, detail FROM quality_failure",
    )
    for statement in statements:
        with duck.connect() as d, server.connect() as p:
            left = sorted(tuple(r) for r in d.execute(sa.text(statement)))
            right = sorted(tuple(r) for r in p.execute(sa.text(statement)))
        assert left and left == right, statement.split(" FROM ")[1]


def test_the_warning_loop_grades_every_score_under_the_yellow_line(duck, risk_state_url, demo_anomalies):
    scores = {
        code: float(score)
        for code, score in rows(
            duck,
            "SELECT region_code, score FROM quality_score WHERE year = 2024 AND quarter = 0 AND item = '总分' "
            "AND level = 'county' AND score IS NOT NULL",
        )
    }
    engine = sa.create_engine(risk_state_url)
    with engine.connect() as conn:
        warned = {
            r.region_code: r.grade
            for r in conn.execute(
                sa.text("SELECT region_code, grade FROM risk_warning WHERE rule_code = 'DATA_QUALITY'")
            )
        }
    engine.dispose()

    def grade(score: float) -> str | None:
        for name, level in (("QUALITY_RED", "红"), ("QUALITY_ORANGE", "橙"), ("QUALITY_YELLOW", "黄")):
            if score < settings.get(name):
                return level
        return None

    expected = {code: grade(s) for code, s in scores.items() if grade(s)}
    assert expected and warned == expected


def test_page_ranks_cities_by_score_with_each_dimension(call_callback, duck):
    out = render(call_callback, KEY, {"region": "430000", "year": "2024", "period": "1-12"})
    ranking = out[f"{KEY}-ranking"]["children"]
    stored = {
        code: float(score)
        for code, score in rows(
            duck,
            "SELECT region_code, score FROM quality_score WHERE level = 'city' AND year = 2024 AND quarter = 0 "
            "AND item = '总分'",
        )
    }
    text = text_of(by_id(ranking, f"{KEY}-ranking-table"))
    names = dict(rows(duck, "SELECT adcode, name FROM region WHERE level = 'city'"))
    listed = sorted(stored, key=lambda c: text.index(names[c]))  # the cities in the order the ranking shows them
    assert len(listed) == 14
    scores = [stored[c] for c in listed]
    assert scores == sorted(scores, reverse=True)
    for code in listed:
        assert f"{stored[code]:.2f}" in text
    for dimension in catalogue.DIMENSIONS:
        assert dimension in text
    kpis = text_of(out[f"{KEY}-kpis"]["children"])
    province = rows(
        duck,
        "SELECT score FROM quality_score WHERE level = 'province' AND year = 2024 AND quarter = 0 AND item = '总分'",
    )[0][0]
    assert f"{float(province):.2f}" in kpis
    rules = text_of(by_id(ranking, f"{KEY}-rules-table"))
    for rule in catalogue.RULES:
        assert rule.definition in rules


def test_a_rule_drills_to_its_failing_records_masked_and_paged(call_callback, duck, demo_anomalies):
    query = {"region": "430000", "year": "2024", "period": "1-12", "rule": "G01"}
    expected = rows(duck, "SELECT COUNT(*) FROM quality_failure WHERE rule = 'G01' AND year = 2024")[0][0]
    component, _page = table(call_callback, KEY, query)
    assert row_count(component, KEY) == expected
    pages = walk_table(call_callback, KEY, query)
    shown = [r for page, _links in pages for r in page]
    assert len(shown) == expected
    numbers = {n for (n,) in rows(duck, "SELECT value FROM quality_failure WHERE rule = 'G01'")}
    flat = " ".join(" ".join(r) for r in shown)
    assert not any(n in flat for n in numbers)  # ID numbers masked
    assert re.search(r"\d{3}\*+\w{4}", flat)


def test_a_county_user_sees_only_its_county(call_callback, client_as, duck, demo_anomalies):
    county = sorted({a["region"] for a in _quality(demo_anomalies) if a["rule"] == "C01"})[0]
    client = client_as("quality_county", role="分析", region=county)
    query = {"region": "430000", "year": "2024", "period": "1-12"}
    component, _page = table(call_callback, KEY, query, client=client)
    expected = rows(duck, f"SELECT COUNT(*) FROM quality_failure WHERE county_code = '{county}' AND year = 2024")
    assert row_count(component, KEY) == expected[0][0]
    name = rows(duck, f"SELECT name FROM region WHERE adcode = '{county}'")[0][0]
    shown = table_rows(component, KEY)
    assert shown and {r[3] for r in shown} == {name}


def test_export_equals_the_screen(client, duck):
    response = client.get("/export/quality.csv?region=430000&year=2024&period=1-12&rule=C01")
    assert response.status_code == 200
    body = response.get_data(as_text=True).lstrip("\ufeff")
    records = list(csv.reader(io.StringIO(body)))
    expected = rows(duck, "SELECT record_key FROM quality_failure WHERE rule = 'C01' AND year = 2024")
    keys = {k for (k,) in expected}
    assert keys and keys <= {cell for row in records for cell in row}
