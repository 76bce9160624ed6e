"""Peer groups (同类地区) of county-level regions, and the ranking modes of the child-region rankings.

By kind (the default, `PEER_GROUPING=kind`): a 市辖区, a 县级市 and a 县 (自治县 included) are compared with their
own kind, so a ranking does not set an urban district against a mountain county; read from the GB/T 2260 name,
which says the kind (…区, …市, …县). By band (`population`: 常住人口 in 万人 between the bounds of
`PEER_POPULATION_BANDS`; `capacity`: 综合财力 in 亿元 between `PEER_CAPACITY_BANDS`): regions of similar size are
peers. Cities are compared with the province's cities (one group, 市州); the province has no peers.
"""

from __future__ import annotations

from decimal import Decimal

from dashboard.core import settings
from dashboard.core.regions import Region

PEER_GROUPS = ("市辖区", "县级市", "县")
GROUPINGS = {"kind": "按区划类型", "population": "按常住人口", "capacity": "按综合财力"}
CITY_GROUP = "市州"

# the ranking modes of a child-region ranking (`?rank=`), the first the default
RANK_MODES = {"abs": "绝对值", "capita": "人均", "peer": "同类排名"}


def peer_group(region: Region) -> str | None:
    """'市辖区', '县级市' or '县' for a county-level region, None above it (the kind, whatever the setting)."""
    if region.level != "county":
        return None
    if region.name.endswith("区"):
        return "市辖区"
    if region.name.endswith("市"):
        return "县级市"
    return "县"


def band_label(value: Decimal | float | None, bounds: tuple[Decimal, ...], what: str, unit: str) -> str | None:
    """'常住人口 30–60万人' for a value in [30, 60); below the first bound '<30', from the last '≥100'."""
    if value is None:
        return None
    amount = Decimal(str(value))
    low = None
    for bound in bounds:
        if amount < bound:
            return f"{what}{'<' if low is None else f'{low:g}–'}{bound:g}{unit}"
        low = bound
    return f"{what}≥{bounds[-1]:g}{unit}"


def configured_group(
    region: Region, population: float | Decimal | None = None, capacity: float | Decimal | None = None
) -> str | None:
    """The peer group of `region` under `PEER_GROUPING`; `population` in persons, `capacity` (综合财力) in 元, as
    the metric layer gives them. None above city level, or when the band's figure is missing."""
    if region.level == "city":
        return CITY_GROUP
    if region.level != "county":
        return None
    grouping = settings.get("PEER_GROUPING")
    if grouping == "population":
        wan = None if population is None else Decimal(str(population)) / 10_000
        return band_label(wan, settings.get("PEER_POPULATION_BANDS"), "常住人口", "万人")
    if grouping == "capacity":
        yi = None if capacity is None else Decimal(str(capacity)) / 100_000_000
        return band_label(yi, settings.get("PEER_CAPACITY_BANDS"), "综合财力", "亿元")
    return peer_group(region)


def rank_mode(value: object) -> tuple[str, str | None]:
    """`?rank=` of a ranking: (mode, None), or the default with a Chinese notice for a value it does not know."""
    text = value[0] if isinstance(value, (list, tuple)) and value else value
    if text in (None, "") or not isinstance(text, str):
        return "abs", None
    mode = text.strip()
    if mode in RANK_MODES:
        return mode, None
    return "abs", f"排名口径“{mode[:20]}”无效(可选:绝对值 abs、人均 capita、同类排名 peer),已按绝对值排名。"
