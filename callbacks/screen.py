"""Fills the big screen from its URL; drills on a map click; redraws on refresh only when a new load arrived."""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, ctx, no_update
from dash.development.base_component import Component
from dash.exceptions import PreventUpdate

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState, clicked_point, viewport_size
from dashboard.core.links import href
from dashboard.core.reporting import coverage_text
from dashboard.risk import monitor as risk
from dashboard.state import present
from dashboard.store.engine import current_data_version
from dashboard.ui import chart_data, geo, views
from dashboard.ui import cockpit_views as cv
from dashboard.ui.figures import cockpit as figures
from dashboard.ui.figures.theme import resolve_theme
from dashboard.ui.present_views import BOARD_NAMES
from dashboard.web.context import current_user, drill_state
from pages.screen import BOARDS, PATH
from queries import cockpit, metrics, reporting
from queries.regions import region_tree

TILE_TOPICS = {  # a tile opens its topic page for the same region and period
    "kpi-revenue": "/revenue",
    "kpi-spending": "/spending",
    "kpi-execution": "/spending",
    "kpi-direct": "/transfers",
    "kpi-cash": "/debt",
    "kpi-month": "/spending",
}
CHARTS = ("screen-map", "screen-revenue-mix", "screen-functions", "screen-trend")
BOARD_METRICS = {"overview": "execution", "revenue": "revenue_yoy", "spending": "execution", "risk": "risk"}
OUTPUTS = [
    "screen-notices.children",
    "screen-title.children",
    "screen-breadcrumb.children",
    "screen-freshness.children",
    "screen-kpis.children",
    "screen-map-title.children",
    "screen-map.figure",
    "screen-map-legend.children",
    "screen-revenue-mix.figure",
    "screen-functions.figure",
    "screen-trend.figure",
    "screen-side-title.children",
    "screen-side.children",
    "screen-ticker.children",
    *(f"{chart_data.data_id(g)}.{chart_data.PROP}" for g in CHARTS),  # each chart's table for screen readers
]


def _target(output: str) -> tuple[str, str]:
    """'screen-map.figure' → ('screen-map', 'figure')."""
    component, prop = output.split(".")
    return component, prop


def query_of(search: str | None) -> dict[str, list[str]]:
    return parse_qs((search or "").lstrip("?"))


HEAD = 5  # the first OUTPUTS: notices, title, breadcrumb, 数据截至 and the KPI tiles


def head(state: DrillState, scope, tile_links: bool = True) -> list:
    """The screen's header and KPI tiles for one drill state (the first HEAD of OUTPUTS); `tile_links`: each tile
    opens its topic page (not on a wall a presenter drives: the tablet decides what the room sees)."""
    tree = region_tree()
    region = tree[state.region]
    totals = cockpit.region_totals(cockpit.region_indicators(scope, state), state)
    coverage = reporting.coverage(scope, state)
    unit = fmt.fitting_unit(totals["revenue"], totals["spending"])  # one unit for every chart and table of the wall
    return [
        views.notices(state.notices),
        f"{region.name}财政运行监测 · {state.period_label}",
        views.breadcrumb(tree, scope.root, state, PATH),
        f"数据截至 {current_data_version().data_through:%Y年%m月%d日} · {coverage_text(coverage)} · 单位:{unit}",
        cv.screen_kpis(
            cv.headline(totals, state, metrics.definitions(), coverage),
            {kpi: href(topic, state) for kpi, topic in TILE_TOPICS.items()} if tile_links else None,
        ),
    ]


def first_paint(query) -> dict:
    """The header and KPI tiles in the page's layout, before any callback (dashboard.web.pageload), as `render`
    shows them; the charts wait for the browser's size. A wall (`?wall=`) waits to learn whether a presenter
    drives it before its tiles link anywhere."""
    scope, state = drill_state(query)
    return dict(zip(OUTPUTS, head(state, scope, tile_links=not (query or {}).get("wall"))))


