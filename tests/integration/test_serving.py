"""Production serving (issue 14): compression and browser caching, the request log and request id, outages of the
finance store and of the shared Redis cache (real connections), and the state store's Alembic migrations."""

from __future__ import annotations

import gzip
import json
import logging
import shutil
import socket
import subprocess
import time

import brotli
import pytest
import sqlalchemy as sa
from cachelib.redis import RedisCache

from dashboard.state import migrate
from dashboard.state.engine import open_store, reset_state_engine, state_engine, state_metadata
from dashboard.store import memo
from tests.conftest import PG_URL, _postgres_reachable
from tests.integration.dash_tree import callback_body

TOPICS = ("spending", "revenue", "transfers", "debt", "procurement", "subsidies")
NOWHERE = "postgresql+psycopg://nobody@127.0.0.1:1/none"  # a port where nothing listens


@pytest.fixture
def anonymous(app):
    return app.server.test_client()


@pytest.fixture
def pg_url_state():
    """The test PostgreSQL database with no state tables (nor Alembic's) in it."""
    if not _postgres_reachable():
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable")
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        for table in [*reversed(state_metadata.sorted_tables), sa.table("alembic_version")]:
            conn.execute(sa.text(f"drop table if exists {table.name} cascade"))
    engine.dispose()
    yield PG_URL


def _suite_url(client) -> str:
    html = client.get("/spending").get_data(as_text=True)
    start = html.index("/_dash-component-suites/dash/dash-renderer/")
    return html[start : html.index('"', start)]


def test_versioned_static_files_are_immutable_and_compressed_once(client):
    url = _suite_url(client)
    response = client.get(url, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 200 and response.headers["Content-Encoding"] == "br"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert "Content-Encoding" not in plain.headers
    assert brotli.decompress(response.get_data()) == plain.get_data()
    assert len(response.get_data()) < len(plain.get_data()) / 3
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert gzip.decompress(zipped.get_data()) == plain.get_data()


def test_assets_are_immutable_only_when_their_url_names_the_version(client):
    versioned = client.get("/assets/outage.css?m=1", headers={"Accept-Encoding": "br"})
    assert versioned.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    bare = client.get("/assets/00-bootstrap-5.3.6.min.css", headers={"Accept-Encoding": "gzip"})
    assert bare.headers["Cache-Control"] == "no-cache" and bare.headers["Content-Encoding"] == "gzip"
    again = client.get(
        "/assets/00-bootstrap-5.3.6.min.css", headers={"If-None-Match": bare.headers["ETag"], "Accept-Encoding": "br"}
    )
    assert again.status_code == 304 and again.get_data() == b""


def test_a_callback_is_compressed_and_never_cached(app, client):
    body = callback_body(app, "spending-notices", [("spending-query", "data", {"year": "2024"})])
    packed = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "br"})
    assert packed.status_code == 200 and packed.headers["Content-Encoding"] == "br"
    assert packed.headers["Cache-Control"] == "no-store"
    plain = client.post("/_dash-update-component", json=body, headers={"Accept-Encoding": "identity"})
    assert json.loads(brotli.decompress(packed.get_data())) == json.loads(plain.get_data())
    assert len(packed.get_data()) * 4 < len(plain.get_data())


def test_one_json_log_line_per_request_without_the_query_string(client, caplog):
    caplog.set_level(logging.INFO, logger="cockpit.request")
    response = client.get("/static/nowhere?name=张三", headers={"X-Request-ID": "abcdef123456"})
    assert response.status_code == 404 and response.headers["X-Request-ID"] == "abcdef123456"
    assert "请求编号:abcdef123456" in response.get_data(as_text=True)
    [record] = [r for r in caplog.records if r.name == "cockpit.request"]
    fields = record.fields  # type: ignore[attr-defined]
    assert fields["request_id"] == "abcdef123456" and fields["user"] == "province_analyst"
    assert (
        fields["route"] == "/static/<path:filename>"
        or fields["route"] == "/static/nowhere"
        and fields["status"] == 404
        and fields["duration_ms"] >= 0
    )
    line = logging.getLogger().handlers[-1].format(record) if logging.getLogger().handlers else ""
    assert "张三" not in line
    bad = client.get("/x", headers={"X-Request-ID": "<script>"})
    assert bad.headers["X-Request-ID"] != "<script>" and len(bad.headers["X-Request-ID"]) == 16


