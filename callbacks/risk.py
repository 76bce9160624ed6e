"""Fills /risk from its drill state; a click on the heatmap opens a cell's evidence or drills into the region."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update

from dashboard.core.drill import clicked_point
from dashboard.core.links import href
from dashboard.risk import monitor as risk
from dashboard.risk.rules import TOPICS
from dashboard.store.engine import current_data_version
from dashboard.ui import chart_data, risk_views, views
from dashboard.ui.figures import risk as figures
from dashboard.web.context import drill_state
from queries.regions import region_tree

PATH = "/risk"


def register(app: Dash) -> None:
    @app.callback(
        Output("risk-notices", "children"),
        Output("risk-title", "children"),
        Output("risk-breadcrumb", "children"),
        Output("risk-freshness", "children"),
        Output("risk-kpis", "children"),
        Output("risk-heatmap-title", "children"),
        Output("risk-heatmap", "figure"),
        Output("risk-heatmap", "style"),
        Output("risk-health-title", "children"),
        Output("risk-health", "figure"),
        Output("risk-health", "style"),
        Output("risk-distribution-title", "children"),
        Output("risk-distribution", "figure"),
        Output("risk-health-table", "children"),
        Output("risk-evidence", "children"),
        *(Output(chart_data.data_id(g), "children") for g in ("risk-heatmap", "risk-health", "risk-distribution")),
        Input("risk-query", "data"),
    )
    def render_risk(query):
        scope, state = drill_state(query)
        tree = region_tree()
        region = tree[state.region]
        health = risk.health_by_child(scope, state)
        own = health[health["code"] == state.region]
        children = health[health["code"] != state.region]
        region_risk = risk.region_risk(scope, state)
        counts = risk.warning_counts(scope, state)
        as_of = f"截至{state.year}年{state.last_month}月末"
        heatmap, ranking = figures.risk_heatmap(risk.risk_matrix(scope, state)), figures.health_ranking(children)
        values = (
            views.notices(state.notices),
            f"{region.name} · 风险监测",
            views.breadcrumb(tree, scope.root, state, PATH),
            views.freshness(current_data_version()),
            risk_views.risk_kpis(own.iloc[0] if len(own) else None, counts, risk.ticket_summary(scope, state)),
            f"风险热力图 · {region.name}下级区划 × 预警专题 · 待处理预警",
            heatmap,
            figures.height_style(heatmap),
            f"财政健康指数排名(0–100)· {as_of}",
            ranking,
            figures.height_style(ranking),
            f"下级区划按最高预警等级分布(个)· {region.name}",
            figures.grade_distribution(region_risk),
            risk_views.health_table(children, region_risk, state),
            None,
        )
        return (*values, *(chart_data.table(values[i + 1], values[i]) for i in (5, 8, 11)))  # 查看数据 of each chart

    @app.callback(
        Output("risk-evidence", "children", allow_duplicate=True),
        Output("risk-nav", "href"),
        Input("risk-heatmap", "clickData"),
        State("risk-query", "data"),
        prevent_initial_call=True,
    )
    def open_cell(click, query):
        """A cell with warnings shows their evidence; a normal cell of a region with children drills into it."""
        point = clicked_point(click)
        # A browser's click on a heatmap cell carries x (topic) and y (region code), never its customdata (see
        # figures.risk_heatmap); the count is not taken from the client: the cell's warnings are looked up.
        code, topic = str(point.get("y", "")), point.get("x")
        if topic not in TOPICS:
            return no_update, no_update  # not a cell of ours: ignore rather than fail
        scope, state = drill_state(query)
        tree = region_tree()
        if code not in tree or not tree.is_within(code, state.region):
            return no_update, no_update
        drillable = bool(tree.children(code))
        found = risk.warnings_in(scope, state, code, topic)
        if len(found) == 0 and drillable:
            return no_update, href(PATH, state, region=code)
        return risk_views.evidence_panel(found, tree.name(code), topic, state, code, drillable), no_update
