"""报告: generate and list monthly reports, put views into meeting packs, open / freeze / share a pack. Every
callback checks the `reports` permission again and works in the session's scope; generating, opening a pack and
each change are audited (downloads are audited by `dashboard.web.reports`)."""

from __future__ import annotations

from collections.abc import Callable

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.core import format as fmt
from dashboard.core.drill import TEXT_MAX, ascii_int
from dashboard.core.roles import may
from dashboard.report import archive, schedule, text
from dashboard.report.figures import Figures, ReportError
from dashboard.state import audit
from dashboard.store.engine import current_data_version
from dashboard.ui import report_views
from dashboard.web.context import current_scope, current_user
from queries.regions import available_years, region_tree

SENTENCES: dict[str, Callable[[Figures], list[str]]] = {
    "overall": text.overall,
    "revenue": text.revenue,
    "spending": text.spending,
    "debt": text.debt,
    "highlights": text.highlights,
    "risk": text.risk,
    "ranking": text.ranking,
}


def _text(value: object) -> str:
    """A text input as the browser sent it, or '' for anything that is not text (a forged request)."""
    return value[: TEXT_MAX * 5] if isinstance(value, str) else ""


def _count(version: object) -> int:
    found = version.get("n") if isinstance(version, dict) else None
    return found if isinstance(found, int) and not isinstance(found, bool) else 0


def _pack_id(value: object) -> int:
    """The pack id a browser sent (a store's value): a whole number, else 0 (no pack has it)."""
    found = ascii_int(value, 9)
    return found if found is not None else 0


def _refused(page: str = "/reports") -> dbc.Alert:
    audit.record("denied", page=page, detail="no reports permission", outcome="denied")
    return dbc.Alert("无权使用报告功能。", color="danger")


def _regions() -> list[dict]:
    tree, scope = region_tree(), current_scope()
    levels = {"province": 0, "city": 1, "county": 2}
    found = [r for code, r in tree.regions.items() if r.level in levels and scope.sees(tree, code)]
    found.sort(key=lambda r: (r.adcode if r.level != "county" else r.parent or "", levels[r.level], r.adcode))
    return [
        {"label": ("" if r.level != "county" else "  ") + f"{r.name}({r.adcode})", "value": r.adcode} for r in found
    ]


def _months() -> tuple[list[dict], str | None]:
    last_year, last_month = schedule.closed_month(current_data_version().data_through)
    options = [
        {"label": f"{y}年{m}月(1-{m}月累计)" if m > 1 else f"{y}年1月", "value": f"{y}-{m:02d}"}
        for y in sorted(available_years(), reverse=True)
        for m in range(12, 0, -1)
        if (y, m) <= (last_year, last_month)
    ]
    return options, (options[0]["value"] if options else None)


def _report_rows() -> list[dict]:
    return [
        {
            "label": r.label,
            "data_through": f"{r.data_through:%Y-%m-%d}",
            "data_version": r.data_version,
            "created_at": f"{r.created_at:%Y-%m-%d %H:%M}",
            "created_by": r.created_by,
            "size_kb": round(r.size / 1024),
            "href": f"/reports/{r.id}.pdf",
        }
        for r in archive.reports(current_scope())
    ]


def _overall_rows(f: Figures) -> list[tuple[str, str]]:
    o, unit = f["overall"], f["meta"]["unit"]
    return [
        (f"一般公共预算收入({unit})", fmt.money(o["revenue"], unit)),
        ("收入同比", fmt.change(o["revenue"], o["revenue_prev"])[0]),
        (f"一般公共预算支出({unit})", fmt.money(o["spending"], unit)),
        ("支出同比", fmt.change(o["spending"], o["spending_prev"])[0]),
        ("预算执行率", fmt.percent(o["execution"])),
        ("序时进度", fmt.percent(o["execution_benchmark"])),
        ("直达资金支付进度", fmt.percent(o["direct_pay"])),
        ("库款保障水平(月)", fmt.number(o["cash_level"])),
    ]


