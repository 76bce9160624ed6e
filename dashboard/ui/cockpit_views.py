"""Pure component builders of the leadership cockpit (big screen and the overview's additions): data in, Dash
components out. The numbers come from `queries.cockpit.region_indicators`; every formula lives there."""

from __future__ import annotations

import pandas as pd
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core import format as fmt
from dashboard.core import grades, settings
from dashboard.core.drill import DrillState
from dashboard.core.links import href
from dashboard.core.reporting import UNREPORTED, Coverage, unreported
from dashboard.ui import geo, views
from dashboard.ui.props import wildcard
from dashboard.ui.views import Kpi, Reported


def _grade(totals: pd.Series, key: str) -> grades.Grade:
    level = totals[f"{key}_level"]
    return grades.Grade(None if pd.isna(level) else level, totals[f"{key}_label"])


def headline(
    totals: pd.Series, state: DrillState, definitions: dict[str, str], coverage: Coverage | None = None
) -> list[Kpi]:
    """The six headline numbers of the big screen, in reading order; `totals` is the region's row of
    `queries.cockpit.region_totals` (every ratio and grade already taken there), `definitions` the metrics' one-line
    definitions by key, `coverage` who has reported the period. Each amount picks the unit its figure fits in
    (`fmt.fitting_unit`) and says it; each figure from reports says how complete it is."""

    def reported(*tables: str) -> Reported | None:
        return None if coverage is None else Reported.of(coverage, tables)

    def month_figure(table: str, text: str, unit: str) -> tuple[str, str]:
        """A figure of the last month alone (value, unit): 未报送 where the region has not reported that month."""
        silent = coverage is not None and coverage.silent((table,), state.last_month)
        return (UNREPORTED, "") if silent else (text, unit)

    revenue_yoy, revenue_dir = fmt.yoy(totals["revenue"], totals["revenue_prev"])
    spending_yoy, spending_dir = fmt.yoy(totals["spending"], totals["spending_prev"])
    lag = totals["lag_points"]
    benchmark = totals["execution_benchmark"]
    lag_text = "—" if lag is None or pd.isna(lag) else f"{'超前' if lag <= 0 else '滞后'} {abs(lag):.1f} 个百分点"
    against = "序时进度" if state.first_month == 1 else "当期预算占比"
    direct_unit = fmt.fitting_unit(totals["direct_pay_num"], totals["direct_pay_den"])
    direct_text = (
        f"已付 {fmt.money(totals['direct_pay_num'], direct_unit)} / "
        f"已分配 {fmt.money(totals['direct_pay_den'], direct_unit)} {direct_unit}"
    )
    revenue_unit, spending_unit = fmt.fitting_unit(totals["revenue"]), fmt.fitting_unit(totals["spending"])
    month_unit = fmt.fitting_unit(totals["month_spending"])
    return [
        Kpi(
            "kpi-revenue",
            "一般公共预算收入",
            fmt.money(totals["revenue"], revenue_unit),
            revenue_unit,
            revenue_yoy,
            views.trend_class(revenue_dir),
            coverage=reported("revenue"),
        ),
        Kpi(
            "kpi-spending",
            "一般公共预算支出",
            fmt.money(totals["spending"], spending_unit),
            spending_unit,
            spending_yoy,
            views.trend_class(spending_dir),
            coverage=reported("payment"),
        ),
        Kpi(
            "kpi-execution",
            "预算执行率",
            fmt.percent(totals["execution"]),
            "",
            f"{against} {fmt.percent(benchmark)} · {lag_text}",
            grade=_grade(totals, "execution"),
            help=definitions["execution"],
            coverage=reported("payment"),
        ),
        Kpi(
            "kpi-direct",
            "直达资金支付进度",
            fmt.percent(totals["direct_pay"]),
            "",
            direct_text,
            grade=_grade(totals, "direct_pay"),
            help=definitions["direct_pay"],
            coverage=reported("payment"),
        ),
        Kpi(
            "kpi-cash",
            "库款保障水平",
            *month_figure("treasury_cash", fmt.number(totals["cash_level"]), "个月"),
            f"{state.last_month}月末库款 ÷ 近3个月月均支出",
            grade=_grade(totals, "cash_level"),
            help=definitions["cash_level"],
            coverage=reported("treasury_cash"),
        ),
        Kpi(
            "kpi-month",
            f"本月支付({state.last_month}月)",
            *month_figure("payment", fmt.money(totals["month_spending"], month_unit), month_unit),
            f"{state.year}年{state.last_month}月国库集中支付",
            coverage=reported("payment"),
        ),
    ]


