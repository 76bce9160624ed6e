"""Fills the overview page from its drill state."""

from __future__ import annotations

from dash import Dash, Input, Output

from dashboard import format as fmt
from dashboard import views
from dashboard.drill import parse_state
from dashboard.scope import current_scope
from dashboard.store.engine import current_data_version
from queries.overview import MONEY_COLUMNS, region_breakdown
from queries.regions import available_years, region_tree

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
        scope = current_scope()
        tree = region_tree()
        version = current_data_version()
        state = parse_state(query or {}, tree=tree, scope=scope, years=available_years(),
                            data_through=version.data_through)
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
