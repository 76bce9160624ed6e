"""The A4 portrait PDF of the monthly report (and of a frozen meeting pack) from its figures, with fpdf2: the CJK
face of `PDF_FONT` embedded and subset, a header with 数据截至 and the data version and a footer with the page
number on every page, the charts of `dashboard.report.charts` placed at their print size."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Callable, Sequence

from fpdf import FPDF
from fpdf.fonts import FontFace
from PIL import Image

from dashboard.core import format as fmt
from dashboard.core.fonts import face_index, font_path
from dashboard.report import charts, text
from dashboard.report.figures import Figures

MARGIN = 18.0
GRADE_WORDS = {"红": "红色", "橙": "橙色", "黄": "黄色", "蓝": "蓝色"}
TITLE = "财政运行监测月报"


class ReportPDF(FPDF):
    """A4 portrait with the report's running head and foot."""

    def __init__(self, head: str, stamp: str) -> None:
        super().__init__(format="A4", unit="mm", orientation="P")
        self.head, self.stamp = head, stamp
        # One face only: subsetting a CJK CFF font is most of the time a report takes, so headings are set
        # larger and in the accent colour rather than in a second (bold) face.
        regular = font_path()
        self.add_font("cjk", fname=regular, collection_font_number=face_index(regular))
        self.set_margins(MARGIN, 22, MARGIN)
        self.set_auto_page_break(True, margin=20)
        self.set_creator("财政运行监测驾驶舱")
        self.alias_nb_pages()

    def header(self) -> None:
        self.set_font("cjk", size=8)
        self.set_text_color(90, 98, 110)
        self.set_y(10)
        self.cell(0, 5, self.head, align="L")
        self.set_x(MARGIN)
        self.cell(0, 5, self.stamp, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(200, 205, 212)
        self.line(MARGIN, 16, self.w - MARGIN, 16)
        self.set_text_color(0, 0, 0)
        self.set_y(22)

    def footer(self) -> None:
        self.set_y(-14)
        self.set_font("cjk", size=8)
        self.set_text_color(90, 98, 110)
        self.cell(0, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="C")
        self.set_text_color(0, 0, 0)


def _stamp(meta: Figures, frozen: str | None = None) -> str:
    through = dt.date.fromisoformat(meta["data_through"])
    base = f"数据截至 {through:%Y年%m月%d日} · 数据版本 第{meta['load_id']}批({meta['data_version']})"
    return f"{frozen} · {base}" if frozen else base


def _heading(pdf: ReportPDF, title: str) -> None:
    if pdf.get_y() > pdf.h - 50:
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font("cjk", size=13.5)
    pdf.set_text_color(20, 60, 120)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("cjk", size=10.5)


# A token never split over two lines: an opening mark, then a run of Latin letters and digits (an amount with its
# separators, a percentage) or one other character, then any closing marks (no line starts with ,。 or ")").
TOKEN = re.compile(r"[((“]*(?:[0-9A-Za-z.,%+\-−~/]+|\s|.)[,。;、:))”%]*")


def wrap(pdf: FPDF, text: str, width: float, indent: str = "") -> list[str]:
    """`text` in lines no wider than `width` at the current font, broken between characters as Chinese is, never
    inside a number and never before a closing mark."""
    lines, line = [], indent
    for token in TOKEN.findall(text):
        if line.strip() and pdf.get_string_width(line + token) > width:
            lines.append(line)
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line)
    return lines


def _lines(pdf: ReportPDF, text: str, height: float, indent: str = "") -> None:
    for line in wrap(pdf, text, pdf.w - 2 * MARGIN, indent):
        pdf.cell(0, height, line, new_x="LMARGIN", new_y="NEXT")


def _paragraphs(pdf: ReportPDF, sentences: Sequence[str]) -> None:
    pdf.set_font("cjk", size=10.5)
    for sentence in sentences:
        _lines(pdf, sentence, 6.2, indent="\u3000\u3000")
    pdf.ln(1)


def _table(
    pdf: ReportPDF,
    head: Sequence[str],
    rows: Sequence[Sequence[str]],
    widths: Sequence[float],
    *,
    own_first: bool = False,
    left: int = 1,
) -> None:
    pdf.set_font("cjk", size=8.5)
    align = [*(["LEFT"] * left), *(["RIGHT"] * (len(head) - left))]
    with pdf.table(
        col_widths=tuple(widths),
        text_align=tuple(align),
        headings_style=FontFace(color=(20, 60, 120), fill_color=(232, 238, 246)),
        line_height=5.2,
        borders_layout="HORIZONTAL_LINES",
        first_row_as_headings=True,
    ) as table:
        table.row(list(head))
        for index, values in enumerate(rows):
            style = FontFace(fill_color=(246, 247, 249)) if own_first and index == 0 else None
            table.row([str(v) for v in values], style=style)
    pdf.ln(2)


