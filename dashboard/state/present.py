"""Presenter mode (三端联动): a tablet on `/present` drives one or more walls (`/screen?wall=<id>`).

The shared state is one row per wall in the application-state store (`present_wall`), so every gunicorn worker
sees the same pairing and the same view: the presenter's pushes write the view and bump `version`; a wall polls
its row and redraws only when the version (or who is presenting, or whether the tablet is still there) changed.

Scope, server side only: what a presenter pushes is their own validated drill state (the web layer parses it with
the presenter's session scope); a wall renders with the narrower of its own session's scope and the presenter's
(`effective_scope`), so it never shows anything beyond either. A pairing needs the wall's short code, which
changes after each use and after `PRESENT_CODE_MINUTES`; a presenter whose scope and the wall's are disjoint is
refused. Pairing, handover (a second presenter taking a wall over), ending and every refusal are audited.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
from dataclasses import dataclass

import sqlalchemy as sa

from dashboard.core import settings
from dashboard.core.drill import wall_id
from dashboard.core.regions import RegionTree
from dashboard.core.roles import may
from dashboard.core.scope import Scope, User, scope_of
from dashboard.state import audit
from dashboard.state.engine import state_engine, state_metadata

VIEW_KEYS = ("region", "year", "period", "metric", "board")
_CODE = re.compile(r"[0-9]{6}")
FAILED_PAIRINGS_LIMIT = 5  # wrong codes a user may enter within FAILED_PAIRINGS_MINUTES before pairing is refused
FAILED_PAIRINGS_MINUTES = 10

present_wall = sa.Table(
    "present_wall",
    state_metadata,
    sa.Column("wall_id", sa.String(32), primary_key=True),
    sa.Column("code", sa.String(6), nullable=False, unique=True),  # the pairing code the wall shows
    sa.Column("code_at", sa.DateTime, nullable=False),
    sa.Column("wall_user", sa.String(64), nullable=False),  # the session the wall last polled with
    sa.Column("wall_region", sa.String(6), nullable=False),
    sa.Column("presenter", sa.String(64), index=True),  # NULL: nobody drives the wall
    sa.Column("presenter_name", sa.String(64)),
    sa.Column("presenter_role", sa.String(16)),
    sa.Column("presenter_region", sa.String(6)),
    sa.Column("presenter_seen_at", sa.DateTime),  # the tablet's last push or heartbeat
    sa.Column("paired_at", sa.DateTime),
    sa.Column("view", sa.Text),  # JSON: region, year, period, metric, board (the presenter's, validated)
    sa.Column("version", sa.Integer, nullable=False, default=0),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)


class PairingRefused(Exception):
    """A pairing that is not allowed; the message is shown to the user as it is."""


@dataclass(frozen=True)
class Wall:
    wall_id: str
    code: str
    code_at: dt.datetime
    wall_user: str
    wall_region: str
    presenter: str | None
    presenter_name: str | None
    presenter_role: str | None
    presenter_region: str | None
    presenter_seen_at: dt.datetime | None
    paired_at: dt.datetime | None
    view: dict
    version: int

    def live(self, now: dt.datetime) -> bool:
        """A presenter drives the wall and their tablet was heard from recently."""
        seen = self.presenter_seen_at
        away = dt.timedelta(seconds=settings.get("PRESENT_AWAY_SECONDS"))
        return self.presenter is not None and seen is not None and now - seen <= away

    def signature(self, now: dt.datetime) -> str:
        """What the wall shows of this row: a poll whose signature did not change sends nothing."""
        return f"{self.version}|{self.code}|{self.presenter or '-'}|{int(self.live(now))}"


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


valid_wall_id = wall_id  # a wall's id from the URL (`?wall=hall-1`), or None


def _wall(row) -> Wall:
    view = json.loads(row.view) if row.view else {}
    return Wall(
        row.wall_id,
        row.code,
        row.code_at,
        row.wall_user,
        row.wall_region,
        row.presenter,
        row.presenter_name,
        row.presenter_role,
        row.presenter_region,
        row.presenter_seen_at,
        row.paired_at,
        {k: str(view[k]) for k in VIEW_KEYS if view.get(k) not in (None, "")},
        int(row.version or 0),
    )


def _new_code(conn: sa.Connection) -> str:
    taken = set(conn.execute(sa.select(present_wall.c.code)).scalars())
    while True:
        code = f"{secrets.randbelow(10**6):06d}"
        if code not in taken:
            return code


def get_wall(wall_id: str) -> Wall | None:
    with state_engine().connect() as conn:
        row = conn.execute(sa.select(present_wall).where(present_wall.c.wall_id == wall_id)).first()
    return _wall(row) if row else None


def open_wall(wall_id: str, wall_user: User, now: dt.datetime | None = None) -> Wall:
    """The wall `wall_id` as its screen polls it: made on first use (audited), its code renewed when it ran out,
    its session's user kept current. A poll that changes nothing writes nothing."""
    now = now or now_utc()
    lifetime = dt.timedelta(minutes=settings.get("PRESENT_CODE_MINUTES"))
    found = get_wall(wall_id)  # the common case, several times a second: one read, no write
    if (
        found is not None
        and now - found.code_at <= lifetime
        and (found.wall_user, found.wall_region) == (wall_user.username, wall_user.region)
    ):
        return found
    made = False
    try:
        made, row = _open_wall(wall_id, wall_user, now, lifetime)
    except sa.exc.IntegrityError:  # another worker made the same wall (or took the same code) a moment ago
        made, row = _open_wall(wall_id, wall_user, now, lifetime)
    if made:
        audit.record("present.wall", page="/screen", region=wall_user.region, params={"wall": wall_id})
    return _wall(row)