def screen_kpis(kpis: list[Kpi], links: dict[str, str] | None = None) -> list[html.Div | dcc.Link]:
    """The wall's tiles; a tile whose id has an entry in `links` opens that page (its topic, for the same region
    and period) — a link the keyboard reaches too, named by its own text."""
    tiles: list[html.Div | dcc.Link] = []
    for kpi in kpis:
        note: list[str | Component] = [html.Span(kpi.note, className=kpi.note_class)]
        if kpi.grade is not None:
            note = [views.kpi_grade(kpi.grade), " ", *note]
        body = [
            html.Div(kpi.title, className="tile-title", title=kpi.help or None),
            html.Div(
                [
                    html.Span(kpi.value, className="tile-value", id=kpi.kpi_id),
                    html.Span(kpi.unit, className="tile-unit"),
                ],
                className="tile-figure",
            ),
            html.Div(note, className="tile-note"),
            *([views.coverage_line(kpi.coverage, "tile-coverage")] if kpi.coverage else []),
        ]
        target = (links or {}).get(kpi.kpi_id)
        if target:
            tiles.append(
                dcc.Link(
                    body,
                    href=target,
                    className="screen-tile screen-tile-link",
                    title=f"查看{kpi.title}专题详情",
                )
            )
        else:
            tiles.append(html.Div(body, className="screen-tile"))
    return tiles


def map_scope(tree, state: DrillState) -> tuple[str, str | None, str | None]:
    """(outline file's parent, the one child to show or None for all, region to outline as selected).

    A region with children shows them; a leaf (a county, a city without counties, a 省直管 county-level city) is
    shown alone inside its parent's outline file, so the drill never lands on a blank map."""
    region = tree[state.region]
    if tree.children(region.adcode) and geo.has_outlines(region.adcode):
        return region.adcode, None, None
    return region.parent, region.adcode, region.adcode


def map_rows(indicators: pd.DataFrame, state: DrillState, region, only: str | None) -> pd.DataFrame:
    """The rows the map colours: the children, or at a leaf the region's own row standing for itself."""
    if only is None:
        return indicators
    return indicators.iloc[:1].assign(is_own_level=False, code=state.region, name=region.name)


def map_values(indicators: pd.DataFrame, risk: pd.DataFrame, metric: str) -> pd.DataFrame:
    """code, name, value, label of each child region for the map's metric (execution, revenue_yoy or risk)."""
    children = indicators[~indicators["is_own_level"].astype(bool)]
    if metric == "risk":
        by_code = risk.set_index("code") if not risk.empty else pd.DataFrame(columns=["grade"])
        values, labels = [], []
        for code in children["code"]:
            level = by_code["grade"].get(code) if code in by_code.index else None
            level = None if pd.isna(level) else level
            values.append(0 if level is None else grades.GRADE_ORDER.index(level) + 1)
            labels.append(f"{level}色预警" if level else "无预警")
        return pd.DataFrame({"code": children["code"], "name": children["name"], "value": values, "label": labels})
    silent = _silent(children)
    shares = [None if s else v for v, s in zip(children[metric], silent)]
    texts = [UNREPORTED if s else fmt.percent(v) for v, s in zip(shares, silent)]
    frame = pd.DataFrame({"code": children["code"], "name": children["name"], "value": shares, "label": texts})
    if metric == "execution" and "execution_benchmark" in children and len(children):
        # the colour spans what the grades span: from 2 × the red lag behind 序时进度 up to 序时进度, so regions a
        # fraction of a point apart do not look worlds apart (and nobody on time looks like the worst)
        benchmark = float(children["execution_benchmark"].iloc[0])
        frame["floor"] = max(0.0, benchmark - 2 * settings.get("EXECUTION_LAG_RED") / 100)
        frame["ceiling"] = benchmark
    return frame


def _silent(rows: pd.DataFrame) -> list[bool]:
    """Rows none of whose units reported the whole period (未报送: their part-figures are not coloured)."""
    if "report_units" not in rows:
        return [False] * len(rows)
    return [unreported(u, n) for u, n in zip(rows["report_units"], rows["unreported_units"])]


