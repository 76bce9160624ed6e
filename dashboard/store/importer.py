"""Import 预算管理一体化 exports into the finance store, all or nothing, validated against the data contract.

The stages, each a function of what the previous one made:
1. `read_files`: every file as text in a DuckDB staging database (DuckDB's CSV and Parquet readers; XLSX through
   openpyxl), headers mapped to the schema's columns by their Chinese name or English alias.
2. `stage`: the store's current rows (merge and month modes) beside the new ones, the new rows cast to the
   contract's types (`new_<table>`), and the store as it would be after the import (`final_<table>`).
3. `validate`: every row and every rule between tables checked in SQL; bad rows land in the `bad_row` table.
4. `publish`: only when nothing is bad, the new rows are written through dashboard.store.load (a new DuckDB file
   published by moving the symlink, or one PostgreSQL transaction), the marts rebuilt, a data version recorded.
A step that scores the validated rows (data quality) runs between 3 and 4 on `Staged`, whose `new_<table>` and
`final_<table>` tables hold exactly what is about to be published.

Validation is DuckDB's: TRY_CAST for types, joins for codes and references, GROUP BY for keys. The only Python over
the data is the decoding of GB18030 files to UTF-8 (DuckDB's reader knows only UTF-8, UTF-16 and Latin-1 without
an extension that needs a download) and the reading of XLSX cells, which DuckDB cannot read without one either.
"""

from __future__ import annotations

import codecs
import datetime as dt
import os
import re
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import pandas as pd
import sqlalchemy as sa

from dashboard.store import clickhouse
from dashboard.store.contract import (
    AGREEMENTS,
    ITEM_PAIRS,
    REFERENCES,
    REQUIRED_TABLES,
    TABLES,
    Field,
    TableContract,
    gb2260_codes,
)
from dashboard.store.engine import DataVersion, duckdb_path, finance_engine_for, is_duckdb, read_data_version
from dashboard.store.load import Change, Progress, StagedRows, load_store, update_store
from dashboard.store.schema import FACTS

SUFFIXES = {".csv": "csv", ".txt": "csv", ".xlsx": "xlsx", ".parquet": "parquet"}
# The facts that say how far the data reaches ("数据截至"), as the demo counts it.
DATA_THROUGH = (("payment", "pay_date"), ("revenue", "collect_date"), ("subsidy_payout", "pay_date"))
_TRUE = ("是", "true", "t", "1", "y", "yes")
_FALSE = ("否", "false", "f", "0", "n", "no")


class ImportRefused(ValueError):
    """The file set cannot be read at all (no such file, a name that matches no table)."""


@dataclass(frozen=True)
class BadRow:
    file: str
    line: int | None  # None: the file set as a whole
    column: str
    value: str | None
    reason: str


@dataclass
class ImportResult:
    ok: bool
    files: list[str]
    rows: dict[str, int]  # new rows per table
    bad_rows: list[BadRow]  # the first `limit`
    bad_count: int
    version: DataVersion | None = None

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


@dataclass
class Source:
    path: str
    table: TableContract
    kind: str  # csv / xlsx / parquet
    raw: str = ""  # staging table of the file's text
    first_line: int = 2  # line number of the first row (the header is line 1; Parquet has none)
    rejects: str | None = None  # DuckDB's rejects table of a CSV: the lines it could not read
    columns: dict[str, str] = field(default_factory=dict)  # schema column -> the file's header


@dataclass
class Staged:
    """The staging database after `stage`: `new_<table>` (typed, with `_file` and `_line`) and `final_<table>`."""

    db: duckdb.DuckDBPyConnection
    sources: list[Source]
    mode: str  # merge / replace / month
    month: tuple[int, int] | None
    tables: list[TableContract]  # the tables in the file set, in the schema's order
    final: set[str]  # the tables with a `final_<table>` view (those in the file set and those their rules read)

    def count(self, relation: str) -> int:
        row = self.db.execute(f"SELECT count(*) FROM {relation}").fetchone()
        return int(row[0]) if row else 0


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _table_for(path: str) -> TableContract:
    """The table a file holds, from its name: `payment.csv`, `国库集中支付明细_202403.xlsx`, `payment-2.parquet`."""
    stem = os.path.splitext(os.path.basename(path))[0].lower()
    names = sorted(((name, t) for t in TABLES.values() for name in (t.name, t.label.lower())), key=lambda p: -len(p[0]))
    for name, table in names:
        if stem == name or (stem.startswith(name) and not stem[len(name)].isalnum()):
            return table
        if stem.startswith(name) and not name.isascii():
            return table
    raise ImportRefused(f"{path}: 文件名对应不到任何数据表(应以表名开头,如 payment.csv 或 国库集中支付明细.csv)")


