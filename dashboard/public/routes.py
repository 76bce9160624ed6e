"""The public routes: `/gongkai/<county>/<village>` (the village's 公示 and the self-check form; POST runs the
self-check), `/gongkai/hall/<county>/<township>` (the service-hall screen), the blueprint's CSS, and a 404 for
anything else under the prefix (so Dash's catch-all never serves its shell there).

The self-check answers a wrong pair, an unknown person and a person without payouts alike and in the same time
(at least PUBLIC_CHECK_SECONDS); it is limited per client address and per village (the app's one Flask-Limiter),
asks an arithmetic question after PUBLIC_CHALLENGE_AFTER answers without payouts from one address, and audits each
query with the village, the masked name and a keyed hash of the ID number, never the number.
"""

from __future__ import annotations

import re
import time
from decimal import Decimal

import pandas as pd
from flask import Blueprint, Flask, Response, abort, render_template, request
from flask_limiter import Limiter, RequestLimit
from flask_limiter.util import get_remote_address
from limits import parse

from dashboard.core import settings
from dashboard.core.format import money
from dashboard.core.masking import mask_public_name
from dashboard.public import PREFIX, is_public, tokens
from dashboard.public.qr import svg, village_path, village_url
from dashboard.state import audit
from queries import public as q
from queries.regions import region_tree

FULL_ID = re.compile(r"\d{17}[\dX]")
LAST6 = re.compile(r"\d{5}[\dX]")
MONTH = re.compile(r"\d{4}-\d{2}")
HALL_ROWS = 14  # rows of a village list on the hall screen (the rest: scan the code)
HALL_PROGRAMS = 12  # programs on the hall screen; the rest are summed as 其他项目


def _yuan(amount: Decimal | int) -> str:
    return money(Decimal(amount), "元")


def _sum(frame: pd.DataFrame) -> Decimal:
    return sum(frame["amount"], Decimal(0))


def _county_name(county: str) -> str:
    tree = region_tree()
    return tree.name(county) if county in tree else county


def _last6() -> bool:
    return settings.get("PUBLIC_ID_MATCH") == "last6"


def _first_year() -> int:
    return q.years_shown(q.latest_year(), settings.get("PUBLIC_YEARS"))[0]


def _village_or_404(county: str, key: str) -> q.Village:
    v = q.village(county, key) if county.isdigit() and len(county) == 6 else None
    if v is None:
        abort(404)
    return v


# --- the failure count behind the challenge -----------------------------------------------------------------------


class Failures:
    """Self-checks without payouts per client address in the last hour, counted in the rate limiter's storage (so
    they are shared by workers exactly as the limits are)."""

    def __init__(self, limiter: Limiter) -> None:
        self.limiter = limiter

    def _item(self):
        return parse(f"{max(settings.get('PUBLIC_CHALLENGE_AFTER'), 1)}/hour")

    def challenged(self) -> bool:
        return settings.get("PUBLIC_CHALLENGE_AFTER") >= 0 and not self.limiter.limiter.test(
            self._item(), "public-fail", get_remote_address()
        )

    def count(self) -> None:
        self.limiter.limiter.hit(self._item(), "public-fail", get_remote_address())

    def spend(self, nonce: str) -> bool:
        """Spend a challenge's nonce; False when it was spent before (a solved question answers once)."""
        return self.limiter.limiter.hit(parse("1/hour"), "public-nonce", nonce)


# --- pages ----------------------------------------------------------------------------------------------------------


def _index():
    return render_template("public/index.html")


def _village_page(
    v: q.Village,
    failures: Failures,
    *,
    result: pd.DataFrame | None = None,
    message: str | None = None,
    name: str = "",
    status: int = 200,
) -> Response:
    months = q.village_months(v, _first_year())
    month = request.args.get("month", "")
    if month not in months:
        month = months[0] if months else ""
    rows = q.village_list(v, month) if month else pd.DataFrame(columns=["name", "program", "month", "amount"])
    token, question = tokens.issue(v.key, failures.challenged())
    html = render_template(
        "public/village.html",
        v=v,
        county_name=_county_name(v.county),
        months=months,
        month=month,
        rows=[(r.name, r.program, r.month, _yuan(r.amount)) for r in rows.itertuples()],
        total=_yuan(_sum(rows)),
        token=token,
        question=question,
        last6=_last6(),
        years=settings.get("PUBLIC_YEARS"),
        result=None
        if result is None
        else [(r.program, r.month, _yuan(r.amount), r.account) for r in result.itertuples()],
        message=message,
        name=name,
        path=village_path(v),
    )
    return Response(html, status=status, mimetype="text/html")


def _self_check(v: q.Village, failures: Failures) -> Response:
    started = time.monotonic()
    name = request.form.get("name", "").strip()[:32]
    id_text = request.form.get("id_number", "").strip().upper()[:18]
    token = tokens.read(request.form.get("token", ""), v.key)
    pattern = LAST6 if _last6() else FULL_ID
    result, message, status = None, None, 200
    if token is None:
        message, status = "页面已过期,请重新填写查询。", 400
    elif failures.challenged() and not (
        tokens.answered(token, request.form.get("answer", "")) and failures.spend(token.nonce)
    ):
        message = "请先回答下方的验证问题。"
    elif not name or not pattern.fullmatch(id_text):
        message = "请输入姓名和身份证号码后 6 位。" if _last6() else "请输入姓名和 18 位身份证号码。"
    else:
        result = q.own_payouts(v, name, id_text, last6=_last6(), first_year=_first_year())
        if result.empty:
            failures.count()
        audit.append(
            "public_check",
            username=None,
            region=v.county,
            params={"village": v.key, "name": mask_public_name(name), "id_hash": tokens.id_digest(id_text)},
            rows=len(result),
        )
    time.sleep(max(0.0, settings.get("PUBLIC_CHECK_SECONDS") - (time.monotonic() - started)))
    return _village_page(v, failures, result=result, message=message, name=name, status=status)


