"""`python -m dashboard …`: build the demo store, serve the app, show settings."""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import getpass
import sys
import time

from dashboard.core import settings


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
    print(
        f"演示数据已生成: {args.province} {','.join(map(str, data.years))}, 载入批次 {version.load_id}, "
        f"数据截至 {version.data_through}"
    )
    print(
        f"  {rows:,} 行, {elapsed:.1f} 秒 ({rows / elapsed:,.0f} 行/秒); 支付 {data.counts['payment']:,} 笔, "
        f"补贴发放 {data.counts['subsidy_payout']:,} 笔, 政府采购 {data.counts['procurement']:,} 条"
    )
    path = anomalies_path(url)
    if path:
        print(f"  预置异常清单: {path}")
    created = create_demo_users(args.province)
    if created:
        print(f"  演示用户(仅供演示,密码见 README): {', '.join(created)}")
    _run_rules(url, None)
    return 0


DEMO_USERS = (  # demo only: fixed passwords, listed in the README; a real deployment creates its own users
    # username, display name, role, region, password, may_unmask
    ("sheng_lingdao", "省厅领导(演示)", "领导", None, "Lead#2024demo", False),
    ("sheng_fenxi", "省厅分析员(演示)", "分析", None, "Analyst#2024demo", False),
    ("sheng_jingban", "省厅经办人(演示)", "经办", None, "Clerk#2024demo", False),
    ("sheng_shenhe", "省厅审核人(演示)", "审核", None, "Review#2024demo", True),
    ("sheng_admin", "系统管理员(演示)", "管理员", None, "Admin#2024demo", False),
    ("changsha_fenxi", "长沙市分析员(演示)", "分析", "430100", "Changsha#2024demo", False),
    ("changsha_jingban", "长沙市经办人(演示)", "经办", "430100", "CsClerk#2024demo", False),
    ("huaihua_lingdao", "怀化市领导(演示)", "领导", "431200", "Huaihua#2024demo", False),
    ("furong_jingban", "芙蓉区经办人(演示)", "经办", "430102", "Furong#2024demo", False),
    ("tianxin_shenhe", "天心区审核人(演示)", "审核", "430103", "Tianxin#2024demo", False),
)


def create_demo_users(province: str) -> list[str]:
    """The demo users that are missing (existing ones keep their password): province-level ones at `province`,
    the city and county ones only when their region lies in it. Returns the usernames created."""
    from dashboard.core.regions import national_tree
    from dashboard.state.accounts import add_user, get_account

    tree = national_tree()
    created = []
    for username, name, role, region, password, may_unmask in DEMO_USERS:
        region = region or province
        if get_account(username) is None and tree.is_within(region, province):
            add_user(username, name, role, region, password, may_unmask=may_unmask, actor=_cli_actor())
            created.append(username)
    return created


def _cli_actor() -> str:
    return f"cli:{getpass.getuser()}"