def _open_wall(wall_id: str, wall_user: User, now: dt.datetime, lifetime: dt.timedelta) -> tuple[bool, sa.Row]:
    made = False
    with state_engine().begin() as conn:
        row = conn.execute(sa.select(present_wall).where(present_wall.c.wall_id == wall_id)).first()
        if row is None:
            conn.execute(
                present_wall.insert().values(
                    wall_id=wall_id,
                    code=_new_code(conn),
                    code_at=now,
                    wall_user=wall_user.username,
                    wall_region=wall_user.region,
                    version=0,
                    updated_at=now,
                )
            )
            made = True
        else:
            changes: dict = {}
            if now - row.code_at > lifetime:
                changes.update(code=_new_code(conn), code_at=now)
            if (row.wall_user, row.wall_region) != (wall_user.username, wall_user.region):
                changes.update(wall_user=wall_user.username, wall_region=wall_user.region)
            if changes:
                conn.execute(present_wall.update().where(present_wall.c.wall_id == wall_id).values(**changes))
        row = conn.execute(sa.select(present_wall).where(present_wall.c.wall_id == wall_id)).one()
    return made, row


def nested(tree: RegionTree, a: str | None, b: str | None) -> bool:
    """One region's subtree holds the other's."""
    if not a or not b or a not in tree or b not in tree:
        return False
    return tree.is_within(a, b) or tree.is_within(b, a)


def effective_scope(tree: RegionTree, wall: Wall | None, wall_user: User | None) -> Scope:
    """The scope a wall renders with: its own session's, narrowed to the presenter's while one drives it;
    nothing when the two do not nest (then the wall shows nothing new)."""
    own = scope_of(wall_user)
    if wall is None or wall.presenter is None or own.root is None:
        return own
    presenter = scope_of(
        User(wall.presenter, wall.presenter_name or "", wall.presenter_role or "", wall.presenter_region or "")
    )
    if presenter.root is None or not nested(tree, own.root, presenter.root):
        return Scope.nothing()
    return presenter if tree.is_within(presenter.root, own.root) else own


def _clean_view(view: dict) -> str:
    return json.dumps({k: str(view[k]) for k in VIEW_KEYS if view.get(k) not in (None, "")}, sort_keys=True)


def _recent_failures(username: str, now: dt.datetime) -> int:
    since = now - dt.timedelta(minutes=FAILED_PAIRINGS_MINUTES)
    table = audit.audit_event
    with state_engine().connect() as conn:
        return conn.execute(
            sa.select(sa.func.count())
            .select_from(table)
            .where(
                table.c.username == username,
                table.c.action == "present.pair",
                table.c.outcome == "denied",
                table.c.at >= since,
            )
        ).scalar_one()


