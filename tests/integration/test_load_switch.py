"""Publishing a new DuckDB load never disturbs a reader of the old one, and the app then follows the new file."""

from __future__ import annotations

import os
import threading

import sqlalchemy as sa

from dashboard.demo import build_demo
from dashboard.store.engine import current_data_version

SCALE = 0.02


def _snapshot(conn) -> tuple:
    return tuple(
        conn.execute(
            sa.text(
                "SELECT (SELECT MAX(load_id) FROM data_version), (SELECT COUNT(*) FROM payment), "
                "(SELECT SUM(amount) FROM payment)"
            )
        ).one()
    )


def test_reader_keeps_working_during_a_second_load_and_app_sees_the_new_load_id(tmp_path, use_store):
    url = f"duckdb:///{tmp_path}/cockpit.duckdb"
    link = tmp_path / "cockpit.duckdb"
    _data, first = build_demo(url, scale=SCALE, seed=7)
    assert first.load_id == 1 and os.readlink(link) == "cockpit-1.duckdb"

    use_store(url)
    assert current_data_version().load_id == 1

    reader = sa.create_engine(f"duckdb:///{os.path.realpath(link)}", connect_args={"read_only": True})
    try:
        with reader.connect() as conn:
            before = _snapshot(conn)
            assert before[0] == 1 and before[1] > 0

            errors: list[BaseException] = []
            result = {}

            def second_load():
                try:
                    result["version"] = build_demo(url, scale=SCALE, seed=8)[1]
                except BaseException as exc:  # noqa: BLE001 - reported below
                    errors.append(exc)

            writer = threading.Thread(target=second_load)
            writer.start()
            reads_during = 0
            while writer.is_alive():
                assert _snapshot(conn) == before  # the reader sees the old load, whole and unchanged
                reads_during += 1
            writer.join()
            assert errors == []
            assert reads_during >= 1, "the reader did not read while the load ran"
            assert result["version"].load_id == 2

            # after the switch: the open reader still works on the old file, unchanged
            assert _snapshot(conn) == before
        with reader.connect() as conn:  # and a fresh connection of that engine too
            assert _snapshot(conn) == before
    finally:
        reader.dispose()

    assert os.readlink(link) == "cockpit-2.duckdb"
    # the app's store follows the moved link without being reset
    assert current_data_version().load_id == 2
    # and reads the new data (a different seed: different payments)
    new = sa.create_engine(f"duckdb:///{os.path.realpath(link)}", connect_args={"read_only": True})
    try:
        with new.connect() as conn:
            after = _snapshot(conn)
    finally:
        new.dispose()
    assert after[0] == 2 and after != before
