"""The callbacks every topic page shares: cross-filter clicks and the filter bar navigate (the URL is the state),
and the drill-through table pages and sorts on the server. A page calls `register_topic(app, TOPIC)` once and
writes only its own render callback, starting it with `header(...)`.
"""

from __future__ import annotations

import functools

from dash import ALL, Dash, Input, Output, State, ctx, no_update
from flask import g

from dashboard.core import format as fmt
from dashboard.core import settings
from dashboard.core.drill import browser_mapping, clicked_point
from dashboard.core.links import CLEAR, href, query_string
from dashboard.core.masking import may_reveal
from dashboard.core.peers import rank_mode
from dashboard.core.roles import may
from dashboard.ui import chart_data, ranking_views, views
from dashboard.ui.drilltable import has_personal_data, render, reveal_bar
from dashboard.ui.topic_page import chart_id, ids
from dashboard.web.context import current_user
from dashboard.web.render_cache import cached_render
from dashboard.web.reveal import mask_rows
from dashboard.web.topics import Request, Topic, resolve
from queries import metrics, reporting
from queries import peers as peers_q
from queries._paging import SOURCES, PageRequest, cursor_of, table_page, table_totals
from queries.regions import available_years


def header(topic: Topic, req: Request) -> tuple:
    """(notices, title, breadcrumb, freshness) of a topic page: the first four outputs of its render callback."""
    region = req.tree[req.state.region]
    return (
        views.notices(req.state.notices),
        f"{region.name} · {topic.title} · {req.state.period_label}",
        views.breadcrumb(req.tree, req.scope.root, req.state, topic.path),
        views.freshness(req.version, reporting.coverage(req.scope, req.state)),
    )


def first_paint_of(topic: Topic):
    """The `first_paint` of a topic page (dashboard.web.pageload): its notices, title, breadcrumb and 数据截至 in
    the page's first response, as `header` makes them for the render callback."""
    i = ids(topic.key)
    targets = [f"{i[part]}.children" for part in ("notices", "title", "breadcrumb", "freshness")]

    def first_paint(query) -> dict:
        return dict(zip(targets, header(topic, resolve(topic, query))))

    return first_paint


def unit_of(req: Request) -> str:
    """亿元 at province and city level, 万元 at county level (the page's KPI and chart unit)."""
    return fmt.unit_for_level(req.tree[req.state.region].level)


def ranking(topic: Topic, req: Request, query: object, absolute) -> list:
    """The ranking card of a topic page: with a per-capita metric (`topic.capita`), the switch 绝对值 / 人均 /
    同类排名 (`?rank=abs|capita|peer`, a bad value falls back to 绝对值 with a notice) and the ranking it asks for;
    a county (no children to rank) shows its own per-capita figure and rank among its peers. `absolute` is the
    page's own ranking table."""
    if topic.capita is None:
        return [absolute]
    key = topic.capita
    label = next(m.name for m in metrics.metrics() if m.key == key)
    mode, notice = rank_mode(browser_mapping(query).get("rank"))
    state, scope = req.state, req.scope
    region = req.tree[state.region]
    out: list = [
        *views.notices((notice,) if notice else ()),
        ranking_views.rank_switch(topic.path, state, mode, topic.key),
    ]
    if region.level == "county":
        own = metrics.whole(scope, state, (key, "population"))
        units = peers_q.peer_units(scope, state, (key,))
        found = peers_q.ranked(units, key) if not units.empty else units
        row = (
            found[found["code"] == state.region].iloc[0]
            if "code" in found and state.region in set(found["code"])
            else None
        )
        out.append(ranking_views.own_peer_line(region.name, label, own[key], own["population"], row, topic.key))
    table_id = f"{topic.key}-ranking-table"
    period = f"{state.period_label}"
    if mode == "capita":
        rows = metrics.by_region(scope, state, (key, "population"))
        total = metrics.total_of(rows, (key, "population"), state)
        caption = f"{period} · {label}(元/人)· 常住人口取不晚于当年的最近统计年度"
        out.append(ranking_views.capita_table(rows, total, key, label, topic.path, state, table_id, caption))
    elif mode == "peer":
        ranks = peers_q.child_peer_ranks(scope, state, key)
        names = {c.adcode: c.name for c in req.tree.children(state.region)}
        caption = f"{period} · 按{label}在同类地区中排名(第几/同类地区数)"
        out.append(ranking_views.peer_table(ranks, names, key, label, topic.path, state, table_id, caption))
    else:
        out.append(absolute)
    return out


