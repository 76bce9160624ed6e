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


def _ring_centroid(ring: list) -> tuple[float, float, float]:
    """(|area|, lon, lat) of one polygon ring by the shoelace formula (its vertex mean when degenerate)."""
    area = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]):
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if abs(area) < 1e-12:
        return 0.0, sum(p[0] for p in ring) / len(ring), sum(p[1] for p in ring) / len(ring)
    return abs(area) / 2, cx / (3 * area), cy / (3 * area)


@functools.lru_cache(maxsize=512)
def anchors(parent: str) -> dict[str, tuple[float, float]]:
    """Where each child of `parent` is labelled on the map: the centroid of its largest polygon's outer ring, as
    (lon, lat) rounded to 1e-4°. Only these two numbers go to the browser, which has the outlines as an asset."""
    with open(GEO_DIR / f"{parent}.json", encoding="utf-8") as fh:
        collection = json.load(fh)
    found: dict[str, tuple[float, float]] = {}
    for feature in collection["features"]:
        geometry = feature["geometry"]
        polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        _area, lon, lat = max(_ring_centroid([tuple(p[:2]) for p in polygon[0]]) for polygon in polygons)
        found[str(feature["id"])] = (round(lon, 4), round(lat, 4))
    return found
