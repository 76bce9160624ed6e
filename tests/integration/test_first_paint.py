"""The first response (issue 20): `/` and `/screen` carry their heading and KPI tiles in the shell's layout
(`_dash-layout`, for the page its Referer names), before any callback ran; the numbers are the ones the render
callbacks then show and the store's own sums; the scope is the session's. And a page links only its own CSS.
"""

from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import pytest

from tests.integration.dash_tree import by_id, find_callback, text_of, walk
from tests.integration.test_overview_page import store_totals
from tests.integration.topic_helpers import PAGE_CASES, shown

OVERVIEW_KPIS = ("kpi-revenue", "kpi-spending", "kpi-execution", "kpi-budget")
MORE_KPIS = ("kpi-direct", "kpi-cash", "kpi-month")
SCREEN_KPIS = ("kpi-revenue", "kpi-spending", "kpi-execution", "kpi-direct", "kpi-cash", "kpi-month")


def first_layout(client, path: str, query: dict[str, str]) -> dict:
    """The shell's layout as the browser on `path?query` receives it (the renderer's request names the page in
    its Referer)."""
    referrer = f"http://localhost{path}" + (f"?{urlencode(query)}" if query else "")
    response = client.get("/_dash-layout", headers={"Referer": referrer})
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    return json.loads(response.get_data(as_text=True))


def _values(node, ids) -> dict[str, str]:
    return {kpi: text_of(by_id(node, kpi)) for kpi in ids}


def _period(first: int, last: int) -> str:
    return f"{first}-{last}" if first != last else str(first)


@pytest.mark.parametrize("code, level, column, year, first, last", PAGE_CASES)
def test_the_overview_layout_holds_the_numbers_its_callbacks_then_show(
    client, call_callback, duck, code, level, column, year, first, last
):
    query = {"region": code, "year": str(year), "period": _period(first, last)}
    layout = first_layout(client, "/", query)
    location = by_id(layout, "_pages_location")["props"]
    assert (location["pathname"], location["search"]) == ("/", f"?{urlencode(query)}")  # the router stays still
    painted = _values(layout, OVERVIEW_KPIS + MORE_KPIS)
    head = call_callback("overview-kpis", [("overview-query", "data", query)])
    cockpit = call_callback(
        "overview-more-kpis",
        [
            ("overview-query", "data", query),
            ("overview-metric", "value", "execution"),
            ("overview-viewport", "data", {"width": 1440, "height": 900}),
        ],
    )
    assert painted == {
        **_values(head["overview-kpis"]["children"], OVERVIEW_KPIS),
        **_values(cockpit["overview-more-kpis"]["children"], MORE_KPIS),
    }
    assert text_of(by_id(layout, "overview-title")) == head["overview-title"]["children"]
    expected = store_totals(duck, column, code, year, first, last)
    assert painted["kpi-revenue"] == shown(expected["revenue"], level)
    assert painted["kpi-spending"] == shown(expected["spending"], level)
    assert by_id(layout, "overview-year")["props"]["value"] == str(year)
    assert by_id(layout, "overview-period")["props"]["value"] == query["period"]


@pytest.mark.parametrize("code, level, column, year, first, last", PAGE_CASES)
def test_the_screen_layout_holds_the_tiles_its_callback_then_shows(app, client, code, level, column, year, first, last):
    query = {"region": code, "year": str(year), "period": _period(first, last)}
    layout = first_layout(client, "/screen", query)
    painted = _values(layout, SCREEN_KPIS)
    key, _spec = find_callback(app, "screen-kpis")
    outputs = [{"id": o.split(".")[0], "property": o.split(".")[1]} for o in key.strip(".").split("...")]
    inputs = [
        ("screen-url", "search", f"?{urlencode(query)}"),
        ("screen-viewport", "data", {"width": 1920, "height": 1080}),
        ("screen-map", "clickData", None),
        ("screen-metric", "value", "execution"),
        ("screen-refresh", "n_intervals", None),
    ]
    body = {
        "output": key,
        "outputs": outputs,
        "inputs": [{"id": i, "property": p, "value": v} for i, p, v in inputs],
        "changedPropIds": ["screen-url.search"],
        "state": [{"id": "screen-version", "property": "data", "value": None}],
    }
    response = json.loads(client.post("/_dash-update-component", json=body).get_data(as_text=True))["response"]
    assert painted == _values(response["screen-kpis"]["children"], SCREEN_KPIS)
    assert text_of(by_id(layout, "screen-title")) == response["screen-title"]["children"]
    assert text_of(by_id(layout, "screen-freshness")) == response["screen-freshness"]["children"]
    assert all(value and value != "—" for value in painted.values()), painted


