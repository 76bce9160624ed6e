"""Scope: the region subtree a caller may see. Every query takes one and filters by it; no scope, no rows."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.regions import LEVEL_COLUMNS
from dashboard.store.engine import current_data_version


@dataclass(frozen=True)
class Scope:
    """`root` is the adcode whose subtree is visible, `level` its level (province / city / county).

    `Scope.nothing()` has no root: queries given it return no rows (fail closed).
    """

    root: str | None
    level: str | None

    @classmethod
    def nothing(cls) -> "Scope":
        return cls(None, None)

    @property
    def column(self) -> str | None:
        """The fact ancestry column that selects the subtree."""
        return LEVEL_COLUMNS.get(self.level or "")

    @property
    def key(self) -> str:
        return f"scope:{self.root or '-'}"


def current_scope() -> Scope:
    """The scope of the current request.

    Until sign-in exists (issue 4) every visitor sees the whole province held by the store; this is the one place
    that will read the signed-in user's region from the server-side session.
    """
    return Scope(current_data_version().province_code, "province")
