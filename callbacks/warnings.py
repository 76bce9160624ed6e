"""Fills /warnings: the filtered ticket list, the selected ticket with its history, and the actions on it."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import Dash, Input, Output, State, ctx, html, no_update

from dashboard.core.drill import ascii_int, browser_mapping
from dashboard.core.links import CLEAR, href
from dashboard.risk import monitor as risk
from dashboard.risk import tickets
from dashboard.state import audit
from dashboard.state.engine import state_engine
from dashboard.ui import risk_views, views
from dashboard.web.context import current_user, drill_state
from queries.regions import region_tree

PATH = "/warnings"
BUTTONS = {"ticket-respond": tickets.RESPOND, "ticket-accept": tickets.ACCEPT, "ticket-return": tickets.RETURN}


def _ticket_id(query: dict | None) -> int | None:
    return ascii_int(browser_mapping(query).get("ticket"), 9)


def register(app: Dash) -> None:
    @app.callback(
        Output("warnings-notices", "children"),
        Output("warnings-title", "children"),
        Output("warnings-breadcrumb", "children"),
        Output("warnings-summary", "children"),
        Output("warnings-list", "children"),
        Input("warnings-query", "data"),
        Input("warnings-grade", "value"),
        Input("warnings-topic", "value"),
        Input("warnings-state", "value"),
        Input("warnings-overdue", "value"),
        Input("ticket-changed", "data"),
    )
    def render_list(query, grade, topic, ticket_state, overdue, _changed):
        scope, state = drill_state(query)
        tree = region_tree()
        filters = risk.TicketFilter(grade, topic, ticket_state, bool(overdue))
        found = risk.ticket_list(scope, state, filters)
        summary = risk.ticket_summary(scope, state)
        suffix = "".join(
            f"&{k}={v}"
            for k, v in (
                ("grade", grade),
                ("topic", topic),
                ("state", ticket_state),
                ("overdue", "1" if overdue else None),
            )
            if v
        )
        return (
            views.notices(state.notices),
            f"{tree.name(state.region)} · 预警工单",
            views.breadcrumb(tree, scope.root, state, PATH),
            f"未销号 {summary['open']} 件 · 逾期 {summary['overdue']} 件",
            [risk_views.region_links(tree, state, PATH, suffix), risk_views.ticket_table(found, state, suffix)],
        )

    @app.callback(
        Output("warnings-nav", "href"),
        Input("warnings-grade", "value"),
        Input("warnings-topic", "value"),
        Input("warnings-state", "value"),
        Input("warnings-overdue", "value"),
        State("warnings-query", "data"),
        State("warnings-nav", "search"),
        prevent_initial_call=True,
    )
    def filters_to_url(grade, topic, ticket_state, overdue, query, search):
        """A filter change becomes the URL (a reload, a bookmark or Back keeps it); the open ticket stays open."""
        _scope, state = drill_state(query)
        ticket = _ticket_id(query)
        target = href(
            PATH,
            state,
            grade=grade or CLEAR,
            topic=topic or CLEAR,
            state=ticket_state or CLEAR,
            overdue="1" if overdue else CLEAR,
            ticket=str(ticket) if ticket else CLEAR,
        )
        return no_update if target == f"{PATH}{search or ''}" else target

    @app.callback(
        Output("ticket-detail", "children"),
        Output("ticket-actions", "hidden"),
        Output("ticket-respond", "className"),
        Output("ticket-accept", "className"),
        Output("ticket-return", "className"),
        Input("warnings-query", "data"),
        Input("ticket-changed", "data"),
    )
    def show_ticket(query, _changed):
        ticket_id = _ticket_id(query)
        hidden = ("d-none",) * 3
        if ticket_id is None:
            return no_update, True, *hidden
        scope, _state = drill_state(query)
        found = risk.ticket_detail(scope, ticket_id)
        if found is None:
            audit.record("ticket.view", page=PATH, params={"ticket": ticket_id}, outcome="denied")
            return dbc.Alert(f"未找到工单 #{ticket_id},或该工单不属于您管辖的区划。", color="warning"), True, *hidden
        ticket, history = found
        user = current_user()
        allowed = tickets.allowed_actions(ticket["state"], user.role if user else "")
        classes = ["me-2 mb-2" if action in allowed else "d-none" for action in BUTTONS.values()]
        return risk_views.ticket_detail(ticket, history), not allowed, *classes

    @app.callback(
        Output("ticket-upload-name", "children"),
        Input("ticket-upload", "contents"),
        State("ticket-upload", "filename"),
        prevent_initial_call=True,
    )
    def check_upload(contents, filename):
        try:
            attachment = tickets.read_upload(filename, contents)
        except tickets.AttachmentRejected as rejected:
            return html.Span(str(rejected), className="text-danger")
        return f"已选择附件:{attachment.filename}({len(attachment.content) / 1024:.1f} KB)"

    @app.callback(
        Output("ticket-feedback", "children"),
        Output("ticket-changed", "data"),
        Output("ticket-comment", "value"),
        Output("ticket-rectification", "value"),
        Input("ticket-respond", "n_clicks"),
        Input("ticket-accept", "n_clicks"),
        Input("ticket-return", "n_clicks"),
        State("warnings-query", "data"),
        State("ticket-comment", "value"),
        State("ticket-rectification", "value"),
        State("ticket-upload", "contents"),
        State("ticket-upload", "filename"),
        State("ticket-changed", "data"),
        prevent_initial_call=True,
    )
    def act_on_ticket(_respond, _accept, _return, query, comment, rectification, contents, filename, changed):
        """Take the clicked action as the signed-in user; a refusal says why and changes nothing."""
        action = BUTTONS.get(ctx.triggered_id)
        ticket_id = _ticket_id(query)
        user = current_user()
        if action is None or ticket_id is None or user is None:
            return no_update, no_update, no_update, no_update
        try:
            attachment = tickets.read_upload(filename, contents) if contents and action == tickets.RESPOND else None
            new_state = tickets.act(
                state_engine(),
                ticket_id,
                action,
                user,
                tree=region_tree(),
                comment=comment or "",
                rectification=rectification or "",
                attachment=attachment,
            )
        except (tickets.TransitionDenied, tickets.AttachmentRejected) as refused:
            return dbc.Alert(str(refused), color="danger", className="py-2"), no_update, no_update, no_update
        done = {tickets.RESPOND: "反馈已提交", tickets.ACCEPT: "已销号", tickets.RETURN: "已退回"}.get(
            action, f"已{action}"
        )
        return (
            dbc.Alert(
                [html.Strong(f"工单 #{ticket_id} {done}。"), f" 当前状态:{new_state}。"],
                color="success",
                className="py-2",
                id="ticket-confirmation",
            ),
            (changed or 0) + 1,
            "",
            "",
        )