def hall_path(county: str, township: str) -> str:
    """The address of a township's service-hall screen."""
    return f"{PREFIX}/hall/{county}/{q.township_key(county, township)}"


def _hall(county: str, key: str) -> Response:
    villages = q.township_villages(county, key) if county.isdigit() and len(county) == 6 else ()
    if not villages:
        abort(404)
    township = villages[0].township
    year = q.latest_year()
    totals = q.township_totals(county, township, year)
    index = request.args.get("i", "0")
    i = int(index) % len(villages) if index.isdigit() else 0
    v = villages[i]
    months = q.village_months(v, _first_year())
    rows = q.village_list(v, months[0]) if months else pd.DataFrame(columns=["name", "program", "month", "amount"])
    html = render_template(
        "public/hall.html",
        county_name=_county_name(county),
        township=township,
        year=year,
        totals=_hall_totals(totals),
        total=_yuan(_sum(totals)),
        v=v,
        month=months[0] if months else "",
        rows=[(r.name, r.program, _yuan(r.amount)) for r in rows.head(HALL_ROWS).itertuples()],
        more=max(0, len(rows) - HALL_ROWS),
        qr=svg(village_url(v), scale=7),
        url=village_url(v),
        refresh=settings.get("PUBLIC_HALL_SECONDS"),
        next_url=f"?i={(i + 1) % len(villages)}",
        position=(i + 1, len(villages)),
    )
    return Response(html, mimetype="text/html")


def _hall_totals(totals: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(program, amount, recipients) of the largest programs, the others as one row (people may repeat there)."""
    rows = [(r.program, _yuan(r.amount), str(int(r.recipients))) for r in totals.head(HALL_PROGRAMS - 1).itertuples()]
    rest = totals.iloc[HALL_PROGRAMS - 1 :]
    if len(rest) == 1:
        rows.append((rest.iloc[0]["program"], _yuan(rest.iloc[0]["amount"]), str(int(rest.iloc[0]["recipients"]))))
    elif len(rest) > 1:
        rows.append((f"其他 {len(rest)} 个项目", _yuan(_sum(rest)), "—"))
    return rows


def _not_found(rest: str = "") -> Response:
    return Response(render_template("public/not_found.html"), status=404, mimetype="text/html")


# --- headers ------------------------------------------------------------------------------------------------------

POLICY = "; ".join(
    [
        "default-src 'none'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    ]
)


def _headers(response: Response) -> Response:
    """The public side's own headers (the staff gate leaves these paths alone): no script at all, nothing cached,
    no framing, no referrer, and no cookie ever set."""
    if not is_public(request.path):
        return response
    headers = response.headers
    headers["Content-Security-Policy"] = POLICY
    headers["Cache-Control"] = "no-store"
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    headers.pop("Set-Cookie", None)
    if request.is_secure:
        headers["Strict-Transport-Security"] = "max-age=31536000"
    return response


def _too_many(limit: RequestLimit) -> Response:
    """429 with the village page's words and nothing else: no query runs, nothing is audited."""
    response = Response(render_template("public/too_many.html"), status=429, mimetype="text/html")
    response.headers["Retry-After"] = str(max(1, limit.reset_at - int(time.time())))
    return response


def _village_limit_key() -> str:
    args = request.view_args or {}
    return f"village:{args.get('county')}/{args.get('key')}"


def install(server: Flask, limiter: Limiter) -> None:
    """Register the public blueprint on `server`, its self-check limited by `limiter` (per address, per village)."""
    failures = Failures(limiter)
    blueprint = Blueprint("public", __name__, url_prefix=PREFIX, template_folder="templates", static_folder="static")

    def village(county: str, key: str) -> Response:
        v = _village_or_404(county, key)
        if request.method == "POST":
            return _self_check(v, failures)
        return _village_page(v, failures)

    limited = limiter.limit(
        lambda: settings.get("PUBLIC_RATE_LIMIT_VILLAGE"),
        key_func=_village_limit_key,
        methods=["POST"],
        on_breach=_too_many,
    )(limiter.limit(lambda: settings.get("PUBLIC_RATE_LIMIT_IP"), methods=["POST"], on_breach=_too_many)(village))
    blueprint.add_url_rule("/", "index", _index)
    blueprint.add_url_rule("/<county>/<key>", "village", limited, methods=["GET", "POST"])
    blueprint.add_url_rule("/hall/<county>/<key>", "hall", _hall)
    blueprint.add_url_rule("/<path:rest>", "not_found", _not_found, methods=["GET", "POST"])
    blueprint.register_error_handler(404, _not_found)
    server.register_blueprint(blueprint)
    server.after_request(_headers)
