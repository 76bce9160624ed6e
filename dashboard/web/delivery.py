"""How responses travel: compression (brotli or gzip) and the browser cache.

- Dynamic answers (the page shell, Dash's layout and callback JSON, the sign-in page) are compressed per response
  by Flask-Compress, brotli at a fast level, gzip for older clients; they stay `Cache-Control: no-store` (the gate
  sets it: finance data and session state are never kept by a browser or a proxy).
- Static files (the assets folder, Dash's component suites) are compressed once per process and kept compressed
  in memory (plotly.min.js is 4.8 MB: brotli 5 takes a core 1 s once per worker, 9 would take 8 s), then served
  with the cache header their URL allows: a URL that carries the file's version (Dash's fingerprint
  `….v4_4_1m1733….js`, or `?m=<mtime>` on an asset the page shell links) is `immutable` for a year; a bare asset
  URL (`/assets/auth.css` from the sign-in page) is `no-cache`, revalidated by its ETag (a 304 without a body).
"""

from __future__ import annotations

import gzip
import threading
from collections import OrderedDict

import brotli
from dash.fingerprint import check_fingerprint
from flask import Flask, g, request
from flask_compress import Compress
from werkzeug.wrappers import Response

from dashboard.web.gate import ASSETS_PREFIX, SUITES_PREFIX

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
COMPRESSIBLE = frozenset(
    {
        "text/html",
        "text/css",
        "text/plain",
        "text/javascript",
        "application/javascript",
        "application/json",
        "image/svg+xml",
        "application/geo+json",
    }
)
MIN_SIZE = 500
CACHE_BYTES = 64 * 1024 * 1024  # compressed static files kept per process (the whole app's are ~3 MB)


class _Compressed:
    """Compressed bodies of static files by (path, query, validator, encoding), least recently used first out."""

    def __init__(self, limit: int) -> None:
        self._limit, self._size = limit, 0
        self._items: OrderedDict[tuple[str, ...], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[str, ...], data: bytes, encoding: str) -> bytes:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
                return hit
        body = brotli.compress(data, quality=5) if encoding == "br" else gzip.compress(data, compresslevel=6)
        with self._lock:
            self._items[key] = body
            self._size += len(body)
            while self._size > self._limit and self._items:
                _, dropped = self._items.popitem(last=False)
                self._size -= len(dropped)
        return body


_STATIC = _Compressed(CACHE_BYTES)


def _encoding() -> str | None:
    accepted = request.accept_encodings
    if accepted["br"]:
        return "br"
    if accepted["gzip"]:
        return "gzip"
    return None


def versioned_url() -> bool:
    """Whether the requested URL names one version of the file (so the file at it never changes)."""
    if request.path.startswith(SUITES_PREFIX):
        return check_fingerprint(request.path.rsplit("/", 1)[-1])[1]
    return request.path.startswith(ASSETS_PREFIX) and bool(request.args.get("m"))


def _static(response: Response) -> Response:
    if not g.get("public_file") or request.method not in ("GET", "HEAD"):
        return response
    if response.status_code in (200, 304):
        response.headers["Cache-Control"] = IMMUTABLE if versioned_url() else REVALIDATE
    if response.status_code != 200 or response.mimetype not in COMPRESSIBLE or "Content-Encoding" in response.headers:
        return response
    response.vary.add("Accept-Encoding")
    etag, _weak = response.get_etag()
    if etag and request.if_none_match.contains_weak(etag):  # Dash compares validators strictly: ours are weak
        response.status_code = 304
        response.direct_passthrough = False
        response.set_data(b"")
        return response
    encoding = _encoding()
    if encoding is None:
        return response
    response.direct_passthrough = False
    data = response.get_data()
    if len(data) < MIN_SIZE:
        return response
    key = (request.path, request.query_string.decode("latin-1"), etag or "", encoding)
    response.set_data(_STATIC.get(key, data, encoding))
    response.headers["Content-Encoding"] = encoding
    if etag:  # one validator for every encoding of the same file: weak (RFC 9110 8.8.1)
        response.set_etag(etag, weak=True)
    return response


def install(server: Flask) -> None:
    """Compression for dynamic answers (Flask-Compress) and, running before it, the static files' own path."""
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_BR_LEVEL=4,
        COMPRESS_LEVEL=6,
        COMPRESS_MIN_SIZE=MIN_SIZE,
        COMPRESS_STREAMS=False,  # a streamed answer (an export) goes as it is
        COMPRESS_MIMETYPES=sorted(COMPRESSIBLE),
    )
    Compress(server)
    server.after_request(_static)  # after_request hooks run last-registered first: this one before Compress