def _clicked_value(click: object) -> str | None:
    value = clicked_point(click).get("customdata")
    if isinstance(value, list):
        value = value[0] if value else None
    return None if value is None else str(value)


def page_outputs(key: str, charts) -> list[Output]:
    """What a topic page's render callback fills, in this order: notices, title, breadcrumb, freshness, KPIs, one
    figure per chart slot, the ranking and the detail slot above the table (see `dashboard.ui.topic_page`)."""
    i = ids(key)
    return [
        Output(i["notices"], "children"),
        Output(i["title"], "children"),
        Output(i["breadcrumb"], "children"),
        Output(i["freshness"], "children"),
        Output(i["kpis"], "children"),
        *(Output(chart_id(key, slot), "figure") for slot in charts),
        Output(i["ranking"], "children"),
        Output(i["trace"], "children"),
        *(Output(chart_data.data_id(chart_id(key, slot)), chart_data.PROP) for slot in charts),
    ]


FIGURES_AT = 5  # the first figure's place among page_outputs (after notices, title, breadcrumb, freshness, KPIs)


def with_chart_tables(charts):
    """A topic page's render callback returns its outputs up to the detail slot; this adds each chart's
    "查看数据" table (`dashboard.ui.chart_data`), made from the figure it returned, as the last outputs."""

    def decorate(render):
        @functools.wraps(render)
        def wrapped(*args, **kwargs):
            values = list(render(*args, **kwargs))
            figures = values[FIGURES_AT : FIGURES_AT + len(charts)]
            return [*values, *(chart_data.table(f) if isinstance(f, dict) else no_update for f in figures)]

        return wrapped

    return decorate


def page_render(app: Dash, key: str, charts):
    """Register the decorated function as topic page `key`'s one render callback: its outputs
    (`page_outputs`) from the page's URL state, the charts' 查看数据 tables added, and the response kept in the
    render cache (`dashboard.web.render_cache`)."""

    def decorate(render):
        return app.callback(*page_outputs(key, charts), Input(ids(key)["query"], "data"))(
            cached_render()(with_chart_tables(charts)(render))
        )

    return decorate


