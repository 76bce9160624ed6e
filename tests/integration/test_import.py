"""The importer: demo → contract files → import into an empty store gives the same store to the fen (every table,
every mart); a file set with bad rows imports nothing and names every bad line; `--month` adds one month."""

from __future__ import annotations

import os
import shutil

import duckdb
import pandas as pd
import pytest
import sqlalchemy as sa

from dashboard.cli import main
from dashboard.demo import build_demo
from dashboard.state import audit
from dashboard.store.contract_export import export_contract
from dashboard.store.engine import finance_engine_for, read_data_version
from dashboard.store.importer import import_files
from dashboard.store.schema import FACTS, MARTS
from tests.conftest import CH_URL, PG_URL, TEST_SEED, _postgres_reachable

TABLES = [t.name for t in (*FACTS, *MARTS)]
MONTH = (2024, 12)


IMPORT_SCALE = 0.02  # what is imported does not depend on how much: a fifth of the suite's store, 5× faster


@pytest.fixture(scope="module")
def small_url(tmp_path_factory):
    """A demo store of its own for the importer (DuckDB, the suite's seed at IMPORT_SCALE): what it is exported
    from and compared with."""
    url = f"duckdb:///{tmp_path_factory.mktemp('import-store')}/cockpit.duckdb"
    build_demo(url, scale=IMPORT_SCALE, seed=TEST_SEED)
    return url


@pytest.fixture(scope="module")
def contract_dir(small_url, tmp_path_factory):
    """The small DuckDB demo store written in the contract format."""
    directory = str(tmp_path_factory.mktemp("contract"))
    counts = export_contract(small_url, directory)
    assert counts["payment"] > 20_000
    return directory


def _path(url: str) -> str:
    return os.path.realpath(url.removeprefix("duckdb:///"))


def _duckdb_differences(url_a: str, url_b: str) -> dict[str, tuple[int, int]]:
    """Tables whose rows differ between two DuckDB stores: name → (rows only in a, rows only in b)."""
    db = duckdb.connect()
    db.execute(f"ATTACH '{_path(url_a)}' AS a (READ_ONLY)")
    db.execute(f"ATTACH '{_path(url_b)}' AS b (READ_ONLY)")
    out = {}
    for name in TABLES:
        only_a = db.execute(f"SELECT count(*) FROM (FROM a.{name} EXCEPT ALL FROM b.{name})").fetchone()[0]
        only_b = db.execute(f"SELECT count(*) FROM (FROM b.{name} EXCEPT ALL FROM a.{name})").fetchone()[0]
        if only_a or only_b:
            out[name] = (only_a, only_b)
    db.close()
    return out


def _version(url: str):
    engine = sa.create_engine(f"duckdb:///{_path(url)}", connect_args={"read_only": True})
    try:
        return read_data_version(engine)
    finally:
        engine.dispose()


def test_round_trip_duckdb_is_exact(small_url, contract_dir, tmp_path, capsys):
    url = f"duckdb:///{tmp_path}/imported.duckdb"
    assert main(["import", contract_dir, "--replace", "--db-url", url]) == 0
    assert "导入完成" in capsys.readouterr().out
    assert _duckdb_differences(small_url, url) == {}
    assert _version(url).data_through == _version(small_url).data_through
    (event,) = audit.search(action="import")
    assert event["outcome"] == "ok" and event["username"].startswith("cli:")
    assert event["rows"] > 60_000 and "payment.csv" in event["params"]


def _csv_rows(path: str, where: str = "true") -> pd.DataFrame:
    return duckdb.sql(f"SELECT * FROM read_csv('{path}', all_varchar = true) WHERE {where}").df()


