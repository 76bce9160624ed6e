"""Generated reports and meeting packs in the application-state store.

A monthly report is made once per (region, month, data version): asking again for the same version returns the
stored PDF, so a report handed out is the report on file. A meeting pack collects views (a page path and its
query); `freeze` reads each view's figures from the current data version and stores them with the pack, and from
then on the pack is shown and printed from those stored figures only, whatever is loaded later. Access: a report
or pack is visible to users whose scope covers its regions; a pack belongs to its author, who may share it with
users whose scope covers every view in it. The callers (web, CLI) audit each open and download.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

import sqlalchemy as sa

from dashboard.core.drill import DrillState, parse_state
from dashboard.core.scope import Scope, User, scope_of
from dashboard.report import figures as fig
from dashboard.report import pdf
from dashboard.report.figures import Figures, ReportError
from dashboard.state.accounts import Account, get_account
from dashboard.state.engine import state_engine
from dashboard.state.report_tables import meeting_pack, meeting_pack_item, report_file
from dashboard.store.engine import current_data_version
from queries.regions import available_years, region_tree

KIND_MONTHLY = "monthly"
# The page a view comes from → the report sections that show it (the overall figures always lead).
VIEW_SECTIONS: dict[str, tuple[str, ...]] = {
    "/": ("overall", "ranking"),
    "/screen": ("overall", "ranking"),
    "/revenue": ("overall", "revenue"),
    "/spending": ("overall", "spending"),
    "/transfers": ("overall", "spending"),
    "/debt": ("overall", "debt"),
    "/subsidies": ("overall", "highlights"),
    "/procurement": ("overall", "highlights"),
    "/risk": ("overall", "risk"),
    "/warnings": ("overall", "risk"),
}
VIEW_NAMES = {
    "/": "财政运行总览",
    "/screen": "领导驾驶舱",
    "/revenue": "收入专题",
    "/spending": "支出专题",
    "/transfers": "转移支付专题",
    "/debt": "债务专题",
    "/subsidies": "惠民惠农补贴专题",
    "/procurement": "政府采购专题",
    "/risk": "风险预警",
    "/warnings": "预警工单",
}
MAX_VIEWS = 20


@dataclass(frozen=True)
class Report:
    id: int
    region_code: str
    region_name: str
    year: int
    month: int
    data_version: str
    data_through: dt.date
    created_at: dt.datetime
    created_by: str
    seconds: float
    size: int

    @property
    def filename(self) -> str:
        return f"monthly-{self.region_code}-{self.year}-{self.month:02d}-r{self.id}.pdf"

    @property
    def label(self) -> str:
        months = f"{self.month}月" if self.month == 1 else f"1-{self.month}月"
        return f"{self.region_name}财政运行监测月报({self.year}年{months})"


def _report(row) -> Report:
    return Report(
        row.id,
        row.region_code,
        region_tree().name(row.region_code),
        row.year,
        row.month,
        row.data_version,
        row.data_through,
        row.created_at,
        row.created_by,
        row.seconds,
        row.size,
    )


REPORT_COLUMNS = [c for c in report_file.c if c.name not in ("pdf", "figures")]


def monthly(scope: Scope, region: str, year: int, month: int, actor: str) -> tuple[Report, bool]:
    """The report of `region` for January to `month` of `year` on the current data version: the stored one when
    it exists (False), else made and stored now (True)."""
    state = fig.report_state(scope, region, year, month)
    version = current_data_version()
    found = _find(region, year, month, version.key)
    if found is not None:
        return found, False
    started = time.monotonic()
    figures = fig.collect(scope, state)
    body = pdf.monthly_report(figures)
    seconds = time.monotonic() - started
    values = {
        "kind": KIND_MONTHLY,
        "region_code": region,
        "year": year,
        "month": month,
        "data_version": version.key,
        "data_through": version.data_through,
        "created_at": dt.datetime.now().replace(microsecond=0),
        "created_by": actor[:64],
        "seconds": seconds,
        "size": len(body),
        "sha256": hashlib.sha256(body).hexdigest(),
        "figures": fig.encode(figures),
        "pdf": body,
    }
    try:
        with state_engine().begin() as conn:
            conn.execute(report_file.insert().values(**values))
    except sa.exc.IntegrityError:  # made at the same time by someone else: theirs is the one on file
        pass
    made = _find(region, year, month, version.key)
    assert made is not None
    return made, True


def _find(region: str, year: int, month: int, version: str) -> Report | None:
    with state_engine().connect() as conn:
        row = conn.execute(
            sa.select(*REPORT_COLUMNS).where(
                report_file.c.kind == KIND_MONTHLY,
                report_file.c.region_code == region,
                report_file.c.year == year,
                report_file.c.month == month,
                report_file.c.data_version == version,
            )
        ).first()
    return None if row is None else _report(row)


def reports(scope: Scope, limit: int = 200) -> list[Report]:
    """Stored reports of regions inside `scope`, newest first."""
    tree = region_tree()
    with state_engine().connect() as conn:
        rows = conn.execute(
            sa.select(*REPORT_COLUMNS).order_by(report_file.c.created_at.desc(), report_file.c.id.desc())
        ).all()
    return [_report(r) for r in rows if scope.sees(tree, r.region_code)][:limit]


def report_pdf(scope: Scope, report_id: int) -> tuple[Report, bytes] | None:
    """A stored report and its PDF, or None when there is none or its region is outside `scope`."""
    with state_engine().connect() as conn:
        row = conn.execute(sa.select(*REPORT_COLUMNS, report_file.c.pdf).where(report_file.c.id == report_id)).first()
    if row is None or not scope.sees(region_tree(), row.region_code):
        return None
    return _report(row), bytes(row.pdf)


def report_figures(report_id: int) -> Figures:
    with state_engine().connect() as conn:
        text = conn.execute(sa.select(report_file.c.figures).where(report_file.c.id == report_id)).scalar_one()
    return fig.decode(text)


# -- meeting packs ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class View:
    id: int
    position: int
    path: str
    query: str
    region_code: str
    year: int
    first_month: int
    last_month: int
    note: str
    figures: Figures | None

    @property
    def state(self) -> DrillState:
        return DrillState(self.region_code, self.year, self.first_month, self.last_month)

    @property
    def link(self) -> str:
        """The live view (查看最新)."""
        return self.path + (f"?{self.query}" if self.query else "")

    @property
    def heading(self) -> str:
        tree = region_tree()
        return f"{VIEW_NAMES.get(self.path, self.path)} · {tree.name(self.region_code)} · {self.state.period_label}"


@dataclass(frozen=True)
class Pack:
    id: int
    owner: str
    title: str
    created_at: dt.datetime
    frozen_at: dt.datetime | None
    data_version: str | None
    data_through: dt.date | None
    load_id: int | None
    shared_with: tuple[str, ...]
    views: tuple[View, ...]

    @property
    def frozen_label(self) -> str:
        if self.frozen_at is None or self.data_through is None:
            return "未冻结(显示最新数据)"
        return f"冻结于 {self.frozen_at:%Y-%m-%d %H:%M}(数据截至 {self.data_through:%Y年%m月%d日})"


def parse_view(scope: Scope, url: str) -> tuple[str, str, DrillState]:
    """A view's link (a path with its query, or a full URL of this app) → (path, query, drill state), checked
    against `scope`; ReportError in Chinese when it is not a view that can go into a pack."""
    parts = urlsplit((url or "").strip())
    path = parts.path.rstrip("/") or "/"
    if path not in VIEW_SECTIONS:
        raise ReportError("只能加入总览、驾驶舱、专题页或预警页的视图链接。")
    query = parse_qs(parts.query)
    tree = region_tree()
    try:
        state = parse_state(
            query, tree=tree, scope=scope, years=available_years(), data_through=current_data_version().data_through
        )
    except ValueError:
        raise ReportError("当前用户没有可查看的区划。") from None
    if state.denied_region is not None:
        raise ReportError(f"无权查看“{tree.name(state.denied_region)}”。")
    return path, parts.query[:500], state


def _views(conn: sa.Connection, pack_id: int) -> tuple[View, ...]:
    i = meeting_pack_item
    rows = conn.execute(sa.select(i).where(i.c.pack_id == pack_id).order_by(i.c.position, i.c.id)).all()
    return tuple(
        View(
            r.id,
            r.position,
            r.path,
            r.query,
            r.region_code,
            r.year,
            r.first_month,
            r.last_month,
            r.note,
            fig.decode(r.figures) if r.figures else None,
        )
        for r in rows
    )


def _pack(conn: sa.Connection, row) -> Pack:
    return Pack(
        row.id,
        row.owner,
        row.title,
        row.created_at,
        row.frozen_at,
        row.data_version,
        row.data_through,
        row.load_id,
        tuple(json.loads(row.shared_with or "[]")),
        _views(conn, row.id),
    )


def _covers(scope: Scope, pack: Pack) -> bool:
    tree = region_tree()
    return all(scope.sees(tree, v.region_code) for v in pack.views)


def _user_of(account: Account) -> User:
    return User(account.username, account.display_name, account.role, account.region, account.may_unmask)


def may_open(user: User, pack: Pack) -> bool:
    """The author, or a user it is shared with whose scope covers every view."""
    if pack.owner == user.username:
        return True
    return user.username in pack.shared_with and _covers(scope_of(user), pack)


def create_pack(user: User, title: str) -> int:
    title = (title or "").strip()[:200]
    if not title:
        raise ReportError("请填写材料包标题。")
    with state_engine().begin() as conn:
        key = conn.execute(
            meeting_pack.insert().values(
                owner=user.username, title=title, created_at=dt.datetime.now().replace(microsecond=0)
            )
        ).inserted_primary_key
    assert key is not None
    return int(key[0])


def get_pack(user: User, pack_id: int) -> Pack | None:
    """The pack when `user` may open it, else None."""
    with state_engine().connect() as conn:
        row = conn.execute(sa.select(meeting_pack).where(meeting_pack.c.id == pack_id)).first()
        if row is None:
            return None
        pack = _pack(conn, row)
    return pack if may_open(user, pack) else None


def packs(user: User) -> list[Pack]:
    """Packs `user` may open: their own and those shared with them, newest first."""
    with state_engine().connect() as conn:
        rows = conn.execute(sa.select(meeting_pack).order_by(meeting_pack.c.id.desc())).all()
        found = [_pack(conn, r) for r in rows if r.owner == user.username or user.username in (r.shared_with or "")]
    return [p for p in found if may_open(user, p)]


def _own_draft(user: User, pack_id: int) -> Pack:
    pack = get_pack(user, pack_id)
    if pack is None or pack.owner != user.username:
        raise ReportError("只能修改自己的材料包。")
    if pack.frozen_at is not None:
        raise ReportError("材料包已冻结,不能再修改。")
    return pack


def add_view(user: User, pack_id: int, url: str, note: str = "") -> View:
    pack = _own_draft(user, pack_id)
    if len(pack.views) >= MAX_VIEWS:
        raise ReportError(f"一个材料包最多{MAX_VIEWS}个视图。")
    path, query, state = parse_view(scope_of(user), url)
    with state_engine().begin() as conn:
        conn.execute(
            meeting_pack_item.insert().values(
                pack_id=pack.id,
                position=len(pack.views) + 1,
                path=path,
                query=query,
                region_code=state.region,
                year=state.year,
                first_month=state.first_month,
                last_month=state.last_month,
                note=(note or "").strip()[:1000],
            )
        )
        return _views(conn, pack.id)[-1]


def freeze(user: User, pack_id: int) -> Pack:
    """Stores each view's figures as the current data version has them, and the version itself."""
    pack = _own_draft(user, pack_id)
    if not pack.views:
        raise ReportError("材料包还没有视图。")
    scope = scope_of(user)
    version = current_data_version()
    frozen = {v.id: fig.encode(fig.collect(scope, v.state)) for v in pack.views}
    with state_engine().begin() as conn:
        for item_id, text in frozen.items():
            conn.execute(meeting_pack_item.update().where(meeting_pack_item.c.id == item_id).values(figures=text))
        conn.execute(
            meeting_pack.update()
            .where(meeting_pack.c.id == pack.id, meeting_pack.c.frozen_at.is_(None))
            .values(
                frozen_at=dt.datetime.now().replace(microsecond=0),
                data_version=version.key,
                data_through=version.data_through,
                load_id=version.load_id,
            )
        )
    found = get_pack(user, pack.id)
    assert found is not None
    return found