def register(app: Dash) -> None:
    app.clientside_callback(
        "function(path, search) { return '/reports?add=' + encodeURIComponent((path || '/') + (search || '')); }",
        Output("pack-add-link", "href"),
        Input("_pages_location", "pathname"),
        Input("_pages_location", "search"),
    )

    @app.callback(
        Output("reports-region", "options"),
        Output("reports-region", "value"),
        Output("reports-month", "options"),
        Output("reports-month", "value"),
        Input("reports-region", "id"),
    )
    def choices(_id):
        if not may(current_user(), "reports"):
            return [], None, [], None
        regions = _regions()
        months, month = _months()
        return regions, (regions[0]["value"] if regions else None), months, month

    @app.callback(
        Output("reports-result", "children"),
        Output("reports-pack-message", "children"),
        Output("reports-version", "data"),
        Input("reports-generate", "n_clicks"),
        Input("reports-pack-create", "n_clicks"),
        Input("reports-add", "n_clicks"),
        State("reports-region", "value"),
        State("reports-month", "value"),
        State("reports-pack-title", "value"),
        State("reports-add-url", "value"),
        State("reports-add-pack", "value"),
        State("reports-add-note", "value"),
        State("reports-version", "data"),
        prevent_initial_call=True,
    )
    def act(_generate, _create, _add, region, month, title, url, pack, note, version):
        user = current_user()
        if user is None or not may(user, "reports"):
            return _refused(), None, no_update
        bump = {"n": _count(version) + 1}
        region, month, title, url, note = (_text(v) for v in (region, month, title, url, note))
        try:
            if ctx.triggered_id == "reports-generate":
                if not region or not month:
                    raise ReportError("请选择区划和月份。")
                year, number = (int(x) for x in str(month).split("-"))
                report, new = archive.monthly(current_scope(), str(region), year, number, user.username)
                audit.record("report", region=report.region_code, params={"report": report.id}, detail=report.label)
                message = f"{'已生成' if new else '该数据版本的报告已存在'}:{report.label}"
                link = dbc.Button("下载 PDF", href=f"/reports/{report.id}.pdf", size="sm", className="ms-2")
                return dbc.Alert([message, link], color="success", id="reports-made"), None, bump
            if ctx.triggered_id == "reports-pack-create":
                pack_id = archive.create_pack(user, title or "")
                audit.record("pack", params={"pack": pack_id}, detail=f"新建:{(title or '').strip()[:100]}")
                return no_update, dbc.Alert("已新建材料包。", color="success"), {**bump, "select": pack_id}
            if ctx.triggered_id == "reports-add":
                if not pack:
                    raise ReportError("请选择材料包(或先新建一个)。")
                view = archive.add_view(user, _pack_id(pack), url or "", note or "")
                audit.record("pack", region=view.region_code, params={"pack": pack}, detail=f"加入视图:{view.link}")
                return no_update, dbc.Alert(f"已加入:{view.heading}", color="success"), bump
        except (ReportError, ValueError) as error:
            message = str(error) if isinstance(error, ReportError) else "输入无效。"
            alert = dbc.Alert(message, color="warning")
            return (alert, None, no_update) if ctx.triggered_id == "reports-generate" else (no_update, alert, no_update)
        raise PreventUpdate

    @app.callback(
        Output("reports-list", "children"),
        Output("reports-packs", "children"),
        Output("reports-add-pack", "options"),
        Output("reports-add-pack", "value"),
        Input("reports-version", "data"),
        State("reports-add-pack", "value"),
    )
    def lists(version, chosen):
        user = current_user()
        if user is None or not may(user, "reports"):
            return _refused(), None, [], None
        packs = archive.packs(user)
        rows = [
            {
                "title": p.title,
                "owner": p.owner,
                "views": len(p.views),
                "state": p.frozen_label,
                "href": f"/reports?pack={p.id}",
                "pdf": f"/packs/{p.id}.pdf",
            }
            for p in packs
        ]
        drafts = [{"label": p.title, "value": p.id} for p in packs if p.owner == user.username and p.frozen_at is None]
        ids = [d["value"] for d in drafts]
        made = version.get("select") if isinstance(version, dict) else None  # a pack just made is the one to add to
        value = made if made in ids else chosen if chosen in ids else (ids[0] if ids else None)
        return report_views.reports_table(_report_rows()), report_views.packs_table(rows), drafts, value

    @app.callback(
        Output("pack-head", "children"),
        Output("pack-views", "children"),
        Output("pack-actions", "style"),
        Output("pack-freeze", "disabled"),
        Input("pack-version", "data"),
        State("pack-id", "data"),
    )
    def show_pack(version, pack_id):
        user = current_user()
        if user is None or not may(user, "reports"):
            return _refused(), None, {"display": "none"}, True
        pack = archive.get_pack(user, _pack_id(pack_id))
        if pack is None:
            audit.record("denied", page="/reports", detail=f"pack {pack_id} missing or not shared", outcome="denied")
            return dbc.Alert("没有这个会议材料包,或它没有共享给您。", color="danger"), None, {"display": "none"}, True
        if not version:  # the page load, not a refresh after an action of one's own
            audit.record(
                "pack", params={"pack": pack.id, "data_version": pack.data_version}, detail=f"打开:{pack.title}"
            )
        cards = []
        for index, view in enumerate(pack.views, start=1):
            figures = archive.view_figures(user, view, pack)
            sentences = [
                s for key in archive.VIEW_SECTIONS.get(view.path, ("overall",)) for s in SENTENCES[key](figures)
            ]
            cards.append(
                report_views.view_card(index, view.heading, view.note, view.link, sentences, _overall_rows(figures))
            )
        editable = pack.owner == user.username
        head = report_views.pack_head(
            pack.title, pack.frozen_label, pack.frozen_at is not None, f"/packs/{pack.id}.pdf"
        )
        return (
            head,
            cards or dbc.Alert("材料包还没有视图。", color="secondary"),
            None if editable else {"display": "none"},
            pack.frozen_at is not None,
        )

    @app.callback(
        Output("pack-message", "children"),
        Output("pack-version", "data"),
        Input("pack-freeze", "n_clicks"),
        Input("pack-share", "n_clicks"),
        State("pack-id", "data"),
        State("pack-share-users", "value"),
        State("pack-version", "data"),
        prevent_initial_call=True,
    )
    def change_pack(_freeze, _share, pack_id, users, version):
        user = current_user()
        if user is None or not may(user, "reports"):
            return _refused(), no_update
        try:
            if ctx.triggered_id == "pack-freeze":
                pack = archive.freeze(user, _pack_id(pack_id))
                audit.record("pack", params={"pack": pack.id, "data_version": pack.data_version}, detail="冻结")
                return dbc.Alert(pack.frozen_label, color="success"), _pack_id(version) + 1
            if ctx.triggered_id == "pack-share":
                shared = archive.share(user, _pack_id(pack_id), _text(users).replace(",", ",").split(","))
                audit.record("pack", params={"pack": pack_id, "shared_with": list(shared)}, detail="共享")
                return dbc.Alert(f"已共享给:{'、'.join(shared) or '(无)'}", color="success"), _pack_id(version) + 1
        except ReportError as error:
            return dbc.Alert(str(error), color="warning"), no_update
        raise PreventUpdate