def register_topic(app: Dash, topic: Topic) -> None:
    """Register the kit callbacks of `topic`'s page (its export route serves the module's `TOPIC`)."""
    i = ids(topic.key)
    key = topic.key

    @app.callback(
        Output(i["nav"], "href", allow_duplicate=True),
        Input({"type": "topic-chart", "page": key, "slot": ALL, "filter": ALL}, "clickData"),
        State(i["query"], "data"),
        prevent_initial_call=True,
    )
    def cross_filter(_clicks, query):
        """A click on a bar or slice sets that chart's filter on the page (a second click on it clears it)."""
        trigger = ctx.triggered_id
        value = _clicked_value(ctx.triggered[0]["value"] if ctx.triggered else None)
        if not trigger or not trigger["filter"] or value is None:
            return no_update
        state = resolve(topic, query).state
        name = trigger["filter"]
        return href(topic.path, state, **{name: CLEAR if state.filter(name) == value else value})

    @app.callback(
        Output(i["year"], "options"),
        Output(i["year"], "value"),
        Output(i["period"], "value"),
        Output({"type": "topic-filter", "page": key, "filter": ALL}, "options"),
        Output({"type": "topic-filter", "page": key, "filter": ALL}, "value"),
        Input(i["query"], "data"),
    )
    def fill_filter_bar(query):
        """The filter bar shows the validated state (an invalid URL value shows as cleared, with its notice)."""
        req = resolve(topic, query)
        specs = {s.name: s for s in req.specs}
        names = [o["id"]["filter"] for o in ctx.outputs_list[3]]
        options = [
            [{"label": label, "value": value} for value, label in specs[n].choices.items()] if n in specs else []
            for n in names
        ]
        return (
            [{"label": f"{y}年", "value": str(y)} for y in available_years()],
            str(req.state.year),
            req.state.period,
            options,
            [req.state.filter(n) for n in names],
        )

    @app.callback(
        Output(i["nav"], "href", allow_duplicate=True),
        Input(i["year"], "value"),
        Input(i["period"], "value"),
        Input({"type": "topic-filter", "page": key, "filter": ALL}, "value"),
        State(i["query"], "data"),
        prevent_initial_call=True,
    )
    def filter_bar_navigates(year, period, values, query):
        state = resolve(topic, query).state
        names = [item["id"]["filter"] for item in ctx.inputs_list[2]]
        wanted = {n: (v or CLEAR) for n, v in zip(names, values)}
        unchanged = (
            str(year) == str(state.year)
            and period == state.period
            and all((state.filter(n) or CLEAR) == v for n, v in wanted.items())
        )
        if unchanged:
            return no_update
        return href(topic.path, state, year=year, period=period, **wanted)

    @app.callback(
        Output(i["table-state"], "data"),
        Input({"type": "topic-sort", "page": key, "col": ALL}, "n_clicks"),
        Input({"type": "topic-pager", "page": key, "step": ALL}, "n_clicks"),
        State(i["table-state"], "data"),
        State(i["table-page"], "data"),
        prevent_initial_call=True,
    )
    def table_navigation(_sorts, _steps, table_state, shown):
        """Sorting restarts at page 1; 下一页 pushes the cursor of the page's last row, 上一页 pops it."""
        if not ctx.triggered or not ctx.triggered[0]["value"]:
            return no_update
        trigger = ctx.triggered_id
        table_state = dict(table_state or {})
        stack = list(table_state.get("stack") or [])
        if trigger["type"] == "topic-sort":
            same = table_state.get("sort") == trigger["col"]
            return {"sort": trigger["col"], "desc": not table_state.get("desc", True) if same else True, "stack": []}
        if trigger["step"] == "next" and (shown or {}).get("next"):
            stack.append(shown["next"])
        elif trigger["step"] == "prev" and stack:
            stack.pop()
        return {**table_state, "stack": stack}

    @app.callback(
        Output(i["reveal"], "data"),
        Input({"type": "topic-reveal", "page": key, "action": ALL}, "n_clicks"),
        State({"type": "topic-reveal-reason", "page": key, "part": ALL}, "value"),
        prevent_initial_call=True,
    )
    def ask_to_reveal(clicks, reasons):
        """The reason typed to show personal data, kept in the page's memory store, which every new view (a drill,
        a filter, a page of the list is not one) starts empty; whether it suffices is decided, and audited, on every
        render."""
        trigger = ctx.triggered_id
        reason = reasons[0] if isinstance(reasons, list) and reasons else None
        if (
            isinstance(trigger, dict)
            and trigger.get("action") == "show"
            and any(clicks or [])
            and isinstance(reason, str)
            and reason.strip()
        ):
            return {"reason": reason.strip()[:200]}
        return {}

    @app.callback(
        Output(i["table"], "children"),
        Output(i["table-page"], "data"),
        Input(i["query"], "data"),
        Input(i["table-state"], "data"),
        Input(i["reveal"], "data"),
    )
    def render_table(query, table_state, reveal_state):
        """One page of the drill-through table for the URL's state; the store keeps the next page's cursor. Personal
        data is masked unless a user who may see it stated a reason (audited per view)."""
        req = resolve(topic, query)
        view = topic.table(req)
        source = SOURCES[view.source]
        table_state = table_state or {}
        stack = table_state.get("stack") or []
        request = PageRequest.of(source, table_state.get("sort"), table_state.get("desc"), stack[-1] if stack else None)
        page = table_page(req.scope, req.state, view.source, request)
        totals = table_totals(req.scope, req.state, view.source)
        user = current_user()
        reason = reveal_state.get("reason") if isinstance(reveal_state, dict) else None
        reason = reason if isinstance(reason, str) else None
        rows = mask_rows(page.rows, view.columns, user, page=topic.path, region=req.state.region, reason=reason)
        offer = has_personal_data(view) and user is not None and user.may_unmask and int(totals["rows"]) > 0
        revealed = may_reveal(user, reason)
        hint = f"查询事由至少 {settings.get('UNMASK_REASON_MIN_LENGTH')} 个字" if reason and not revealed else None
        export_query = query_string(req.state, sort=request.sort, desc=int(request.descending))
        exports = may(user, "export")
        bar = (
            reveal_bar(
                key,
                revealed,
                hint,
                export_query=export_query,
                reason=reason or "",
                csrf_token=g.get("csrf_token"),
                may_export=exports,
            )
            if offer
            else None
        )
        following = cursor_of(page.rows.iloc[-1], request.sort) if page.has_next else None
        return (
            render(
                view,
                key,
                topic.path,
                req.state,
                rows,
                totals,
                source.sortable,
                request.sort,
                request.descending,
                len(stack) + 1 if request.after else 1,
                page.has_next,
                export_query,
                bar,
                may_export=exports,
            ),
            {"next": following},
        )