def _write_bad_set(contract_dir: str, directory: str) -> dict[int, str]:
    """A GB18030 payment file of good rows and bad ones; returns line → what is wrong with it."""
    rows = _csv_rows(os.path.join(contract_dir, "payment.csv")).head(8).copy()
    rows.loc[1, "支付方式"] = "现金支付"  # wrong code
    rows.loc[2, "支付日期"] = "2024-02-30"  # bad date
    rows.loc[3, "指标ID"] = "999999999"  # unknown indicator
    rows.loc[4, "支出功能分类科目(款)"] = "99999"  # not in 收支分类科目
    rows.loc[6, "支付凭证号"] = rows.loc[5, "支付凭证号"]  # a duplicate voucher, twice
    rows.loc[7, "支付金额"] = "12.345"  # not exact to the fen
    path = os.path.join(directory, "国库集中支付明细_错误.csv")
    rows.to_csv(path, index=False, encoding="gb18030")
    # rows are lines 2…9 (the header is line 1)
    return {
        3: "不在代码表中",
        4: "不是有效日期",
        5: "预算指标不存在",
        6: "不在代码表中",
        7: "重复",
        8: "重复",
        9: "精确到分",
    }


@pytest.fixture
def store_copy(small_url, tmp_path):
    """A writable copy of the small demo store, published as load 1 would be."""
    shutil.copyfile(_path(small_url), f"{tmp_path}/store-1.duckdb")
    os.symlink("store-1.duckdb", f"{tmp_path}/store.duckdb")
    return f"duckdb:///{tmp_path}/store.duckdb"


def test_bad_rows_import_nothing_and_each_is_named(store_copy, contract_dir, tmp_path, capsys):
    url = store_copy
    before = _version(url)
    bad_dir = tmp_path / "bad"
    bad_dir.mkdir()
    expected = _write_bad_set(contract_dir, str(bad_dir))

    assert main(["import", str(bad_dir), "--db-url", url]) == 1
    report = capsys.readouterr().err
    lines = [line.split("\t") for line in report.splitlines() if line.startswith(str(bad_dir))]
    for line, reason in expected.items():
        assert any(int(row[1]) == line and reason in row[4] for row in lines), (line, reason, report)
    assert {int(row[1]) for row in lines} == set(expected)  # the good lines are not reported
    assert "数据仓未作任何改动" in report
    assert _version(url) == before and os.path.realpath(url.removeprefix("duckdb:///")).endswith("store-1.duckdb")
    (event,) = audit.search(action="import")
    assert event["outcome"] == "failed"

    result = import_files([str(bad_dir)], url, limit=3)
    assert not result.ok and len(result.bad_rows) == 3 and result.bad_count == len(lines)  # the total, beyond the limit


def test_unreadable_lines_and_missing_columns(store_copy, contract_dir, tmp_path):
    """A UTF-8 file with BOM, without the 支付金额 column and with a line of too many fields: both are named,
    and the missing column is reported once, not on every row."""
    rows = _csv_rows(os.path.join(contract_dir, "payment.csv")).head(4).drop(columns=["支付金额"])
    rows.loc[3, "支付日期"] = "2024-13-01"  # line 6, after the unreadable line: its number must still be right
    text = rows.to_csv(index=False).splitlines()
    text.insert(3, text[2] + ",多余")  # line 4: one field too many
    path = tmp_path / "payment.csv"
    path.write_text("\ufeff" + "\n".join(text) + "\n", encoding="utf-8")
    result = import_files([str(path)], store_copy)
    assert not result.ok
    found = {(b.line, b.column, b.reason) for b in result.bad_rows}
    assert found == {
        (1, "支付金额", "缺少必填列"),
        (4, "", "无法解析的行: 列数多于表头 (Expected Number of Columns: 16 Found: 17)"),
        (6, "支付日期", "不是有效日期(应为 YYYY-MM-DD)"),
    }
    assert result.bad_count == 3


def test_a_changed_indicator_must_still_agree_with_its_payments(store_copy, contract_dir, tmp_path):
    """Merging an indicator under another agency would leave the store's payments of it disagreeing: refused."""
    indicators = _csv_rows(os.path.join(contract_dir, "budget_indicator.csv")).head(1)
    indicators.loc[0, "预算单位ID"] = "2"
    indicators.to_csv(tmp_path / "budget_indicator.csv", index=False)
    result = import_files([str(tmp_path / "budget_indicator.csv")], store_copy)
    assert not result.ok
    assert {b.file for b in result.bad_rows} == {"数据仓已有的国库集中支付明细"}
    assert all(b.column == "预算单位ID" and b.line is None for b in result.bad_rows)


