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


@dataclass
class Planted:
    """The anomalies in the order they were planted, and the counties already holding one (so each sits alone)."""

    anomalies: list[Anomaly] = field(default_factory=list)
    taken: set[str] = field(default_factory=set)

    def plant(self, kind: str, key: str, region: str, **detail: Any) -> None:
        """Record an anomaly the caller has just planted in its frame."""
        self.anomalies.append(Anomaly(kind, key, region, detail))

    def counties(
        self, rng: np.random.Generator, units: Units, n: int, among: Collection[int] | None = None
    ) -> list[int]:
        """Unit indexes of `n` counties (from `among` if given) not taken by an earlier plant; takes them."""
        pool = [
            i
            for i in np.flatnonzero(units.level == "county")
            if units.code[i] not in self.taken and (among is None or i in among)
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
