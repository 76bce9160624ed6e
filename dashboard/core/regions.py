"""The region tree (GB/T 2260 adcodes): province → city → county, with the odd shapes real provinces have.

Municipalities hang their districts directly on the province, a few county-level cities hang on their province
(湖北 仙桃), and some cities have no counties (东莞). Every fact row stores `province_code`, `city_code`,
`county_code`; `ancestry()` says which of those a region fills, and LEVEL_COLUMNS which one selects its subtree.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources

LEVEL_NAMES = {"province": "省", "city": "市", "county": "县"}
LEVEL_COLUMNS = {"province": "province_code", "city": "city_code", "county": "county_code"}


@dataclass(frozen=True)
class Region:
    adcode: str
    name: str
    level: str  # country / province / city / county
    parent: str | None


@dataclass
class RegionTree:
    """An immutable view of a set of regions, indexed for walking up and down."""

    regions: dict[str, Region]
    _children: dict[str, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        for region in sorted(self.regions.values(), key=lambda r: r.adcode):
            if region.parent is not None:
                self._children.setdefault(region.parent, []).append(region.adcode)

    @classmethod
    def from_rows(cls, rows: Iterable[tuple[str, str, str, str | None]]) -> RegionTree:
        return cls({code: Region(code, name, level, parent or None) for code, name, level, parent in rows})

    def __contains__(self, code: object) -> bool:
        return code in self.regions

    def __getitem__(self, code: str) -> Region:
        return self.regions[code]

    def name(self, code: str) -> str:
        return self.regions[code].name

    def children(self, code: str) -> list[Region]:
        return [self.regions[c] for c in self._children.get(code, [])]

    def path(self, code: str) -> list[Region]:
        """From the top region of the tree down to `code` (the breadcrumb)."""
        out = []
        node: str | None = code
        while node is not None and node in self.regions:
            out.append(self.regions[node])
            node = self.regions[node].parent
        return list(reversed(out))

    def is_within(self, code: str, root: str) -> bool:
        return any(r.adcode == root for r in self.path(code))

    def subtree(self, root: str) -> RegionTree:
        keep = {}
        stack = [root]
        while stack:
            code = stack.pop()
            keep[code] = self.regions[code]
            stack.extend(self._children.get(code, []))
        return RegionTree(keep)

    def ancestry(self, code: str) -> tuple[str, str | None, str | None]:
        """The (province_code, city_code, county_code) a fact spent by `code` itself carries."""
        province = city = county = None
        for region in self.path(code):
            if region.level == "province":
                province = region.adcode
            elif region.level == "city":
                city = region.adcode
            elif region.level == "county":
                county = region.adcode
        if province is None:
            raise ValueError(f"{code} is not inside a province")
        return province, city, county


@functools.lru_cache(maxsize=1)
def national_tree() -> RegionTree:
    """All 3,238 regions shipped with the package (dashboard/data/regions.csv, from GB/T 2260)."""
    with resources.files("dashboard").joinpath("data/regions.csv").open(encoding="utf-8") as fh:
        rows = [(r["adcode"], r["name"], r["level"], r["parent_adcode"]) for r in csv.DictReader(fh)]
    return RegionTree.from_rows(rows)
