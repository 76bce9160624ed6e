"""QR codes of the village pages: the URL each encodes, an inline SVG for the web pages, and the printable A4
sheet (one page per village) that `python -m dashboard qrcodes` writes and the staff page downloads.

The PDF is drawn with fpdf2: it embeds and subsets an OpenType font with CFF outlines, which is what the
machine's CJK fonts are (fonts-noto-cjk ships NotoSansCJK-*.ttc; reportlab cannot embed CFF). The QR modules are
drawn as vector squares, so the code stays sharp at any print size.
"""

from __future__ import annotations

from collections.abc import Sequence

import segno
from fpdf import FPDF

from dashboard.core import settings
from dashboard.core.fonts import face_index, font_path
from dashboard.public import PREFIX
from queries.public import Village


def village_path(v: Village) -> str:
    return f"{PREFIX}/{v.county}/{v.key}"


def village_url(v: Village) -> str:
    return settings.get("PUBLIC_BASE_URL").rstrip("/") + village_path(v)


def svg(url: str, scale: int = 8) -> str:
    """The QR code of `url` as an inline <svg> element sized by CSS (no script, no external reference)."""
    return segno.make(url, error="m").svg_inline(scale=scale, border=4, dark="#000", light="#fff", omitsize=True)


def _pdf() -> FPDF:
    pdf = FPDF(format="A4", unit="mm")
    path = font_path()
    pdf.add_font("cjk", fname=path, collection_font_number=face_index(path))
    pdf.set_auto_page_break(False)
    pdf.set_creator("财政运行监测驾驶舱")
    return pdf


def _draw_qr(pdf: FPDF, url: str, x: float, y: float, size: float) -> None:
    code = segno.make(url, error="m")
    rows = [list(row) for row in code.matrix_iter(scale=1, border=4)]
    module = size / len(rows)
    pdf.set_fill_color(0, 0, 0)
    for r, row in enumerate(rows):
        c = 0
        while c < len(row):  # one rectangle per run of dark modules in a row
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                pdf.rect(x + start * module, y + r * module, (c - start) * module, module, style="F")
            else:
                c += 1


def qr_sheet(county_name: str, villages: Sequence[Village]) -> bytes:
    """An A4 page per village: its name, its QR code to the village page, the URL and how to use it."""
    pdf = _pdf()
    pdf.set_title(f"{county_name} 村务公开二维码")
    for v in villages:
        url = village_url(v)
        pdf.add_page()
        pdf.set_font("cjk", size=20)
        pdf.set_y(22)
        pdf.cell(0, 10, "惠民惠农财政补贴 村务公开", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=34)
        pdf.cell(0, 20, f"{v.township} {v.name}", align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("cjk", size=14)
        pdf.cell(0, 8, county_name, align="C", new_x="LMARGIN", new_y="NEXT")
        _draw_qr(pdf, url, x=45, y=75, size=120)
        pdf.set_y(202)
        pdf.set_font("cjk", size=18)
        pdf.multi_cell(0, 9, "用手机扫码\n查看本村补贴公示 · 输入本人姓名和身份证号查询本人补贴", align="C")
        pdf.set_y(224)
        pdf.set_font("cjk", size=11)
        pdf.cell(0, 8, url, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.set_y(250)
        pdf.set_font("cjk", size=11)
        pdf.multi_cell(
            0,
            6,
            "公示内容:姓名(部分隐去)、补贴项目、发放月份、金额。不公示身份证号码和银行账号。\n"
            "查询本人补贴不需要注册登录;查询记录留痕,请勿查询他人信息。如有疑问请向乡镇财政所反映。",
            align="C",
        )
    return bytes(pdf.output())
