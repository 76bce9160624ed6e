"""Reporting completeness as plain values: a unit's gap (months and tables not reported) and a drilled region's
coverage, built by `queries.reporting` and worded here, so a tile, a ranking and a map say it the same way."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from dashboard.core.regions import LEVEL_NAMES

UNREPORTED = "未报送"  # the grade label of a figure whose units have not all reported the period
TABLES = {"payment": "支付", "revenue": "收入", "treasury_cash": "库款"}  # reported table → what people call it


@dataclass(frozen=True)
class Gap:
    """One unit that has not reported: which months of which tables are missing in the period."""

    unit: str
    name: str
    months: tuple[int, ...]
    tables: tuple[str, ...]

    @property
    def text(self) -> str:
        """'双牌县 12月(支付、收入、库款)'."""
        months = "、".join(f"{m}月" for m in self.months)
        return f"{self.name} {months}({'、'.join(TABLES[t] for t in self.tables)})"


@dataclass(frozen=True)
class Coverage:
    """The drilled region's reporting for the period: the gaps of its own level (本级) and of each child's subtree
    (a child without gaps is complete), so a tile can say "已报送 12/14 市" for the table its figure comes from."""

    level: str  # the children's level (city / county), "" at a leaf
    own: tuple[Gap, ...]
    children: tuple[tuple[str, tuple[Gap, ...]], ...]  # child code → the gaps in its subtree

    @property
    def gaps(self) -> tuple[Gap, ...]:
        return self.own + tuple(g for _, gaps in self.children for g in gaps)

    def reported(self, tables: Iterable[str] = tuple(TABLES)) -> tuple[int, int, bool]:
        """(children complete in `tables`, children, 本级 complete in `tables`)."""
        wanted = set(tables)

        def clean(gaps: tuple[Gap, ...]) -> bool:
            return not any(wanted & set(g.tables) for g in gaps)

        return sum(clean(gaps) for _, gaps in self.children), len(self.children), clean(self.own)

    def silent(self, tables: Iterable[str], month: int) -> bool:
        """A leaf region that has not reported `month` of `tables`: a figure of that month alone (month-end 库款,
        本月支付) has nothing to show but 未报送."""
        wanted = set(tables)
        return not self.children and any(month in g.months and wanted & set(g.tables) for g in self.own)

    def gaps_in(self, tables: Iterable[str]) -> tuple[Gap, ...]:
        wanted = set(tables)
        return tuple(g for g in self.gaps if wanted & set(g.tables))


def unreported(units: object, missing: object) -> bool:
    """A row of `units` reporting units of which `missing` have not reported the whole period: 未报送 when all of
    them are missing (its part-figures are not graded, coloured or ranked)."""
    return bool(units) and missing == units


def coverage_text(coverage: Coverage, tables: Iterable[str] = tuple(TABLES)) -> str:
    """'已报送 12/14 市' (with '· 本级未报送' when the region's own level is missing), at a leaf '已报送' or
    '未报送 12月'."""
    complete, children, own = coverage.reported(tables)
    if not children:
        months = sorted({m for g in coverage.gaps_in(tables) for m in g.months})
        return "已报送" if own else f"{UNREPORTED} {'、'.join(f'{m}月' for m in months)}"
    text = f"已报送 {complete}/{children} {LEVEL_NAMES.get(coverage.level, '')}"
    return text if own else f"{text} · 本级未报送"


def gaps_text(gaps: Iterable[Gap]) -> str:
    """'未报送:双牌县 12月(支付、收入、库款)' or '' when nothing is missing."""
    texts = [g.text for g in gaps]
    return f"未报送:{';'.join(texts)}" if texts else ""
