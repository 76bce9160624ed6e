"""The current request as the rest of the app sees it: who is signed in, the region subtree they may see, where
the request comes from, and the drill state of a page's query string.

`dashboard.web.gate` re-reads the session and the user from the state store at the start of every request (so a
disabled user or a changed region takes effect at once) and leaves them on `flask.g`; outside a request (the CLI,
a background job) there is nobody. The audit trail (`dashboard.state.audit`, which must not import flask) learns
who and where from `audit_context`, installed by the app factory.
"""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit

from flask import g, has_request_context, request

from dashboard.core.drill import DrillState, parse_state
from dashboard.core.scope import Scope, User, scope_of
from dashboard.state import audit
from dashboard.store.engine import current_data_version
from queries.regions import available_years, region_tree


def current_user() -> User | None:
    """The user of the current request, from the server-side session; None when nobody is signed in."""
    return g.get("user") if has_request_context() else None


def current_scope() -> Scope:
    """The scope of the current request: the signed-in user's region subtree (see `current_user`)."""
    return scope_of(current_user())


def client_ip() -> str | None:
    return request.remote_addr if has_request_context() else None


def current_page() -> str | None:
    """The page a request comes from: for a Dash callback the path of the page that sent it (its Referer)."""
    if not has_request_context():
        return None
    if request.path.startswith("/_dash-") and request.referrer:
        return urlsplit(request.referrer).path[:200] or None
    return request.path


def audit_context() -> audit.Context:
    """Who and where for an audit row written during this request."""
    return audit.Context(current_user(), current_page(), client_ip())


def drill_state(query: Mapping[str, object] | None, scope: Scope | None = None) -> tuple[Scope, DrillState]:
    """The caller's scope (from the session, never the browser) and the validated drill state of `query`; asking
    for a region outside the scope is audited as denied (the state falls back to the scope's root). `scope`, when
    given, is a narrower one the server worked out (a wall driven by a presenter: `dashboard.state.present`)."""
    scope = current_scope() if scope is None else scope
    state = parse_state(
        query or {},
        tree=region_tree(),
        scope=scope,
        years=available_years(),
        data_through=current_data_version().data_through,
    )
    if state.denied_region is not None:
        audit.record(
            "denied", region=state.denied_region, detail=f"region outside scope {scope.root}", outcome="denied"
        )
    return scope, state