def expand(paths: Iterable[str]) -> list[str]:
    """Files named, and the importable files inside directories named, each once."""
    found: list[str] = []
    for path in paths:
        if os.path.isdir(path):
            found += sorted(
                os.path.join(path, n) for n in os.listdir(path) if os.path.splitext(n)[1].lower() in SUFFIXES
            )
        elif os.path.exists(path):
            found.append(path)
        else:
            raise ImportRefused(f"{path}: 文件不存在")
    return list(dict.fromkeys(os.path.abspath(p) for p in found))


def _is_utf8(path: str) -> bool:
    """From the first MB: a GB18030 export has Chinese in its header already. Bytes that are not UTF-8 further on
    are DuckDB's to report, as rows it cannot read."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        decoder.decode(head, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _to_utf8(path: str, workdir: str) -> str:
    """A UTF-8 copy of a GB18030 (GBK) file, for DuckDB's reader."""
    target = os.path.join(workdir, f"utf8-{len(os.listdir(workdir))}.csv")
    with open(path, encoding="gb18030", newline="") as src, open(target, "w", encoding="utf-8", newline="") as out:
        while chunk := src.read(1 << 22):
            out.write(chunk)
    return target


def _cell(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return str(value)


def _read_xlsx(path: str) -> pd.DataFrame:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        rows = book.worksheets[0].iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        data = [  # empty rows (formatting left below the data) are skipped, the others keep their sheet row
            [n, *(_cell(v) for v in row[: len(header)])]
            for n, row in enumerate(rows, start=1)
            if any(v is not None for v in row)
        ]
    finally:
        book.close()
    return pd.DataFrame(data, columns=["_row", *header], dtype=object).astype({"_row": "int64"})


def _map_headers(source: Source, headers: list[str], bad: list[BadRow]) -> None:
    by_name = {}
    for f in source.table.fields:
        by_name[f.label] = f.name
        by_name[f.name.lower()] = f.name
    for header in headers:
        name = by_name.get(header.strip()) or by_name.get(header.strip().lower())
        if name is None:
            bad.append(BadRow(source.path, 1, header, None, f"未知列: {source.table.label}中没有这一列"))
        elif name in source.columns:
            bad.append(BadRow(source.path, 1, header, None, f"列重复: 与「{source.columns[name]}」是同一列"))
        else:
            source.columns[name] = header
    for f in source.table.fields:
        if f.required and f.name not in source.columns:
            bad.append(BadRow(source.path, 1, f.label, None, "缺少必填列"))


def read_files(
    db: duckdb.DuckDBPyConnection, paths: Sequence[str], workdir: str, progress: Progress
) -> tuple[list[Source], list[BadRow]]:
    """Stage 1: each file as text in `raw_<n>` (a view over DuckDB's reader; a table for XLSX) with its row number
    `_row`, its headers mapped; what is wrong with the headers."""
    sources: list[Source] = []
    bad: list[BadRow] = []
    for n, path in enumerate(paths):
        kind = SUFFIXES.get(os.path.splitext(path)[1].lower())
        if kind is None:
            raise ImportRefused(f"{path}: 不支持的文件类型(CSV、XLSX、Parquet)")
        source = Source(path, _table_for(path), kind, raw=f"raw_{n}")
        progress(f"读取 {os.path.basename(path)}")
        if kind == "csv":
            readable = path if _is_utf8(path) else _to_utf8(path, workdir)
            db.execute(
                f"CREATE VIEW {source.raw} AS SELECT row_number() OVER () AS _row, * FROM read_csv({_lit(readable)}, "
                "all_varchar = true, header = true, delim = ',', quote = '\"', escape = '\"', store_rejects = true, "
                f"rejects_table = 'rej_{n}', rejects_scan = 'rejscan_{n}')"
            )
            source.rejects = f"rej_{n}"
        elif kind == "xlsx":
            frame = _read_xlsx(path)
            db.register("_xlsx", frame)
            db.execute(f"CREATE TABLE {source.raw} AS SELECT * FROM _xlsx")
            db.unregister("_xlsx")
        else:
            db.execute(
                f"CREATE VIEW {source.raw} AS SELECT row_number() OVER () AS _row, * FROM read_parquet({_lit(path)})"
            )
            source.first_line = 1
        headers = [row[0] for row in db.execute(f"DESCRIBE {source.raw}").fetchall() if row[0] != "_row"]
        _map_headers(source, headers, bad)
        sources.append(source)
    return sources, bad


def _text(f: Field) -> str:
    """The trimmed text of a column in `_typed_select`'s inner query."""
    return _q(f"_t_{f.name}")


def _cast(f: Field, text: str) -> str:
    """The typed value of `text`, NULL when it is not one (DuckDB's TRY_CAST does the parsing)."""
    if f.kind == "date":
        return (
            f"COALESCE(TRY_CAST({text} AS DATE), CAST(TRY_STRPTIME({text}, '%Y/%m/%d') AS DATE), "
            f"CAST(TRY_STRPTIME({text}, '%Y%m%d') AS DATE))"
        )
    if f.kind == "integer":
        return f"TRY_CAST({text} AS BIGINT)"
    if f.kind in ("money", "decimal"):
        scale = int(f.sql_type.rstrip(")").split(",")[1])
        decimals = f"rtrim(split_part({text}, '.', 2), '0')"  # a cast would round them away
        return f"CASE WHEN length({decimals}) <= {scale} THEN TRY_CAST({text} AS {f.sql_type}) END"
    if f.kind == "boolean":
        truthy = ", ".join(map(_lit, _TRUE))
        falsy = ", ".join(map(_lit, _FALSE))
        return f"CASE WHEN lower({text}) IN ({truthy}) THEN true WHEN lower({text}) IN ({falsy}) THEN false END"
    return text


_REJECT_REASONS = {  # DuckDB's CSV error types
    "TOO MANY COLUMNS": "列数多于表头",
    "MISSING COLUMNS": "列数少于表头",
    "UNQUOTED VALUE": "引号不匹配",
    "LINE SIZE OVER MAXIMUM": "行过长",
    "INVALID ENCODING": "含非法字符(应为 UTF-8 或 GB18030 编码)",
    "INVALID UNICODE": "含非法字符(应为 UTF-8 或 GB18030 编码)",
}
_TYPE_REASONS = {
    "date": "不是有效日期(应为 YYYY-MM-DD)",
    "integer": "不是整数",
    "money": "不是金额或超过两位小数(金额须精确到分)",
    "decimal": "不是数值或小数位过多",
    "boolean": "应为 是/否",
}


def _row_checks(f: Field, present: bool) -> list[tuple[str, str]]:
    """(condition, reason) for one column: required, type, length, fixed code list (on its text and its value).
    A required column missing from the file is reported once, on its header line, not on every row."""
    text, value = _text(f), _q(f.name)
    checks = []
    if f.required and present:
        checks.append((f"{text} IS NULL", "必填项为空"))
    if f.kind in _TYPE_REASONS:
        checks.append((f"{text} IS NOT NULL AND {value} IS NULL", _TYPE_REASONS[f.kind]))
    if f.length:
        checks.append((f"length({text}) > {f.length}", f"超过 {f.length} 个字符"))
    if f.codes and f.codes.values:
        values = ", ".join(map(_lit, f.codes.values))
        checks.append((f"{text} NOT IN ({values})", f"不在代码表中({f.codes.label})"))
    return checks


def _typed_select(source: Source, contract: TableContract, mode: str, month: tuple[int, int] | None) -> str:
    """One scan of a file's text: `_file`, `_line`, the typed columns and `_errs`, the list of what is wrong with
    the row (column, value, reason), empty for a good row."""
    texts = []
    for f in contract.fields:
        header = source.columns.get(f.name)
        text = f"NULLIF(TRIM(CAST({_q(header)} AS VARCHAR)), '')" if header else "CAST(NULL AS VARCHAR)"
        texts.append(f"{text} AS {_text(f)}")
    inner = f"SELECT _row + {source.first_line - 1} AS _line, {', '.join(texts)} FROM {source.raw}"
    typed = ", ".join(f"{_cast(f, _text(f))} AS {_q(f.name)}" for f in contract.fields)
    middle = f"SELECT {_lit(source.path)} AS _file, _line, *, {typed} FROM ({inner})"
    errors = []
    for f in contract.fields:
        for condition, reason in _row_checks(f, f.name in source.columns):
            errors.append(
                f"CASE WHEN {condition} THEN {{'col': {_lit(f.label)}, 'value': {_text(f)}, "
                f"'reason': {_lit(reason)}}} END"
            )
    if mode == "month" and month and contract.month_column:
        first = contract.field(contract.month_column.split(",")[0])
        reason = _lit(f"不属于导入月份 {month[0]}-{month[1]:02d}")
        errors.append(
            f"CASE WHEN NOT {_month_filter(contract, month)} THEN {{'col': {_lit(first.label)}, "
            f"'value': {_text(first)}, 'reason': {reason}}} END"
        )
    columns = ", ".join(_q(f.name) for f in contract.fields)
    return (
        f"SELECT _file, _line, {columns}, list_filter([{', '.join(errors)}], lambda e: e IS NOT NULL) AS _errs "
        f"FROM ({middle})"
    )


def _after_rejects(db: duckdb.DuckDBPyConnection, table: str, source: Source) -> None:
    """Report the lines DuckDB's reader could not read, and renumber the file's other rows: the reader skipped
    those lines, so a row's number among the rows read is short by the rejected lines before it. The i-th rejected
    line r_i (in order) lies before a row read as line p exactly when r_i - i < p."""
    if not db.execute(f"SELECT count(*) FROM {source.rejects}").fetchone()[0]:  # type: ignore[index]
        return
    kinds = " ".join(f"WHEN {_lit(k)} THEN {_lit(v)}" for k, v in _REJECT_REASONS.items())
    db.execute(
        f"INSERT INTO bad_row SELECT {_lit(source.path)}, line, COALESCE(column_name, ''), NULL, "
        f"'无法解析的行: ' || CASE CAST(error_type AS VARCHAR) {kinds} ELSE '格式错误' END "
        f"|| ' (' || split_part(error_message, chr(10), 1) || ')' FROM {source.rejects}"
    )
    db.execute(
        f"CREATE TEMP TABLE _skipped AS SELECT DISTINCT line - dense_rank() OVER (ORDER BY line) AS k, line "
        f"FROM (SELECT DISTINCT line FROM {source.rejects})"
    )
    db.execute(
        f"UPDATE {table} AS n SET _line = n._line + (SELECT count(*) FROM _skipped WHERE k < n._line) "
        f"WHERE n._file = {_lit(source.path)}"
    )
    db.execute("DROP TABLE _skipped")


def _old_tables(db: duckdb.DuckDBPyConnection, url: str, names: Iterable[str], workdir: str) -> None:
    """The store's current rows of `names` as `old_<table>` (empty when there is no store or no such table)."""
    tables = {t.name: t for t in FACTS}
    present: set[str] = set()
    if is_duckdb(url):
        path = duckdb_path(url)
        if path and os.path.exists(path):
            db.execute(f"ATTACH {_lit(os.path.realpath(path))} AS store (READ_ONLY)")
            present = {
                r[0]
                for r in db.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'store'").fetchall()
            }
            for name in names:
                if name in present:
                    db.execute(f"CREATE VIEW old_{name} AS SELECT * FROM store.main.{_q(name)}")
    elif clickhouse.is_clickhouse(url) and clickhouse.published_database(url) is None:
        pass  # nothing published under this home yet: every table starts empty
    else:
        engine = finance_engine_for(url)
        try:
            present = set(sa.inspect(engine).get_table_names())
            with engine.connect() as conn:
                for name in names:
                    if name in present:
                        _pull(db, conn, tables[name], workdir)
        finally:
            engine.dispose()
    for name in names:
        if name not in present:
            columns = ", ".join(f"{_q(f.name)} {f.sql_type}" for f in TABLES[name].fields)
            db.execute(f"CREATE TABLE old_{name} ({columns})")


def _pull(db: duckdb.DuckDBPyConnection, conn: sa.Connection, table: sa.Table, workdir: str) -> None:
    """One table of a server store into the staging database (PostgreSQL: COPY out as CSV; else: pandas)."""
    contract = TABLES[table.name]
    if conn.dialect.name == "postgresql":
        target = os.path.join(workdir, f"old-{table.name}.csv")
        raw: Any = conn.connection.dbapi_connection  # psycopg: its COPY extension
        assert raw is not None
        columns = ", ".join(_q(f.name) for f in contract.fields)
        copy_out = f"COPY (SELECT {columns} FROM {_q(table.name)}) TO STDOUT WITH (FORMAT csv)"
        with raw.cursor() as cur, open(target, "wb") as out, cur.copy(copy_out) as copy:
            for block in copy:
                out.write(block)
        types = "{" + ", ".join(f"{_lit(f.name)}: {_lit(f.sql_type)}" for f in contract.fields) + "}"
        db.execute(
            f"CREATE TABLE old_{table.name} AS SELECT * FROM read_csv(?, header = false, columns = {types}, "
            f"delim = ',', quote = '\"')",
            [target],
        )
    else:
        frame = pd.read_sql(sa.select(table), conn)
        db.register("_old", frame)
        selects = ", ".join(f"CAST({_q(f.name)} AS {f.sql_type}) AS {_q(f.name)}" for f in contract.fields)
        db.execute(f"CREATE TABLE old_{table.name} AS SELECT {selects} FROM _old")
        db.unregister("_old")


def _month_filter(contract: TableContract, month: tuple[int, int]) -> str:
    """SQL: the row falls in `month`."""
    year, m = month
    if contract.month_column == "year, month":
        return f'("year" = {year} AND "month" = {m})'
    column = _q(contract.month_column or "")
    return f"(year({column}) = {year} AND month({column}) = {m})"


def stage(
    db: duckdb.DuckDBPyConnection,
    sources: list[Source],
    url: str,
    mode: str,
    month: tuple[int, int] | None,
    workdir: str,
    bad: list[BadRow],
    progress: Progress,
) -> Staged:
    """Stage 2: typed new rows per table, the row-level errors, and the store as it would be afterwards."""
    db.execute("CREATE TABLE bad_row (file VARCHAR, line BIGINT, col VARCHAR, value VARCHAR, reason VARCHAR)")
    for b in bad:
        db.execute("INSERT INTO bad_row VALUES (?, ?, ?, ?, ?)", [b.file, b.line, b.column, b.value, b.reason])
    in_set = {s.table.name for s in sources}
    tables = [t for t in TABLES.values() if t.name in in_set]
    for contract in tables:
        progress(f"校验 {contract.name}")
        parts = [_typed_select(s, contract, mode, month) for s in sources if s.table is contract]
        db.execute(f"CREATE TABLE new_{contract.name} AS {' UNION ALL '.join(parts)}")
        for s in sources:
            if s.table is contract and s.rejects:
                _after_rejects(db, f"new_{contract.name}", s)
        db.execute(
            "INSERT INTO bad_row SELECT _file, _line, e.col, e.value, e.reason FROM "
            f"(SELECT _file, _line, unnest(_errs) AS e FROM new_{contract.name} WHERE len(_errs) > 0)"
        )
        db.execute(f"ALTER TABLE new_{contract.name} DROP COLUMN _errs")
    if mode == "replace":
        for name in REQUIRED_TABLES:
            if name not in in_set:
                db.execute(
                    "INSERT INTO bad_row VALUES ('', NULL, '', NULL, ?)",
                    [f"整体替换须包含{TABLES[name].label}({name})文件"],
                )
    references = {r.target for r in REFERENCES if r.table in in_set} | {"region", "classification"}
    referring = {a.table for a in AGREEMENTS if a.via.target in in_set}  # their rows must agree with the new ones
    needed = [t.name for t in TABLES.values() if t.name in in_set | references | referring]
    if mode != "replace":
        progress("读取数据仓现有数据")
        _old_tables(db, url, needed, workdir)
    for name in needed:
        contract = TABLES[name]
        columns = ", ".join(_q(f.name) for f in contract.fields)
        sql: str | None
        if mode == "replace":
            sql = f"SELECT {columns} FROM new_{name}" if name in in_set else None
        else:
            sql = f"SELECT {columns} FROM old_{name} o"
            if mode == "month" and month and contract.month_column and name in in_set:
                sql += f" WHERE NOT {_month_filter(contract, month)}"
            if name in in_set:
                key = " AND ".join(f"n.{_q(k)} = o.{_q(k)}" for k in contract.key)
                sql = (
                    f"SELECT * FROM ({sql}) o WHERE NOT EXISTS (SELECT 1 FROM new_{name} n WHERE {key}) "
                    f"UNION ALL SELECT {columns} FROM new_{name}"
                )
        if sql is None:
            types = ", ".join(f"{_q(f.name)} {f.sql_type}" for f in contract.fields)
            db.execute(f"CREATE TABLE final_{name} ({types})")
        else:
            db.execute(f"CREATE VIEW final_{name} AS {sql}")
    return Staged(db, sources, mode, month, tables, set(needed))


def _insert_bad(db: duckdb.DuckDBPyConnection, select: str) -> None:
    db.execute(f"INSERT INTO bad_row {select}")


def validate(staged: Staged, progress: Progress) -> None:
    """Stage 3: the rules between rows and tables, over the new rows against the store as it would be."""
    db = staged.db
    progress("校验表间规则")
    names = {t.name for t in staged.tables}
    db.register("_gb2260", pd.DataFrame({"adcode": [r[0] for r in gb2260_codes()]}))
    db.execute("CREATE TABLE gb2260 AS SELECT CAST(adcode AS VARCHAR) AS adcode FROM _gb2260")  # one statement:
    db.unregister("_gb2260")  # row by row, a file database commits (and syncs) each
    db.execute(
        "CREATE TABLE region_path AS SELECT r.adcode, "
        "CASE r.level WHEN 'province' THEN r.adcode WHEN 'city' THEN p.adcode "
        "WHEN 'county' THEN (CASE WHEN p.level = 'province' THEN p.adcode ELSE g.adcode END) END AS province_code, "
        "CASE r.level WHEN 'city' THEN r.adcode WHEN 'county' THEN (CASE WHEN p.level = 'city' THEN p.adcode END) "
        "END AS city_code, CASE r.level WHEN 'county' THEN r.adcode END AS county_code "
        "FROM final_region r LEFT JOIN final_region p ON p.adcode = r.parent_adcode "
        "LEFT JOIN final_region g ON g.adcode = p.parent_adcode"
    )

    def report(contract: TableContract, column: str, value: str, reason: str, source: str, where: str) -> None:
        label = _lit(contract.field(column).label)
        _insert_bad(
            db, f"SELECT n._file, n._line, {label}, CAST({value} AS VARCHAR), {reason} FROM {source} WHERE {where}"
        )

    for contract in staged.tables:
        new = f"new_{contract.name} n"
        for f in contract.fields:
            codes = f.codes
            if codes is None or codes.values:
                continue
            col = f"n.{_q(f.name)}"
            if codes.ref is None:
                target = "SELECT adcode AS code FROM gb2260"
            else:
                table, column, condition = codes.ref
                target = f"SELECT {_q(column)} AS code FROM final_{table}" + (
                    f" WHERE {condition}" if condition else ""
                )
            report(
                contract,
                f.name,
                col,
                _lit(f"不在代码表中({codes.label})"),
                new,
                f"{col} IS NOT NULL AND {col} NOT IN ({target})",
            )
        for key in contract.unique:
            cols = ", ".join(_q(k) for k in key)
            same = " AND ".join(f"d.{_q(k)} = n.{_q(k)}" for k in key)
            label = "、".join(contract.field(k).label for k in key)
            value = " || '/' || ".join(f"CAST(n.{_q(k)} AS VARCHAR)" for k in key)
            report(
                contract,
                key[0],
                value,
                _lit(f"{label}重复(在导入文件或数据仓中出现多次)"),
                f"{new} JOIN (SELECT {cols} FROM final_{contract.name} GROUP BY {cols} HAVING count(*) > 1) d "
                f"ON {same}",
                "true",
            )
        if contract.has_ancestry:
            unit = "COALESCE(n.county_code, n.city_code, n.province_code)"
            report(
                contract,
                "county_code",
                "concat_ws('/', n.province_code, n.city_code, n.county_code)",
                "CASE WHEN p.adcode IS NULL THEN '区划不在行政区划表中' "
                "ELSE '区划层级不一致(省、市、县代码与行政区划表不符)' END",
                f"{new} LEFT JOIN region_path p ON p.adcode = {unit}",
                "n.province_code IS NOT NULL AND (p.adcode IS NULL OR p.province_code IS DISTINCT FROM n.province_code "
                "OR p.city_code IS DISTINCT FROM n.city_code OR p.county_code IS DISTINCT FROM n.county_code)",
            )
        columns = {f.name for f in contract.fields}
        for head, item in ITEM_PAIRS:
            if head in columns and item in columns:
                report(
                    contract,
                    head,
                    f"n.{head}",
                    _lit(f"应为{contract.field(item).label}的前三位"),
                    new,
                    f"n.{head} IS NOT NULL AND n.{item} IS NOT NULL AND n.{head} <> left(n.{item}, 3)",
                )
    for ref in REFERENCES:
        if ref.table not in names:
            continue
        contract = TABLES[ref.table]
        on = " AND ".join(f"t.{_q(b)} = n.{_q(a)}" for a, b in zip(ref.columns, ref.target_columns))
        present = " AND ".join(f"n.{_q(a)} IS NOT NULL" for a in ref.columns)
        report(
            contract,
            ref.columns[0],
            f"n.{_q(ref.columns[0])}",
            _lit(ref.reason),
            f"new_{ref.table} n",
            f"{present} AND NOT EXISTS (SELECT 1 FROM final_{ref.target} t WHERE {on})",
        )
    for agreement in AGREEMENTS:
        contract, via = TABLES[agreement.table], agreement.via
        on = " AND ".join(f"t.{_q(b)} = n.{_q(a)}" for a, b in zip(via.columns, via.target_columns))
        for mine, theirs in agreement.pairs:
            reason = f"{_lit(agreement.reason + ': 应为 ')} || COALESCE(CAST(t.{_q(theirs)} AS VARCHAR), '空')"
            differs = f"n.{_q(mine)} IS DISTINCT FROM t.{_q(theirs)}"
            if agreement.table in names:
                report(
                    contract,
                    mine,
                    f"n.{_q(mine)}",
                    reason,
                    f"new_{agreement.table} n JOIN final_{via.target} t ON {on}",
                    differs,
                )
            if staged.mode != "replace" and via.target in names and agreement.table in staged.final:
                # a row already in the store whose target the import changes (listed by its key, no line)
                row_key = " || '/' || ".join(f"CAST(n.{_q(k)} AS VARCHAR)" for k in contract.key)
                label = _lit(contract.field(mine).label)
                kept = (
                    ""
                    if agreement.table not in names
                    else (
                        f" AND NOT EXISTS (SELECT 1 FROM new_{agreement.table} x WHERE "
                        + " AND ".join(f"x.{_q(k)} = n.{_q(k)}" for k in contract.key)
                        + ")"
                    )
                )
                _insert_bad(
                    db,
                    f"SELECT {_lit(f'数据仓已有的{contract.label}')}, NULL, {label}, {row_key}, {reason} "
                    f"FROM final_{agreement.table} n JOIN new_{via.target} t ON {on} WHERE {differs}{kept}",
                )
    if "region_stat" in names:  # a parent given beside its children equals their sum (人口, GDP)
        contract = TABLES["region_stat"]
        for column in ("population", "gdp"):
            report(
                contract,
                column,
                f"n.{column}",
                _lit(f"上下级不一致:应等于下级区划{contract.field(column).label}之和 ")
                + " || CAST(k.total AS VARCHAR)",
                "new_region_stat n JOIN (SELECT r.parent_adcode AS code, s.year, sum(s." + column + ") AS total "
                "FROM final_region_stat s JOIN final_region r ON r.adcode = s.region_code "
                "GROUP BY r.parent_adcode, s.year) k ON k.code = n.region_code AND k.year = n.year",
                f"n.{column} <> k.total",
            )
    provinces = staged.count("final_region WHERE level = 'province'")
    if provinces != 1:
        db.execute(
            "INSERT INTO bad_row VALUES ('', NULL, '级次', NULL, ?)",
            [f"行政区划表须有且仅有一个省级区划(现有 {provinces} 个)"],
        )


def _data_through(staged: Staged, url: str) -> dt.date:
    """The last day with facts: of the new rows, and (merging) of the store's previous load."""
    names = {t.name for t in staged.tables}
    dates = []
    for table, column in DATA_THROUGH:
        if table in names:
            row = staged.db.execute(f"SELECT max({_q(column)}) FROM new_{table}").fetchone()
            if row and row[0] is not None:
                dates.append(row[0])
    if staged.mode != "replace":
        try:
            engine = finance_engine_for(url)
            try:
                dates.append(read_data_version(engine).data_through)
            finally:
                engine.dispose()
        except Exception:  # no store yet: the new rows say it all
            pass
    return max(dates) if dates else dt.date.today()


def _month_drop(table: sa.Table, contract: TableContract, month: tuple[int, int]) -> sa.ColumnElement[bool]:
    year, m = month
    if contract.month_column == "year, month":
        return sa.and_(table.c.year == year, table.c.month == m)
    first = dt.date(year, m, 1)
    last = (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    return table.c[contract.month_column or ""].between(first, last)


def publish(staged: Staged, database: str, url: str, progress: Progress) -> DataVersion:
    """Stage 4: write what was validated, as one new data version. Closes the staging database (`database`, its
    file), which the loader then reads without pandas in between."""
    row = staged.db.execute("SELECT adcode FROM final_region WHERE level = 'province'").fetchone()
    assert row is not None  # validated
    files = ", ".join(os.path.basename(s.path) for s in staged.sources)
    month = f" {staged.month[0]}-{staged.month[1]:02d}" if staged.month else ""
    kwargs: dict[str, Any] = {
        "source": f"import {staged.mode}{month}"[:64],
        "province_code": row[0],
        "data_through": _data_through(staged, url),
        "note": f"导入 {files}",
        "progress": progress,
    }
    rows = {t.name: StagedRows(database, f"new_{t.name}", staged.count(f"new_{t.name}")) for t in staged.tables}
    staged.db.execute("CHECKPOINT")
    staged.db.close()
    if staged.mode == "replace":
        return load_store(url, rows, **kwargs)
    tables = {t.name: t for t in FACTS}
    changes = {}
    for contract in staged.tables:
        drop = None
        if staged.mode == "month" and staged.month and contract.month_column:
            drop = _month_drop(tables[contract.name], contract, staged.month)
        changes[contract.name] = Change(rows[contract.name], contract.key, drop)
    return update_store(url, changes, **kwargs)


def parse_month(text: str) -> tuple[int, int] | None:
    match = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return int(match.group(1)), int(match.group(2))


def import_files(
    paths: Sequence[str],
    url: str,
    *,
    mode: str = "merge",
    month: tuple[int, int] | None = None,
    limit: int = 200,
    progress: Progress = lambda _msg: None,
    after_validation: Callable[[Staged], None] | None = None,
) -> ImportResult:
    """Validate the file set against the contract and, when no row is bad, publish it as a new data version.
    `after_validation` runs on the validated rows before they are published (the data-quality step)."""
    if mode not in ("merge", "replace", "month") or (mode == "month") != (month is not None):
        raise ValueError("mode is merge, replace or month (with a month)")
    files = expand(paths)
    if not files:
        raise ImportRefused("没有可导入的文件")
    with tempfile.TemporaryDirectory(prefix="cockpit-import-") as workdir:
        database = os.path.join(workdir, "stage.duckdb")
        db = duckdb.connect(database)
        db.execute("SET enable_progress_bar = false")
        try:
            sources, bad = read_files(db, files, workdir, progress)
            staged = stage(db, sources, url, mode, month, workdir, bad, progress)
            validate(staged, progress)
            rows = {t.name: staged.count(f"new_{t.name}") for t in staged.tables}
            count = staged.count("bad_row")
            if count:
                listed = db.execute(
                    f"SELECT DISTINCT * FROM bad_row ORDER BY file, line NULLS FIRST, col, reason LIMIT {int(limit)}"
                ).fetchall()
                total = staged.count("(SELECT DISTINCT * FROM bad_row)")
                return ImportResult(False, files, rows, [BadRow(*r) for r in listed], total)
            if after_validation:
                after_validation(staged)
            version = publish(staged, database, url, progress)
            return ImportResult(True, files, rows, [], 0, version)
        finally:
            db.close()
