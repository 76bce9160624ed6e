"""Fills the overview page from its drill state; a map tap or a filter change navigates to the new URL."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate

from dashboard.core import format as fmt
from dashboard.core.drill import clicked_point, viewport_size
from dashboard.core.links import href
from dashboard.risk import monitor as risk
from dashboard.store.engine import current_data_version
from dashboard.ui import chart_data, geo, views
from dashboard.ui import cockpit_views as cv
from dashboard.ui.figures import cockpit as figures
from dashboard.web.context import drill_state
from dashboard.web.render_cache import cached_render
from queries import cockpit, metrics, reporting
from queries.regions import available_years, region_tree

PATH = "/"
CHARTS = ("overview-map", "overview-revenue-mix", "overview-functions", "overview-trend")


HEAD = (  # what `render_overview` fills, in its order; the page's first paint carries all of it
    "overview-notices.children",
    "overview-title.children",
    "overview-breadcrumb.children",
    "overview-freshness.children",
    "overview-kpis.children",
    "overview-table.children",
)


def _state(query):
    scope, state = drill_state(query)
    return scope, current_data_version(), state


def _overview(query) -> tuple:
    """The page's head (notices, title, breadcrumb, 数据截至, the KPI row; HEAD order) and the region table."""
    scope, version, state = _state(query)
    tree = region_tree()
    rows = cockpit.region_indicators(scope, state)
    totals = cockpit.region_totals(rows, state)
    region = tree[state.region]
    unit = fmt.unit_for_level(region.level)
    children = tree.children(region.adcode)
    coverage = reporting.coverage(scope, state)
    return (
        views.notices(state.notices),
        f"{region.name} · 财政运行总览 · {state.period_label}",
        views.breadcrumb(tree, scope.root, state, PATH),
        views.freshness(version, coverage),
        views.kpi_cards(totals, state, unit, coverage),
        views.region_table(rows, totals, state, unit, PATH, children[0].level if children else None),
    )


def _more_kpis(totals, state, coverage):
    """直达资金支付进度, 库款保障水平 and 本月支付: the big screen's tiles that the first KPI row has not."""
    kpis = cv.headline(totals, state, metrics.definitions(), coverage)
    return views.kpi_row([k for k in kpis if k.kpi_id in ("kpi-direct", "kpi-cash", "kpi-month")], lg=4)


def first_paint(query) -> dict:
    """What the page's layout carries before any callback (dashboard.web.pageload): its head, both KPI rows, the
    region table and the filters' values, computed as `render_overview` and `render_cockpit` compute them. Every
    layout of the page is built with them (the first load's and the router's), so `render_overview` never has to
    run for a new page: it answers a changed query only."""
    head = _overview(query)
    scope, _version, state = _state(query)
    totals = cockpit.region_totals(cockpit.region_indicators(scope, state), state)
    return {
        **dict(zip(HEAD, head)),
        "overview-more-kpis.children": _more_kpis(totals, state, reporting.coverage(scope, state)),
        "overview-year.options": _years(),
        "overview-year.value": str(state.year),
        "overview-period.value": state.period,
    }


def _years() -> list[dict]:
    return [{"label": f"{y}年", "value": str(y)} for y in reversed(available_years())]


