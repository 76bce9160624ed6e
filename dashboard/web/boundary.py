"""The boundary of the Dash callbacks: a request the renderer could not have sent is refused with 400 before Dash
reads it, and a callback that fails on a value the browser sent answers 400 too, never a 500.

Dash trusts the shape of `/_dash-update-component` bodies (an unknown `output`, a missing `inputs` or a string
where a list belongs end in KeyError or TypeError inside Dash: a 500 and a logged traceback). `check_request`
checks the shape against the callbacks the app registered. The values themselves are read by the callbacks through
the validating parsers of `dashboard.core.drill` (`browser_mapping`, `ascii_int`, `parse_state`) and
`queries._paging.PageRequest.of`; `callback_failed` (Dash's `on_error`) is the net under them: a value error from
the browser's input is a 400, a store that cannot be reached a 503 the page shows as its outage banner, anything else
a real fault (500, logged).
"""

from __future__ import annotations

import decimal
import logging
from collections.abc import Callable

import sqlalchemy as sa
from dash import Dash
from flask import Response, abort, jsonify, request
from werkzeug.wrappers import Response as BaseResponse

from dashboard.store.engine import StoreMissing

CALLBACK_PATH = "/_dash-update-component"
BAD_VALUE = (TypeError, ValueError, KeyError, IndexError, AttributeError, decimal.InvalidOperation, OverflowError)
OUTAGE_MESSAGE = "数据服务暂不可用,正在重试…"
log = logging.getLogger(__name__)


def _refused(status: int, message: str) -> Response:
    response = jsonify({"message": message})
    response.status_code = status
    return response


def _dependency_list(value: object) -> bool:
    """A list of {id, property[, value]} (or, for a wildcard, a list of such lists)."""
    if not isinstance(value, list):
        return False
    for item in value:
        if isinstance(item, list):
            if not _dependency_list(item):
                return False
        elif not (isinstance(item, dict) and "id" in item and isinstance(item.get("property"), str)):
            return False
    return True


def _outputs_list(value: object) -> bool:
    """Several outputs: a list of {id, property}, a wildcard output among them a list of such dicts."""
    return isinstance(value, list) and all(
        isinstance(o, dict) or (isinstance(o, list) and all(isinstance(i, dict) for i in o)) for o in value
    )


def _well_formed(app: Dash, body: object) -> bool:
    if not isinstance(body, dict):
        return False
    output, outputs = body.get("output"), body.get("outputs")
    if not isinstance(output, str) or "callback" not in app.callback_map.get(output, {}):
        return False  # no such callback, or one that runs in the browser (clientside): nothing to run here
    if not (isinstance(outputs, dict) or _outputs_list(outputs)):
        return False
    if not _dependency_list(body.get("inputs")) or not _dependency_list(body.get("state", [])):
        return False
    changed = body.get("changedPropIds", [])
    return isinstance(changed, list) and all(isinstance(c, str) for c in changed)


def check_request(app: Dash) -> Callable[[], BaseResponse | None]:
    """A `before_request` (after the session gate): 400 for a callback request of the wrong shape."""

    def check() -> BaseResponse | None:
        well_formed = _well_formed(app, request.get_json(silent=True)) if request.path == CALLBACK_PATH else True
        if request.method == "POST" and not well_formed:
            return _refused(400, "请求格式无效,请刷新页面后重试。")
        return None

    return check


def is_outage(error: BaseException) -> bool:
    """Whether `error` says a store (or the shared cache) cannot be reached, rather than that a request is bad."""
    if isinstance(error, sa.exc.OperationalError | sa.exc.InterfaceError | StoreMissing):
        return True
    if isinstance(error, sa.exc.DBAPIError) and error.connection_invalidated:
        return True
    return type(error).__module__.startswith("redis") and "Connection" in type(error).__name__


def callback_failed(error: Exception) -> None:
    """Dash's `on_error`: 503 for an outage, 400 for a value the callback could not read, else the error itself."""
    if is_outage(error):
        log.warning("store unavailable during a callback: %s", type(error).__name__)
        abort(_refused(503, OUTAGE_MESSAGE))
    if isinstance(error, BAD_VALUE):
        log.warning("callback refused a browser value: %s", type(error).__name__)
        abort(_refused(400, "请求参数无效,请刷新页面后重试。"))
    raise error
