"""The monthly report (财政运行监测月报): its figures equal the pages' and the test's own SQL; the PDF (made by the
CLI) has every section in order, 数据截至 and a page number on every page, the numbers in its sentences, and an
embedded font; scope and permission apply to making and downloading, and every download is audited; the schedule
makes each region's report once per data version."""

from __future__ import annotations

import re
import subprocess
from decimal import Decimal

import pytest
import sqlalchemy as sa

from dashboard.cli import main
from dashboard.core.scope import Scope
from dashboard.report import archive, schedule
from dashboard.report import figures as fig
from dashboard.report.figures import ReportError
from dashboard.state.audit import audit_event
from dashboard.state.engine import state_engine
from tests.integration.dash_tree import by_id, text_of
from tests.integration.test_overview_page import store_totals
from tests.integration.topic_helpers import shown

PROVINCE = Scope("430000", "province")
SECTIONS = (
    "一、总体情况",
    "二、收入情况",
    "三、支出情况",
    "四、债务与库款",
    "五、惠民惠农补贴与政府采购",
    "六、风险预警",
    "七、数据质量",
    "八、下级区划排名",
    "附录 指标口径",
)


def _own_sql(duck, code: str, column: str, year: int, month: int) -> dict[str, Decimal]:
    """Revenue (and its tax part) of January..month of `year` and the year before, from the revenue facts."""
    sql = f"""
        select
          coalesce(sum(case when extract(year from collect_date) = :y then amount end), 0),
          coalesce(sum(case when extract(year from collect_date) = :y - 1 then amount end), 0),
          coalesce(sum(case when extract(year from collect_date) = :y and item_code like '101%' then amount end), 0)
        from revenue
        where {column} = :code and extract(month from collect_date) <= :m
          and extract(year from collect_date) in (:y, :y - 1)
    """
    with duck.connect() as conn:
        now, before, tax = conn.execute(sa.text(sql), {"code": code, "y": year, "m": month}).one()
    return {"revenue": Decimal(now), "revenue_prev": Decimal(before), "tax": Decimal(tax)}


@pytest.mark.parametrize(
    "code, level, column", [("430000", "province", "province_code"), ("430100", "city", "city_code")]
)
def test_figures_equal_the_overview_page_and_the_store(call_callback, duck, code, level, column):
    state = fig.report_state(PROVINCE, code, 2024, 6)
    f = fig.collect(PROVINCE, state)
    own = {**store_totals(duck, column, code, 2024, 1, 6), **_own_sql(duck, code, column, 2024, 6)}
    o = f["overall"]
    assert o["revenue"] == own["revenue"] and o["revenue_prev"] == own["revenue_prev"]
    assert o["spending"] == own["spending"] and o["budget"] == own["budget"]
    assert o["execution"] == pytest.approx(float(own["spending"] / own["budget"]))
    assert {k["name"]: k["current"] for k in f["revenue"]["kinds"]}["税收收入"] == own["tax"]
    assert sum(r["revenue"] for r in f["ranking"]) == own["revenue"]  # 本级 plus the children is the region

    page = call_callback(
        "overview-kpis", [("overview-query", "data", {"region": code, "year": "2024", "period": "1-6"})]
    )
    kpis = page["overview-kpis"]["children"]
    assert text_of(by_id(kpis, "kpi-revenue")) == shown(o["revenue"], level)
    assert text_of(by_id(kpis, "kpi-spending")) == shown(o["spending"], level)
    assert text_of(by_id(kpis, "kpi-execution")) == f"{Decimal(str(o['execution'] * 100)).quantize(Decimal('0.1'))}%"


