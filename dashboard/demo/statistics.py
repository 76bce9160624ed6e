"""常住人口 and 地区生产总值 of every region of the demo (`region_stat`): the denominators of the per-capita metrics.

湖南 (430000): the 14 cities' 2023 figures as their 2023年国民经济和社会发展统计公报 and the 湖南统计年鉴2024 publish
them — 年末常住人口 in 万人 and 地区生产总值 in 亿元, both to two decimals (`HUNAN_CITIES_2023`, recalled to that
precision: check them against the yearbook before relying on a single city's figure). The province's own row is the
sum of its cities (the provincial bulletin says 6,568万人 and 50,012.85亿元: city GDPs are accounted separately and
add up to slightly more, so the demo keeps parent = sum of children rather than the provincial figure).

Counties are the demo's estimate, not published figures: a city's population is apportioned over its counties in
proportion to the demo's county spending weights (`Units.spending_weight`: spending follows residents), its GDP in
proportion to the county revenue weights (revenue follows output), split exactly (largest remainder, whole persons
and whole fen), so every city equals the sum of its counties. 市本级 has no population of its own: a city's people
all live in its districts and counties, so 本级 has no per-capita figure. Another province scales 湖南's totals by its
number of units and splits them the same way, top down. A real deployment imports `region_stat` instead.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.demo.province import Province, split_one

STAT_YEAR = 2023  # the year of the published figures; the metric layer reads the latest year up to a period's year

# adcode: (年末常住人口 万人, 地区生产总值 亿元), 2023
HUNAN_CITIES_2023: dict[str, tuple[float, float]] = {
    "430100": (1051.31, 14331.98),  # 长沙市
    "430200": (383.97, 3846.08),  # 株洲市
    "430300": (271.13, 2831.37),  # 湘潭市
    "430400": (650.68, 4433.57),  # 衡阳市
    "430500": (636.53, 2775.26),  # 邵阳市
    "430600": (500.77, 4990.87),  # 岳阳市
    "430700": (520.24, 4783.97),  # 常德市
    "430800": (149.11, 613.03),  # 张家界市
    "430900": (379.89, 2230.95),  # 益阳市
    "431000": (464.24, 3204.60),  # 郴州市
    "431100": (513.86, 2525.33),  # 永州市
    "431200": (451.72, 2087.04),  # 怀化市
    "431300": (374.96, 2052.46),  # 娄底市
    "433100": (245.48, 816.59),  # 湘西土家族苗族自治州
}
PERSONS_PER_WAN = 10_000
FEN_PER_YI = 100_000_000 * 100


def _published(p: Province) -> dict[str, tuple[int, int]] | None:
    """(persons, fen) of each top-level child of 湖南, None for another province."""
    if p.code != "430000":
        return None
    return {c: (round(pop * PERSONS_PER_WAN), round(gdp * FEN_PER_YI)) for c, (pop, gdp) in HUNAN_CITIES_2023.items()}


def region_stat(p: Province) -> pd.DataFrame:
    """One row per province, city and county of the demo for `STAT_YEAR`: population (persons) and gdp (fen)."""
    u = p.units
    weight_s = dict(zip(u.code, np.nan_to_num(u.spending_weight)))
    weight_r = dict(zip(u.code, u.revenue_weight))
    figures: dict[str, tuple[int, int]] = {}

    def within(code: str, weights: dict[str, float]) -> float:
        return sum(w for c, w in weights.items() if c != p.code and p.tree.is_within(c, code))

    top = [r.adcode for r in p.tree.children(p.code)]
    published = _published(p)
    if published is not None and set(published) == set(top):
        figures.update(published)
    else:  # another province: 湖南's totals scaled by the number of units, split by the units' weights
        size = len(u.code) / 137
        people = round(sum(v[0] for v in HUNAN_CITIES_2023.values()) * PERSONS_PER_WAN * size)
        output = round(sum(v[1] for v in HUNAN_CITIES_2023.values()) * FEN_PER_YI * size)
        pops = split_one(people, np.array([within(c, weight_s) for c in top]))
        gdps = split_one(output, np.array([within(c, weight_r) for c in top]))
        figures.update({c: (int(a), int(b)) for c, a, b in zip(top, pops, gdps)})
    for city in top:
        counties = [r.adcode for r in p.tree.children(city)]
        if not counties:
            continue
        pop, gdp = figures[city]
        pops = split_one(pop, np.array([weight_s[c] for c in counties]))
        gdps = split_one(gdp, np.array([weight_r[c] for c in counties]))
        figures.update({c: (int(a), int(b)) for c, a, b in zip(counties, pops, gdps)})
    figures[p.code] = (sum(figures[c][0] for c in top), sum(figures[c][1] for c in top))
    codes = sorted(figures)
    return pd.DataFrame(
        {
            "region_code": codes,
            "year": STAT_YEAR,
            "population": [figures[c][0] for c in codes],
            "gdp": [figures[c][1] for c in codes],
        }
    )
