"""A real PostgreSQL outage under the running app: a server of this test's own (never the shared one), holding a copy
of the suite's PostgreSQL demo store, is stopped while the app serves from it and started again. Every panel answers
503 with the Chinese banner text (never an English error or a 500), /ready says the store is down while /live stays
up, and the app serves again within 10 s of the server's return — through the same pooled engine, whose dead
connections are replaced (`pool_pre_ping`)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from tests.integration.dash_tree import callback_body

TOPICS = ("spending", "revenue", "transfers", "debt", "procurement", "subsidies")
BANNER = "数据服务暂不可用,正在重试…"


def _pg_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    return found[-1].parent if found else None


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def anonymous(app):
    return app.server.test_client()


@pytest.fixture
def private_pg(pg_url):
    """(url, stop, start) of a PostgreSQL server of this test's own holding the suite's demo store."""
    binaries = _pg_bin()
    if binaries is None or shutil.which("runuser") is None or os.geteuid() != 0:
        pytest.skip("needs the PostgreSQL server binaries and root (to run them as the postgres user)")
    tmp_path = Path(tempfile.mkdtemp(prefix="cockpit-pg-"))  # not under pytest's root-only tmp: postgres reads it
    data, sockets = tmp_path / "pgdata", tmp_path / "sockets"
    data.mkdir()
    sockets.mkdir()
    shutil.chown(tmp_path, "postgres")
    shutil.chown(data, "postgres")
    shutil.chown(sockets, "postgres")
    port = _free_port()

    def as_postgres(*command: str, **kwargs) -> subprocess.CompletedProcess:
        return subprocess.run(["runuser", "-u", "postgres", "--", *command], check=True, capture_output=True, **kwargs)

    as_postgres(str(binaries / "initdb"), "-D", str(data), "--auth=trust", "-U", "postgres", "--encoding=UTF8")
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"

    def start() -> None:
        as_postgres(
            str(binaries / "pg_ctl"), "-D", str(data), "-o", options, "-w", "-l", str(tmp_path / "log"), "start"
        )

    def stop() -> None:
        as_postgres(str(binaries / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")

    start()
    source = make_url(pg_url)
    dump = subprocess.run(
        [
            str(binaries / "pg_dump"),
            "-h",
            source.host or "127.0.0.1",
            "-p",
            str(source.port or 5432),
            "-U",
            "postgres",
            "--no-owner",
            source.database or "test",
        ],
        check=True,
        capture_output=True,
    )
    subprocess.run(
        [
            str(binaries / "psql"),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "-d",
            "postgres",
        ],
        input=dump.stdout,
        check=True,
        capture_output=True,
    )
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres", stop, start
    finally:
        subprocess.run(
            ["runuser", "-u", "postgres", "--", str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            capture_output=True,
        )
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_stopping_postgresql_under_the_app_gives_the_banner_and_it_recovers(
    app, client, anonymous, use_store, private_pg
):
    url, stop, start = private_pg
    use_store(url)
    bodies = [callback_body(app, f"{t}-notices", [(f"{t}-query", "data", {})]) for t in TOPICS]
    bodies.append(callback_body(app, "overview-notices", [("overview-query", "data", {})]))
    for body in bodies:  # serving from the private server: the pool holds live connections now
        assert client.post("/_dash-update-component", json=body).status_code == 200, body["output"][:40]
    assert anonymous.get("/ready").status_code == 200

    stop()
    for body in bodies:
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 503, body["output"][:40]
        assert response.get_json()["message"] == BANNER
        assert "Traceback" not in response.get_data(as_text=True)
    page = client.get("/spending")
    assert page.status_code in (200, 503) and "Internal Server Error" not in page.get_data(as_text=True)
    ready = anonymous.get("/ready")
    assert ready.status_code == 503 and "finance_store" in ready.get_json()["reason"]
    assert anonymous.get("/live").status_code == 200

    start()
    back = time.monotonic()
    while True:  # what the page's script does: retry until the store answers
        statuses = [client.post("/_dash-update-component", json=body).status_code for body in bodies]
        if all(s == 200 for s in statuses):
            break
        assert set(statuses) <= {200, 503}, statuses
        assert time.monotonic() - back < 10, f"not recovered 10 s after PostgreSQL came back: {statuses}"
        time.sleep(0.2)
    recovered = time.monotonic() - back
    print(f"\nrecovered {recovered:.2f} s after PostgreSQL came back")
    assert anonymous.get("/ready").status_code == 200