def _read_password(args: argparse.Namespace) -> str:
    """From the terminal (asked twice) or, when stdin is not a terminal, its first line (scripts)."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("新密码: ")
    if first != getpass.getpass("再次输入: "):
        raise SystemExit("两次输入的密码不一致。")
    return first


def _cmd_users(args: argparse.Namespace) -> int:
    from dashboard.state.accounts import AccountError, add_user, list_accounts, set_password, update_user

    try:
        if args.action == "add":
            add_user(
                args.username,
                args.name or args.username,
                args.role,
                args.region,
                _read_password(args),
                may_unmask=args.unmask,
                actor=_cli_actor(),
            )
            print(f"已创建用户 {args.username}({args.role},{args.region})")
        elif args.action == "list":
            print("用户名\t姓名\t角色\t区划\t可查看明文\t状态")
            for a in list_accounts():
                print(
                    f"{a.username}\t{a.display_name}\t{a.role}\t{a.region}\t{'是' if a.may_unmask else '否'}\t"
                    f"{'启用' if a.enabled else '停用'}"
                )
        elif args.action == "disable":
            update_user(args.username, enabled=False, actor=_cli_actor())
            print(f"已停用用户 {args.username}")
        elif args.action == "set-password":
            set_password(args.username, _read_password(args), actor=_cli_actor())
            print(f"已重设用户 {args.username} 的密码")
        elif args.action == "demo":
            from dashboard.store.engine import current_data_version

            created = create_demo_users(current_data_version().province_code)
            print(f"已创建演示用户(仅供演示,密码见 README): {', '.join(created) or '无(均已存在)'}")
    except AccountError as error:
        print(f"错误: {error}", file=sys.stderr)
        return 2
    return 0


def _date(text: str) -> dt.datetime:
    try:
        return dt.datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应为 YYYY-MM-DD: {text!r}") from None


def _cmd_audit(args: argparse.Namespace) -> int:
    from dashboard.state import audit

    rows = audit.search(
        username=args.user,
        action=args.action,
        since=args.since,
        until=args.until + dt.timedelta(days=1) if args.until else None,
        limit=None,
    )
    out = open(args.output, "w", newline="", encoding="utf-8") if args.output else sys.stdout  # noqa: SIM115  (closed below unless stdout)
    try:
        writer = csv.DictWriter(out, fieldnames=audit.AUDIT_COLUMNS)
        writer.writeheader()
        writer.writerows(reversed(rows))  # oldest first, as the trail happened
    finally:
        if args.output:
            out.close()
    audit.append(
        "audit_export",
        username=_cli_actor(),
        rows=len(rows),
        params={"user": args.user, "action": args.action, "since": args.since, "until": args.until},
    )
    print(f"已导出 {len(rows)} 条审计记录", file=sys.stderr)
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
    from dashboard.state.engine import state_engine
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
    print(
        f"预警规则已运行: 截至 {summary.as_of.key}, {summary.seconds:.1f} 秒; 预警 {summary.findings} 条({grades}),"
        f"新增 {summary.new_warnings}, 解除 {summary.cleared}; 下发工单 {summary.tickets_issued}, "
        f"逾期升级 {summary.escalated}"
    )
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    return _run_rules(args.db_url or settings.get("DB_URL"), args.as_of)


def _cmd_import(args: argparse.Namespace) -> int:
    from dashboard.state import audit
    from dashboard.store.importer import ImportRefused, import_files, parse_month

    url = args.db_url or settings.get("DB_URL")
    month = parse_month(args.month) if args.month else None
    if args.month and month is None:
        print(f"--month 应为 YYYY-MM: {args.month!r}", file=sys.stderr)
        return 2
    mode = "replace" if args.replace else "month" if month else "merge"
    started = time.monotonic()
    params: dict[str, object] = {"files": args.paths, "mode": mode, "month": args.month}
    try:
        result = import_files(
            args.paths, url, mode=mode, month=month, limit=args.max_errors, progress=_progress_bar(40)
        )
    except ImportRefused as error:
        sys.stderr.write("\n")
        print(f"导入被拒绝: {error}", file=sys.stderr)
        audit.append("import", username=_cli_actor(), params=params, detail=str(error), outcome="failed")
        return 2
    sys.stderr.write("\n")
    elapsed = time.monotonic() - started
    params["files"] = result.files
    params["tables"] = result.rows
    if not result.ok:
        print(f"导入失败: 共 {result.bad_count:,} 处错误, 数据仓未作任何改动。", file=sys.stderr)
        print("文件\t行\t列\t值\t原因", file=sys.stderr)
        for bad in result.bad_rows:
            line = "" if bad.line is None else bad.line
            print(f"{bad.file}\t{line}\t{bad.column}\t{bad.value or ''}\t{bad.reason}", file=sys.stderr)
        if result.bad_count > len(result.bad_rows):
            print(f"…… 仅列出前 {len(result.bad_rows)} 处 (--max-errors)", file=sys.stderr)
        audit.append(
            "import",
            username=_cli_actor(),
            params=params,
            rows=result.total_rows,
            detail=f"{result.bad_count} 处错误, 未导入",
            outcome="failed",
        )
        return 1
    version = result.version
    assert version is not None  # published
    audit.append(
        "import",
        username=_cli_actor(),
        params=params,
        rows=result.total_rows,
        detail=f"载入批次 {version.load_id}",
    )
    print(
        f"导入完成: {len(result.files)} 个文件, {result.total_rows:,} 行, {elapsed:.1f} 秒; "
        f"载入批次 {version.load_id}, 数据截至 {version.data_through}"
    )
    return 0


def _cmd_export_contract(args: argparse.Namespace) -> int:
    from dashboard.store.contract_export import export_contract

    counts = export_contract(args.db_url or settings.get("DB_URL"), args.directory, _progress_bar(20))
    sys.stderr.write("\n")
    print(f"已按导入规范导出 {len(counts)} 张表, {sum(counts.values()):,} 行 → {args.directory}")
    return 0


def _cmd_contract_doc(args: argparse.Namespace) -> int:
    from dashboard.store.contract import render_markdown

    with open(args.output, "w", encoding="utf-8") as fh:
        fh.write(render_markdown())
    print(f"已生成 {args.output}")
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    from dashboard.web.app import create_app
    from dashboard.web.gate import QuietRequestHandler

    app = create_app()
    app.run(
        host=settings.get("HOST"),
        port=settings.get("PORT"),
        debug=settings.get("DEBUG"),
        request_handler=QuietRequestHandler,
    )
    return 0


def _cmd_migrate(args: argparse.Namespace) -> int:
    from sqlalchemy.engine import make_url

    from dashboard.state import migrate
    from dashboard.state.engine import import_table_modules, open_store

    url = args.state_url or settings.get("STATE_URL")
    import_table_modules()
    engine = open_store(url)
    try:
        before, after = migrate.upgrade(engine)
    finally:
        engine.dispose()
    where = make_url(url).render_as_string(hide_password=True)
    if before == after:
        print(f"状态库 {where} 已是最新版本 ({after}), 无需迁移")
    else:
        print(f"状态库 {where} 已从 {before or '无版本记录'} 迁移到 {after}")
    return 0


def _cmd_qrcodes(args: argparse.Namespace) -> int:
    from dashboard.public.qr import qr_sheet
    from queries.public import villages
    from queries.regions import region_tree

    tree = region_tree()
    if args.county not in tree or tree[args.county].level != "county":
        print(f"没有这个县级区划: {args.county}", file=sys.stderr)
        return 2
    found = villages(args.county)
    if not found:
        print(f"{tree.name(args.county)} 没有补贴发放记录, 未生成二维码", file=sys.stderr)
        return 1
    with open(args.output, "wb") as fh:
        fh.write(qr_sheet(tree.name(args.county), found))
    print(f"已生成 {tree.name(args.county)} {len(found)} 个村的二维码: {args.output}")
    return 0


def _report_month(text: str) -> tuple[int, int]:
    try:
        when = dt.datetime.strptime(text.strip(), "%Y-%m")
    except ValueError:
        raise argparse.ArgumentTypeError(f"月份应为 YYYY-MM, 如 2024-06: {text!r}") from None
    return when.year, when.month


def _cmd_report(args: argparse.Namespace) -> int:
    from dashboard.core.scope import Scope
    from dashboard.report import archive, schedule
    from dashboard.report.figures import ReportError
    from dashboard.state import audit
    from dashboard.store.engine import current_data_version
    from queries.regions import region_tree

    actor = _cli_actor()
    if args.report_command == "scheduled":
        levels = tuple(x.strip() for x in args.levels.split(",") if x.strip())
        if not levels or any(level not in schedule.LEVELS for level in levels):
            print(f"--levels 只能是 {','.join(schedule.LEVELS)} 的组合", file=sys.stderr)
            return 2
        started = time.monotonic()
        made = schedule.run(levels, actor="schedule", progress=lambda m: print(f"  {m}", file=sys.stderr))
        new = [m for m in made if m.new]
        audit.append(
            "report", username=actor, detail=f"月报计划任务: 新生成 {len(new)} 份, 已存在 {len(made) - len(new)} 份"
        )
        print(
            f"月报计划任务完成: 新生成 {len(new)} 份, 已存在 {len(made) - len(new)} 份, "
            f"{time.monotonic() - started:.1f} 秒"
        )
        return 0
    year, month = args.month
    province = current_data_version().province_code
    tree = region_tree()
    try:
        report, made_now = archive.monthly(Scope(province, "province"), args.region, year, month, actor)
    except ReportError as error:
        print(str(error), file=sys.stderr)
        return 2
    found = archive.report_pdf(Scope(province, "province"), report.id)
    assert found is not None
    output = args.output or report.filename
    with open(output, "wb") as fh:
        fh.write(found[1])
    audit.append("report", username=actor, region=args.region, page=output, detail=report.label)
    print(
        f"{'已生成' if made_now else '已存在 (同一数据版本)'} {tree.name(args.region)} {year}年1-{month}月 月报: "
        f"{output} "
        f"({report.size / 1024:,.0f} KB, 生成 {report.seconds:.1f} 秒, 数据版本 {report.data_version})"
    )
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
    imp = sub.add_parser("import", help="导入预算管理一体化导出数据 (全部成功或全部不导入; 规范见 docs/import.md)")
    imp.add_argument("paths", nargs="+", metavar="PATH", help="文件或目录: CSV (UTF-8/GB18030)、XLSX、Parquet")
    imp.add_argument("--db-url", default=None, help="财政数据仓 URL (default COCKPIT_DB_URL)")
    how = imp.add_mutually_exclusive_group()
    how.add_argument("--replace", action="store_true", help="文件集即全部数据, 整体替换数据仓")
    how.add_argument("--month", default=None, help="追加一个月的数据 YYYY-MM (替换该月已有的明细)")
    imp.add_argument("--max-errors", type=int, default=200, help="最多列出多少处错误 (default 200; 总数总会给出)")
    imp.set_defaults(func=_cmd_import)
    exp = sub.add_parser("export-contract", help="按导入规范导出财政数据仓 (每表一个 UTF-8 CSV)")
    exp.add_argument("directory", metavar="DIR")
    exp.add_argument("--db-url", default=None, help="财政数据仓 URL (default COCKPIT_DB_URL)")
    exp.set_defaults(func=_cmd_export_contract)
    doc = sub.add_parser("contract-doc", help="由代码生成导入规范文档")
    doc.add_argument("output", nargs="?", default="docs/import.md")
    doc.set_defaults(func=_cmd_contract_doc)
    mig = sub.add_parser("migrate", help="把状态库 (用户、审计、工单) 升级到当前版本的结构 (Alembic; 数据保留)")
    mig.add_argument("--state-url", default=None, help="状态库 URL (default COCKPIT_STATE_URL)")
    mig.set_defaults(func=_cmd_migrate)
    serve = sub.add_parser("serve", help="启动 Web 服务")
    serve.set_defaults(func=_cmd_serve)
    users = sub.add_parser("users", help="用户管理: add / list / disable / set-password / demo")
    users_sub = users.add_subparsers(dest="action", required=True)
    add = users_sub.add_parser("add", help="新建用户(密码从终端输入, 或非终端时读标准输入第一行)")
    add.add_argument("username")
    add.add_argument("--name", help="姓名 (default 用户名)")
    add.add_argument("--role", required=True, help="领导 / 分析 / 经办 / 审核 / 管理员")
    add.add_argument("--region", required=True, help="区划代码 (省、市或县级)")
    add.add_argument("--unmask", action="store_true", help="允许查看个人信息明文 (每次查看须填写事由)")
    users_sub.add_parser("list", help="列出全部用户")
    disable = users_sub.add_parser("disable", help="停用用户 (下一次请求起生效)")
    disable.add_argument("username")
    password = users_sub.add_parser("set-password", help="重设密码 (同时结束该用户的全部会话、解除锁定)")
    password.add_argument("username")
    users_sub.add_parser("demo", help="为当前财政数据仓的省份创建缺少的演示用户 (仅供演示, 密码见 README)")
    users.set_defaults(func=_cmd_users)
    audit = sub.add_parser("audit", help="审计日志")
    audit_sub = audit.add_subparsers(dest="audit_action", required=True)
    export = audit_sub.add_parser("export", help="导出审计记录为 CSV (按时间先后)")
    export.add_argument("--since", type=_date, help="起始日期 YYYY-MM-DD (含)")
    export.add_argument("--until", type=_date, help="截止日期 YYYY-MM-DD (含)")
    export.add_argument("--user", help="只导出该用户的记录")
    export.add_argument("--action", help="只导出该类事件 (如 sign_in, export, denied)")
    export.add_argument("--output", help="输出文件 (default 标准输出)")
    audit.set_defaults(func=_cmd_audit)
    qrcodes = sub.add_parser("qrcodes", help="打印一个县各村的村务公开二维码 (A4 PDF, 每村一页)")
    qrcodes.add_argument("--county", required=True, help="县级区划代码, 如 430102")
    qrcodes.add_argument("--output", required=True, help="输出的 PDF 文件")
    qrcodes.set_defaults(func=_cmd_qrcodes)
    report = sub.add_parser("report", help="财政运行监测月报 (PDF)")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    monthly = report_sub.add_parser("monthly", help="生成一个区划一个月的月报 (1月至该月累计)")
    monthly.add_argument("--region", required=True, help="区划代码, 如 430000")
    monthly.add_argument("--month", required=True, type=_report_month, help="月份 YYYY-MM, 如 2024-06")
    monthly.add_argument("--output", help="输出的 PDF 文件 (default monthly-<区划>-<月份>-r<编号>.pdf)")
    scheduled = report_sub.add_parser("scheduled", help="为当前数据版本已结束的月份生成各区划缺少的月报")
    scheduled.add_argument("--levels", default="province,city", help="哪些层级 (default province,city)")
    report.set_defaults(func=_cmd_report)
    show = sub.add_parser("settings", help="列出全部配置项及当前值")
    show.set_defaults(func=_cmd_settings)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "scale", 1.0) <= 0:
        build_parser().error("--scale 必须大于 0")
    return args.func(args)
