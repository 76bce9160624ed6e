"""`python -m dashboard demo` builds and publishes a store; bad input fails in Chinese without touching disk."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_cli(*args: str, tmp_path) -> subprocess.CompletedProcess:
    env = {
        **os.environ,
        "COCKPIT_DB_URL": f"duckdb:///{tmp_path}/not-this-one.duckdb",
        "COCKPIT_STATE_URL": f"sqlite:///{tmp_path}/state.sqlite",
    }  # the rules run after the load writes here
    return subprocess.run(
        [sys.executable, "-m", "dashboard", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def read_store(path: str) -> tuple[list, int]:
    engine = sa.create_engine(f"duckdb:///{os.path.realpath(path)}", connect_args={"read_only": True})
    try:
        with engine.connect() as conn:
            versions = conn.execute(sa.text("SELECT load_id, source FROM data_version ORDER BY load_id")).all()
            payments = conn.execute(sa.text("SELECT COUNT(*) FROM payment")).scalar_one()
    finally:
        engine.dispose()
    return versions, payments


@pytest.fixture(scope="module")
def built_twice(tmp_path_factory):
    """Run the demo CLI twice into one path; record what the store looked like after each run."""
    tmp = tmp_path_factory.mktemp("cli")
    path = str(tmp / "x.duckdb")
    runs = []
    for _ in range(2):
        proc = run_cli("demo", "--scale", "0.02", "--db-url", f"duckdb:///{path}", tmp_path=tmp)
        state = None
        if proc.returncode == 0:
            state = (os.readlink(path), *read_store(path))
        runs.append((proc, state))
    return tmp, path, runs


def test_demo_cli_exits_zero_and_store_has_a_version_and_payments(built_twice):
    tmp, path, runs = built_twice
    proc, state = runs[0]
    assert proc.returncode == 0, proc.stderr[-2000:]
    link, versions, payments = state
    assert link == "x-1.duckdb"
    assert [v.load_id for v in versions] == [1]
    assert "scale=0.02" in versions[0].source
    assert payments > 1000
    assert "载入批次 1" in proc.stdout
    assert "预警规则已运行" in proc.stdout and os.path.exists(tmp / "state.sqlite")
    assert not os.path.exists(tmp / "not-this-one.duckdb"), "--db-url was ignored in favour of COCKPIT_DB_URL"
    assert os.path.exists(tmp / "x.anomalies.json")


def test_demo_cli_second_run_publishes_a_newer_file_with_a_higher_load_id(built_twice):
    tmp, path, runs = built_twice
    (first, first_state), (second, second_state) = runs
    assert second.returncode == 0, second.stderr[-2000:]
    assert os.path.islink(path)
    assert os.readlink(path) == "x-2.duckdb" == second_state[0]
    assert os.path.realpath(path) == os.path.realpath(tmp / "x-2.duckdb")
    first_ids = [v.load_id for v in first_state[1]]
    second_ids = [v.load_id for v in second_state[1]]
    assert max(second_ids) > max(first_ids)
    assert second_state[2] == first_state[2]  # same seed and scale: same payments


@pytest.mark.parametrize("years", ["abc", "2024,abc", "1800"])
def test_demo_cli_bad_years_fail_in_chinese_and_create_no_file(tmp_path, years):
    path = tmp_path / "bad.duckdb"
    proc = run_cli("demo", "--years", years, "--scale", "0.02", "--db-url", f"duckdb:///{path}", tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "年份" in proc.stderr, proc.stderr
    assert any("\u4e00" <= ch <= "\u9fff" for ch in proc.stderr)
    assert "Traceback" not in proc.stderr
    assert sorted(os.listdir(tmp_path)) == []


def test_demo_cli_nonpositive_scale_fails_in_chinese_and_creates_no_file(tmp_path):
    path = tmp_path / "bad.duckdb"
    proc = run_cli("demo", "--scale", "0", "--db-url", f"duckdb:///{path}", tmp_path=tmp_path)
    assert proc.returncode != 0
    assert "必须大于 0" in proc.stderr, proc.stderr
    assert sorted(os.listdir(tmp_path)) == []
