"""The drill state: region, year and months, parsed from the URL and validated in one place.

Bad input never raises: it falls back to a sensible value and leaves a notice in Chinese for the page to show.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

from dashboard.core.periods import months_bounds
from dashboard.core.regions import RegionTree
from dashboard.core.scope import Scope

_PERIOD = re.compile(r"^\s*([0-9]{1,2})\s*(?:-\s*([0-9]{1,2}))?\s*$")
TEXT_MAX = 200  # the longest text a browser value is read as (a query value, a search, a reason)


@dataclass(frozen=True)
class DrillState:
    region: str
    year: int
    first_month: int
    last_month: int
    notices: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()  # a topic page's own filters (name, value), sorted by name
    denied_region: str | None = None  # a region asked for outside the scope (the caller audits the denial)

    def filter(self, name: str) -> str | None:
        """The value of topic filter `name`, or None when it is not set."""
        return dict(self.filters).get(name)

    @property
    def period(self) -> str:
        """The URL form of the months: '1-6', or '6' for a single month."""
        if self.first_month == self.last_month:
            return str(self.first_month)
        return f"{self.first_month}-{self.last_month}"

    @property
    def period_label(self) -> str:
        if self.first_month == self.last_month:
            return f"{self.year}年{self.first_month}月"
        return f"{self.year}年{self.first_month}-{self.last_month}月"

    @property
    def dates(self) -> tuple[dt.date, dt.date]:
        """[first day of the period, first day after it): a sargable date range on the facts."""
        return months_bounds(self.year, self.first_month, self.last_month)

    @property
    def time_progress(self) -> float:
        """序时进度: share of the year elapsed at the end of the period."""
        return self.last_month / 12

    @property
    def key(self) -> str:
        """What the data depends on (notices are presentation only)."""
        base = f"{self.region}|{self.year}|{self.first_month}-{self.last_month}"
        return base + "".join(f"|{name}={value}" for name, value in self.filters)


def _first(value) -> str | None:
    """The text of a query value (the first of a repeated one), at most TEXT_MAX characters."""
    if isinstance(value, (list, tuple)):
        return str(value[0])[:TEXT_MAX] if value else None
    return None if value is None else str(value)[:TEXT_MAX]


def ascii_int(text: object, most_digits: int) -> int | None:
    """A whole number written in 1 to `most_digits` ASCII digits, else None: `str.isdigit()` accepts '²' and
    `int()` Arabic-Indic digits, neither of which a URL of this app ever holds."""
    if not isinstance(text, str | int) or isinstance(text, bool):
        return None
    candidate = str(text).strip()
    return int(candidate) if re.fullmatch(f"[0-9]{{1,{most_digits}}}", candidate) else None


def parse_state(
    query: Mapping[str, object], *, tree: RegionTree, scope: Scope, years: Sequence[int], data_through: dt.date
) -> DrillState:
    """Turn URL query parameters into a valid DrillState for `scope`, with notices for whatever was wrong.

    - region: unknown, malformed or outside the scope → the scope's root region (outside: `denied_region` is set,
      for the caller to audit).
    - year: not a year the store holds → the latest year.
    - period: 'M' or 'M1-M2' with 1 ≤ M1 ≤ M2 ≤ 12; missing → year to date; beyond the data → clipped.
    """
    query = browser_mapping(query)
    notices: list[str] = []
    root = scope.root
    if root is None or root not in tree:
        raise ValueError("no visible region: the caller has no scope")

    region_text = _first(query.get("region"))
    region = root
    denied = None
    if region_text not in (None, ""):
        candidate = region_text.strip()
        if not re.fullmatch(r"[0-9]{6}", candidate) or candidate not in tree:
            notices.append(f"未找到区划代码“{candidate[:20]}”,已显示{tree.name(root)}。")
        elif not tree.is_within(candidate, root):
            notices.append(f"无权查看“{tree.name(candidate)}”,已显示{tree.name(root)}。")
            denied = candidate
        else:
            region = candidate

    available = sorted(years)
    latest_year = available[-1]
    year = latest_year
    year_text = _first(query.get("year"))
    if year_text not in (None, ""):
        asked = ascii_int(year_text, 4)
        if asked is not None and asked in available:
            year = asked
        else:
            notices.append(f"没有{year_text.strip()[:10]}年的数据,已显示{latest_year}年。")

    last_with_data = data_through.month if year == data_through.year else 12
    first_month, last_month = 1, last_with_data
    period_text = _first(query.get("period"))
    if period_text not in (None, ""):
        match = _PERIOD.match(period_text)
        lo = int(match.group(1)) if match else 0
        hi = int(match.group(2) or match.group(1)) if match else 0
        if match and 1 <= lo <= hi <= 12:
            first_month, last_month = lo, hi
            if last_month > last_with_data:
                notices.append(f"数据截至{year}年{last_with_data}月,期间已截至{last_with_data}月。")
                last_month = last_with_data
                first_month = min(first_month, last_month)
        else:
            notices.append(f"期间“{period_text[:20]}”无效(应为如 1-6 的月份范围),已显示1-{last_with_data}月。")
    return DrillState(region, year, first_month, last_month, tuple(notices), denied_region=denied)


class Lookup(Mapping[str, str]):
    """Choices too many to list (an agency, an indicator, a payment id): `label(value)` says whether a value is
    valid (its label) or not (None). Iterating yields nothing, so such a filter has no dropdown; drill links set it."""

    def __init__(self, label: Callable[[str], str | None]) -> None:
        self._label = label

    def __getitem__(self, value: str) -> str:
        label = self._label(value)
        if label is None:
            raise KeyError(value)
        return label

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


@dataclass(frozen=True)
class TopicFilter:
    """A topic page's own URL filter: parameter `name`, its Chinese `label`, and the values it may take
    ({value: label}, e.g. {"205": "教育支出"}). The choices come from the store, so the callback builds them."""

    name: str
    label: str
    choices: Mapping[str, str]


def with_filters(state: DrillState, query: Mapping[str, object], specs: Sequence[TopicFilter]) -> DrillState:
    """`state` with the topic filters of `query` that `specs` allow; an unknown value is dropped with a notice.

    Parameters that no spec names are ignored, so a link from another page never breaks this one.
    """
    notices = list(state.notices)
    chosen: dict[str, str] = {}
    for spec in specs:
        text = _first(query.get(spec.name))
        if text in (None, ""):
            continue
        value = text.strip()
        if value in spec.choices:
            chosen[spec.name] = value
        else:
            notices.append(f"{spec.label}“{value[:20]}”无效,已取消该筛选。")
    return replace(state, filters=tuple(sorted(chosen.items())), notices=tuple(notices))


def rotate_seconds(text: str | None) -> int:
    """`?rotate=<seconds>` of the big screen: 0 (off) unless a whole number of seconds from 5 to 3600."""
    seconds = ascii_int(text, 4)
    return seconds if seconds is not None and 5 <= seconds <= 3600 else 0


def wall_id(text: object) -> str | None:
    """`?wall=<id>` of a wall in presenter mode: 1–32 letters, digits, '-' or '_', else None."""
    return text if isinstance(text, str) and re.fullmatch(r"[A-Za-z0-9_-]{1,32}", text) else None


def browser_mapping(value: object) -> Mapping:
    """A dict the browser sent (a Store's data, a query), or {} when it sent anything else: forged or stale input
    falls back to the defaults instead of failing the request."""
    return value if isinstance(value, Mapping) else {}


def viewport_size(viewport: object, default: tuple[float, float]) -> tuple[float, float]:
    """(width, height) in CSS pixels measured by the browser, or `default` for anything malformed."""
    try:
        data = browser_mapping(viewport)
        width, height = float(data.get("width", default[0])), float(data.get("height", default[1]))
    except (TypeError, ValueError):
        return default
    return (width, height) if 0 < width < 100_000 and 0 < height < 100_000 else default


def clicked_point(click: object) -> dict:
    """The first point of a Plotly `clickData`, or {} for anything else a browser (or a forged request) may send."""
    if isinstance(click, dict):
        points = click.get("points")
        if isinstance(points, list) and points and isinstance(points[0], dict):
            return points[0]
    return {}
