"""Benchmark: the largest XLSX (and CSV) export a topic page allows, its time and the process's peak memory.

    python bench/bench_export.py [--topic spending] [--query "region=430000&year=2024&period=1-12"]

Runs the export route in this process through Flask's test client, signed in as the demo's 分析 `sheng_fenxi`, on
the configured stores (data/cockpit.duckdb, data/state.sqlite). Reported: rows, seconds, bytes, and the growth of
the peak resident set (ru_maxrss) over the app's own before the first export. Issue 14's target: ≤ 200 MB for
200,000 rows (it was 15 s and 691 MB before write-only mode).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from dashboard.web.app import create_app  # noqa: E402


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic(rows: int) -> None:
    """The file-writing half alone, on `rows` made-up payments (the demo's largest view is a few thousand rows):
    what write-only mode bounds. The old path (every cell in an in-memory workbook) is timed too with --old."""
    import datetime as dt
    from decimal import Decimal

    import pandas as pd

    from dashboard.ui.drilltable import Column, TableView
    from dashboard.web.export import _cells, _sheet, to_csv, to_xlsx

    view = TableView(
        "payment",
        "支付明细",
        (
            Column("date", "支付日期", "date"),
            Column("agency", "预算单位"),
            Column("payee", "收款人"),
            Column("func", "功能分类"),
            Column("pay_type", "支付方式"),
            Column("amount", "支付金额", "money"),
            Column("count", "笔数", "int"),
        ),
    )
    day = dt.date(2024, 1, 1)
    frame = pd.DataFrame(
        {
            "date": [day + dt.timedelta(days=i % 366) for i in range(rows)],
            "agency": [f"湖南省第{i % 997}预算单位" for i in range(rows)],
            "payee": [f"某某供应商有限公司{i % 5003}" for i in range(rows)],
            "func": [f"2050{i % 9}" for i in range(rows)],
            "pay_type": ["直接支付" if i % 3 else "授权支付" for i in range(rows)],
            "amount": [Decimal(i % 100000) / 100 + 1000 for i in range(rows)],
            "count": [1 + i % 7 for i in range(rows)],
        }
    )
    totals = pd.Series({"amount": sum(frame["amount"], Decimal(0)), "count": int(frame["count"].sum())})
    heading = ["湖南省 · 支出 · 支付明细", "期间:2024年1-12月", "数据截至 2024年12月31日;金额单位:元"]
    for fmt in ("xlsx", "csv"):
        before = _peak_mb()
        started = time.perf_counter()
        lines = _sheet(heading, view, _cells(frame, view, native_dates=fmt == "xlsx"), totals)
        body = to_xlsx(lines, view.title, len(heading), view) if fmt == "xlsx" else to_csv(lines)
        print(
            f"synthetic {fmt}: {rows:,} rows in {time.perf_counter() - started:.1f} s, {len(body) / 1e6:.1f} MB file, "
            f"peak RSS {before:.0f} → {_peak_mb():.0f} MB (+{_peak_mb() - before:.0f} MB; the frame itself is "
            "already counted in the first figure)"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--topic", default="spending")
    parser.add_argument("--query", default="region=430000&year=2024&period=1-12")
    parser.add_argument("--formats", nargs="+", default=["xlsx", "csv"])
    parser.add_argument("--synthetic", type=int, default=0, help="rows of a made-up view to write instead")
    args = parser.parse_args()
    if args.synthetic:
        synthetic(args.synthetic)
        return 0
    app = create_app()
    client = app.server.test_client()
    client.get("/login")
    token = client.get_cookie("_csrf_token").value
    signed = client.post(
        "/login", data={"csrf_token": token, "username": "sheng_fenxi", "password": "Analyst#2024demo", "next": "/"}
    )
    assert signed.status_code == 302, signed.status_code
    client.get("/live")
    for fmt in args.formats:
        before = _peak_mb()
        started = time.perf_counter()
        response = client.get(f"/export/{args.topic}.{fmt}?{args.query}")
        seconds = time.perf_counter() - started
        if response.status_code != 200:
            print(f"{fmt}: {response.status_code} {response.get_data(as_text=True)[:200]}")
            continue
        body = response.get_data()
        rows = body.count(b"\r\n") - 5 if fmt == "csv" else None
        print(
            f"{fmt}: {seconds:.1f} s, {len(body) / 1e6:.1f} MB file"
            + (f", {rows:,} rows" if rows is not None else "")
            + f", peak RSS {before:.0f} → {_peak_mb():.0f} MB (+{_peak_mb() - before:.0f} MB)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