def render(state: DrillState, scope, viewport: dict, metric: str, link_params: dict, tile_links: bool = True) -> list:
    """Everything on the screen for one drill state, in OUTPUTS order; `tile_links` as in `head`."""
    tree = region_tree()
    region = tree[state.region]
    indicators = cockpit.region_indicators(scope, state)
    risk_rows = risk.region_risk(scope, state)
    totals = cockpit.region_totals(indicators, state)
    unit = fmt.fitting_unit(totals["revenue"], totals["spending"])  # one unit for every chart and table of the wall
    width, height = viewport_size(viewport, (1920.0, 1080.0))
    wall = width >= 1200 and width > height  # else the tablet/phone layout: one or two columns, the map full width
    font_px = max(12.0, 0.019 * height) if wall else 14.0  # × 0.85 for ticks: still ≥ 1.6% of the height
    screen = resolve_theme("screen", font_px)

    parent, only, selected = cv.map_scope(tree, state)
    shown = cv.map_values(cv.map_rows(indicators, state, region, only), risk_rows, metric)
    share = figures.map_share(metric, only is not None)
    centre, zoom = figures.map_view(
        geo.bounds(parent, only),
        width * (0.36 if wall else 0.85) * share,
        height * 0.58 if wall else max(320, height * 0.56),
    )
    map_figure = figures.region_map(
        shown, metric, geo.outline_url(parent), centre, zoom, screen, selected, geo.anchors(parent)
    )

    side: Component
    if tree.children(region.adcode):
        side_title = "重点关注地区 · 前五"
        side = cv.attention(indicators, risk_rows, state, PATH, unit, **link_params)
    else:
        side_title = f"{region.name} · 支出去向"
        side = cv.payee_tables(
            cockpit.top_payees(scope, state, "agency", 6), cockpit.top_payees(scope, state, "project", 6), unit
        )
    child_level = tree.children(region.adcode)[0].level if tree.children(region.adcode) else None
    map_title = (
        f"下级区划 · {figures.MAP_METRICS[metric]}" if child_level else f"{region.name} · {figures.MAP_METRICS[metric]}"
    )
    values = [
        *head(state, scope, tile_links),
        map_title,
        map_figure,
        cv.map_legend(shown, metric),
        figures.revenue_mix(cockpit.revenue_items(scope, state), unit, screen),
        figures.function_bars(cockpit.spending_by_function(scope, state), unit, screen),
        figures.monthly_trend(cockpit.monthly_trend(scope, state), state.year, unit, screen),
        side_title,
        side,
        cv.ticker(risk.latest_warnings(scope, state, limit=12)),
    ]
    figures_at = [OUTPUTS.index(f"{g}.figure") for g in CHARTS]
    captions = [map_title, "收入结构 · 税收与非税", "支出结构 · 前10类", "月度趋势 · 本年与上年"]
    return [*values, *(chart_data.table(values[i], f"{c} · 单位:{unit}") for i, c in zip(figures_at, captions))]


