"""Errors answer in Chinese, never with a traceback or a version; a store outage in a callback is a 503 with the
outage message."""

from __future__ import annotations

import json
import sys

import sqlalchemy as sa

import callbacks.overview
from tests.integration.dash_tree import callback_body


def _clean(text: str) -> None:
    assert "Traceback" not in text and sys.version.split()[0] not in text and "Werkzeug" not in text


def test_a_missing_file_is_a_chinese_404(client):
    response = client.get("/static/x")
    assert response.status_code == 404
    _clean(response.get_data(as_text=True))
    assert "页面不存在" in response.get_data(as_text=True) or "没有这个文件" in response.get_data(as_text=True)


def test_a_failing_callback_is_a_chinese_500_without_a_traceback(app, client, monkeypatch):
    def broken(*_args, **_kwargs):
        raise RuntimeError("boom: internal detail")

    monkeypatch.setattr(callbacks.overview.cockpit, "region_indicators", broken)
    response = client.post(
        "/_dash-update-component", json=callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    )
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    _clean(text)
    assert "boom" not in text and "服务器内部错误" in json.loads(text)["message"]


def test_a_finance_store_outage_in_a_callback_is_a_503_with_the_outage_message(app, client, monkeypatch):
    def down(*_args, **_kwargs):
        raise sa.exc.OperationalError("select 1", {}, ConnectionRefusedError("refused"))

    monkeypatch.setattr(callbacks.overview.cockpit, "region_indicators", down)
    response = client.post(
        "/_dash-update-component", json=callback_body(app, "overview-kpis", [("overview-query", "data", {})])
    )
    assert response.status_code == 503
    assert json.loads(response.get_data(as_text=True))["message"] == "数据服务暂不可用,正在重试…"
