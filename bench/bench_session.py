"""Benchmark: what the session gate adds to every request (the user is re-read from the state store each time).

    .venv/bin/python bench/bench_session.py                      # SQLite state store in a temp dir
    .venv/bin/python bench/bench_session.py --state-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

Prints the median and 95th percentile of: `resume_session` alone, a signed-in GET of `/_dash-layout`, the same
request for a visitor nobody signed in (401 before Dash), and one sign-in (argon2id verify). The session table is
filled with `--sessions` other sessions first, so the lookup is measured on a table that is not empty.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--state-url", default=None, help="state store (default: a temp SQLite file)")
    parser.add_argument("--sessions", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    os.environ["COCKPIT_STATE_URL"] = args.state_url or f"sqlite:///{tempfile.mkdtemp()}/state.sqlite"

    from dashboard.state import accounts
    from dashboard.web.app import create_app
    from dashboard.web.gate import CSRF_COOKIE, SESSION_COOKIE

    password = "Xiang#Jiang2024"
    if accounts.get_account("bench") is None:
        accounts.add_user("bench", "bench", "分析", "430000", password, actor="bench")
    for _ in range(args.sessions):
        accounts.start_session("bench")
    token, csrf = accounts.start_session("bench")
    app = create_app()
    signed_in, anonymous = app.server.test_client(), app.server.test_client()
    signed_in.set_cookie(SESSION_COOKIE, token)
    signed_in.set_cookie(CSRF_COOKIE, csrf)
    print(f"state store: {os.environ['COCKPIT_STATE_URL'].split('@')[-1]}, {args.sessions + 1:,} sessions")
    for label, fn, repeat in [
        ("resume_session (one indexed join)", lambda: accounts.resume_session(token), args.repeat),
        ("GET /_dash-layout signed in", lambda: signed_in.get("/_dash-layout"), args.repeat),
        (
            "POST /_dash-update-component anonymous (401)",
            lambda: anonymous.post("/_dash-update-component", json={}),
            args.repeat,
        ),
        ("sign-in (argon2id verify + session)", lambda: accounts.authenticate("bench", password), 20),
    ]:
        median, p95 = timed(fn, repeat)
        print(f"  {label:<48} median {median:7.2f} ms   p95 {p95:7.2f} ms")


if __name__ == "__main__":
    main()
