"""Export needs the export permission: a table of role × export route × method, and the 导出 buttons shown only to
the roles that may export (the route refuses the others anyway)."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from dashboard.core.roles import ROLES, may
from dashboard.core.scope import User
from dashboard.state import audit
from dashboard.web.app import callback_modules, page_module_names
from tests.integration.dash_tree import walk
from tests.integration.topic_helpers import table

QUERY = "region=430100&year=2024&period=1-6"
EXPORTERS = sorted(r for r in ROLES if may(User("x", "x", r, "430000", False), "export"))


@pytest.fixture
def topics(app) -> list[str]:
    """Every topic with export routes (the callback modules are importable once the app exists)."""
    return sorted(m.TOPIC.key for m in callback_modules(page_module_names()) if getattr(m, "TOPIC", None))


def test_the_roles_that_may_export_are_the_analyst_and_the_administrator(topics):
    assert set(EXPORTERS) == {"分析", "管理员"}
    assert len(topics) >= 6


@pytest.mark.parametrize("role", ROLES)
def test_every_export_route_answers_by_role(client_as, topics, role):
    """Refused roles get 403 from every topic, format and method (HEAD and POST too) and each refusal is audited;
    the others get the file (one topic's GET per format here; test_topic_kit checks the files)."""
    client = client_as(f"export_{ROLES.index(role)}", role=role, region="430000")
    allowed = role in EXPORTERS
    for key in topics:
        for fmt in ("csv", "xlsx"):
            for method in ("GET", "HEAD", "POST"):
                if allowed and not (key == topics[0] and method != "POST"):
                    continue  # building every file for every allowed role is test_topic_kit's job
                response = client.open(f"/export/{key}.{fmt}?{QUERY}", method=method)
                expected = 200 if allowed else 403
                assert response.status_code == expected, (key, fmt, method, response.get_data()[:200])
                if not allowed and method != "HEAD":
                    assert "无权导出" in response.get_data(as_text=True)
    denied = [r for r in audit.search(action="export") if r["outcome"] == "denied"]
    assert len(denied) == (0 if allowed else len(topics) * 2 * 3)


@pytest.mark.parametrize("role", ROLES)
def test_the_export_buttons_show_only_to_roles_that_may_export(call_callback, client_as, role):
    client = client_as(f"buttons_{ROLES.index(role)}", role=role, region="430000", may_unmask=True)
    component, _ = table(
        call_callback, "spending", {"region": "430100", "year": "2024", "period": "1-6"}, client=client
    )
    ids = {str(c.get("props", {}).get("id")) for c in walk(component)}
    actions = {str(c.get("props", {}).get("action", "")) for c in walk(component)}
    hrefs = {str(c.get("props", {}).get("href", "")) for c in walk(component)}
    shown = "spending-export-csv" in ids and "spending-export-xlsx" in ids
    assert shown == (role in EXPORTERS)
    if role not in EXPORTERS:
        assert not [a for a in actions | hrefs if a.startswith("/export/")]


def test_a_revealed_table_offers_the_unmasked_export_only_to_roles_that_may_export(call_callback, client_as, duck):
    with duck.connect() as conn:
        (program,) = conn.execute(
            sa.text(
                "SELECT program_id FROM subsidy_payout WHERE county_code = '430121' GROUP BY 1 ORDER BY COUNT(*) DESC"
            )
        ).first()
    payouts = {"region": "430121", "year": "2024", "period": "1-1", "program": str(program)}  # people's names
    for role, offered in (("领导", False), ("分析", True)):
        client = client_as(f"reveal_{offered}", role=role, region="430000", may_unmask=True)
        component, _ = table(call_callback, "subsidies", payouts, reveal={"reason": "核查重复领取"}, client=client)
        assert "恢复脱敏" in json.dumps(component, ensure_ascii=False)  # the table is shown unmasked
        actions = [c["props"]["action"] for c in walk(component) if c.get("props", {}).get("action")]
        assert bool([a for a in actions if a.startswith("/export/")]) == offered, role
