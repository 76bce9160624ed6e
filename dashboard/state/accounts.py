"""Users, roles, region assignments, passwords and sign-in sessions, kept in the application-state store.

No flask here: the web layer (`dashboard.web.gate`), the CLI and the admin page all go through these functions, and each
change of a user is audited as a permission change. Passwords are argon2id hashes (OWASP's minimum profile:
19 MiB, 2 passes — a sign-in costs ~0.1 s of one core); a session is an opaque random token of which the store
keeps only the SHA-256, so a copy of the store signs nobody in.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from dashboard.core import settings
from dashboard.core.regions import national_tree
from dashboard.core.roles import ROLE_PERMISSIONS, ROLES
from dashboard.core.scope import User
from dashboard.state import audit
from dashboard.state.engine import state_engine, state_metadata

users = sa.Table(
    "app_user",
    state_metadata,
    sa.Column("username", sa.String(64), primary_key=True),
    sa.Column("display_name", sa.String(64), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("region", sa.String(6), nullable=False),
    sa.Column("may_unmask", sa.Boolean, nullable=False, default=False),
    sa.Column("enabled", sa.Boolean, nullable=False, default=True),
    sa.Column("password_hash", sa.String(200), nullable=False),
    sa.Column("locked_until", sa.DateTime),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

sessions = sa.Table(
    "app_session",
    state_metadata,
    sa.Column("token_hash", sa.String(64), primary_key=True),
    sa.Column("username", sa.String(64), nullable=False, index=True),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("ended_at", sa.DateTime),
    sa.Column("end_reason", sa.String(16)),  # signed_out / idle / expired / disabled
)

_hasher = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)


@functools.cache
def _dummy_hash() -> str:
    """Verified against when the name is unknown: the cost of a real check, so timing tells nothing."""
    return _hasher.hash(secrets.token_hex(16))


# The most common passwords of Chinese and international leak lists, plus the obvious ones for this system.
COMMON_PASSWORDS = frozenset(
    [
        "123456",
        "123456789",
        "12345678",
        "1234567890",
        "111111",
        "000000",
        "123123",
        "666666",
        "888888",
        "123321",
        "654321",
        "121212",
        "112233",
        "5201314",
        "1314520",
        "woaini",
        "woaini1314",
        "woaini520",
        "iloveyou",
        "password",
        "password1",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "qwerty",
        "qwerty123",
        "qwertyuiop",
        "qwe123",
        "qweasd",
        "qweasdzxc",
        "asdfgh",
        "asdfghjkl",
        "zxcvbnm",
        "1qaz2wsx",
        "1q2w3e4r",
        "1q2w3e4r5t",
        "abc123",
        "abc123456",
        "abcd1234",
        "a123456",
        "a12345678",
        "aa123456",
        "aa12345678",
        "admin",
        "admin123",
        "admin1234",
        "admin888",
        "administrator",
        "root123",
        "test123",
        "guest123",
        "letmein",
        "welcome",
        "welcome1",
        "monkey",
        "dragon",
        "sunshine",
        "princess",
        "football",
        "baseball",
        "superman",
        "trustno1",
        "changeme",
        "default",
        "caizheng",
        "caizheng123",
        "caizhengting",
        "czt123456",
        "jiankong",
        "cockpit",
        "cockpit123",
        "huawei123",
        "hunan123",
        "hunan2024",
        "china123",
    ]
)


class AccountError(ValueError):
    """A change to a user that was refused; the message is Chinese and fit to show."""


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def weak_password_reason(password: str, username: str = "") -> str | None:
    """Why `password` is refused, in Chinese, or None when it is acceptable."""
    minimum = settings.get("PASSWORD_MIN_LENGTH")
    lowered = password.lower()
    if len(password) < minimum:
        return f"密码至少 {minimum} 位。"
    classes = sum(bool(re.search(p, password)) for p in (r"[a-z]", r"[A-Z]", r"\d", r"[^A-Za-z0-9]"))
    if classes < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类。"
    stripped = re.sub(r"[\d!@#$%^&*._\-]+$", "", lowered)
    if lowered in COMMON_PASSWORDS or stripped in COMMON_PASSWORDS:
        return "密码过于常见,请换一个。"
    if username and username.lower() in lowered:
        return "密码不能包含用户名。"
    if len(set(password)) < 5:
        return "密码重复字符过多。"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def _valid_region(region: str) -> str:
    tree = national_tree()
    if region not in tree or tree[region].level not in ("province", "city", "county"):
        raise AccountError(f"区划代码“{str(region)[:12]}”无效,应为省、市或县级区划代码。")
    return region


def _valid_role(role: str) -> str:
    if role not in ROLE_PERMISSIONS:
        raise AccountError(f"角色“{str(role)[:12]}”无效,应为:{'、'.join(ROLES)}。")
    return role


@dataclass(frozen=True)
class Account:
    """A row of the users table as the admin page and the CLI list it (never the password hash)."""

    username: str
    display_name: str
    role: str
    region: str
    may_unmask: bool
    enabled: bool
    locked_until: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    locked: bool  # locked now (a lock that ran out leaves its `locked_until` behind)


def _account(row) -> Account:
    return Account(
        row.username,
        row.display_name,
        row.role,
        row.region,
        bool(row.may_unmask),
        bool(row.enabled),
        row.locked_until,
        row.created_at,
        row.updated_at,
        row.locked_until is not None and row.locked_until > _now(),
    )


def list_accounts() -> list[Account]:
    with state_engine().connect() as conn:
        return [_account(r) for r in conn.execute(sa.select(users).order_by(users.c.region, users.c.username))]


def get_account(username: str) -> Account | None:
    with state_engine().connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    return _account(row) if row else None


def _written_account(username: str) -> Account:
    """The account just written in this process (it exists: we have just inserted or updated it)."""
    account = get_account(username)
    assert account is not None
    return account


def add_user(
    username: str,
    display_name: str,
    role: str,
    region: str,
    password: str,
    *,
    may_unmask: bool = False,
    actor: str | None = None,
    password_hash: str | None = None,
) -> Account:
    """Create a user; refuses a taken name, a bad role or region and a weak password.

    `password_hash` lets the demo build and the tests reuse one precomputed hash of a known-good password.
    """
    if not re.fullmatch(r"[A-Za-z0-9_.\-]{2,64}", username):
        raise AccountError("用户名为 2–64 位字母、数字、下划线、点或连字符。")
    if not display_name.strip():
        raise AccountError("请填写姓名。")
    _valid_role(role)
    _valid_region(region)
    if password_hash is None:
        reason = weak_password_reason(password, username)
        if reason:
            raise AccountError(reason)
        password_hash = hash_password(password)
    now = _now()
    with state_engine().begin() as conn:
        if conn.execute(sa.select(users.c.username).where(users.c.username == username)).first():
            raise AccountError(f"用户名“{username}”已存在。")
        conn.execute(
            users.insert().values(
                username=username,
                display_name=display_name.strip()[:64],
                role=role,
                region=region,
                may_unmask=may_unmask,
                enabled=True,
                password_hash=password_hash,
                created_at=now,
                updated_at=now,
            )
        )
    _audit_change(actor, "user_added", username, region, {"role": role, "may_unmask": may_unmask})
    return _written_account(username)


def update_user(username: str, *, actor: str | None = None, **changes) -> Account:
    """Change role, region, display_name, may_unmask or enabled; effective on the user's next request."""
    allowed = {"role", "region", "display_name", "may_unmask", "enabled"}
    unknown = set(changes) - allowed
    if unknown:
        raise AccountError(f"不能修改:{', '.join(sorted(unknown))}")
    before = get_account(username)
    if before is None:
        raise AccountError(f"用户“{username}”不存在。")
    if "role" in changes:
        _valid_role(changes["role"])
    if "region" in changes:
        _valid_region(changes["region"])
    changed = {k: v for k, v in changes.items() if getattr(before, k) != v}
    if not changed:
        return before
    with state_engine().begin() as conn:
        conn.execute(users.update().where(users.c.username == username).values(**changed, updated_at=_now()))
        if changed.get("enabled") is False:
            _end_sessions(conn, username, "disabled")
    _audit_change(
        actor,
        "user_changed",
        username,
        changed.get("region", before.region),
        {k: {"from": getattr(before, k), "to": v} for k, v in changed.items()},
    )
    return _written_account(username)


