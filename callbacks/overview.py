"""Fills the overview page from its drill state."""

from __future__ import annotations

from dash import Dash, Input, Output

from dashboard import format as fmt
from dashboard import views
from dashboard.store.engine import current_data_version
from queries.overview import MONEY_COLUMNS, region_breakdown
from callbacks._drill import drill_state
from queries.regions import region_tree

PATH = "/"


def register(app: Dash) -> None:
    @app.callback(
        Output("overview-notices", "children"),
        Output("overview-title", "children"),
        Output("overview-breadcrumb", "children"),
        Output("overview-freshness", "children"),
        Output("overview-kpis", "children"),
        Output("overview-table", "children"),
        Input("overview-query", "data"),
    )
    def render_overview(query):
        scope, state = drill_state(query)
        tree = region_tree()
        version = current_data_version()
        rows = region_breakdown(scope, state)
        totals = rows[MONEY_COLUMNS].sum()
        region = tree[state.region]
        unit = fmt.unit_for_level(region.level)
        children = tree.children(region.adcode)
        return (
            views.notices(state.notices),
            f"{region.name} · 财政运行总览 · {state.period_label}",
            views.breadcrumb(tree, scope.root, state, PATH),
            views.freshness(version),
            views.kpi_cards(totals, state, unit),
            views.region_table(rows, totals, state, unit, PATH, children[0].level if children else None),
        )
