"""How numbers are shown: 亿元 at province and city level, 万元 below; percentages with one decimal."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

UNITS = {"亿元": Decimal(100_000_000), "万元": Decimal(10_000), "元": Decimal(1)}


def unit_for_level(level: str) -> str:
    return "亿元" if level in ("province", "city") else "万元"


FITS_WAN = Decimal(1_000_000_000)  # below 10亿元 an amount reads in 万元 with at most 7 digits (99,999.99)


def fitting_unit(*amounts: Decimal | int | float | None) -> str:
    """The unit in which the largest of `amounts` reads with at most 7 significant digits: 亿元 from 10亿元 up,
    else 万元 (a tile or a chart whose figure would otherwise not fit its box)."""
    largest = max((abs(Decimal(str(a))) for a in amounts if a is not None and a == a), default=Decimal(0))
    return "亿元" if largest >= FITS_WAN else "万元"


def money(value: Decimal | int | None, unit: str) -> str:
    """'3,448.90' for 344,890,000,000 元 in 亿元: two decimals, thousands separators, half up."""
    if value is None:
        return "—"
    scaled = (Decimal(value) / UNITS[unit]).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{scaled:,.2f}"


def percent(ratio: float | Decimal | None) -> str:
    if ratio is None:
        return "—"
    value = (Decimal(str(ratio)) * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return f"{value}%"


def number(value: float | Decimal | None, places: int = 2) -> str:
    """A plain quantity (e.g. 库款保障水平 in months) with `places` decimals, half up: '1.03'."""
    if value is None:
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)}"


def ratio(part: Decimal | None, whole: Decimal | None) -> float | None:
    if part is None or not whole:
        return None
    return float(Decimal(part) / Decimal(whole))


def change(current: Decimal | None, previous: Decimal | None) -> tuple[str, int]:
    """('+3.2% ▲', +1): relative change with its direction (-1, 0, +1); ('—', 0) when there is no base."""
    if current is None or not previous:
        return "—", 0
    delta = ((Decimal(current) - Decimal(previous)) / Decimal(previous) * 100).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    if delta > 0:
        return f"+{delta}% ▲", 1
    if delta < 0:
        return f"{delta}% ▼", -1
    return "0.0%", 0


def yoy(current: Decimal | None, previous: Decimal | None) -> tuple[str, int]:
    """'同比 +3.2% ▲' and its direction."""
    text, direction = change(current, previous)
    return f"同比 {text}", direction


def per_capita(value: float | Decimal | None) -> str:
    """A per-capita figure in 元/人: '7,414.53', two decimals, thousands separators, half up."""
    if value is None or value != value:
        return "—"
    return f"{Decimal(str(value)).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def people(persons: float | Decimal | int | None) -> str:
    """A population in 万人: '1,051.31' for 10,513,100 persons."""
    if persons is None or persons != persons:
        return "—"
    return f"{(Decimal(str(persons)) / 10_000).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"
