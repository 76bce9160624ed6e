"""The anomalies planted on purpose: one record type and one ledger, so `demo_anomaly` and
`cockpit.anomalies.json` are written from one list."""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from dashboard.demo.province import Units


@dataclass(frozen=True)
class Anomaly:
    """One planted anomaly: what (`kind`), which row or cell (`key`), where (`region`) and the facts a test checks."""

    kind: str
    key: str
    region: str
    detail: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The flat dict written to `demo_anomaly.detail` and to the anomalies json."""
        return {"kind": self.kind, "key": self.key, "region": self.region, **self.detail}


GRADES = ("黄", "橙", "红")  # least to most severe


def zones(units: Units, rng: np.random.Generator) -> dict[str, str]:
    """City → the gravest grade planted in it: two cities get nothing graver than 橙 and two nothing graver than 黄,
    the rest (the capital always among them) any, so the province's risk map (each city at its worst warning)
    shows 红, 橙 and 黄."""
    cities = sorted(str(c) for c, level in zip(units.code, units.level) if level == "city" and not c.endswith("0100"))
    chosen = [str(c) for c in rng.choice(cities, size=min(4, len(cities)), replace=False)]
    return {c: "橙" if k < 2 else "黄" for k, c in enumerate(chosen)}


@dataclass
class Planted:
    """The anomalies in the order they were planted, the counties already holding one (so each sits alone) and the
    gravest grade each city may be planted with (`zones`)."""

    anomalies: list[Anomaly] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)
    ceiling: dict[str, str] = field(default_factory=dict)

    def allows(self, region: str, grade: str) -> bool:
        """May an anomaly of `grade` be planted in `region` (a county or a 本级 unit)?"""
        city = f"{str(region)[:4]}00"
        return GRADES.index(grade) <= GRADES.index(self.ceiling.get(city, "红"))

    def zoned(self, region: str, grade: str) -> bool:
        """Is `region` in a city whose gravest grade is exactly `grade` (where that grade must show)?"""
        return self.ceiling.get(f"{str(region)[:4]}00", "红") == grade

    def plant(self, kind: str, key: str, region: str, **detail: Any) -> None:
        """Record an anomaly the caller has just planted in its frame."""
        self.anomalies.append(Anomaly(kind, key, region, detail))

    def counties(
        self,
        rng: np.random.Generator,
        units: Units,
        n: int,
        among: Collection[int] | None = None,
        grade: str = "红",
        zoned: bool = False,
    ) -> list[int]:
        """Unit indexes of `n` counties (from `among` if given) not taken by an earlier plant, in cities that allow
        `grade` (only those zoned for it when `zoned`); takes them."""
        fits = self.zoned if zoned else self.allows
        pool = [
            i
            for i in np.flatnonzero(units.level == "county")
            if units.code[i] not in self.taken and (among is None or i in among) and fits(str(units.code[i]), grade)
        ]
        chosen = [int(i) for i in rng.choice(pool, size=min(n, len(pool)), replace=False)]
        self.taken.update(str(units.code[i]) for i in chosen)
        return chosen

    def records(self) -> list[dict[str, Any]]:
        return [a.record() for a in self.anomalies]

    def frame(self) -> pd.DataFrame:
        """The `demo_anomaly` table."""
        return pd.DataFrame(
            {
                "kind": [a.kind for a in self.anomalies],
                "key": [a.key for a in self.anomalies],
                "detail": [json.dumps(a.record(), ensure_ascii=False, default=str) for a in self.anomalies],
            }
        )
