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
    return 0


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