def map_legend(frame: pd.DataFrame, metric: str) -> html.Div:
    """For grades, a legend of colour and label with counts; for shares, what the colour means."""
    if metric != "risk":
        what = "预算执行率(支出 ÷ 年度预算指标)" if metric == "execution" else "一般公共预算收入同比增幅"
        return html.Div(f"着色:{what} · 颜色越亮数值越高", className="map-legend")
    items = []
    for rank in range(4, -1, -1):
        level = grades.GRADE_ORDER[rank - 1] if rank else None
        count = int((frame["value"] == rank).sum())
        label = f"{level}色预警" if level else "无预警"
        items.append(
            html.Span(
                [html.I(className="swatch", style={"background": grades.GRADE_COLOURS[level]}), f"{label} {count}"],
                className="legend-item",
            )
        )
    return html.Div(items, className="map-legend")


def attention(
    indicators: pd.DataFrame, risk: pd.DataFrame, state: DrillState, path: str, unit: str, limit: int = 5, **link_params
) -> html.Ol:
    """The child regions that need attention most: worst grade (执行进度, 库款, 预警) first, then those with a unit
    that has not reported (未报送), then the most open warnings at the graver grades (红, then 橙, then 黄), then the
    largest lag."""
    children = indicators[~indicators["is_own_level"].astype(bool)].copy()
    risk_grade = dict(zip(risk["code"], risk["grade"])) if not risk.empty else {}
    counts = {r.code: (r.red, r.orange, r.yellow) for r in risk.itertuples()} if not risk.empty else {}
    rows = []
    for _, row in children.iterrows():
        found = [_grade(row, "execution"), _grade(row, "cash_level")]
        warning = risk_grade.get(row["code"])
        if isinstance(warning, str):
            found.append(grades.Grade(warning, "预警"))
        worst = max(found, key=lambda g: g.rank)
        lag = 0.0 if row["lag_points"] is None or pd.isna(row["lag_points"]) else row["lag_points"]
        rows.append(((worst.rank, bool(row["report_gaps"]), *counts.get(row["code"], (0, 0, 0)), lag), row, found))
    rows.sort(key=lambda r: r[0], reverse=True)
    items = []
    for _, row, found in rows[:limit]:
        named = zip(found, ("执行 ", "库款 ", "预警 "))
        badges = [  # short on the wall ('执行 黄'): the grades fit beside the name; the reason shows on hover
            html.Span(views.grade_badge(g.level, prefix=prefix), title=f"{prefix}{g.level}·{g.label}")
            for g, prefix in named
            if g.level
        ]
        if row["report_gaps"]:
            badges.insert(0, views.kpi_grade(grades.Grade(None, UNREPORTED)))
        items.append(
            html.Li(
                dcc.Link(
                    [
                        html.Span(row["name"], className="attention-name", title=row["name"]),  # may be cut (CSS)
                        html.Span(
                            "执行率、库款 未报送(不予评级)"
                            if unreported(row.get("report_units"), row.get("unreported_units"))
                            else f"执行率 {fmt.percent(row['execution'])} · 库款 {fmt.number(row['cash_level'])} 个月",
                            className="attention-figures",
                        ),
                        html.Span(badges or [views.grade_badge(None)], className="attention-grades"),
                    ],
                    href=href(path, state, region=row["code"], **link_params),
                    className="attention-link",
                ),
                **wildcard({"data-region": row["code"]}),
            )
        )
    return html.Ol(items, className="attention-list", id="attention-list")


def payee_tables(agencies: pd.DataFrame, projects: pd.DataFrame, unit: str) -> html.Div:
    """Where the drill ends: the agencies and projects the region itself paid most to."""

    def table(frame: pd.DataFrame, title: str, table_id: str) -> html.Table:
        body = [
            html.Tr([html.Td(name, className="text-start payee-name"), html.Td(fmt.money(amount, unit))])
            for name, amount in zip(frame["name"], frame["amount"])
        ]
        return html.Table(
            [html.Caption(f"{title}(单位:{unit})"), html.Tbody(body)], className="payee-table", id=table_id
        )

    return html.Div(
        [table(agencies, "支出最多的预算单位", "top-agencies"), table(projects, "支出最多的项目", "top-projects")],
        className="payee-tables",
    )


def ticker(warnings: pd.DataFrame) -> list:
    """The warning ticker: the newest open warnings of the warning rules (queries.risk), grade in words."""
    label = "预警信息"
    if warnings.empty:
        messages = [html.Span("当前无预警", className="ticker-item")]
    else:
        messages = [
            html.Span(
                [html.B(f"【{grade}色】", style={"color": grades.GRADE_COLOURS.get(grade)}), message],
                className="ticker-item",
            )
            for grade, message in zip(warnings["grade"], warnings["message"])
        ]
    return [
        html.Div(label, className="ticker-label"),
        html.Div(html.Div(messages + messages, className="ticker-track"), className="ticker-window"),
    ]
