"""The demo province: generate calibrated facts and load them into a finance store."""

from __future__ import annotations

import json
import os

from dashboard.demo.generate import DemoData, generate
from dashboard.store.engine import DataVersion, duckdb_path, is_duckdb
from dashboard.store.load import Progress, load_store


def anomalies_path(url: str) -> str | None:
    """Where the planted anomalies are written beside a DuckDB store (`data/cockpit.anomalies.json`)."""
    if not is_duckdb(url):
        return None
    stem, _ext = os.path.splitext(duckdb_path(url))
    return f"{stem}.anomalies.json"


def build_demo(
    url: str,
    province: str = "430000",
    years: tuple[int, ...] = (2023, 2024),
    scale: float = 1.0,
    seed: int = 7,
    progress: Progress = lambda _msg: None,
) -> tuple[DemoData, DataVersion]:
    """Generate the demo province and publish it as a new load of the store at `url`."""
    data = generate(province, years, scale, seed, progress)
    version = load_store(
        url,
        data.frames,
        source=f"demo seed={seed} scale={scale}",
        province_code=province,
        data_through=data.data_through,
        note=f"演示数据 {province} {','.join(map(str, data.years))}",
        progress=progress,
    )
    path = anomalies_path(url)
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            json.dump(
                {
                    "province": province,
                    "years": list(data.years),
                    "seed": seed,
                    "scale": scale,
                    "anomalies": data.anomalies,
                },
                fh,
                ensure_ascii=False,
                indent=1,
                default=str,
            )
    return data, version


__all__ = ["DemoData", "anomalies_path", "build_demo", "generate"]