def set_password(username: str, password: str, *, actor: str | None = None) -> None:
    """Replace a user's password (refusing weak ones), lift any lock and end their sessions."""
    reason = weak_password_reason(password, username)
    if reason:
        raise AccountError(reason)
    with state_engine().begin() as conn:
        done = conn.execute(
            users.update()
            .where(users.c.username == username)
            .values(password_hash=hash_password(password), locked_until=None, updated_at=_now())
        ).rowcount
        if not done:
            raise AccountError(f"用户“{username}”不存在。")
        _end_sessions(conn, username, "password")
    _audit_change(actor, "password_set", username, None, None)


def unlock_user(username: str, *, actor: str | None = None) -> None:
    """Lift a sign-in lock before it runs out (an administrator who knows the user asked); the failures counted so
    far are forgotten with it."""
    with state_engine().begin() as conn:
        row = conn.execute(sa.select(users.c.region, users.c.locked_until).where(users.c.username == username)).first()
        if row is None:
            raise AccountError(f"用户“{username}”不存在。")
        if row.locked_until is None or row.locked_until <= _now():
            raise AccountError(f"用户“{username}”未被锁定。")
        conn.execute(users.update().where(users.c.username == username).values(locked_until=None))
    _audit_change(
        actor, "account_unlocked", username, row.region, {"locked_until": f"{row.locked_until:%Y-%m-%d %H:%M}"}
    )


