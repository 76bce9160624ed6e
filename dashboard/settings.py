"""The one settings table: every knob the cockpit has, its default and what it is for.

A setting `NAME` is overridden by the environment variable `COCKPIT_NAME`. Values are read when asked for, so a
test (or an operator restarting the app) changes behaviour by changing the environment, not the code.
Risk thresholds here are the *defaults* of ../DOMAIN.md; the demo generator plants its anomalies against them.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Callable


def _bool(text: str) -> bool:
    return text.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Setting:
    name: str
    default: str
    help: str
    parse: Callable[[str], object] = str


SETTINGS: tuple[Setting, ...] = (
    Setting("DB_URL", "duckdb:///data/cockpit.duckdb",
            "Finance store (SQLAlchemy URL): DuckDB file (embedded default) or postgresql+psycopg://…"),
    Setting("STATE_URL", "sqlite:///data/state.sqlite",
            "Application-state store (SQLAlchemy URL): users, audit trail, warning tickets. Never touched by a "
            "finance load. SQLite file by default, postgresql+psycopg://… in production."),
    Setting("HOST", "127.0.0.1", "Address the web server listens on."),
    Setting("PORT", "8050", "Port the web server listens on.", int),
    Setting("DEBUG", "false", "Dash debug mode (dev tools, reloader). Never on in production.", _bool),
    Setting("CACHE_TYPE", "SimpleCache",
            "flask-caching backend for query results: SimpleCache (in-process) or RedisCache."),
    Setting("CACHE_REDIS_URL", "redis://127.0.0.1:6379/0", "Redis URL when CACHE_TYPE is RedisCache."),
    Setting("CACHE_TIMEOUT", "3600",
            "Seconds a cached query result lives; the data version in every key makes new loads visible at once.",
            int),
    Setting("TENDER_THRESHOLD_PROVINCE", "4000000",
            "公开招标 threshold for goods and services bought at province level, in 元.", int),
    Setting("TENDER_THRESHOLD_LOCAL", "2000000",
            "公开招标 threshold for goods and services bought at city and county level, in 元.", int),
    Setting("SPLIT_BAND", "0.8",
            "A purchase is 'just under' the 公开招标 threshold when its budget is at least this share of it.", float),
    Setting("CONTRACT_RATIO_FLAG", "0.97", "Contracts at or above this share of their budget are flagged.", float),
    Setting("EXECUTION_LAG_RED", "8",
            "Points of 预算执行 behind 序时进度: up to this is 黄 (进度滞后), beyond it 红 (严重滞后).", float),
    Setting("CASH_RED", "0.3", "库款保障水平 below this (months of outflow) is 红 (库款预警).", float),
    Setting("CASH_YELLOW", "0.5", "库款保障水平 below this is 黄 (偏低).", float),
    Setting("CASH_IDLE", "2.0", "库款保障水平 above this is 闲置 (idle cash).", float),
    Setting("DEBT_RATIO_YELLOW", "1.2", "债务率 (debt ÷ 综合财力) from this share is 黄.", float),
    Setting("DEBT_RATIO_ORANGE", "2.0", "债务率 from this share is 橙.", float),
    Setting("DEBT_RATIO_RED", "3.0", "债务率 from this share is 红.", float),
    Setting("EXPORT_MAX_ROWS", "200000",
            "Largest view a topic page exports (rows); a bigger one is refused with a message, never cut.", int),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str):
    """The current value of a setting, parsed; `COCKPIT_<NAME>` in the environment wins over the default."""
    setting = _BY_NAME[name]
    return setting.parse(os.environ.get(f"COCKPIT_{name}", setting.default))