def test_a_finance_store_outage_is_a_503_on_every_panel_and_clears(app, client, demo_url, use_store, anonymous):
    bodies = [callback_body(app, f"{t}-notices", [(f"{t}-query", "data", {})]) for t in TOPICS]
    bodies.append(callback_body(app, "overview-notices", [("overview-query", "data", {})]))
    use_store(NOWHERE)
    for body in bodies:
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 503, body["output"][:40]
        assert response.get_json()["message"] == "数据服务暂不可用,正在重试…"
    ready = anonymous.get("/ready")
    assert ready.status_code == 503 and "finance_store unreachable" in ready.get_json()["reason"]
    assert anonymous.get("/live").status_code == 200
    use_store(demo_url)  # the store is back: the same requests answer (the page's script retries them)
    for body in bodies:
        assert client.post("/_dash-update-component", json=body).status_code == 200
    assert anonymous.get("/ready").status_code == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_server(tmp_path):
    """A redis-server of this test's own on a free port: (port, start, stop)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port = _free_port()
    processes: list[subprocess.Popen] = []

    def start() -> None:
        processes.append(
            subprocess.Popen(
                [binary, "--port", str(port), "--save", "", "--appendonly", "no", "--dir", str(tmp_path)],
                stdout=subprocess.DEVNULL,
            )
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop() -> None:
        process = processes.pop()
        process.terminate()
        process.wait(timeout=10)

    start()
    yield port, start, stop
    while processes:
        stop()


def test_with_redis_down_pages_render_uncached_and_ready_says_degraded(app, client, anonymous, redis_server):
    port, start, stop = redis_server
    previous = memo._backend
    cache = memo.ResilientCache(
        RedisCache(host="127.0.0.1", port=port, key_prefix="t:", socket_timeout=0.5, socket_connect_timeout=0.5),
        retry_seconds=0.2,
    )
    memo.bind_cache(cache)
    try:
        body = callback_body(app, "spending-notices", [("spending-query", "data", {"year": "2024"})])
        first = client.post("/_dash-update-component", json=body)
        assert first.status_code == 200 and anonymous.get("/ready").get_json()["cache"] == "ok"
        assert cache.backend._write_client.dbsize() > 0  # results went to Redis
        stop()
        down = client.post("/_dash-update-component", json=body)
        assert down.status_code == 200 and down.get_json() == first.get_json()
        ready = anonymous.get("/ready")
        assert ready.status_code == 200 and ready.get_json()["cache"] == "degraded"
        start()
        time.sleep(0.3)
        assert anonymous.get("/ready").get_json()["cache"] == "ok" and not cache.degraded
        assert client.post("/_dash-update-component", json=body).status_code == 200
        assert cache.backend._write_client.dbsize() > 0  # used again
    finally:
        memo.bind_cache(previous)


def _pre_migration_store(url: str) -> None:
    """A state store as the version before migrations made it: the tables, no alembic_version, some rows."""
    engine = open_store(url)
    with engine.begin() as conn:  # the tables of the baseline: those later revisions add are not there yet
        baseline = [t for t in state_metadata.sorted_tables if t.name not in LATER_TABLES]
        state_metadata.create_all(conn, tables=baseline)
        conn.execute(
            sa.text(
                "insert into app_user (username, display_name, role, region, may_unmask, enabled, password_hash, "
                "created_at, updated_at) values ('old_user', '老用户', '分析', '430000', false, true, 'x', "
                "current_timestamp, current_timestamp)"
            )
        )
        conn.execute(
            sa.text(
                "insert into audit_event (at, action, outcome, username) "
                "values (current_timestamp, 'sign_in', 'ok', 'old_user')"
            )
        )
    engine.dispose()


LATER_TABLES = {"report_file", "meeting_pack", "meeting_pack_item", "present_wall"}  # revisions 0002, 0003


def _check_upgrade(url: str) -> None:
    _pre_migration_store(url)
    engine = open_store(url)
    try:
        assert migrate.status(engine).revision is None and not migrate.status(engine).up_to_date
        before, after = migrate.upgrade(engine)
        assert (before, after) == (None, migrate.head())
        with engine.connect() as conn:
            assert conn.execute(sa.text("select display_name from app_user")).scalar_one() == "老用户"
            assert conn.execute(sa.text("select count(*) from audit_event")).scalar_one() == 1
            assert conn.execute(sa.text("select count(*) from report_file")).scalar_one() == 0  # 0002 made it
            assert conn.execute(sa.text("select count(*) from present_wall")).scalar_one() == 0  # 0003 made it
        assert migrate.upgrade(engine) == (migrate.head(), migrate.head())  # again: nothing to do
    finally:
        engine.dispose()


def test_migrate_stamps_a_store_made_before_migrations_and_keeps_its_rows_sqlite(tmp_path):
    _check_upgrade(f"sqlite:///{tmp_path}/old-state.sqlite")


@pytest.mark.postgres
def test_migrate_on_postgresql(pg_url_state):
    _check_upgrade(pg_url_state)


def test_a_fresh_store_is_at_head_and_the_app_refuses_an_old_one(tmp_path, monkeypatch):
    from dashboard.web.app import check_state_schema

    assert migrate.status(state_engine()).up_to_date  # made from nothing by state_engine(): stamped
    old = f"sqlite:///{tmp_path}/old.sqlite"
    _pre_migration_store(old)
    monkeypatch.setenv("COCKPIT_STATE_URL", old)
    reset_state_engine()
    with pytest.raises(RuntimeError, match="python -m dashboard migrate"):
        check_state_schema()
    monkeypatch.setenv("COCKPIT_STATE_URL", NOWHERE)
    reset_state_engine()
    check_state_schema()  # unreachable: the app starts, /ready says 503


def test_the_xlsx_export_has_dates_as_dates_a_frozen_header_and_widths(client):
    import datetime as dt
    import io

    import openpyxl

    response = client.get("/export/spending.xlsx?region=430102&year=2024&period=1-6&level=payment")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header_at = next(i for i, r in enumerate(rows) if r[1] is not None)
    assert sheet.freeze_panes == f"A{header_at + 2}"
    assert sheet.column_dimensions["A"].width >= 10
    assert sheet.cell(header_at + 1, 1).font.bold
    dated = [v for r in rows[header_at + 1 : -1] for v in r if isinstance(v, dt.datetime | dt.date)]
    money = [c for r in sheet.iter_rows(min_row=header_at + 2) for c in r if isinstance(c.value, float | int)]
    assert money and all(c.number_format in ("#,##0.00", "General") for c in money)
    assert rows[-1][0] == "合计"
    if any("日期" in str(h) for h in rows[header_at]):
        assert dated, "a date column is written as dates"