def register(app: Dash) -> None:
    app.clientside_callback(
        "function(path) { return {width: window.innerWidth, height: window.innerHeight}; }",
        Output("screen-viewport", "data"),
        Input("screen-url", "pathname"),
    )

    app.clientside_callback(  # ?rotate=<seconds>: a tick a second; the next board every `seconds` (in the browser)
        f"""function(n, seconds) {{
            const order = {json.dumps(list(BOARDS))}, metrics = {json.dumps(BOARD_METRICS)};
            const names = {json.dumps(BOARD_NAMES, ensure_ascii=False)};
            const no = window.dash_clientside.no_update;
            if (!seconds) {{ return [no, no, no, no, no]; }}
            n = n || 0;
            const index = Math.floor(n / seconds) % order.length, board = order[index];
            const done = ((n % (seconds * order.length)) + 1) / (seconds * order.length);
            const percent = Math.min(100, Math.round(done * 100));
            document.querySelectorAll('#rotate-steps .rotate-step').forEach(
                (s, i) => s.classList.toggle('rotate-step-current', i === index));
            const turn = n % seconds === 0;
            return [turn ? 'screen-grid board-' + board : no, turn ? metrics[board] : no,
                    names[board] + ' ' + (index + 1) + '/' + order.length, {{width: percent + '%'}},
                    percent];
        }}""",
        Output("screen-grid", "className"),
        Output("screen-metric", "value"),
        Output("rotate-current", "children"),
        Output("rotate-fill", "style"),
        Output("rotate-progress", "aria-valuenow"),
        Input("screen-rotate", "n_intervals"),
        State("screen-rotate-seconds", "data"),
        prevent_initial_call=True,
    )

    app.clientside_callback(  # 暂停轮播 / 继续轮播: the tick stops, the board and the cycle's progress stay
        """function(clicks) {
            const paused = (clicks || 0) % 2 === 1;
            return [paused, paused ? '继续轮播' : '暂停轮播', paused ? 'true' : 'false'];
        }""",
        Output("screen-rotate", "disabled", allow_duplicate=True),
        Output("rotate-toggle", "children"),
        Output("rotate-toggle", "aria-pressed"),
        Input("rotate-toggle", "n_clicks"),
        prevent_initial_call=True,
    )

    @app.callback(
        Output("screen-url", "search"),
        Output("screen-version", "data"),
        *(Output(*_target(o)) for o in OUTPUTS),
        Input("screen-url", "search"),
        Input("screen-viewport", "data"),
        Input("screen-map", "clickData"),
        Input("screen-metric", "value"),
        Input("screen-refresh", "n_intervals"),
        State("screen-version", "data"),
    )
    def render_screen(search, viewport, click, metric, _tick, shown):
        """`shown` remembers the data version and URL on screen: a refresh with no new load, or the echo of the URL
        this callback itself just pushed, sends nothing."""
        if not viewport:
            raise PreventUpdate  # the browser reports its size first, so fonts fit the wall
        version = current_data_version()
        shown = shown if isinstance(shown, dict) else {}
        unchanged = shown.get("version") == version.key
        if unchanged and (
            ctx.triggered_id == "screen-refresh" or (ctx.triggered_id == "screen-url" and shown.get("search") == search)
        ):
            return [no_update] * (2 + len(OUTPUTS))  # nothing new: send nothing, redraw nothing
        tree = region_tree()
        query = query_of(search)
        wall = present.wall_of(query, current_user())  # presenter mode: (wall, who drives it) or None
        scope, state = drill_state(query, present.effective_scope(tree, wall, current_user()) if wall else None)
        if scope.root is None:
            raise PreventUpdate  # the wall's and its presenter's scopes no longer nest: show nothing new
        metric = metric if metric in figures.MAP_METRICS else "execution"
        link_params = {"metric": metric, "rotate": (query.get("rotate") or [None])[0]}
        link_params |= {k: (query.get(k) or [None])[0] for k in ("wall", "board") if query.get(k)}
        new_search = no_update
        if ctx.triggered_id == "screen-map" and clicked_point(click) and not (wall and wall.presenter):
            code = str(clicked_point(click).get("location", ""))
            if code in tree and tree[code].parent == state.region:
                state = DrillState(code, state.year, state.first_month, state.last_month)
                new_search = "?" + href(PATH, state, **link_params).split("?", 1)[1]
        elif (
            ctx.triggered_id == "screen-metric"
            and not link_params["rotate"]
            and query.get("metric", [None])[0] != metric
        ):
            new_search = "?" + href(PATH, state, **link_params).split("?", 1)[1]
        on_screen = {"version": version.key, "search": search if new_search is no_update else new_search}
        driven = bool(wall and wall.presenter)
        return [new_search, on_screen, *render(state, scope, viewport, metric, link_params, not driven)]
