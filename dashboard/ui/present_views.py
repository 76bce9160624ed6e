"""Presenter mode's components: the wall's pairing card and presenter strip, the tablet's wall list and drill
buttons. Plain values in, Dash components out; the QR code is drawn here (segno, an inline SVG as a data: URL),
so nothing is fetched from another host."""

from __future__ import annotations

import datetime as dt

import segno
from dash import dcc, html

from dashboard.ui.props import wildcard

BOARD_NAMES = {"overview": "综合", "revenue": "收入", "spending": "支出", "risk": "风险"}


def qr_data_url(url: str) -> str:
    """The QR code of `url` as an SVG data: URL (the page's CSP allows data: images)."""
    return segno.make(url, error="m").svg_data_uri(scale=6, border=2, dark="#000", light="#fff")


def wall_slots(poll_ms: int) -> list:
    """What `/screen?wall=…` adds to the wall: its poll, what it last showed, and the banner."""
    return [
        dcc.Interval(id="wall-poll", interval=poll_ms),
        dcc.Store(id="wall-seen"),
        html.Div(id="wall-banner", className="wall-banner", role="status", **wildcard({"aria-live": "polite"})),
    ]


def wall_banner(
    wall_id: str,
    code: str,
    pair_url: str,
    presenter: str | None,
    role: str | None,
    live: bool,
    seen: dt.datetime | None,
) -> html.Div:
    """No presenter: the pairing code (and its QR code, which opens `/present?pair=<code>` on this host).
    A presenter: who, and whether their tablet is still there (the wall keeps its last view either way)."""
    if presenter is None:
        return html.Div(
            [
                html.Img(src=qr_data_url(pair_url), alt=f"扫码配对大屏 {wall_id}", className="wall-qr"),
                html.Div(
                    [
                        html.Div(f"大屏 {wall_id} · 配对码", className="wall-code-label"),
                        html.Div(code, className="wall-code", id="wall-code"),
                        html.Div("在平板上打开 /present 输入配对码,或扫码", className="wall-code-hint"),
                    ]
                ),
            ],
            className="wall-pairing",
            id="wall-pairing",
        )
    status = (
        "演示中"
        if live
        else f"演示端已离开(最后操作 {seen:%H:%M} UTC),保持当前画面并继续刷新"
        if seen
        else "演示端已离开"
    )
    return html.Div(
        [
            html.Span("演示者:", className="wall-presenter-label"),
            html.Span(f"{presenter}({role})", id="wall-presenter"),
            html.Span(f" · {status}", className="wall-presenter-status"),
        ],
        className="wall-presenting" + ("" if live else " wall-away"),
        id="wall-presenting",
    )


def paired_walls(walls: list[tuple[str, bool]]) -> html.Div | html.Ul:
    """The walls this presenter drives (id, tablet heard from recently), each with its 结束演示 button."""
    if not walls:
        return html.Div(
            "尚未配对大屏。在大屏上打开 /screen?wall=编号 查看配对码。",
            className="text-muted",
            id="present-walls-empty",
        )
    return html.Ul(
        [
            html.Li(
                [
                    html.Span(f"大屏 {wall_id}", className="present-wall-name"),
                    html.Span(" · 已同步", className="text-success"),
                    html.Button(
                        "结束演示",
                        id={"type": "present-unpair", "wall": wall_id},
                        className="btn btn-outline-secondary present-touch ms-2",
                        **wildcard({"aria-label": f"结束大屏 {wall_id} 的演示"}),
                    ),
                ],
                className="present-wall",
                **wildcard({"data-wall": wall_id}),
            )
            for wall_id, _live in walls
        ],
        className="present-walls list-unstyled",
        id="present-wall-list",
    )


def crumbs(path: list[tuple[str, str]]) -> html.Nav:
    """The breadcrumb from the presenter's root to the current region; every level but the last drills back up."""
    items: list[html.Span | html.Button] = []
    for i, (code, name) in enumerate(path):
        if i == len(path) - 1:
            items.append(html.Span(name, className="present-crumb-current", **wildcard({"aria-current": "page"})))
        else:
            items.append(
                html.Button(name, id={"type": "present-drill", "region": code}, className="btn btn-link present-touch")
            )
            items.append(html.Span("›", className="present-crumb-sep", **wildcard({"aria-hidden": "true"})))
    return html.Nav(items, className="present-crumbs", **wildcard({"aria-label": "区划层级"}))


def drill_buttons(rows: list[tuple[str, str, str]]) -> html.Div | html.P:
    """(code, name, figures) of each child region as a touch-sized button that drills the tablet and the walls."""
    if not rows:
        return html.P("已到最末级区划。", className="text-muted")
    return html.Div(
        [
            html.Button(
                [
                    html.Span(name, className="present-child-name"),
                    html.Span(figures, className="present-child-figures"),
                ],
                id={"type": "present-drill", "region": code},
                className="btn btn-outline-primary present-child present-touch",
                **wildcard({"data-region": code}),
            )
            for code, name, figures in rows
        ],
        className="present-children",
        id="present-child-list",
    )


def rotation_bar(seconds: int) -> html.Div:
    """The board cycle of `?rotate=<seconds>` made visible: which board, how far through the cycle, and a named
    pause / resume button (a real button: Tab reaches it, Enter and Space press it). The screen's clientside
    rotation callback fills it every second."""
    steps = [
        html.Li(name, className="rotate-step", **wildcard({"data-board": key})) for key, name in BOARD_NAMES.items()
    ]
    return html.Div(
        [
            html.Span("看板轮播", className="rotate-label"),
            html.Ol(steps, className="rotate-steps", id="rotate-steps"),
            html.Span(f"综合 1/{len(BOARD_NAMES)}", id="rotate-current", className="rotate-current"),
            html.Div(
                html.Div(className="rotate-fill", id="rotate-fill", style={"width": "0%"}),
                id="rotate-progress",
                className="rotate-progress",
                role="progressbar",
                **wildcard(
                    {"aria-label": "本轮轮播进度", "aria-valuemin": "0", "aria-valuemax": "100", "aria-valuenow": "0"}
                ),
            ),
            html.Button(
                "暂停轮播",
                id="rotate-toggle",
                className="rotate-toggle",
                type="button",
                **wildcard({"aria-pressed": "false", "data-seconds": str(seconds)}),
            ),
        ],
        className="rotate-bar",
        id="rotate-bar",
        role="group",
        **wildcard({"aria-label": f"看板轮播,每 {seconds} 秒切换"}),
    )
