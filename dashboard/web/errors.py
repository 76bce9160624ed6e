"""The app's own error answers, in Chinese and without a traceback or a version: Flask's defaults are English HTML
pages ("Internal Server Error") that a Dash callback shows as a broken panel. A page request gets a small Chinese
page, a callback or probe (under `/_`) a JSON message. The 500 handler logs the error (with its traceback, to the
log only) and answers the same words whatever failed."""

from __future__ import annotations

import logging

from dash.exceptions import InvalidCallbackReturnValue
from flask import Flask, Response, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from dashboard.web.logs import request_id

log = logging.getLogger(__name__)

MESSAGES = {
    400: "请求无效,请刷新页面后重试。",
    403: "无权访问该页面。",
    404: "页面不存在,请检查地址或返回首页。",
    405: "不支持该请求方式。",
    413: "请求内容过大。",
    429: "请求过于频繁,请稍后再试。",
    500: "服务器内部错误,请稍后重试;如持续出现请联系管理员。",
    503: "数据服务暂不可用,正在重试…",
}
PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{status} · 财政运行监测驾驶舱</title><link rel="stylesheet" href="/assets/00-bootstrap-5.3.6.min.css"></head>
<body class="p-4"><main class="container"><h1 class="h4">财政运行监测驾驶舱</h1>
<div class="alert alert-warning" role="alert" id="error-message">{message}</div>
<p class="text-muted small" id="request-id">请求编号:{request_id}(联系管理员时请提供)</p>
<a class="btn btn-primary" href="/">返回首页</a></main></body></html>"""


def error_response(status: int) -> Response:
    message = MESSAGES.get(status, MESSAGES[500] if status >= 500 else MESSAGES[400])
    if request.path.startswith("/_") or request.accept_mimetypes.best == "application/json":
        response = jsonify({"message": message, "request_id": request_id()})
        response.status_code = status
        return response
    page = PAGE.format(status=status, message=message, request_id=request_id() or "-")
    return Response(page, status=status, mimetype="text/html")


def _http_error(error: HTTPException) -> Response:
    if error.response is not None:  # an answer already made (the boundary's 400 and 503 JSON)
        return error.response  # type: ignore[return-value]
    response = error_response(error.code or 500)
    for name, value in error.get_headers():  # a 405's Allow, a 429's Retry-After
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def _internal_error(error: InternalServerError) -> Response:
    log.error("request failed: %s %s", request.method, request.path, exc_info=error.original_exception)
    return error_response(500)


def _mismatched_outputs(error: InvalidCallbackReturnValue) -> Response:
    """Dash checks a callback's answer against the outputs the request listed: a forged request listing a wildcard
    output's components in different numbers gets a 400 (the page tests catch a callback that answers wrong)."""
    log.warning("callback answer does not fit the outputs the request listed")
    return error_response(400)


def install(server: Flask) -> None:
    server.register_error_handler(InvalidCallbackReturnValue, _mismatched_outputs)
    server.register_error_handler(HTTPException, _http_error)
    server.register_error_handler(InternalServerError, _internal_error)
