"""The one settings table: every knob the cockpit has, its default and what it is for.

A setting `NAME` is overridden by the environment variable `COCKPIT_NAME`. Values are read when asked for, so a
test (or an operator restarting the app) changes behaviour by changing the environment, not the code.
Risk thresholds here are the *defaults* of ../DOMAIN.md; the demo generator plants its anomalies against them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from dashboard.core import quality


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


def bands(text: str) -> tuple[Decimal, ...]:
    """'30,60,100' → the increasing positive bounds of a setting's bands (bad text raises)."""
    try:
        bounds = tuple(Decimal(part.strip()) for part in text.split(",") if part.strip())
    except ArithmeticError as error:  # decimal.InvalidOperation
        raise ValueError(f"band bounds must be numbers: {text!r}") from error
    if not bounds or any(b <= 0 for b in bounds) or list(bounds) != sorted(set(bounds)):
        raise ValueError(f"band bounds must be increasing positive numbers: {text!r}")
    return bounds


PEER_GROUPINGS = ("kind", "population", "capacity")


def _grouping(text: str) -> str:
    value = text.strip().lower()
    if value not in PEER_GROUPINGS:
        raise ValueError(f"PEER_GROUPING must be one of {', '.join(PEER_GROUPINGS)}: {text!r}")
    return value


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], object] = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DB_URL",
        "duckdb:///data/cockpit.duckdb",
        "Finance store (SQLAlchemy URL): DuckDB file (embedded default), postgresql+psycopg://… or "
        "clickhousedb://… (a ClickHouse server; ?interface=chdb&path=… embedded)",
    ),
    Setting(
        "CLICKHOUSE_CLUSTER",
        "",
        "ClickHouse cluster (remote_servers) a load builds on: facts as ReplicatedMergeTree shards behind Distributed "
        "tables, the rest replicated on every node (docs/clickhouse.md). Empty: one server or chDB.",
    ),
    Setting(
        "STATE_URL",
        "sqlite:///data/state.sqlite",
        "Application-state store (SQLAlchemy URL): users, audit trail, warning tickets. Never touched by a "
        "finance load. SQLite file by default, postgresql+psycopg://… in production.",
    ),
    Setting("HOST", "127.0.0.1", "Address the web server listens on."),
    Setting("PORT", "8050", "Port the web server listens on.", int),
    Setting("DEBUG", "false", "Dash debug mode (dev tools, reloader). Never on in production.", _bool),
    Setting(
        "WEB_WORKERS",
        "0",
        "gunicorn worker processes (`make run`); 0: one per CPU core (at least 2). Each holds its own query cache "
        "unless CACHE_TYPE is RedisCache.",
        int,
    ),
    Setting("WEB_THREADS", "8", "Threads per gunicorn worker (DuckDB and PostgreSQL release the GIL).", int),
    Setting(
        "WEB_TIMEOUT",
        "120",
        "Seconds a request may run before gunicorn restarts its worker (the largest export takes a few seconds).",
        int,
    ),
    Setting(
        "WEB_MAX_REQUESTS",
        "0",
        "Requests after which gunicorn replaces a worker (0: never). A replaced worker drops its keep-alive "
        "connections (a client's next request on one fails) and its in-process caches.",
        int,
    ),
    Setting(
        "LOG_FORMAT",
        "json",
        "Request log on stdout: json (one line per request: time, request id, user, route, status, duration) or text.",
    ),
    Setting(
        "CACHE_TYPE", "SimpleCache", "flask-caching backend for query results: SimpleCache (in-process) or RedisCache."
    ),
    Setting("CACHE_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL when CACHE_TYPE is RedisCache."),
    Setting(
        "RENDER_CACHE_ENTRIES",
        "256",
        "Rendered views each web worker keeps (dashboard/web/render_cache.py, a few tens of KB each); 0 turns it off.",
        int,
    ),
    Setting(
        "CACHE_TIMEOUT",
        "3600",
        "Seconds a cached query result lives; the data version in every key makes new loads visible at once.",
        int,
    ),
    Setting(
        "PASSWORD_MIN_LENGTH",
        "10",
        "Shortest password accepted (passwords also need 3 of 4 character classes and must not be common).",
        int,
    ),
    Setting("LOCKOUT_ATTEMPTS", "5", "Failed sign-ins within LOCKOUT_WINDOW_MINUTES that lock an account.", int),
    Setting("LOCKOUT_WINDOW_MINUTES", "5", "Window in which failed sign-ins are counted towards a lock.", int),
    Setting("LOCKOUT_MINUTES", "15", "How long a locked account refuses every sign-in.", int),
    Setting("SESSION_IDLE_MINUTES", "30", "A session with no request for this long ends (sign in again).", int),
    Setting("SESSION_MAX_HOURS", "12", "A session ends this long after sign-in, however active.", int),
    Setting(
        "COOKIE_SECURE",
        "auto",
        "Mark cookies Secure: auto (when the request came over HTTPS, as the browser sent it: behind a "
        "TLS-terminating proxy that needs TRUSTED_PROXIES), true or false.",
    ),
    Setting(
        "TRUSTED_PROXIES",
        "0",
        "Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host/-Port headers are believed "
        "(werkzeug ProxyFix, one hop each). 0: the headers are ignored; set 1 behind one nginx. Never more than "
        "there are: a client could then forge its address and scheme.",
        int,
    ),
    Setting(
        "SIGN_IN_RATE_LIMIT",
        "10 per minute;100 per hour",
        "Sign-in attempts that fail (wrong name, password or lock) allowed per client address before /login "
        "answers 429; in front of the per-account lockout. Flask-Limiter notation, ';' between limits.",
    ),
    Setting(
        "RATELIMIT_STORAGE_URL",
        "memory://",
        "Where the rate limiter counts: memory:// (per process) or redis://host:6379/1 to share the counts "
        "between workers.",
    ),
    Setting(
        "UNMASK_REASON_MIN_LENGTH",
        "4",
        "Characters a user with the unmask permission must give as the reason to see personal data unmasked.",
        int,
    ),
    Setting(
        "TENDER_THRESHOLD_PROVINCE",
        "4000000",
        "公开招标 threshold for goods and services bought at province level, in 元.",
        int,
    ),
    Setting(
        "TENDER_THRESHOLD_LOCAL",
        "2000000",
        "公开招标 threshold for goods and services bought at city and county level, in 元.",
        int,
    ),
    Setting(
        "SPLIT_BAND",
        "0.8",
        "A purchase is 'just under' the 公开招标 threshold when its budget is at least this share of it.",
        float,
    ),
    Setting("CONTRACT_RATIO_FLAG", "0.97", "Contracts at or above this share of their budget are flagged.", float),
    Setting(
        "EXECUTION_LAG_RED",
        "8",
        "Points of 预算执行 behind 序时进度: up to this is 黄 (进度滞后), beyond it 红 (严重滞后).",
        float,
    ),
    Setting("CASH_RED", "0.3", "库款保障水平 below this (months of outflow) is 红 (库款预警).", float),
    Setting(
        "CASH_IDLE",
        "0.8",
        "库款保障水平 above this is 蓝 (资金闲置); CASH_RED to here is the range the 财政部 treasury office cites.",
        float,
    ),
    Setting("DEBT_RATIO_YELLOW", "1.2", "债务率 (debt ÷ 综合财力) from this share is 黄.", float),
    Setting("DEBT_RATIO_ORANGE", "2.0", "债务率 from this share is 橙.", float),
    Setting("DEBT_RATIO_RED", "3.0", "债务率 from this share is 红.", float),
    Setting(
        "EXPORT_MAX_ROWS",
        "200000",
        "Largest view a topic page exports (rows); a bigger one is refused with a message, never cut.",
        int,
    ),
    Setting(
        "SCREEN_REFRESH_SECONDS",
        "60",
        "How often the big screen (/screen) asks whether a new load arrived; it redraws only when one did.",
        int,
    ),
    Setting(
        "PRESENT_POLL_MS",
        "300",
        "How often a paired wall (/screen?wall=…) asks whether its presenter moved (ms); unchanged, it gets nothing.",
        int,
    ),
    Setting(
        "PRESENT_CODE_MINUTES",
        "10",
        "How long a wall's pairing code stays valid (it also changes after each use).",
        int,
    ),
    Setting(
        "PRESENT_AWAY_SECONDS",
        "20",
        "A wall says its presenter's tablet has gone when not heard from for this long (the wall keeps its view).",
        int,
    ),
    Setting(
        "INTEREST_RATIO_RED",
        "0.1",
        "利息支出率 (一般债务付息 ÷ 一般公共预算支出, and 专项债务付息 ÷ 政府性基金预算支出) from this share is 红.",
        float,
    ),
    Setting("SELF_SUFFICIENCY_YELLOW", "0.3", "财政自给率 (收入 ÷ 支出) below this share is 黄.", float),
    Setting(
        "TAX_SHARE_YELLOW", "0.6", "税收占比 (税收 ÷ 一般公共预算收入) below this share is 黄 (收入质量偏弱).", float
    ),
    Setting(
        "NONTAX_JUMP_YELLOW",
        "5",
        "A month's 非税收入 item at this many times its average of the year's other months is 黄 (异常波动).",
        float,
    ),
    Setting("NONTAX_JUMP_RED", "10", "… and at this many times it is 红.", float),
    Setting(
        "REVENUE_DECLINE_YELLOW",
        "0.1",
        "一般公共预算收入 down by this share on the same months of last year is 黄.",
        float,
    ),
    Setting("REVENUE_DECLINE_ORANGE", "0.2", "… and down by this share is 橙.", float),
    Setting(
        "DIRECT_ALLOCATION_YELLOW",
        "0.9",
        "直达资金 分配进度 (allocated to final payers ÷ received) below this share is 黄.",
        float,
    ),
    Setting("DIRECT_ALLOCATION_RED", "0.7", "直达资金 分配进度 below this share is 红.", float),
    Setting(
        "MATURITY_CASH_YELLOW",
        "2",
        "Debt maturing in the next 12 months ÷ month-end 库款: from this multiple 黄.",
        float,
    ),
    Setting("MATURITY_CASH_ORANGE", "3", "… from this multiple 橙.", float),
    Setting("MATURITY_CASH_RED", "5", "… from this multiple 红.", float),
    Setting(
        "SINGLE_SOURCE_SHARE_YELLOW", "0.2", "单一来源 share of a unit's procurement budget from this is 黄.", float
    ),
    Setting(
        "YEAR_END_SHARE_YELLOW",
        "0.25",
        "December's share of the year's payments from this is 黄 (年末突击支出).",
        float,
    ),
    Setting("YEAR_END_SHARE_ORANGE", "0.35", "… from this share 橙.", float),
    Setting(
        "SPLIT_WINDOW_DAYS",
        "30",
        "Purchases by one agency from one supplier within this many days are read together (拆分采购).",
        int,
    ),
    Setting(
        "TICKET_DEADLINE_DAYS",
        "10",
        "Days a region has to respond to a 橙 / 红 warning ticket before it is overdue (逾期) and escalated.",
        int,
    ),
    Setting("ATTACHMENT_MAX_MB", "5", "Largest attachment a ticket response may carry, in MB.", float),
    Setting(
        "PUBLIC_BASE_URL",
        "http://127.0.0.1:8050",
        "Public address of the village pages (村务公开, /gongkai/…), printed in the villages' QR codes.",
    ),
    Setting(
        "PUBLIC_ID_MATCH",
        "full",
        "What the public self-check asks for besides the name: full (the 18-character ID number) or last6 "
        "(its last 6 characters).",
    ),
    Setting(
        "PUBLIC_YEARS", "3", "Years of payouts the public self-check shows (the latest data year and before).", int
    ),
    Setting(
        "PUBLIC_RATE_LIMIT_IP",
        "10/minute;30/hour",
        "Self-check queries one client address may make (Flask-Limiter syntax); more get 429.",
    ),
    Setting(
        "PUBLIC_RATE_LIMIT_VILLAGE",
        "300/hour",
        "Self-check queries one village's page may answer from all clients together (Flask-Limiter syntax).",
    ),
    Setting(
        "PUBLIC_CHALLENGE_AFTER",
        "3",
        "Self-checks without payouts from one client address within an hour after which each further query must "
        "answer an arithmetic question (checked from a signed token, no outside service).",
        int,
    ),
    Setting(
        "PUBLIC_CHECK_SECONDS",
        "0.3",
        "Every self-check answer takes at least this long, found or not (its timing tells nothing).",
        float,
    ),
    Setting(
        "PUBLIC_SECRET_KEY",
        "",
        "Key that signs the self-check's form and challenge tokens and keys the ID-number hash in the audit trail. "
        "Empty: a random key per process (tokens do not survive a restart nor cross workers: set it in production).",
    ),
    Setting(
        "PDF_FONT",
        "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
        "Font embedded in PDFs (the villages' QR sheets, the monthly reports and their charts): a TTF, OTF or "
        "collection with Chinese glyphs; of a "
        "collection the Simplified Chinese face is used.",
    ),
    Setting("PUBLIC_HALL_SECONDS", "20", "Seconds each village list shows on the service-hall screen (一屏智报).", int),
    Setting(
        "QUALITY_ZERO_RATE",
        "0.02",
        "Data quality: a rule scores 0 in a region and quarter once this share of the records it checks fail "
        "(linear from 100 at none).",
        float,
    ),
    Setting(
        "QUALITY_REPORT_DEADLINE_DAY",
        "10",
        "A month's data is late (迟报) when reported after this day of the next month.",
        int,
    ),
    Setting(
        "QUALITY_PAY_GAP_DAYS",
        "365",
        "Days from 指标下达 to its first payment beyond which the gap is too long (T03).",
        int,
    ),
    Setting(
        "QUALITY_CONTRACT_GAP_DAYS",
        "60",
        "Days from 采购公告 to contract beyond which procurement is overdue (T05).",
        int,
    ),
    Setting("QUALITY_YELLOW", "95", "A region's 数据质量 总分 below this is 黄 (数据质量预警).", float),
    Setting("QUALITY_ORANGE", "90", "… below this 橙.", float),
    Setting("QUALITY_RED", "80", "… below this 红.", float),
    Setting(
        "PEER_GROUPING",
        "kind",
        "Peer groups (同类地区) of county-level regions for 同类排名: kind (市辖区 / 县级市 / 县, from the name), "
        "population (bands of 常住人口, PEER_POPULATION_BANDS) or capacity (bands of 综合财力, PEER_CAPACITY_BANDS).",
        _grouping,
    ),
    Setting(
        "PEER_POPULATION_BANDS",
        "30,60,100",
        "Bounds of the 常住人口 bands in 万人 (increasing, comma-separated) when PEER_GROUPING is population.",
        bands,
    ),
    Setting(
        "PEER_CAPACITY_BANDS",
        "30,60,100",
        "Bounds of the 综合财力 bands in 亿元 (a full year's; increasing, comma-separated) when PEER_GROUPING is "
        "capacity.",
        bands,
    ),
    *(
        Setting(
            quality.weight_setting(r.code), f"{r.weight:g}", f"Weight of data-quality rule {r.code} ({r.name}).", float
        )
        for r in quality.RULES
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def fingerprint() -> int:
    """A hash of every setting given in the environment: two processes (or moments) with equal fingerprints read the
    same stores with the same thresholds."""
    return hash(tuple(sorted((k, v) for k, v in os.environ.items() if k.startswith("COCKPIT_"))))


def get(name: str):
    """The current value of a setting, parsed; `COCKPIT_<NAME>` in the environment wins over the default."""
    setting = _BY_NAME[name]
    return setting.parse(os.environ.get(f"COCKPIT_{name}", setting.default))