def _pages(path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return [p for p in out.split("\f") if p.strip()]


def test_the_cli_writes_the_province_report_with_every_section_and_page_marks(
    duck, demo_url, use_store, tmp_path, capsys
):
    use_store(demo_url)
    output = tmp_path / "hunan-2024-06.pdf"
    assert main(["report", "monthly", "--region", "430000", "--month", "2024-06", "--output", str(output)]) == 0
    assert "已生成" in capsys.readouterr().out
    pages = _pages(output)
    assert len(pages) >= 4
    for number, page in enumerate(pages, start=1):
        flat = re.sub(r"\s+", "", page)
        assert "数据截至2024年12月31日" in flat and "数据版本第1批" in flat, number
        assert f"第{number}页/共{len(pages)}页" in flat
    whole = re.sub(r"\s+", "", "".join(pages))
    at = [whole.index(s.replace(" ", "")) for s in SECTIONS]
    assert at == sorted(at), "sections out of order"
    own = _own_sql(duck, "430000", "province_code", 2024, 6)
    change = (own["revenue"] - own["revenue_prev"]) / own["revenue_prev"] * 100
    word = "增长" if change > 0 else "下降"
    pct = abs(change).quantize(Decimal("0.1"))
    assert f"1-6月全省一般公共预算收入{shown(own['revenue'], 'province')}亿元,同比{word}{pct}%" in whole
    assert shown(own["tax"], "province") in whole
    for name in ("长沙市", "湖南省本级", "预算执行率"):
        assert name in whole
    fonts = subprocess.run(["pdffonts", str(output)], check=True, capture_output=True, text=True).stdout
    assert "NotoSansCJKSC" in fonts and " yes yes " in fonts  # embedded and subset
    info = subprocess.run(["pdfinfo", str(output)], check=True, capture_output=True, text=True).stdout
    assert "595.28 x 841.89 pts (A4)" in info

    # asking again for the same data version gives the report on file, byte for byte
    again = tmp_path / "again.pdf"
    assert main(["report", "monthly", "--region", "430000", "--month", "2024-06", "--output", str(again)]) == 0
    assert again.read_bytes() == output.read_bytes()
    assert "已存在" in capsys.readouterr().out


def test_bad_requests_get_chinese_messages(demo_url, use_store):
    use_store(demo_url)
    with pytest.raises(ReportError, match="无权"):
        fig.report_state(Scope("430102", "county"), "430100", 2024, 6)  # a county user, a city report
    with pytest.raises(ReportError, match="未找到"):
        fig.report_state(PROVINCE, "999999", 2024, 6)
    with pytest.raises(ReportError, match="没有2031年"):
        fig.report_state(PROVINCE, "430000", 2031, 6)
    with pytest.raises(SystemExit):  # argparse: 月份应为 YYYY-MM
        main(["report", "monthly", "--region", "430000", "--month", "2024-13"])
    assert main(["report", "monthly", "--region", "999999", "--month", "2024-06"]) == 2


def _audit(action: str) -> list:
    with state_engine().connect() as conn:
        return conn.execute(sa.select(audit_event).where(audit_event.c.action == action)).all()


def test_downloads_follow_scope_and_permission_and_are_audited(app, client_as, demo_url):
    report, new = archive.monthly(PROVINCE, "430100", 2024, 6, "test")
    assert new
    province = client_as("p_leader", role="领导", region="430000")
    city = client_as("cs_analyst", role="分析", region="430100")
    county = client_as("fr_analyst", role="分析", region="430102")
    clerk = client_as("p_clerk", role="经办", region="430000")

    for client in (province, city):
        response = client.get(f"/reports/{report.id}.pdf")
        assert response.status_code == 200 and response.data.startswith(b"%PDF")
        assert response.headers["Content-Disposition"].startswith("attachment")
    assert county.get(f"/reports/{report.id}.pdf").status_code == 404
    assert clerk.get(f"/reports/{report.id}.pdf").status_code == 403
    downloads = _audit("report_download")
    assert sorted(r.username for r in downloads) == ["cs_analyst", "p_leader"]
    assert all(r.region == "430100" for r in downloads)
    denied = [r for r in _audit("denied") if (r.page or "").startswith("/reports/")]
    assert sorted(r.username for r in denied) == ["fr_analyst", "p_clerk"]
    # the list shows a county user nothing of the city
    assert archive.reports(Scope("430102", "county")) == []
    assert [r.id for r in archive.reports(Scope("430100", "city"))] == [report.id]


def test_the_schedule_makes_the_closed_months_reports_once_per_data_version(demo_url, use_store):
    import datetime as dt

    assert schedule.closed_month(dt.date(2024, 12, 31)) == (2024, 12)
    assert schedule.closed_month(dt.date(2024, 7, 15)) == (2024, 6)
    assert schedule.closed_month(dt.date(2024, 1, 10)) == (2023, 12)
    use_store(demo_url)
    first = schedule.run(("province",))
    assert [(m.region, m.new) for m in first] == [("430000", True)]
    again = schedule.run(("province",))
    assert [(m.region, m.new, m.report_id) for m in again] == [("430000", False, first[0].report_id)]
    stored = archive.reports(PROVINCE)
    assert [(r.region_code, r.year, r.month) for r in stored] == [("430000", 2024, 12)]


def test_figures_equal_the_topic_pages(call_callback):
    """The same region and period on /revenue, /spending and /debt show the report's numbers."""
    from dashboard.core import format as fmt
    from tests.integration.topic_helpers import render

    query = {"region": "430100", "year": "2024", "period": "1-6"}
    f = fig.collect(PROVINCE, fig.report_state(PROVINCE, "430100", 2024, 6))
    kinds = {k["name"]: k["current"] for k in f["revenue"]["kinds"]}
    revenue = render(call_callback, "revenue", query)["revenue-kpis"]["children"]
    assert text_of(by_id(revenue, "kpi-revenue")) == shown(f["overall"]["revenue"], "city")
    assert text_of(by_id(revenue, "kpi-tax")) == shown(kinds["税收收入"], "city")
    assert text_of(by_id(revenue, "kpi-tax-share")) == fmt.percent(f["revenue"]["tax_share"])
    assert text_of(by_id(revenue, "kpi-self-sufficiency")) == fmt.percent(f["revenue"]["self_sufficiency"])
    spending = render(call_callback, "spending", query)["spending-kpis"]["children"]
    assert text_of(by_id(spending, "kpi-paid")) == shown(f["overall"]["spending"], "city")
    assert text_of(by_id(spending, "kpi-rate")) == fmt.percent(f["overall"]["execution"])
    assert fmt.percent(f["spending"]["sanbao"]) in text_of(by_id(spending, "kpi-sanbao"))
    debt = render(call_callback, "debt", query)["debt-kpis"]["children"]
    assert text_of(by_id(debt, "kpi-debt")) == shown(f["debt"]["debt"], "city")
    assert text_of(by_id(debt, "kpi-debt-ratio")) == fmt.percent(f["debt"]["debt_ratio"])
    assert text_of(by_id(debt, "kpi-interest-ratio")) == fmt.percent(f["debt"]["interest_ratio"])


def test_the_quality_section_reads_the_scores_of_the_months_quarter(duck, demo_url, use_store):
    """数据质量 of a June report is the second quarter's, as the store scored it (our own SQL), and the sentence
    says so."""
    from dashboard.report import text

    use_store(demo_url)
    f = fig.collect(PROVINCE, fig.report_state(PROVINCE, "430100", 2024, 6))
    with duck.connect() as conn:
        expected = conn.execute(
            sa.text(
                "select score, checked, failed from quality_score where region_code = '430100' and year = 2024 "
                "and quarter = 2 and item = '总分' and load_id = (select max(load_id) from data_version)"
            )
        ).one()
    q = f["quality"]
    assert (Decimal(str(q["overall"])), q["checked"], q["failed"]) == (Decimal(expected[0]), expected[1], expected[2])
    assert text.quality(f)[0].startswith(f"2024年二季度全市数据质量总分{q['overall']:.2f}分")
