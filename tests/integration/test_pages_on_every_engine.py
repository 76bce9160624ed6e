"""Every page shows the same thing on PostgreSQL and ClickHouse as on DuckDB: the whole response of each topic page's
render callback and of the overview's and the screen's panels (figures, KPI texts, tables, 数据截至 and 已报送),
byte for byte (but for when each store was loaded), for a province, a city and a county view."""

from __future__ import annotations

import json
import re

import pytest

from tests.integration.topic_helpers import render

TOPICS = ("spending", "revenue", "transfers", "debt", "subsidies", "procurement")
VIEWS = [
    {"region": "430000", "year": "2024", "period": "1-12"},
    {"region": "430100", "year": "2024", "period": "1-6"},
    {"region": "430102", "year": "2023", "period": "3-9"},
]
VIEWPORT = {"width": 1440, "height": 900}


def _pages(call_callback, query: dict) -> dict[str, str]:
    shown = {key: render(call_callback, key, query) for key in TOPICS}
    shown["overview-kpis"] = call_callback("overview-kpis", [("overview-query", "data", query)])
    shown["overview-more-kpis"] = call_callback(
        "overview-more-kpis",
        [
            ("overview-query", "data", query),
            ("overview-metric", "value", "execution"),
            ("overview-viewport", "data", VIEWPORT),
        ],
    )
    search = "?" + "&".join(f"{k}={v}" for k, v in query.items())
    shown["screen-kpis"] = call_callback(
        "screen-kpis",
        [
            ("screen-url", "search", search),
            ("screen-viewport", "data", {"width": 1920, "height": 1080}),
            ("screen-map", "clickData", None),
            ("screen-metric", "value", "execution"),
            ("screen-refresh", "n_intervals", None),
        ],
        state=[("screen-version", "data", None)],
    )
    texts = {name: json.dumps(response, sort_keys=True, ensure_ascii=False) for name, response in shown.items()}
    return {name: _same_load(text) for name, text in texts.items()}


def _same_load(text: str) -> str:
    """When each store was loaded (载入于 … 批次 n, the data version's key) differs by engine; nothing else may."""
    text = re.sub(r"载入于 [^\"]*?批次 [0-9]+[)）]", "载入于 …", text)
    return re.sub(r'"v[0-9]+@[0-9T.]+"', '"v…"', text)


_ON_DUCKDB: dict[str, dict[str, str]] = {}  # view → pages, rendered once for both server engines (the store is fixed)


@pytest.mark.parametrize("query", VIEWS, ids=[v["region"] for v in VIEWS])
def test_every_page_shows_duckdbs_numbers(call_callback, use_store, demo_url, server_url, query):
    key = json.dumps(query, sort_keys=True)
    if key not in _ON_DUCKDB:
        use_store(demo_url)
        _ON_DUCKDB[key] = _pages(call_callback, query)
    on_duck = _ON_DUCKDB[key]
    use_store(server_url)
    on_server = _pages(call_callback, query)
    for name, text in on_duck.items():
        assert len(text) > 2000, f"{name}: too little to compare"
        assert on_server[name] == text, name
