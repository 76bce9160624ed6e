"""Wildcard props (aria-*, data-*) for Dash components, typed so mypy accepts them."""

from __future__ import annotations

from typing import Any


def wildcard(props: dict[str, str]) -> dict[str, Any]:
    """`**wildcard({"aria-label": …})`: Dash's generated signatures name only the declared props, so a
    `dict[str, str]` splatted into one is checked against every typed prop (bools, numbers) and fails; the aria-* and
    data-* wildcards are strings the signature cannot spell, and Any says so."""
    return props
