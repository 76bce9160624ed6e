"""Structured logs: one JSON line per request on stdout, and every other log record of the app as JSON too.

A request line holds the time, the request id, the account name of the signed-in user (or null), the method, the
route (the URL rule, or the path without its query string: a query string may carry a name or an ID number of
the public self-check), the status and the duration in milliseconds. No display name, no client address, no
query string, no body: the audit trail (state store) is where who-saw-what is kept, under its own access rules.

The request id is the `X-Request-ID` an nginx in front sets (`proxy_set_header X-Request-ID $request_id`), when it
is a plain token, else a new one; it is echoed in the response header and on the Chinese error pages
(`请求编号`), so a user's report leads to the log line.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import sys
import time
from datetime import UTC, datetime

from flask import Flask, g, has_request_context, request
from werkzeug.wrappers import Response

from dashboard.core import settings

REQUEST_ID_HEADER = "X-Request-ID"
_TOKEN = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
request_log = logging.getLogger("cockpit.request")


def request_id() -> str | None:
    return g.get("request_id") if has_request_context() else None


class JsonFormatter(logging.Formatter):
    """`{"time", "level", "logger", "message", "request_id", …extra fields}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
        }
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            entry.update(fields)
        else:
            entry["message"] = record.getMessage()
            rid = request_id()
            if rid:
                entry["request_id"] = rid
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure() -> None:
    """Log records at INFO and above to stdout, as JSON (LOG_FORMAT=json) or plain text; once per process."""
    root = logging.getLogger()
    if any(getattr(h, "cockpit", False) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stdout)
    handler.cockpit = True  # type: ignore[attr-defined]
    if settings.get("LOG_FORMAT") == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s %(message)s"))
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > logging.INFO:
        root.setLevel(logging.INFO)
    logging.getLogger("alembic").setLevel(logging.WARNING)  # "Context impl SQLiteImpl." for every new store
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # the dev server's own access lines: ours replace them


def _start() -> None:
    sent = request.headers.get(REQUEST_ID_HEADER, "")
    g.request_id = sent if _TOKEN.match(sent) else secrets.token_hex(8)
    g.request_started = time.perf_counter()


def _finish(response: Response) -> Response:
    response.headers[REQUEST_ID_HEADER] = g.get("request_id", "")
    started = g.get("request_started")
    user = g.get("user")
    rule = request.url_rule.rule if request.url_rule is not None else None
    request_log.info(
        "request",
        extra={
            "fields": {
                "time": datetime.now(UTC).isoformat(timespec="milliseconds"),
                "request_id": g.get("request_id"),
                "user": getattr(user, "username", None),
                "method": request.method,
                "route": rule if rule and "<" not in rule else request.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            }
        },
    )
    return response


def install(server: Flask) -> None:
    """Before every other hook: the request id; after every other hook: the log line (the final status)."""
    configure()
    server.before_request_funcs.setdefault(None, []).insert(0, _start)
    server.after_request_funcs.setdefault(None, []).insert(0, _finish)  # run last (hooks run in reverse)
