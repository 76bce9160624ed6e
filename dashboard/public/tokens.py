"""Signed form tokens and the offline challenge of the self-check, and the keyed hash the audit trail stores
instead of an ID number.

A token is signed (itsdangerous, keyed by PUBLIC_SECRET_KEY), names the village it was issued for, expires, and
carries a one-use nonce. After repeated self-checks without payouts from one address (PUBLIC_CHALLENGE_AFTER), a
query must also answer an arithmetic question: the token holds only a keyed digest of (nonce, answer), so the
answer cannot be read from the page, and the nonce is spent once answered. No outside service, no image.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass

from itsdangerous import BadSignature, URLSafeTimedSerializer

from dashboard.core import settings

TOKEN_MAX_AGE = 1800  # seconds a village page's form stays valid
_PROCESS_KEY = secrets.token_hex(32)


def _key() -> str:
    return settings.get("PUBLIC_SECRET_KEY") or _PROCESS_KEY


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(_key(), salt="public-self-check")


def _digest(*parts: str) -> str:
    return hmac.new(_key().encode(), "|".join(parts).encode(), hashlib.sha256).hexdigest()


def id_digest(id_text: str) -> str:
    """What the audit trail keeps of an ID number (or its last 6): a keyed hash, enough to see repeats."""
    return _digest("id", id_text.upper())[:16]


@dataclass(frozen=True)
class Challenge:
    question: str
    digest: str


def new_challenge(nonce: str) -> Challenge:
    """`a + b × c`: answers from 5 to 101, so a guess is right about once in a hundred tries."""
    a, b, c = secrets.randbelow(20) + 1, secrets.randbelow(8) + 2, secrets.randbelow(8) + 2
    return Challenge(f"{a} + {b} × {c} = ?", _digest("challenge", nonce, str(a + b * c)))


@dataclass(frozen=True)
class FormToken:
    village: str
    nonce: str
    challenge: str | None  # the digest of the answer, when the form asks a question


def issue(village: str, challenge: bool) -> tuple[str, str | None]:
    """(the signed token, the question or None) for a new form of `village`."""
    nonce = secrets.token_hex(12)
    asked = new_challenge(nonce) if challenge else None
    token = _serializer().dumps({"v": village, "n": nonce, "c": asked.digest if asked else None})
    return token, asked.question if asked else None


def read(token: str, village: str) -> FormToken | None:
    """The token if it is ours, unexpired and issued for `village`; None otherwise."""
    try:
        data = _serializer().loads(token, max_age=TOKEN_MAX_AGE)
    except BadSignature:
        return None
    if not isinstance(data, dict) or data.get("v") != village or not isinstance(data.get("n"), str):
        return None
    return FormToken(village, data["n"], data.get("c"))


def answered(token: FormToken, answer: str) -> bool:
    """Whether `answer` is the answer to the token's question."""
    if token.challenge is None:
        return False
    given = answer.strip()
    return given.isdigit() and hmac.compare_digest(_digest("challenge", token.nonce, str(int(given))), token.challenge)
