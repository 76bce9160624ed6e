"""Fills /risk from its drill state; a click on the heatmap opens a cell's evidence or drills into the region."""

from __future__ import annotations

from dash import Dash, Input, Output, State, no_update

from dashboard.core.drill import browser_mapping, clicked_point
from dashboard.core.links import href
from dashboard.core.peers import rank_mode
from dashboard.risk import monitor as risk
from dashboard.risk.rules import TOPICS
from dashboard.store.engine import current_data_version
from dashboard.ui import chart_data, ranking_views, risk_views, views
from dashboard.ui.figures import risk as figures
from dashboard.web.context import drill_state
from queries import metrics, reporting
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
        *(Output(chart_data.data_id(g), chart_data.PROP) for g in ("risk-heatmap", "risk-health", "risk-distribution")),
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
            views.freshness(current_data_version(), reporting.coverage(scope, state)),
            risk_views.risk_kpis(own.iloc[0] if len(own) else None, counts, risk.ticket_summary(scope, state)),
            f"风险热力图 · {region.name}下级区划 × 预警专题 · 待处理预警",
            heatmap,
            figures.height_style(heatmap),
            f"财政健康指数排名(0–100)· {as_of}",
            ranking,
            figures.height_style(ranking),
            f"下级区划按最高预警等级分布(个)· {region.name}",
            figures.grade_distribution(region_risk),
            _ranking(scope, state, query, children, region_risk),
            None,
        )
        return (*values, *(chart_data.table(values[i + 1], values[i]) for i in (5, 8, 11)))  # 查看数据 of each chart

    def _ranking(scope, state, query, children, region_risk) -> list:
        """The ranking below the charts: 绝对值 (财政健康指数), 人均 (人均债务 with 常住人口) or 同类排名 (the health
        index among peers), switched by `?rank=`; a county shows its own rank among its peers."""
        mode, notice = rank_mode(browser_mapping(query).get("rank"))
        tree = region_tree()
        region = tree[state.region]
        out: list = [*views.notices((notice,) if notice else ()), ranking_views.rank_switch(PATH, state, mode, "risk")]
        if region.level == "county":
            ranks = risk.health_peer_ranks(scope, state)
            mine = ranks[ranks["code"] == state.region]
            out.append(
                ranking_views.health_peer_line(region.name, mine.iloc[0] if len(mine) else None, "risk-own-peer")
            )
        as_of = f"截至{state.year}年{state.last_month}月末"
        if mode == "capita":
            keys = ("debt_per_capita", "population")
            rows = metrics.by_region(scope, state, keys)
            caption = f"人均债务(元/人)· 债务余额{as_of} · 常住人口取不晚于当年的最近统计年度"
            table = ranking_views.capita_table(
                rows,
                metrics.total_of(rows, keys, state),
                keys[0],
                "人均债务",
                PATH,
                state,
                "risk-health-table",
                caption,
            )
        elif mode == "peer":
            ranks = risk.health_peer_ranks(scope, state)
            names = {c.adcode: c.name for c in tree.children(state.region)}
            table = ranking_views.peer_table(
                ranks,
                names,
                "health_index",
                "财政健康指数",
                PATH,
                state,
                "risk-health-table",
                f"财政健康指数在同类地区中排名(第几/同类地区数)· {as_of}",
                shown=lambda v: "—" if v is None or v != v else f"{v:.1f}",
                unit="0–100",
            )
        else:
            table = risk_views.health_table(children, region_risk, state)
        return [*out, table]

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