def _audit_change(actor: str | None, action: str, username: str, region: str | None, params: dict | None) -> None:
    if actor is None:
        audit.record(action, region=region, params={"user": username, **(params or {})})
    else:
        audit.append(action, username=actor, region=region, params={"user": username, **(params or {})})


# --- sign-in ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in attempt: `token` and `csrf_token` when it succeeded, else a Chinese message."""

    token: str | None = None
    csrf_token: str | None = None
    message: str | None = None


_REFUSED = "用户名或密码错误。"
_LOCKED = "连续登录失败次数过多,账户已锁定,请 {minutes} 分钟后再试,或请管理员解锁。"


def authenticate(username: str, password: str) -> SignIn:
    """Check a password; 5 failures within 5 minutes lock the account for 15 (settings). Every attempt is audited.

    An unknown name, a wrong password, a disabled account and a locked one answer the same words after the same
    work (one argon2 verification, one audit row, one count of recent failures), so the page tells nobody which
    accounts exist or are locked. Only the right password of a locked account learns of the lock: its owner, who
    can then wait or ask an administrator.
    """
    now = _now()
    with state_engine().connect() as conn:
        row = conn.execute(sa.select(users).where(users.c.username == username)).first()
    password_ok = _hash_cost(row.password_hash if row is not None else _dummy_hash(), password)
    locked = row is not None and row.locked_until is not None and row.locked_until > now
    if row is None or not password_ok or not row.enabled or locked:
        if row is None:
            detail = "unknown user"
        elif locked:
            detail = "locked" if password_ok else "locked, bad password"
        else:
            detail = "disabled" if not row.enabled else "bad password"
        audit.append(
            "sign_in_failed",
            username=username[:64],
            role=None if row is None else row.role,
            user_region=None if row is None else row.region,
            outcome="denied" if locked else "failed",
            detail=detail,
        )
        failures = _recent_failures(username[:64], now)  # for every refusal alike: timing tells nothing
        if row is not None and not locked and failures >= settings.get("LOCKOUT_ATTEMPTS"):
            until = now + dt.timedelta(minutes=settings.get("LOCKOUT_MINUTES"))
            with state_engine().begin() as conn:
                conn.execute(users.update().where(users.c.username == username).values(locked_until=until))
            audit.append("account_locked", username=username, role=row.role, user_region=row.region, outcome="denied")
        if row is not None and locked and password_ok and row.enabled:
            minutes = max(1, int((row.locked_until - now).total_seconds() // 60) + 1)
            return SignIn(message=_LOCKED.format(minutes=minutes))
        return SignIn(message=_REFUSED)
    if _hasher.check_needs_rehash(row.password_hash):
        with state_engine().begin() as conn:
            conn.execute(
                users.update().where(users.c.username == username).values(password_hash=hash_password(password))
            )
    token, csrf_token = start_session(username)
    audit.append("sign_in", username=username, role=row.role, user_region=row.region)
    return SignIn(token=token, csrf_token=csrf_token)


def _hash_cost(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def _recent_failures(username: str, now: dt.datetime) -> int:
    """Failed sign-ins of `username` within the lockout window and since their last success or lock."""
    window = now - dt.timedelta(minutes=settings.get("LOCKOUT_WINDOW_MINUTES"))
    events = audit.audit_event
    with state_engine().connect() as conn:
        reset_at = conn.execute(
            sa.select(sa.func.max(events.c.at)).where(
                events.c.username == username, events.c.action.in_(["sign_in", "account_locked", "password_set"])
            )
        ).scalar()
        start = max(window, reset_at) if reset_at else window
        return conn.execute(
            sa.select(sa.func.count()).where(
                events.c.username == username,
                events.c.action == "sign_in_failed",
                events.c.outcome == "failed",
                events.c.at > start,
            )
        ).scalar_one()


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(username: str) -> tuple[str, str]:
    """A new session for `username`: (session token for the cookie, CSRF token). The store keeps the token's hash."""
    token, csrf_token, now = secrets.token_urlsafe(32), secrets.token_urlsafe(32), _now()
    with state_engine().begin() as conn:
        conn.execute(
            sessions.insert().values(
                token_hash=_token_hash(token),
                username=username,
                csrf_token=csrf_token,
                started_at=now,
                last_seen_at=now,
            )
        )
    return token, csrf_token


@dataclass(frozen=True)
class ActiveSession:
    user: User
    csrf_token: str


@dataclass(frozen=True)
class EndedSession:
    username: str
    role: str
    region: str
    reason: str  # idle / expired / disabled / password / signed_out
    ended_now: bool  # ended by this request (audit it once), or earlier (sign-out, an admin's change)


def resume_session(token: str) -> ActiveSession | EndedSession | None:
    """The signed-in user of a session token, re-read from the store on every request (one indexed join), so a
    disabled user or a changed region or role takes effect at once. An idle or expired session, or one of a
    disabled user, is ended here; an ended session says why (EndedSession); an unknown token gives None."""
    now = _now()
    key = _token_hash(token)
    query = (
        sa.select(
            sessions.c.csrf_token,
            sessions.c.started_at,
            sessions.c.last_seen_at,
            sessions.c.ended_at,
            sessions.c.end_reason,
            users,
        )
        .join(users, users.c.username == sessions.c.username)
        .where(sessions.c.token_hash == key)
    )
    with state_engine().connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    if row.ended_at is not None:
        return EndedSession(row.username, row.role, row.region, row.end_reason, ended_now=False)
    reason = None
    if not row.enabled:
        reason = "disabled"
    elif now - row.last_seen_at > dt.timedelta(minutes=settings.get("SESSION_IDLE_MINUTES")):
        reason = "idle"
    elif now - row.started_at > dt.timedelta(hours=settings.get("SESSION_MAX_HOURS")):
        reason = "expired"
    if reason:
        end_session(token, reason)
        return EndedSession(row.username, row.role, row.region, reason, ended_now=True)
    if now - row.last_seen_at > dt.timedelta(seconds=60):  # one write a minute at most, not one per request
        with state_engine().begin() as conn:
            conn.execute(sessions.update().where(sessions.c.token_hash == key).values(last_seen_at=now))
    user = User(row.username, row.display_name, row.role, row.region, may_unmask=bool(row.may_unmask))
    return ActiveSession(user, row.csrf_token)


def end_session(token: str, reason: str) -> None:
    with state_engine().begin() as conn:
        conn.execute(
            sessions.update()
            .where(sessions.c.token_hash == _token_hash(token), sessions.c.ended_at.is_(None))
            .values(ended_at=_now(), end_reason=reason)
        )


def _end_sessions(conn: sa.Connection, username: str, reason: str) -> None:
    conn.execute(
        sessions.update()
        .where(sessions.c.username == username, sessions.c.ended_at.is_(None))
        .values(ended_at=_now(), end_reason=reason)
    )