def test_xlsx_rows_keep_their_sheet_row(store_copy, contract_dir, tmp_path):
    from openpyxl import Workbook

    rows = _csv_rows(os.path.join(contract_dir, "payment.csv")).head(2)
    rows.loc[1, "支付日期"] = "2024/02/30"
    book = Workbook()
    sheet = book.active
    sheet.append(list(rows.columns))
    sheet.append(list(rows.iloc[0]))
    sheet.append([])  # an empty row is skipped, yet counted
    sheet.append(list(rows.iloc[1]))
    book.save(tmp_path / "payment.xlsx")
    result = import_files([str(tmp_path / "payment.xlsx")], store_copy)
    assert [(b.line, b.column) for b in result.bad_rows] == [(4, "支付日期")]


def _split_month(contract_dir: str, base: str, month: str) -> None:
    """`base`: the contract files without `month`'s payments and revenue; `month`: those, as Parquet and XLSX."""
    shutil.copytree(contract_dir, base)
    os.makedirs(month)
    db = duckdb.connect()
    for table, column in (("payment", "支付日期"), ("revenue", "入库日期")):
        source = os.path.join(contract_dir, f"{table}.csv")
        target = os.path.join(base, f"{table}.csv")
        os.remove(target)
        db.execute(
            f"COPY (SELECT * FROM read_csv('{source}', all_varchar = true) WHERE {column} NOT LIKE '2024-12%') "
            f"TO '{target}' (HEADER)"
        )
    db.execute(
        f"COPY (SELECT * FROM read_csv('{contract_dir}/payment.csv', all_varchar = true) "
        f"WHERE 支付日期 LIKE '2024-12%') TO '{month}/payment_202412.parquet' (FORMAT parquet)"
    )
    _csv_rows(f"{contract_dir}/revenue.csv", "入库日期 LIKE '2024-12%'").to_excel(
        f"{month}/一般公共预算收入_202412.xlsx", index=False
    )
    db.close()


@pytest.fixture(scope="module")
def month_dirs(contract_dir, tmp_path_factory):
    root = tmp_path_factory.mktemp("month")
    base, month = str(root / "base"), str(root / "2024-12")
    _split_month(contract_dir, base, month)
    return base, month


def test_month_increment_duckdb(small_url, month_dirs, tmp_path):
    base, month = month_dirs
    url = f"duckdb:///{tmp_path}/store.duckdb"
    assert import_files([base], url, mode="replace").ok
    first = _version(url)
    assert set(_duckdb_differences(small_url, url)) >= {"payment", "revenue", "mart_payment_month"}

    result = import_files([month], url, mode="month", month=MONTH)
    assert result.ok, result.bad_rows
    assert result.version is not None and result.version.load_id == first.load_id + 1
    assert _duckdb_differences(small_url, url) == {}

    again = import_files([month], url, mode="month", month=MONTH)  # idempotent: each voucher once
    assert again.ok and _duckdb_differences(small_url, url) == {}

    wrong = import_files([month], url, mode="month", month=(2024, 11))
    assert not wrong.ok and all("不属于导入月份 2024-11" in b.reason for b in wrong.bad_rows)


def test_merge_is_idempotent(small_url, contract_dir, tmp_path):
    url = f"duckdb:///{tmp_path}/store.duckdb"
    assert import_files([contract_dir], url, mode="replace").ok
    payments = os.path.join(contract_dir, "payment.csv")
    assert import_files([payments], url).ok  # the same vouchers again replace themselves
    assert _duckdb_differences(small_url, url) == {}


# -- PostgreSQL: its own schema of the test database, so the suite's demo store there is not touched ---------------

PG_SCHEMA = "import_test"


