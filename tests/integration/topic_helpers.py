"""Driving a topic page (built on the kit) through its callbacks, for every topic page's tests.

`render(call_callback, key, query)` returns the response of the page's render callback; `table(...)` one page of its
drill-through table and the cursor of the next; `walk_table(...)` every page in order, through the kit's own
pager callback state, so paging is tested exactly as the browser drives it.
"""

from __future__ import annotations

import base64
import re
from decimal import ROUND_HALF_UP, Decimal

import numpy as np

from tests.integration.dash_tree import by_id, children_of, text_of, walk

PAGE_CASES = [
    ("430000", "province", "province_code", 2024, 1, 12),
    ("430100", "city", "city_code", 2024, 1, 6),
    ("430102", "county", "county_code", 2023, 3, 9),
]  # (region, level, its column in the facts, year, first month, last month): one view per level
UNIT = {"province": Decimal(10**8), "city": Decimal(10**8), "county": Decimal(10**4)}


def shown(amount: Decimal, level: str) -> str:
    """An amount as the page shows it at `level` (亿元 / 万元, two decimals, half up)."""
    return f"{(Decimal(amount) / UNIT[level]).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def yuan(amount: Decimal) -> str:
    """An amount as drill-through tables and exports show it: 元 to the fen."""
    return f"{Decimal(amount).quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f}"


def percent(part: Decimal, whole: Decimal) -> str:
    return f"{(Decimal(part) / Decimal(whole) * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def in_view(date_column: str, column: str, year: int, first: int, last: int) -> str:
    """SQL: the fact row belongs to the region bound as :code (by `column`) and `date_column` is in the months."""
    return (
        f"{column} = :code AND EXTRACT(year FROM {date_column}) = {year} "
        f"AND EXTRACT(month FROM {date_column}) BETWEEN {first} AND {last}"
    )


def numbers(array) -> list[float]:
    """A figure's numeric array as JSON ships it: Plotly 7 packs numbers as {"dtype", "bdata" (base64)}."""
    if isinstance(array, dict) and "bdata" in array:
        return np.frombuffer(base64.b64decode(array["bdata"]), dtype=array["dtype"]).tolist()
    return list(array)


def render(call_callback, key: str, query: dict) -> dict:
    return call_callback(f"{key}-notices", [(f"{key}-query", "data", query)])


def table(
    call_callback, key: str, query: dict, table_state: dict | None = None, reveal: dict | None = None, **kwargs
) -> tuple[dict, dict]:
    """(the table component, the table-page store: {"next": cursor or None}); `reveal` is the reason store
    ({"reason": …}) as the reveal bar fills it."""
    out = call_callback(
        f"{key}-table",
        [
            (f"{key}-query", "data", query),
            (f"{key}-table-state", "data", table_state or {}),
            (f"{key}-reveal", "data", reveal or {}),
        ],
        **kwargs,
    )
    return out[f"{key}-table"]["children"], out[f"{key}-table-page"]["data"]


def table_rows(component: dict, key: str) -> list[list[str]]:
    """The body rows of the drill-through table as cell texts."""
    records = by_id(component, f"{key}-records")
    body = next(c for c in walk(records) if c["type"] == "Tbody")
    return [[text_of(td) for td in tr["props"]["children"]] for tr in walk(children_of(body)) if tr["type"] == "Tr"]


def row_links(component: dict, key: str) -> list[str]:
    records = by_id(component, f"{key}-records")
    return [c["props"]["href"] for c in walk(records) if c["type"] == "Link"]


def total_text(component: dict, key: str, column: str) -> str:
    return text_of(by_id(component, f"{key}-total-{column}"))


def row_count(component: dict, key: str) -> int:
    return int(re.search(r"共 ([\d,]+) 行", text_of(by_id(component, f"{key}-totals"))).group(1).replace(",", ""))


def walk_table(call_callback, key: str, query: dict, sort: str | None = None, descending: bool = True) -> list:
    """Every page of the table, following the pager: [(rows, links), ...]."""
    state = {"sort": sort, "desc": descending, "stack": []} if sort else {"stack": []}
    pages = []
    while True:
        component, page = table(call_callback, key, query, state)
        pages.append((table_rows(component, key), row_links(component, key)))
        if not page["next"]:
            return pages
        state = {**state, "stack": [*state["stack"], page["next"]]}
        assert len(pages) < 500, "paging does not end"
