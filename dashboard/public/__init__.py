"""The public side (村务公开): village pages, the self-check of one's own subsidies and the service-hall screen,
under `/gongkai/`, for people who have no account.

A part of its own beside the staff app: a Flask blueprint (`routes`) with server-rendered HTML (Jinja templates, one
CSS file, no script, no Dash), its own headers (a CSP without scripts, no-store, no framing), no cookies and no
session. The staff gate lets the prefix through without a session (`dashboard.web.gate`), and nothing of the staff
app is reachable from here: the Dash routes still answer 401 without a session. It reads the finance store through
`queries.public` only, and it uses the app's one rate limiter, handed to `routes.install` by the app factory.
"""

PREFIX = "/gongkai"


def is_public(path: str) -> bool:
    """Whether `path` is on the public side: the prefix itself or below it, on a segment boundary."""
    return path == PREFIX or path.startswith(PREFIX + "/")