def register(app: Dash) -> None:
    @app.callback(
        Output("overview-notices", "children"),
        Output("overview-title", "children"),
        Output("overview-breadcrumb", "children"),
        Output("overview-freshness", "children"),
        Output("overview-kpis", "children"),
        Output("overview-table", "children"),
        Input("overview-query", "data"),
        prevent_initial_call=True,  # the layout holds all of it (first_paint)
    )
    @cached_render()
    def render_overview(query):
        return _overview(query)

    app.clientside_callback(
        "function(data) { return {width: window.innerWidth, height: window.innerHeight}; }",
        Output("overview-viewport", "data"),
        Input("overview-query", "data"),
    )

    @app.callback(  # not the filters: the layout holds their values (first_paint), and setting them would fire
        # `navigate` (an input changed) for nothing on every load
        Output("overview-more-kpis", "children"),
        Output("overview-map-title", "children"),
        Output("overview-map", "figure"),
        Output("overview-map-legend", "children"),
        Output("overview-mix-title", "children"),
        Output("overview-revenue-mix", "figure"),
        Output("overview-functions-title", "children"),
        Output("overview-functions", "figure"),
        Output("overview-trend-title", "children"),
        Output("overview-trend", "figure"),
        Output("overview-leaf", "children"),
        *(Output(chart_data.data_id(g), chart_data.PROP) for g in CHARTS),
        Input("overview-query", "data"),
        Input("overview-metric", "value"),
        Input("overview-viewport", "data"),
    )
    @cached_render(risk.state_version)
    def render_cockpit(query, metric, viewport):
        """The cockpit's metrics on the analyst page: the same queries and builders as /screen, light theme."""
        if not viewport:
            raise PreventUpdate
        scope, _version, state = _state(query)
        tree = region_tree()
        region = tree[state.region]
        unit = fmt.unit_for_level(region.level)
        metric = metric if metric in figures.MAP_METRICS else "execution"
        indicators = cockpit.region_indicators(scope, state)
        risk_rows = risk.region_risk(scope, state)
        parent, only, selected = cv.map_scope(tree, state)
        shown = cv.map_values(cv.map_rows(indicators, state, region, only), risk_rows, metric)
        width = min(viewport_size(viewport, (1440.0, 900.0))[0] - 48, 720)
        centre, zoom = figures.map_view(
            geo.bounds(parent, only), width * 0.85 * figures.map_share(metric, only is not None), 380
        )
        leaf = (
            None
            if tree.children(region.adcode)
            else cv.payee_tables(
                cockpit.top_payees(scope, state, "agency", 8), cockpit.top_payees(scope, state, "project", 8), unit
            )
        )
        values = (
            _more_kpis(cockpit.region_totals(indicators, state), state, reporting.coverage(scope, state)),
            f"{'下级区划' if only is None else region.name} · {figures.MAP_METRICS[metric]} · {state.period_label}",
            figures.region_map(
                shown, metric, geo.outline_url(parent), centre, zoom, "desk", selected, geo.anchors(parent)
            ),
            cv.map_legend(shown, metric),
            f"收入结构 · {state.period_label} · 单位:{unit}",
            figures.revenue_mix(cockpit.revenue_items(scope, state), unit, "desk"),
            f"支出结构(前10类)· {state.period_label} · 单位:{unit}",
            figures.function_bars(cockpit.spending_by_function(scope, state), unit, "desk"),
            f"月度趋势 · {state.year}年与{state.year - 1}年 · 单位:{unit}",
            figures.monthly_trend(cockpit.monthly_trend(scope, state), state.year, unit, "desk"),
            leaf,
        )
        # each chart's "查看数据" table from its own figure, captioned by its card's title (CHARTS order)
        return (*values, *(chart_data.table(values[i + 1], values[i]) for i in (1, 4, 6, 8)))

    @app.callback(
        Output("overview-nav", "href"),
        Input("overview-map", "clickData"),
        Input("overview-year", "value"),
        Input("overview-period", "value"),
        State("overview-query", "data"),
        prevent_initial_call=True,
    )
    def navigate(click, year, period, query):
        """A tapped region or a changed filter becomes a new URL (a history entry, so back returns)."""
        _scope, _version, state = _state(query)
        if ctx.triggered_id == "overview-map":
            code = str(clicked_point(click).get("location", ""))
            tree = region_tree()
            if code not in tree or tree[code].parent != state.region:
                return no_update
            return href(PATH, state, region=code)
        if str(year) == str(state.year) and str(period) == state.period:
            return no_update  # the page just showed its own state in the filters
        return href(PATH, state, year=year, period=period)