def test_the_first_paint_takes_the_scope_from_the_session(client_as, duck):
    """A city analyst who asks for the province sees their city, with the notice, in the very first layout."""
    city = client_as("first_paint_city", role="分析", region="430100")
    layout = first_layout(city, "/", {"region": "430000", "year": "2024", "period": "1-6"})
    expected = store_totals(duck, "city_code", "430100", 2024, 1, 6)
    assert text_of(by_id(layout, "kpi-revenue")) == shown(expected["revenue"], "city")
    assert text_of(by_id(layout, "overview-title")).startswith("长沙市")
    assert "无权查看“湖南省”,已显示长沙市。" in text_of(by_id(layout, "overview-notices"))
    screen = first_layout(city, "/screen", {"region": "430000"})
    assert text_of(by_id(screen, "screen-title")).startswith("长沙市")


@pytest.mark.parametrize("path", ["/", "/screen"])
def test_the_page_shell_itself_shows_the_first_numbers(client, path):
    """The HTML of the page, before any script: the static first paint holds the same tiles as the layout."""
    query = {"year": "2024", "period": "1-6"}
    page = client.get(f"{path}?{urlencode(query)}").get_data(as_text=True)
    layout = first_layout(client, path, query)
    ids = SCREEN_KPIS if path == "/screen" else OVERVIEW_KPIS + MORE_KPIS
    static = dict(re.findall(r'<span class="(?:kpi|tile)-value" id="(kpi-[a-z]+)">([^<]*)</span>', page))
    assert static == _values(layout, ids)
    assert page.index('id="react-entry-point"') < page.index('id="first-paint"') < page.index("_dash-renderer")


def test_without_a_referrer_the_router_renders_the_page_as_before(client):
    response = client.get("/_dash-layout")
    layout = json.loads(response.get_data(as_text=True))
    content = by_id(layout, "_pages_content")
    assert not content["props"].get("children")
    assert "pathname" not in by_id(layout, "_pages_location")["props"]


def test_anonymous_layout_requests_get_no_numbers(app):
    response = app.server.test_client().get("/_dash-layout", headers={"Referer": "http://localhost/"})
    assert response.status_code == 401
    assert "kpi-revenue" not in response.get_data(as_text=True)


STYLESHEET = re.compile(r'<link rel="stylesheet" href="([^"?]+)(?:\?m=([^"]+))?"')


@pytest.mark.parametrize(
    "path, own, foreign",
    [
        ("/", {"overview.css", "map-labels.css"}, {"screen.css", "topics.css", "risk.css", "auth.css"}),
        ("/screen", {"screen.css", "map-labels.css"}, {"overview.css", "topics.css", "risk.css"}),
        ("/spending", {"topics.css"}, {"overview.css", "screen.css", "map-labels.css", "risk.css", "records.css"}),
        ("/risk", {"risk.css"}, {"overview.css", "screen.css", "topics.css"}),
    ],
)
def test_a_page_links_only_its_own_stylesheets(client, path, own, foreign):
    page = client.get(path).get_data(as_text=True)
    linked = {href.rsplit("/", 1)[-1]: (href, version) for href, version in STYLESHEET.findall(page)}
    assert own <= set(linked), linked
    assert not foreign & set(linked), linked
    assert "desktop.css" in linked and "00-bootstrap-5.3.6.min.css" in linked  # the shell's own
    for name in own:
        href, version = linked[name]
        assert href == f"/assets/pages/{name}" and version, linked[name]
        served = client.get(f"{href}?m={version}", headers={"Accept-Encoding": "br"})
        assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]


def test_a_page_opened_inside_the_app_brings_its_stylesheets(call_callback):
    """The page router's callback (a link inside the app, no reload) returns the layout with its <link>s."""
    out = call_callback(
        "_pages_content", [("_pages_location", "pathname", "/spending"), ("_pages_location", "search", "")]
    )
    links = [c["props"]["href"] for c in walk(out["_pages_content"]["children"]) if c["type"] == "Link"]
    assert len(links) == 1 and links[0].startswith("/assets/pages/topics.css?m="), links


TOPIC_PAGES = ["revenue", "spending", "transfers", "debt", "procurement", "subsidies", "quality"]


@pytest.mark.parametrize("key", TOPIC_PAGES)
def test_a_topic_page_comes_with_its_heading(client, call_callback, key):
    query = {"region": "430100", "year": "2024", "period": "1-6"}
    layout = first_layout(client, f"/{key}", query)
    out = call_callback(f"{key}-title", [(f"{key}-query", "data", query)])
    assert text_of(by_id(layout, f"{key}-title")) == out[f"{key}-title"]["children"]
    assert text_of(by_id(layout, f"{key}-title")).startswith("长沙市")
    assert text_of(by_id(layout, f"{key}-freshness")) == out[f"{key}-freshness"]["children"]