def _image_fits(pdf: ReportPDF, png: bytes, width: float) -> None:
    """Start a new page when the chart would not fit under the cursor."""
    with Image.open(io.BytesIO(png)) as image:
        height = width * image.height / image.width
    if pdf.get_y() + height > pdf.h - 20:
        pdf.add_page()


def _figure(pdf: ReportPDF, png: bytes, caption: str) -> None:
    width = pdf.w - 2 * MARGIN
    _image_fits(pdf, png, width)
    pdf.image(io.BytesIO(png), x=MARGIN, w=width)
    pdf.set_font("cjk", size=8)
    pdf.set_text_color(90, 98, 110)
    pdf.cell(0, 5, caption, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(1)


def _m(value, unit: str) -> str:
    return fmt.money(value, unit)


def _yoy(current, previous) -> str:
    return fmt.change(current, previous)[0].replace(" ▲", "").replace(" ▼", "")


def _section_overall(pdf: ReportPDF, f: Figures, number: str) -> None:
    meta, o, unit = f["meta"], f["overall"], f["meta"]["unit"]
    _heading(pdf, f"{number}、总体情况")
    _paragraphs(pdf, text.overall(f))
    _table(
        pdf,
        ["指标", f"本期({unit})", f"上年同期({unit})", "同比"],
        [
            [
                "一般公共预算收入",
                _m(o["revenue"], unit),
                _m(o["revenue_prev"], unit),
                _yoy(o["revenue"], o["revenue_prev"]),
            ],
            [
                "一般公共预算支出",
                _m(o["spending"], unit),
                _m(o["spending_prev"], unit),
                _yoy(o["spending"], o["spending_prev"]),
            ],
            ["全年预算指标", _m(o["budget"], unit), "—", "—"],
            [
                "预算执行率 / 序时进度",
                fmt.percent(o["execution"]),
                fmt.percent(o["execution_benchmark"]),
                o["execution_label"] or "—",
            ],
            ["直达资金支付进度", fmt.percent(o["direct_pay"]), "—", o["direct_pay_label"] or "—"],
            ["库款保障水平(月)", fmt.number(o["cash_level"]), "—", o["cash_level_label"] or "—"],
        ],
        (52, 44, 44, 34),
    )
    _figure(pdf, charts.trend(f), f"图1 {meta['region_name']}月度收支({meta['year']}年与{meta['year'] - 1}年)")


def _section_revenue(pdf: ReportPDF, f: Figures, number: str) -> None:
    r, unit = f["revenue"], f["meta"]["unit"]
    _heading(pdf, f"{number}、收入情况")
    _paragraphs(pdf, text.revenue(f))
    rows = [
        [k["name"], _m(k["current"], unit), _m(k["previous"], unit), _yoy(k["current"], k["previous"])]
        for k in r["kinds"]
    ]
    rows += [
        [i["name"], _m(i["current"], unit), _m(i["previous"], unit), _yoy(i["current"], i["previous"])]
        for i in r["items"]
    ]
    _table(pdf, ["收入", f"本期({unit})", f"上年同期({unit})", "同比"], rows, (60, 40, 40, 34))
    _figure(pdf, charts.revenue_items(f), "图2 主要收入项目")


def _section_spending(pdf: ReportPDF, f: Figures, number: str) -> None:
    s, unit = f["spending"], f["meta"]["unit"]
    _heading(pdf, f"{number}、支出情况")
    _paragraphs(pdf, text.spending(f))
    _table(
        pdf,
        ["功能科目", f"本期支出({unit})", f"全年指标({unit})", "执行率", "同比"],
        [
            [
                x["name"],
                _m(x["paid"], unit),
                _m(x["budget"], unit),
                fmt.percent(x["rate"]),
                _yoy(x["paid"], x["paid_prev"]),
            ]
            for x in s["functions"]
        ],
        (52, 36, 36, 24, 26),
    )
    _table(
        pdf,
        ["三保", f"本期支出({unit})", f"全年指标({unit})", "执行率", "评级"],
        [
            [x["name"], _m(x["paid"], unit), _m(x["budget"], unit), fmt.percent(x["rate"]), x["grade"] or "—"]
            for x in s["sanbao_rows"]
        ]
        + [
            [
                "直达资金",
                _m(s["direct_paid"], unit),
                _m(s["direct_allocated"], unit),
                fmt.percent(s["direct_rate"]),
                s["direct_grade"] or "—",
            ]
        ],
        (52, 36, 36, 24, 26),
    )
    _figure(pdf, charts.functions(f), "图3 支出结构(前10类)")


def _section_debt(pdf: ReportPDF, f: Figures, number: str) -> None:
    d, unit = f["debt"], f["meta"]["unit"]
    _heading(pdf, f"{number}、债务与库款")
    _paragraphs(pdf, text.debt(f))
    _table(
        pdf,
        ["指标", "数值", "评级"],
        [
            [f"债务余额({unit})", _m(d["debt"], unit), "—"],
            [f"债务限额({unit})", _m(d["limit"], unit), "—"],
            [f"综合财力({unit},{d['capacity_note']})", _m(d["capacity"], unit), "—"],
            ["债务率", fmt.percent(d["debt_ratio"]), d["debt_grade"] or "—"],
            ["一般债务利息支出率", fmt.percent(d["interest_ratio"]), d["interest_grade"] or "—"],
            ["专项债务利息支出率", fmt.percent(d["special_interest_ratio"]), d["special_interest_grade"] or "—"],
            ["库款保障水平(月)", fmt.number(d["cash_level"]), d["cash_grade"] or "—"],
        ],
        (80, 50, 44),
    )


def _section_highlights(pdf: ReportPDF, f: Figures, number: str) -> None:
    s = f["subsidies"]
    _heading(pdf, f"{number}、惠民惠农补贴与政府采购")
    _paragraphs(pdf, text.highlights(f))
    if s["categories"]:
        _table(
            pdf,
            ["补贴类别", "发放金额(万元)", "占比"],
            [[c["name"], _m(c["amount"], "万元"), fmt.percent(c["share"])] for c in s["categories"]],
            (90, 50, 34),
        )


def _section_risk(pdf: ReportPDF, f: Figures, number: str) -> None:
    r = f["risk"]
    _heading(pdf, f"{number}、风险预警")
    _paragraphs(pdf, text.risk(f))
    if r["total"]:
        rows = [
            [GRADE_WORDS[g], str(r["by_grade"].get(g, 0)), str(r["closed_by_grade"].get(g, 0))]
            for g in ("红", "橙", "黄", "蓝")
        ]
        _table(pdf, ["预警等级", "未销号(件)", "已销号(件)"], rows, (70, 52, 52))
        topics = sorted(r["by_topic"].items(), key=lambda kv: (-kv[1], kv[0]))
        if topics:
            _table(pdf, ["专题", "未销号(件)"], [[t, str(n)] for t, n in topics], (100, 74))


def _section_quality(pdf: ReportPDF, f: Figures, number: str) -> None:
    q = f["quality"]
    _heading(pdf, f"{number}、数据质量")
    _paragraphs(pdf, text.quality(f))
    rows = [[c["name"], "—" if c["overall"] is None else f"{c['overall']:.2f}"] for c in q["children"]]
    if rows:
        _table(pdf, ["下级区划", "总分(分)"], rows, (100, 74))
    if q["rules"]:
        body = [[r["code"], r["name"], r["dimension"], f"{r['failed']:,}"] for r in q["rules"]]
        _table(pdf, ["规则", "名称", "维度", "问题记录(条)"], body, (22, 84, 34, 34))


def _section_ranking(pdf: ReportPDF, f: Figures, number: str) -> None:
    unit = f["meta"]["unit"]
    rows = f["ranking"]
    _heading(pdf, f"{number}、下级区划排名")
    sentences = text.ranking(f)
    _paragraphs(pdf, sentences or ["本区域无下级区划,下表为本级情况。"])
    own = [r for r in rows if r["is_own_level"]]
    children = sorted(
        (r for r in rows if not r["is_own_level"]), key=lambda r: (-(r["execution"] or -1), r["code"] or "")
    )
    body = [
        [
            "—" if r["is_own_level"] else str(i),
            r["name"],
            _m(r["revenue"], unit),
            _yoy(r["revenue"], r["revenue_prev"]),
            _m(r["spending"], unit),
            fmt.percent(r["execution"]),
            "—" if r["lag_points"] is None else f"{r['lag_points']:+.1f}".replace("+", "滞后 ").replace("-", "超前 "),
        ]
        for i, r in enumerate(own + children)
    ]
    _table(
        pdf,
        ["排名", "区划", f"收入({unit})", "收入同比", f"支出({unit})", "执行率", "对比序时(百分点)"],
        body,
        (12, 34, 28, 20, 28, 20, 32),
        own_first=True,
        left=2,
    )
    if len(children) > 1:
        _figure(pdf, charts.ranking(f), "图4 预算执行率(灰色为本级,橙色为低于序时进度)")


def _appendix(pdf: ReportPDF, f: Figures) -> None:
    _heading(pdf, "附录 指标口径")
    pdf.set_font("cjk", size=9)
    for d in f["definitions"]:
        pdf.set_font("cjk", size=9.5)
        pdf.set_text_color(20, 60, 120)
        pdf.multi_cell(0, 5, d["name"], align="L", new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("cjk", size=9)
        _lines(pdf, f"{d['definition']}(期间:{d['period_rule']})", 5)
        pdf.ln(0.8)
    pdf.ln(1)
    pdf.multi_cell(
        0,
        5,
        "金额:省、市级以亿元、县级以万元为单位,四舍五入保留两位小数;比率保留一位小数。所有数字与驾驶舱页面"
        "同一口径(指标层 queries/metrics),报告中的文字由数字生成。预警工单为报告生成时的状态。",
        align="L",
        new_x="LMARGIN",
        new_y="NEXT",
    )


Section = Callable[[ReportPDF, Figures, str], None]
SECTIONS: dict[str, Section] = {
    "overall": _section_overall,
    "revenue": _section_revenue,
    "spending": _section_spending,
    "debt": _section_debt,
    "highlights": _section_highlights,
    "risk": _section_risk,
    "ranking": _section_ranking,
}
NUMBERS = "一二三四五六七八九十"


def _cover(pdf: ReportPDF, f: Figures, subtitle: str | None) -> None:
    meta = f["meta"]
    pdf.add_page()
    pdf.set_font("cjk", size=22)
    pdf.cell(0, 12, f"{meta['region_name']}{TITLE}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=12)
    pdf.cell(0, 8, f"({meta['year']}年{text.months(meta)})", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.set_text_color(90, 98, 110)
    pdf.cell(0, 6, subtitle or f"生成于 {meta['generated_at']}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.ln(3)


def monthly_report(f: Figures, *, frozen: str | None = None, subtitle: str | None = None) -> bytes:
    """The whole report as PDF bytes. `frozen` ('冻结于 …') goes into the running head of a frozen pack."""
    meta = f["meta"]
    pdf = ReportPDF(f"{meta['region_name']} · {TITLE} · {meta['year']}年{text.months(meta)}", _stamp(meta, frozen))
    pdf.set_title(f"{meta['region_name']}{TITLE}({meta['year']}年{text.months(meta)})")
    pdf.set_author("财政运行监测驾驶舱")
    _cover(pdf, f, subtitle)
    numbers = iter(NUMBERS)
    for key in ("overall", "revenue", "spending", "debt", "highlights", "risk"):
        SECTIONS[key](pdf, f, next(numbers))
    if f.get("quality"):
        _section_quality(pdf, f, next(numbers))
    _section_ranking(pdf, f, next(numbers))
    _appendix(pdf, f)
    return bytes(pdf.output())


def pack_document(title: str, frozen: str, views: Sequence[tuple[str, str, Sequence[str], Figures]]) -> bytes:
    """A frozen meeting pack as one PDF: per view (its heading, its note, the sections it shows, its frozen
    figures) the same sections as the monthly report, every page marked with when it was frozen."""
    first = views[0][3]["meta"]
    pdf = ReportPDF(f"会议材料 · {title}", _stamp(first, frozen))
    pdf.set_title(title)
    pdf.set_author("财政运行监测驾驶舱")
    pdf.add_page()
    pdf.set_font("cjk", size=20)
    pdf.multi_cell(0, 11, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("cjk", size=9)
    pdf.cell(0, 6, f"{frozen},共 {len(views)} 个视图", align="C", new_x="LMARGIN", new_y="NEXT")
    for index, (heading, note, sections, f) in enumerate(views, start=1):
        if index > 1:
            pdf.add_page()
        pdf.set_font("cjk", size=14)
        pdf.multi_cell(0, 9, f"视图{index} {heading}", align="L", new_x="LMARGIN", new_y="NEXT")
        if note:
            pdf.set_font("cjk", size=10)
            pdf.set_text_color(60, 66, 76)
            pdf.multi_cell(0, 6, f"备注:{note}", align="L", new_x="LMARGIN", new_y="NEXT")
            pdf.set_text_color(0, 0, 0)
        numbers = iter(NUMBERS)
        for key in sections:
            SECTIONS[key](pdf, f, next(numbers))
    return bytes(pdf.output())
