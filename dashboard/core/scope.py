"""Scope: the region subtree a caller may see. Every query takes one and filters by it; no scope, no rows."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.core.regions import LEVEL_COLUMNS, RegionTree, national_tree


@dataclass(frozen=True)
class Scope:
    """`root` is the adcode whose subtree is visible, `level` its level (province / city / county).

    `Scope.nothing()` has no root: queries given it return no rows (fail closed).
    """

    root: str | None
    level: str | None

    @classmethod
    def nothing(cls) -> Scope:
        return cls(None, None)

    @property
    def column(self) -> str | None:
        """The fact ancestry column that selects the subtree."""
        return LEVEL_COLUMNS.get(self.level or "")

    def sees(self, tree: RegionTree, region: str) -> bool:
        """Whether `region` is a known region inside this scope's subtree (nothing is, for `Scope.nothing()`)."""
        return self.root is not None and region in tree and tree.is_within(region, self.root)

    @property
    def key(self) -> str:
        return f"scope:{self.root or '-'}"


@dataclass(frozen=True)
class User:
    """The signed-in person as the rest of the app sees them.

    role: 领导 / 分析 / 经办 / 审核 / 管理员. region: the adcode whose subtree they may see. may_unmask: whether the
    role may see personal data (ID numbers, bank accounts) unmasked (each unmasked view still records a reason).
    """

    username: str
    display_name: str
    role: str
    region: str
    may_unmask: bool = False


def scope_of(user: User | None) -> Scope:
    """The region subtree `user` may see; nobody → nothing (fail closed)."""
    tree = national_tree()
    if user is None or user.region not in tree or tree[user.region].level not in LEVEL_COLUMNS:
        return Scope.nothing()
    return Scope(user.region, tree[user.region].level)
