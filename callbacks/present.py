"""Presenter mode: the tablet's controls (`/present`) and the wall's poll (`/screen?wall=<id>`).

The tablet: a drill button or a control change computes the presenter's next drill state with *their* session
scope, pushes it to every wall they drive (one UPDATE in the state store) and then sets the tablet's own URL, which
redraws the tablet. The wall: every PRESENT_POLL_MS it reads its row; when nothing it shows changed the response is
empty (204), otherwise it sets the screen's URL, board and metric, and `callbacks.screen` redraws it with the
narrower of the wall's and the presenter's scope (`dashboard.state.present.effective_scope`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from dash.exceptions import PreventUpdate
from flask import request

from dashboard.core import format as fmt
from dashboard.core.roles import may
from dashboard.state import present
from dashboard.ui import cockpit_views as cv
from dashboard.ui import present_views as pv
from dashboard.ui import views
from dashboard.ui.figures.cockpit import MAP_METRICS
from dashboard.web.context import current_user, drill_state
from pages.present import PATH
from queries import cockpit, metrics
from queries.regions import available_years, region_tree


def _query(search: str | None) -> dict[str, str]:
    from callbacks.screen import query_of

    return {k: v[0] for k, v in query_of(search).items() if v}


def presenter_view(query: dict) -> tuple[dict, object, object]:
    """(view, scope, state): the presenter's validated view of `query` (region within their session's scope)."""
    scope, state = drill_state(query)
    metric = query.get("metric") if query.get("metric") in MAP_METRICS else "execution"
    board = query.get("board") if query.get("board") in pv.BOARD_NAMES else "overview"
    view = {"region": state.region, "year": str(state.year), "period": state.period, "metric": metric, "board": board}
    return view, scope, state


def _steer(query: dict, search: str | None) -> str:
    """Push the view of `query` to the presenter's walls and return the tablet's new search (or no change)."""
    user = current_user()
    if user is None or not may(user, "present"):
        raise PreventUpdate
    view, _scope, _state = presenter_view(query)
    new_search = "?" + urlencode(view)
    if new_search == (search or ""):
        raise PreventUpdate
    present.push(user, view)
    return new_search


def _walls(user) -> list[tuple[str, bool]]:
    now = present.now_utc()
    return [(w.wall_id, w.live(now)) for w in present.walls_of(user)]


def register(app: Dash) -> None:
    @app.callback(
        Output("present-url", "search", allow_duplicate=True),
        Input({"type": "present-drill", "region": ALL}, "n_clicks"),
        State("present-url", "search"),
        prevent_initial_call=True,
    )
    def drill(_clicks, search):
        """A region button: drill the tablet and the walls. Buttons that just appeared (n_clicks None) do nothing."""
        if not isinstance(ctx.triggered_id, dict) or not any(t.get("value") for t in ctx.triggered):
            raise PreventUpdate
        return _steer({**_query(search), "region": str(ctx.triggered_id.get("region", ""))}, search)

    @app.callback(
        Output("present-url", "search", allow_duplicate=True),
        Input("present-board", "value"),
        Input("present-metric", "value"),
        Input("present-year", "value"),
        Input("present-period", "value"),
        State("present-url", "search"),
        prevent_initial_call=True,
    )
    def controls(board, metric, year, period, search):
        """Board, map metric, year or period: the walls follow, then the tablet's URL."""
        query = _query(search)
        changed = {"present-board": ("board", board), "present-metric": ("metric", metric)}
        changed |= {"present-year": ("year", year), "present-period": ("period", period)}
        name, value = changed.get(str(ctx.triggered_id), (None, None))
        if name is None or value in (None, ""):
            raise PreventUpdate
        query[name] = str(value)
        return _steer(query, search)

    @app.callback(
        Output("present-notices", "children"),
        Output("present-title", "children"),
        Output("present-breadcrumb", "children"),
        Output("present-year", "options"),
        Output("present-year", "value"),
        Output("present-period", "options"),
        Output("present-period", "value"),
        Output("present-kpis", "children"),
        Output("present-children", "children"),
        Input("present-url", "search"),
    )
    def render(search):
        """The tablet's own view of its URL: the same headline numbers as the wall, and a button per child."""
        view, scope, state = presenter_view(_query(search))
        tree = region_tree()
        indicators = cockpit.region_indicators(scope, state)
        totals = cockpit.region_totals(indicators, state)
        children = [
            (
                row["code"],
                row["name"],
                f"执行率 {fmt.percent(row['execution'])} · 收入同比 {fmt.percent(row['revenue_yoy'])}",
            )
            for _, row in indicators[~indicators["is_own_level"].astype(bool)].iterrows()
            if row["code"] in tree and tree[row["code"]].parent == state.region
        ]
        steps = [
            (r.adcode, r.name) for r in tree.path(state.region) if scope.root and tree.is_within(r.adcode, scope.root)
        ]
        last = state.last_month if state.first_month == 1 else 12
        periods = [{"label": f"1-{m}月", "value": f"1-{m}"} for m in range(1, 13)]
        return (
            views.notices(state.notices),
            f"{tree.name(state.region)} · {state.period_label} · {pv.BOARD_NAMES[view['board']]}看板",
            pv.crumbs(steps),
            [{"label": f"{y}年", "value": str(y)} for y in available_years()],
            str(state.year),
            periods,
            state.period if state.first_month == 1 else f"1-{last}",
            views.kpi_row(cv.headline(totals, state, metrics.definitions()), xs=6, lg=4),
            pv.drill_buttons(children),
        )

    @app.callback(
        Output("present-pair-status", "children"),
        Output("present-walls", "children"),
        Output("present-code", "value"),
        Input("present-pair", "n_clicks"),
        Input("present-heartbeat", "n_intervals"),
        State("present-code", "value"),
        State("present-url", "search"),
    )
    def pairing(clicked, _beat, code, search):
        """配对: the wall showing `code` follows this tablet from now on (and shows its current view at once); the
        heartbeat keeps the walls saying 演示中 and refreshes the list."""
        user = current_user()
        if user is None or not may(user, "present"):
            return views.notices(("您的角色不能演示大屏(需要领导或分析岗位)。",)), no_update, no_update
        if ctx.triggered_id == "present-pair" and clicked:
            view, _scope, _state = presenter_view(_query(search))
            try:
                wall = present.pair(str(code or ""), user, view, region_tree())
            except present.PairingRefused as refused:
                return html_alert(str(refused), "danger"), pv.paired_walls(_walls(user)), no_update
            return (
                html_alert(f"已配对大屏 {wall.wall_id},大屏已切换到当前画面。", "success"),
                pv.paired_walls(_walls(user)),
                "",
            )
        present.heartbeat(user)
        return no_update, pv.paired_walls(_walls(user)), no_update

    @app.callback(
        Output("present-pair-status", "children", allow_duplicate=True),
        Output("present-walls", "children", allow_duplicate=True),
        Input({"type": "present-unpair", "wall": ALL}, "n_clicks"),
        prevent_initial_call=True,
    )
    def end(_clicks):
        """结束演示 on one wall: it keeps its last view and goes back to showing its pairing code."""
        user = current_user()
        if user is None or not isinstance(ctx.triggered_id, dict) or not any(t.get("value") for t in ctx.triggered):
            raise PreventUpdate
        wall_id = str(ctx.triggered_id.get("wall", ""))
        present.unpair(wall_id, user)
        return html_alert(f"已结束大屏 {wall_id} 的演示。", "secondary"), pv.paired_walls(_walls(user))

    @app.callback(
        Output("wall-seen", "data"),
        Output("wall-banner", "children"),
        Output("screen-url", "search", allow_duplicate=True),
        Output("screen-metric", "value", allow_duplicate=True),
        Output("screen-grid", "className", allow_duplicate=True),
        Output("screen-rotate", "disabled", allow_duplicate=True),
        Input("wall-poll", "n_intervals"),
        State("wall-seen", "data"),
        State("screen-url", "search"),
        prevent_initial_call="initial_duplicate",
    )
    def wall_poll(_tick, seen, search):
        """The wall's poll: nothing changed → nothing sent; a new push → the screen's URL, board and metric."""
        user = current_user()
        wall_id = present.valid_wall_id(_query(search).get("wall"))
        if user is None or wall_id is None:
            raise PreventUpdate
        wall = present.open_wall(wall_id, user)
        now = present.now_utc()
        signature = wall.signature(now)
        if isinstance(seen, dict) and seen.get("signature") == signature:
            raise PreventUpdate
        pair_url = request.host_url.rstrip("/") + f"{PATH}?pair={wall.code}"
        banner = pv.wall_banner(
            wall_id,
            wall.code,
            pair_url,
            wall.presenter_name,
            wall.presenter_role,
            wall.live(now),
            wall.presenter_seen_at,
        )
        moved = not isinstance(seen, dict) or seen.get("version") != wall.version
        if wall.presenter is None or not wall.view or not moved:
            return {"signature": signature, "version": wall.version}, banner, no_update, no_update, no_update, no_update
        view = wall.view
        new_search = "?" + urlencode({"wall": wall_id, **view})
        board = view.get("board", "overview")
        return (
            {"signature": signature, "version": wall.version},
            banner,
            new_search if new_search != search else no_update,
            view.get("metric", "execution"),
            f"screen-grid board-{board if board in pv.BOARD_NAMES else 'overview'}",
            True,  # a presenter drives the boards: the wall's own rotation stops
        )


def html_alert(text: str, colour: str):
    import dash_bootstrap_components as dbc

    return dbc.Alert(text, color=colour, className="py-2 mb-0")