def pair(code: str, presenter: User, view: dict, tree: RegionTree, now: dt.datetime | None = None) -> Wall:
    """Pair `presenter` with the wall showing `code` and show it `view` at once; a wall another presenter drove
    is handed over (audited as such). Refusals raise PairingRefused (audited)."""
    now = now or now_utc()
    code = (code or "").strip()

    def refuse(reason: str, detail: str, wall: str | None = None) -> PairingRefused:
        audit.record(
            "present.pair", page="/present", params={"wall": wall} if wall else None, detail=detail, outcome="denied"
        )
        return PairingRefused(reason)

    if not may(presenter, "present"):
        raise refuse("只有领导或分析岗位的用户可以演示。", f"role {presenter.role} may not present")
    if _recent_failures(presenter.username, now) >= FAILED_PAIRINGS_LIMIT:
        raise refuse(f"配对码错误次数过多,请 {FAILED_PAIRINGS_MINUTES} 分钟后再试。", "too many wrong codes")
    if not _CODE.fullmatch(code):
        raise refuse("请输入大屏上显示的 6 位数字配对码。", "malformed code")
    lifetime = dt.timedelta(minutes=settings.get("PRESENT_CODE_MINUTES"))
    with state_engine().connect() as conn:
        row = conn.execute(sa.select(present_wall).where(present_wall.c.code == code)).first()
    if row is None or now - row.code_at > lifetime:
        raise refuse("配对码无效或已过期,请核对大屏上的配对码。", "unknown or expired code")
    if not nested(tree, row.wall_region, presenter.region):
        detail = f"wall region {row.wall_region} and presenter region {presenter.region} do not nest"
        raise refuse("该大屏的权限范围与您的不重叠,不能配对。", detail, row.wall_id)
    with state_engine().begin() as conn:
        changed = conn.execute(
            present_wall.update()
            .where(present_wall.c.wall_id == row.wall_id, present_wall.c.code == code)  # nobody paired it meanwhile
            .values(
                code=_new_code(conn),  # a code pairs once: whoever read it over a shoulder cannot reuse it
                code_at=now,
                presenter=presenter.username,
                presenter_name=presenter.display_name[:64],
                presenter_role=presenter.role,
                presenter_region=presenter.region,
                presenter_seen_at=now,
                paired_at=now,
                view=_clean_view(view),
                version=present_wall.c.version + 1,
                updated_at=now,
            )
        ).rowcount
    if changed != 1:
        raise refuse("配对码已被使用,请核对大屏上的新配对码。", "code used meanwhile", row.wall_id)
    previous = row.presenter if row.presenter != presenter.username else None
    audit.record(
        "present.handover" if previous else "present.pair",
        page="/present",
        region=view.get("region"),
        params={"wall": row.wall_id, "from": previous, "wall_user": row.wall_user},
        detail=f"{'接管' if previous else '配对'}大屏 {row.wall_id}",
    )
    found = get_wall(row.wall_id)
    assert found is not None
    return found


def unpair(wall_id: str, presenter: User, now: dt.datetime | None = None) -> bool:
    """End `presenter`'s control of a wall (the wall keeps its last view); False when they did not drive it."""
    now = now or now_utc()
    with state_engine().begin() as conn:
        changed = conn.execute(
            present_wall.update()
            .where(present_wall.c.wall_id == wall_id, present_wall.c.presenter == presenter.username)
            .values(
                presenter=None,
                presenter_name=None,
                presenter_role=None,
                presenter_region=None,
                presenter_seen_at=None,
                version=present_wall.c.version + 1,
                updated_at=now,
            )
        ).rowcount
    audit.record(
        "present.unpair",
        page="/present",
        params={"wall": wall_id},
        outcome="ok" if changed else "denied",
        detail="结束演示" if changed else "not the wall's presenter",
    )
    return bool(changed)


def push(presenter: User, view: dict, now: dt.datetime | None = None) -> int:
    """Show `view` (the presenter's own validated drill state) on every wall they drive; how many walls."""
    now = now or now_utc()
    with state_engine().begin() as conn:
        return conn.execute(
            present_wall.update()
            .where(present_wall.c.presenter == presenter.username)
            .values(
                view=_clean_view(view),
                version=present_wall.c.version + 1,
                presenter_region=presenter.region,  # a region changed by an administrator bites at the next push
                presenter_role=presenter.role,
                presenter_seen_at=now,
                updated_at=now,
            )
        ).rowcount


def heartbeat(presenter: User, now: dt.datetime | None = None) -> int:
    """The tablet is still there: walls show 演示中 rather than 演示端已离开."""
    now = now or now_utc()
    with state_engine().begin() as conn:
        return conn.execute(
            present_wall.update().where(present_wall.c.presenter == presenter.username).values(presenter_seen_at=now)
        ).rowcount


def walls_of(presenter: User) -> list[Wall]:
    with state_engine().connect() as conn:
        rows = conn.execute(
            sa.select(present_wall)
            .where(present_wall.c.presenter == presenter.username)
            .order_by(present_wall.c.wall_id)
        ).all()
    return [_wall(r) for r in rows]


def wall_of(query: dict, wall_user: User | None) -> Wall | None:
    """The wall a screen's query names (`wall=<id>`, parsed by `urllib.parse.parse_qs`), or None."""
    values = query.get("wall") or [None]
    found = valid_wall_id(values[0] if isinstance(values, list) else values)
    if found is None or wall_user is None:
        return None
    return get_wall(found)
