"""Personal data leaves the server masked unless a user who may see it states a reason: the one place that decides
and audits (全过程留痕) unmasking, for the topic tables on screen and for their exports."""

from __future__ import annotations

import pandas as pd

from dashboard.core.masking import MASKERS, mask_frame, may_reveal
from dashboard.core.scope import User
from dashboard.state import audit
from dashboard.ui.drilltable import Column


def reveal(
    frame: pd.DataFrame,
    columns: dict[str, str],
    user: User | None,
    reason: str | None,
    *,
    page: str,
    region: str | None = None,
) -> pd.DataFrame:
    """`frame` unmasked for a user with `may_unmask` who gave a reason (at least UNMASK_REASON_MIN_LENGTH
    characters); the view is audited as 'unmask' with the reason and the row count. Anyone else gets it masked,
    and asking without the permission or without a reason is audited as denied."""
    reason = (reason or "").strip()
    if may_reveal(user, reason):
        audit.record("unmask", page=page, region=region, rows=len(frame), detail=reason[:200])
        return frame
    audit.record(
        "unmask",
        page=page,
        region=region,
        rows=0,
        outcome="denied",
        detail="no permission" if user is None or not user.may_unmask else "no reason given",
    )
    return mask_frame(frame, columns, None)


def mask_rows(
    frame: pd.DataFrame,
    columns: tuple[Column, ...],
    user: User | None,
    *,
    page: str | None = None,
    region: str | None = None,
    reason: str | None = None,
) -> pd.DataFrame:
    """`frame` with personal data masked (the only place table cells are masked). Unmasked only for a user with
    `may_unmask` who states a `reason`, as `masking.reveal` decides and audits (全过程留痕); a plain render never
    asks, so it is always masked and leaves no audit row."""
    personal = {c.name: c.mask for c in columns if c.mask is not None and c.name in frame.columns}
    if reason is not None and personal:
        revealed = reveal(frame, personal, user, reason, page=page or "", region=region)
        if revealed is frame:
            return frame
    out = frame.copy()
    for column in columns:
        if column.mask is None or column.name not in out.columns:
            continue
        masked = out[column.name].map(MASKERS[column.mask])
        if column.mask_when is None:
            out[column.name] = masked
        else:
            out[column.name] = out[column.name].where(~out[column.mask_when].astype(bool), masked)
    return out
