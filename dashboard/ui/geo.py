"""Region outlines: static GeoJSON files under assets/geo/<parent adcode>.json, fetched by the browser by URL.

The server only reads them to know which parents have an outline file and where to centre the map.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

GEO_DIR = Path(__file__).resolve().parents[2] / "assets" / "geo"


def has_outlines(parent: str) -> bool:
    """Whether the children of `parent` have an outline file (a county or a city without counties has none)."""
    return (GEO_DIR / f"{parent}.json").is_file()


def outline_url(parent: str) -> str:
    return f"/assets/geo/{parent}.json"


@functools.lru_cache(maxsize=512)
def bounds(parent: str, only: str | None = None) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the children of `parent`, or of the one child `only`."""
    with open(GEO_DIR / f"{parent}.json", encoding="utf-8") as fh:
        collection = json.load(fh)
    xs, ys = [], []

    def walk(coords) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(coords[0])
            ys.append(coords[1])
        else:
            for part in coords:
                walk(part)

    for feature in collection["features"]:
        if only is None or feature["id"] == only:
            walk(feature["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)
