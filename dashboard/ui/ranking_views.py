"""The ranking switch of a child-region ranking (绝对值 / 人均 / 同类排名, `?rank=abs|capita|peer`) and the two
rankings it adds beside the absolute one: per capita (常住人口 and the per-capita figure of the metric layer) and
among peers (each region's rank in its peer group). Pure: frames and plain values in, components out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
from dash import dcc, html

from dashboard.core import format as fmt
from dashboard.core.drill import DrillState
from dashboard.core.links import CLEAR, href
from dashboard.core.peers import RANK_MODES
from dashboard.ui.frozen import frozen
from dashboard.ui.props import wildcard


def rank_switch(path: str, state: DrillState, mode: str, key: str) -> html.Nav:
    """Three links, the current one marked (aria-current); each keeps the drill state and sets `rank`."""
    items: list = []
    for value, label in RANK_MODES.items():
        if value == mode:  # where the user is: marked, not a link
            items.append(
                html.Span(
                    label,
                    className="btn btn-sm btn-primary",
                    id=f"{key}-rank-{value}",
                    **wildcard({"aria-current": "true"}),
                )
            )
            continue
        items.append(
            dcc.Link(
                label,
                href=href(path, state, rank=CLEAR if value == "abs" else value),
                className="btn btn-sm btn-outline-primary",
                id=f"{key}-rank-{value}",
            )
        )
    return html.Nav(
        items, className="rank-switch d-flex gap-2 mb-2", **wildcard({"aria-label": "排名口径:绝对值、人均、同类排名"})
    )


def _caption(text: str) -> html.Caption:
    return html.Caption(text, className="caption-top")


def capita_table(
    rows: pd.DataFrame,
    total: pd.Series,
    key: str,
    label: str,
    path: str,
    state: DrillState,
    table_id: str,
    caption: str,
) -> html.Div:
    """合计, 本级 (no residents of its own: no per-capita figure) and each child ranked by `key` (元/人), with its
    常住人口 (万人). `rows` is the metric layer's `by_region` frame of (`key`, population)."""
    header = html.Tr(
        [
            html.Th("排名"),
            html.Th("区划", className="text-start"),
            html.Th("常住人口(万人)"),
            html.Th(f"{label}(元/人)"),
        ]
    )

    def values(row) -> list:
        return [html.Td(fmt.people(row["population"])), html.Td(fmt.per_capita(row[key]))]

    body = [html.Tr([html.Td(""), html.Td(html.Strong("合计"), className="text-start"), *values(total)])]
    for _, row in rows[rows["is_own_level"]].iterrows():
        body.append(
            html.Tr(
                [html.Td("—"), html.Td(row["name"], className="text-start"), html.Td("—"), html.Td("本级不计人均")],
                className="row-own",
            )
        )
    children = rows[~rows["is_own_level"]].assign(_v=lambda f: pd.to_numeric(f[key], errors="coerce"))
    children = children.sort_values(["_v", "code"], ascending=[False, True], na_position="last", kind="stable")
    for rank, (_, row) in enumerate(children.iterrows(), start=1):
        link = dcc.Link(row["name"], href=href(path, state, region=row["code"], rank="capita"), className="drill-link")
        shown = str(rank) if pd.notna(row["_v"]) else "—"
        body.append(
            html.Tr(
                [html.Td(shown), html.Td(link, className="text-start"), *values(row)],
                className="row-child",
                **wildcard({"data-region": row["code"]}),
            )
        )
    return _scroll_table(caption, header, body, table_id)


def _scroll_table(caption: str, header: html.Tr, body: list, table_id: str) -> html.Div:
    """A ranking table in its horizontal scroller, as every ranking of the kit is drawn."""
    return html.Div(
        html.Table(
            [_caption(caption), html.Thead(header), frozen(html.Tbody(body))],  # markup (dashboard/ui/frozen.py)
            className="table table-hover table-sm money-table mb-0",
            id=table_id,
        ),
        className="table-scroll",
    )


def _rank_text(rank: Any, count: Any) -> str:
    return "—" if rank is None or pd.isna(rank) else f"{int(rank)}/{int(count)}"


def peer_table(
    ranks: pd.DataFrame,
    names: dict[str, str],
    key: str,
    label: str,
    path: str,
    state: DrillState,
    table_id: str,
    caption: str,
    shown: Callable[[Any], str] = fmt.per_capita,
    unit: str = "元/人",
) -> html.Div:
    """Each child with its peer group, its `key` (in `unit`, written by `shown`) and its rank among its peers
    ('3/42': third of 42)."""
    header = html.Tr(
        [
            html.Th("同类排名"),
            html.Th("区划", className="text-start"),
            html.Th("同类组"),
            html.Th(f"{label}({unit})" if unit else label),
        ]
    )
    ordered = ranks.assign(_r=pd.to_numeric(ranks["peer_rank"], errors="coerce")).sort_values(
        ["group", "_r", "code"], na_position="last", kind="stable"
    )
    body = []
    for _, row in ordered.iterrows():
        code = str(row["code"])
        link = dcc.Link(names.get(code, code), href=href(path, state, region=code, rank="peer"), className="drill-link")
        body.append(
            html.Tr(
                [
                    html.Td(_rank_text(row["peer_rank"], row["peer_count"])),
                    html.Td(link, className="text-start"),
                    html.Td(row["group"] if isinstance(row["group"], str) else "—"),
                    html.Td(shown(row[key])),
                ],
                className="row-child",
                **wildcard({"data-region": code}),
            )
        )
    return _scroll_table(caption, header, body, table_id)


def own_peer_line(name: str, label: str, value: Any, population: Any, row: pd.Series | None, key: str) -> html.P:
    """A county's own per-capita figure and its rank among its peers, in one line (no children to rank)."""
    text = f"{name}常住人口 {fmt.people(population)} 万人,{label} {fmt.per_capita(value)} 元/人"
    if row is None:
        text += ";同类排名需比较查看范围内的其他县(市、区),无可比较地区"
    elif row["peer_rank"] is None or pd.isna(row["peer_rank"]):
        text += f";同类组 {row['group'] or '—'},无可比数据"
    else:
        text += f";在{int(row['peer_count'])}个同类地区({row['group']})中从高到低排第{int(row['peer_rank'])}"
    return html.P(text + "。", className="mb-2", id=f"{key}-own-peer")


def health_peer_line(name: str, row: pd.Series | None, element_id: str) -> html.P:
    """A county's 财政健康指数 and its rank among its peers, in one line (/risk of a county)."""
    if row is None or row["peer_rank"] is None or pd.isna(row["peer_rank"]):
        text = f"{name}财政健康指数同类排名:查看范围内无可比较的同类地区"
    else:
        text = (
            f"{name}财政健康指数 {row['health_index']:.1f},在{int(row['peer_count'])}个同类地区({row['group']})中"
            f"从高到低排第{int(row['peer_rank'])}"
        )
    return html.P(text + "。", className="mb-2", id=element_id)
