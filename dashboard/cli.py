"""`python -m dashboard …`: build the demo store, serve the app, show settings."""

from __future__ import annotations

import argparse
import sys
import time

from dashboard import settings


def _progress_bar(total_steps: int):
    """A one-line progress bar on stderr: step count, elapsed seconds and what is being done."""
    started = time.monotonic()
    state = {"step": 0}

    def report(message: str) -> None:
        state["step"] = min(state["step"] + 1, total_steps)
        done = int(30 * state["step"] / total_steps)
        sys.stderr.write(f"\r[{'#' * done}{'.' * (30 - done)}] {time.monotonic() - started:5.1f}s {message:<40}")
        sys.stderr.flush()

    return report


def _years(text: str) -> tuple[int, ...]:
    try:
        years = tuple(sorted({int(y) for y in text.split(",") if y.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(f"年份应为逗号分隔的四位数字: {text!r}") from None
    if not years or any(not 2000 <= y <= 2100 for y in years):
        raise argparse.ArgumentTypeError(f"年份超出范围: {text!r}")
    return years


def _cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.demo import anomalies_path, build_demo

    url = args.db_url or settings.get("DB_URL")
    started = time.monotonic()
    data, version = build_demo(url, args.province, args.years, args.scale, args.seed, _progress_bar(30))
    elapsed = time.monotonic() - started
    sys.stderr.write("\n")
    rows = sum(data.counts.values())
    print(f"演示数据已生成: {args.province} {','.join(map(str, data.years))}, 载入批次 {version.load_id}, "
          f"数据截至 {version.data_through}")
    print(f"  {rows:,} 行, {elapsed:.1f} 秒 ({rows / elapsed:,.0f} 行/秒); 支付 {data.counts['payment']:,} 笔, "
          f"补贴发放 {data.counts['subsidy_payout']:,} 笔, 政府采购 {data.counts['procurement']:,} 条")
    path = anomalies_path(url)
    if path:
        print(f"  预置异常清单: {path}")
    _run_rules(url, None)
    return 0


def _as_of(text: str):
    from dashboard.risk.measures import AsOf

    try:
        year, month = (int(part) for part in text.split("-"))
        return AsOf(year, month) if 2000 <= year <= 2100 and 1 <= month <= 12 else None
    except ValueError:
        return None


def _run_rules(url: str, as_of_text: str | None) -> int:
    """Run every warning rule over the store at `url` and sync warnings and tickets in the state store."""
    from dashboard.risk.run import run_rules
    from dashboard.state import state_engine
    from dashboard.store.engine import finance_engine_for

    as_of = _as_of(as_of_text) if as_of_text else None
    if as_of_text and as_of is None:
        print(f"--as-of 应为 YYYY-MM: {as_of_text!r}", file=sys.stderr)
        return 2
    engine = finance_engine_for(url)
    try:
        summary = run_rules(engine, state_engine(), as_of=as_of)
    finally:
        engine.dispose()
    grades = "、".join(f"{g} {summary.by_grade.get(g, 0)}" for g in ("红", "橙", "黄", "蓝"))
    print(f"预警规则已运行: 截至 {summary.as_of.key}, {summary.seconds:.1f} 秒; 预警 {summary.findings} 条({grades}),"
          f"新增 {summary.new_warnings}, 解除 {summary.cleared}; 下发工单 {summary.tickets_issued}, "
          f"逾期升级 {summary.escalated}")
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    return _run_rules(args.db_url or settings.get("DB_URL"), args.as_of)


def _cmd_serve(args: argparse.Namespace) -> int:
    from dashboard import create_app

    app = create_app()
    app.run(host=settings.get("HOST"), port=settings.get("PORT"), debug=settings.get("DEBUG"))
    return 0


def _cmd_settings(_args: argparse.Namespace) -> int:
    for s in settings.SETTINGS:
        print(f"COCKPIT_{s.name}={settings.get(s.name)}    # {s.help}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m dashboard", description="财政运行监测驾驶舱")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="生成演示省份数据并载入财政数据仓")
    demo.add_argument("--province", default="430000", help="省级区划代码 (default 430000 湖南)")
    demo.add_argument("--years", type=_years, default=(2023, 2024), help="年份, 逗号分隔 (default 2023,2024)")
    demo.add_argument("--scale", type=float, default=1.0, help="行数倍率, 金额不变 (default 1; 测试用 0.1)")
    demo.add_argument("--seed", type=int, default=7, help="随机种子, 相同种子生成相同数据 (default 7)")
    demo.add_argument("--db-url", default=None, help="目标数据仓 URL (default COCKPIT_DB_URL)")
    demo.set_defaults(func=_cmd_demo)
    rules = sub.add_parser("rules", help="预警规则")
    rules_sub = rules.add_subparsers(dest="rules_command", required=True)
    run = rules_sub.add_parser("run", help="对财政数据仓运行全部预警规则, 更新预警与工单")
    run.add_argument("--db-url", default=None, help="财政数据仓 URL (default COCKPIT_DB_URL)")
    run.add_argument("--as-of", default=None, help="按哪个月末判断, YYYY-MM (default 数据截至的月份)")
    run.set_defaults(func=_cmd_rules)
    serve = sub.add_parser("serve", help="启动 Web 服务")
    serve.set_defaults(func=_cmd_serve)
    show = sub.add_parser("settings", help="列出全部配置项及当前值")
    show.set_defaults(func=_cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "scale", 1.0) <= 0:
        build_parser().error("--scale 必须大于 0")
    return args.func(args)
