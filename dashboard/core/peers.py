"""Peer groups (同类地区) of county-level regions: a 市辖区, a 县级市 and a 县 (自治县 included) are compared with their
own kind, so a ranking does not set an urban district against a mountain county. Read from the GB/T 2260 name, which
says the kind (…区, …市, …县); regions above county level have no peer group."""

from __future__ import annotations

from dashboard.core.regions import Region

PEER_GROUPS = ("市辖区", "县级市", "县")


def peer_group(region: Region) -> str | None:
    """'市辖区', '县级市' or '县' for a county-level region, None above it."""
    if region.level != "county":
        return None
    if region.name.endswith("区"):
        return "市辖区"
    if region.name.endswith("市"):
        return "县级市"
    return "县"
