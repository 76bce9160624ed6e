"""Meeting packs (会议材料包): a pack frozen before a reload still shows the old numbers after it while 查看最新 (the
live view) shows the new ones; packs belong to their author, are shared only with users whose scope covers them,
and every open is audited."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard.core.scope import Scope
from dashboard.demo import build_demo
from dashboard.report import archive
from dashboard.report import figures as fig
from dashboard.report.figures import ReportError
from dashboard.state.audit import audit_event
from dashboard.state.engine import state_engine
from dashboard.store.engine import current_data_version
from tests.integration.dash_tree import by_id, text_of
from tests.integration.topic_helpers import shown
from tests.signin import ensure_user

SCALE = 0.02


def _revenue(url: str, code: str) -> Decimal:
    path = url.removeprefix("duckdb:///")
    engine = sa.create_engine(f"duckdb:///{path}", connect_args={"read_only": True})
    try:
        with engine.connect() as conn:
            return Decimal(
                conn.execute(
                    sa.text(
                        "select sum(amount) from revenue where city_code = :c and extract(year from collect_date) = 2024"
                        " and extract(month from collect_date) <= 6"
                    ),
                    {"c": code},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def test_a_frozen_pack_keeps_its_numbers_after_a_reload(tmp_path, use_store):
    url = f"duckdb:///{tmp_path}/cockpit.duckdb"
    build_demo(url, scale=SCALE, seed=7)
    use_store(url)
    author = ensure_user("pack_author", role="分析", region="430000")
    pack_id = archive.create_pack(author, "6月财政运行分析会")
    archive.add_view(author, pack_id, "/revenue?region=430100&year=2024&period=1-6", "长沙收入")
    frozen = archive.freeze(author, pack_id)
    before = _revenue(url, "430100")
    assert frozen.views[0].figures is not None
    assert frozen.views[0].figures["overall"]["revenue"] == before
    assert frozen.data_version == current_data_version().key

    build_demo(url, scale=SCALE, seed=8)  # a new load: other numbers
    assert current_data_version().load_id == 2
    after = _revenue(url, "430100")
    assert after != before

    pack = archive.get_pack(author, pack_id)
    assert pack is not None and pack.frozen_at is not None
    view = pack.views[0]
    assert archive.view_figures(author, view, pack)["overall"]["revenue"] == before  # the frozen number
    assert pack.frozen_label.startswith("冻结于") and "数据截至" in pack.frozen_label
    live = fig.collect(Scope("430000", "province"), view.state)  # what 查看最新 shows
    assert live["overall"]["revenue"] == after
    assert view.link == "/revenue?region=430100&year=2024&period=1-6"

    body = archive.pack_pdf(author, pack)
    path = tmp_path / "pack.pdf"
    path.write_bytes(body)
    text = re.sub(r"\s+", "", subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout)
    assert f"一般公共预算收入{shown(before, 'city')}亿元" in text
    assert shown(after, "city") not in text
    assert "冻结于" in text and "备注:长沙收入" in text

    with pytest.raises(ReportError, match="已冻结"):
        archive.add_view(author, pack_id, "/?region=430100")


def test_packs_are_their_authors_and_shared_only_within_scope(demo_url, use_store):
    use_store(demo_url)
    author = ensure_user("pack_author", role="分析", region="430000")
    city = ensure_user("cs_leader", role="领导", region="430100")
    other_city = ensure_user("hh_leader", role="领导", region="431200")
    pack_id = archive.create_pack(author, "长沙专题会")
    archive.add_view(author, pack_id, "/?region=430100&year=2024&period=1-6")
    assert archive.get_pack(city, pack_id) is None  # not shared yet
    with pytest.raises(ReportError, match="hh_leader"):
        archive.share(author, pack_id, ["hh_leader"])  # 怀化 does not see 长沙
    assert archive.share(author, pack_id, ["cs_leader"]) == ("cs_leader",)
    assert archive.get_pack(city, pack_id) is not None
    assert archive.get_pack(other_city, pack_id) is None
    with pytest.raises(ReportError):
        archive.freeze(city, pack_id)  # only the author changes it
    analyst = ensure_user("cs_analyst", role="分析", region="430100")
    own = archive.create_pack(analyst, "长沙自己的会")
    with pytest.raises(ReportError, match="无权查看"):
        archive.add_view(analyst, own, "/?region=431200")  # a view outside the author's scope
    with pytest.raises(ReportError, match="只能修改"):
        archive.add_view(analyst, pack_id, "/?region=430100")  # someone else's pack
    with pytest.raises(ReportError, match="只能加入"):
        archive.add_view(author, pack_id, "/admin/users")


def test_the_pack_page_shows_a_frozen_pack_and_audits_each_open(call_callback, client_as):
    author_client = client_as("pack_author", role="分析", region="430000")
    author = ensure_user("pack_author", role="分析", region="430000")
    pack_id = archive.create_pack(author, "月度会")
    archive.add_view(author, pack_id, "/?region=430100&year=2024&period=1-6", "看长沙")
    archive.freeze(author, pack_id)
    out = call_callback(
        "pack-views", [("pack-version", "data", 0)], client=author_client, state=[("pack-id", "data", pack_id)]
    )
    shown_text = text_of(out["pack-views"]["children"])
    frozen = archive.get_pack(author, pack_id)
    assert frozen is not None and frozen.views[0].figures is not None
    assert shown(frozen.views[0].figures["overall"]["revenue"], "city") in shown_text
    assert "看长沙" in shown_text and "查看最新" in shown_text
    assert "冻结于" in text_of(by_id(out["pack-head"]["children"], "pack-frozen"))
    outsider = client_as("hh_leader", role="领导", region="431200")
    refused = call_callback(
        "pack-views", [("pack-version", "data", 0)], client=outsider, state=[("pack-id", "data", pack_id)]
    )
    assert "没有这个会议材料包" in text_of(refused["pack-head"]["children"])
    with state_engine().connect() as conn:
        rows = conn.execute(sa.select(audit_event.c.username, audit_event.c.action, audit_event.c.outcome)).all()
    assert ("pack_author", "pack", "ok") in rows and ("hh_leader", "denied", "denied") in rows
    response = author_client.get(f"/packs/{pack_id}.pdf")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    assert outsider.get(f"/packs/{pack_id}.pdf").status_code == 404
