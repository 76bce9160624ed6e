"""gunicorn's configuration for `make run` (`gunicorn -c python:dashboard.web.gunicorn_conf app:server`): the
address, workers and threads come from the settings table (COCKPIT_HOST, COCKPIT_PORT, COCKPIT_WEB_*).

The app is built once in the master (`preload_app`) and forked: the import of pages, callbacks and plotly is paid
once, and the workers share those pages of memory. It is safe because building the app opens no connection that a
worker would inherit: the state-store revision check at start-up opens one, and `pre_fork` closes every engine the
master holds before a worker is forked (each worker opens its own on its first request). Anything that must be
unique per process (the rate limiter's memory counts, the in-process query cache) is created per worker anyway by
copy-on-write.

gunicorn's access log is off: the app writes one JSON line per request itself (`dashboard.web.logs`), with the
request id and the user, which gunicorn does not know. gunicorn's `Server: gunicorn` header is dropped (a scanner
learns nothing from the response headers).
"""

from __future__ import annotations

import os

from gunicorn.http import wsgi

from dashboard.core import settings
from dashboard.store import clickhouse


def _workers() -> int:
    if clickhouse.is_embedded(settings.get("DB_URL")):
        return 1  # chDB holds its directory for one process: one worker, its threads serve in parallel
    configured = settings.get("WEB_WORKERS")
    return configured if configured > 0 else max(2, os.cpu_count() or 1)


bind = f"{settings.get('HOST')}:{settings.get('PORT')}"
workers = _workers()
threads = settings.get("WEB_THREADS")
worker_class = "gthread"
timeout = settings.get("WEB_TIMEOUT")
graceful_timeout = 30
keepalive = 5  # behind nginx, which keeps its upstream connections alive
preload_app = True
accesslog = None
errorlog = "-"
loglevel = "info"
# Workers are not recycled by default: at 190 req/s each hit 5,000 requests in under a minute, and a recycled gthread
# worker drops its keep-alive connections (12 failed requests in 11,638 under bench/bench_load.py) and its in-process
# query and render caches. Memory is bounded by those caches' sizes; WEB_MAX_REQUESTS turns recycling on.
max_requests = settings.get("WEB_MAX_REQUESTS")
max_requests_jitter = max_requests // 10
limit_request_line = 8190
forwarded_allow_ips = "127.0.0.1"  # only consulted for wsgi.url_scheme; ProxyFix (TRUSTED_PROXIES) decides the rest


def pre_fork(_server, _worker) -> None:
    """Close the connections the master opened while building the app: a worker must not share its parent's."""
    from dashboard.state.engine import reset_state_engine
    from dashboard.store.engine import reset_finance_engine

    reset_state_engine()
    reset_finance_engine()


_default_headers = wsgi.Response.default_headers


def _headers_without_server(self) -> list[str]:
    return [line for line in _default_headers(self) if not line.lower().startswith("server:")]


wsgi.Response.default_headers = _headers_without_server