@pytest.fixture
def pg_import_url():
    """Needs only the server, not the suite's demo store there (`pg_url` would rebuild it)."""
    if not _postgres_reachable():
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"PostgreSQL at {PG_URL} is unreachable and CI=true: the suite must run against it")
        pytest.skip(f"PostgreSQL at {PG_URL} unreachable")
    engine = sa.create_engine(PG_URL)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
        conn.exec_driver_sql(f"CREATE SCHEMA {PG_SCHEMA}")
    yield f"{PG_URL}?options=-csearch_path%3D{PG_SCHEMA}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE")
    engine.dispose()


def _table_frame(engine: sa.Engine, name: str) -> pd.DataFrame:
    """Every row of a table as text, in one order (compared across engines)."""
    with engine.connect() as conn:
        frame = pd.read_sql(sa.text(f'SELECT * FROM "{name}"'), conn)
    return frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)


@pytest.fixture(scope="module")
def duck_frames(small_url) -> dict[str, pd.DataFrame]:
    """The small DuckDB store's tables, read once for both server engines."""
    engine = sa.create_engine(f"duckdb:///{_path(small_url)}", connect_args={"read_only": True})
    try:
        return {name: _table_frame(engine, name) for name in TABLES}
    finally:
        engine.dispose()


def _frames_differ(expected: dict[str, pd.DataFrame], engine: sa.Engine) -> list[str]:
    return [name for name in TABLES if not expected[name].equals(_table_frame(engine, name))]


@pytest.mark.postgres
def test_round_trip_and_month_postgres(duck_frames, month_dirs, pg_import_url):
    base, month = month_dirs
    assert import_files([base], pg_import_url, mode="replace").ok
    result = import_files([month], pg_import_url, mode="month", month=MONTH)
    assert result.ok, result.bad_rows[:5]
    again = import_files([month], pg_import_url, mode="month", month=MONTH)
    assert again.ok
    engine = sa.create_engine(pg_import_url)
    try:
        assert _frames_differ(duck_frames, engine) == []
        assert read_data_version(engine).load_id == 3
    finally:
        engine.dispose()


def test_round_trip_and_month_clickhouse(duck_frames, month_dirs):
    """The same on ClickHouse (chDB, a home database of its own beside the suite's demo store): a replace, a month
    twice, each a database published by its pointer row, the older ones dropped."""
    url = CH_URL.replace("/cockpit?", "/import_test?")
    base, month = month_dirs
    assert import_files([base], url, mode="replace").ok
    result = import_files([month], url, mode="month", month=MONTH)
    assert result.ok, result.bad_rows[:5]
    assert import_files([month], url, mode="month", month=MONTH).ok
    engine = finance_engine_for(url)
    try:
        assert _frames_differ(duck_frames, engine) == []
        assert read_data_version(engine).load_id == 3
        with engine.connect() as conn:
            kept = conn.exec_driver_sql("SELECT name FROM system.databases WHERE name LIKE 'import\\_test\\_v%'")
            assert sorted(kept.scalars()) == [
                "import_test_v2",
                "import_test_v3",
            ]  # the published one and the one before
    finally:
        engine.dispose()


def test_population_and_gdp_of_a_parent_must_equal_its_childrens(store_copy, contract_dir, tmp_path):
    """A city's 常住人口 or GDP changed without its counties is refused (上下级不一致); the same row back as it was
    merges."""
    stats = _csv_rows(os.path.join(contract_dir, "region_stat.csv"), "区划代码 = '430100'")
    assert len(stats) == 1
    stats.to_csv(tmp_path / "region_stat.csv", index=False)
    assert import_files([str(tmp_path / "region_stat.csv")], store_copy).ok
    stats.loc[0, "年末常住人口(人)"] = str(int(stats.loc[0, "年末常住人口(人)"]) + 1)
    stats.to_csv(tmp_path / "region_stat.csv", index=False)
    result = import_files([str(tmp_path / "region_stat.csv")], store_copy)
    assert not result.ok
    ((bad),) = result.bad_rows
    assert bad.column == "年末常住人口(人)" and bad.line == 2 and bad.reason.startswith("上下级不一致")
