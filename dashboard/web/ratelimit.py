"""The app's one rate limiter (Flask-Limiter), counting per client address.

One per app, made by the factory and handed to the routes that use it: `/login` limits failed sign-ins with it
(`gate.install`); any later limit (an expensive export, a callback) should hang on the same object.
The counts live where RATELIMIT_STORAGE_URL says: `memory://` counts in each process (with several workers a
client gets the limit once per worker), `redis://…` shares them. The client address is `request.remote_addr`,
which is the browser's own only behind a ProxyFix that trusts exactly the proxies there are (TRUSTED_PROXIES).
"""

from __future__ import annotations

from flask import Flask
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from dashboard.core import settings


def install(server: Flask) -> Limiter:
    """The limiter of `server`, with no default limit: a route is limited only where it asks to be."""
    return Limiter(
        get_remote_address,
        app=server,
        storage_uri=settings.get("RATELIMIT_STORAGE_URL"),
        headers_enabled=False,
        key_prefix="cockpit",
    )