def share(user: User, pack_id: int, usernames: Sequence[str]) -> tuple[str, ...]:
    """Shares the author's pack with `usernames` whose scope covers every view; ReportError naming who cannot."""
    pack = get_pack(user, pack_id)
    if pack is None or pack.owner != user.username:
        raise ReportError("只能共享自己的材料包。")
    names = [n.strip() for n in usernames if n.strip()]
    refused = []
    for name in names:
        account = get_account(name)
        if account is None or not account.enabled or not _covers(scope_of(_user_of(account)), pack):
            refused.append(name)
    if refused:
        raise ReportError(f"以下用户不存在或其权限范围不包括材料包中的全部区划:{'、'.join(refused)}。")
    shared = tuple(sorted({*pack.shared_with, *names}))
    with state_engine().begin() as conn:
        conn.execute(
            meeting_pack.update().where(meeting_pack.c.id == pack.id).values(shared_with=json.dumps(list(shared)))
        )
    return shared


def view_figures(user: User, view: View, pack: Pack) -> Figures:
    """What a view shows: its frozen figures once the pack is frozen, else the live ones."""
    if view.figures is not None:
        return view.figures
    return fig.collect(scope_of(user), view.state)


def pack_pdf(user: User, pack: Pack) -> bytes:
    views = [
        (v.heading, v.note, VIEW_SECTIONS.get(v.path, ("overall",)), view_figures(user, v, pack)) for v in pack.views
    ]
    if not views:
        raise ReportError("材料包还没有视图。")
    return pdf.pack_document(pack.title, pack.frozen_label, views)
