"""Personal data on screen, in exports and in every callback response: masked unless the user may see it.

ID numbers keep the first 3 and last 4 characters (`430***********1234`), bank accounts the last 4 digits
(`****1234`), a person's name its first character. Masking happens on the server, before data leaves it.
"""

from __future__ import annotations

from typing import overload

import pandas as pd

from dashboard.core.scope import User


@overload
def mask_id_number(value: str) -> str: ...
@overload
def mask_id_number(value: None) -> None: ...
def mask_id_number(value: str | None) -> str | None:
    if value is None or pd.isna(value):
        return value
    text = str(value)
    if len(text) <= 7:
        return "*" * len(text)
    return text[:3] + "*" * (len(text) - 7) + text[-4:]


@overload
def mask_account(value: str) -> str: ...
@overload
def mask_account(value: None) -> None: ...
def mask_account(value: str | None) -> str | None:
    if value is None or pd.isna(value):
        return value
    digits = str(value).replace(" ", "")
    return "****" + digits[-4:] if len(digits) > 4 else "*" * len(digits)


@overload
def mask_name(value: str) -> str: ...
@overload
def mask_name(value: None) -> None: ...
def mask_name(value: str | None) -> str | None:
    if value is None or pd.isna(value):
        return value
    text = str(value)
    return text[:1] + "*" * max(len(text) - 1, 1)


MASKERS = {"id_number": mask_id_number, "account": mask_account, "name": mask_name}


def mask_frame(frame: pd.DataFrame, columns: dict[str, str], user: User | None) -> pd.DataFrame:
    """`frame` with `columns` ({column: 'id_number' | 'account' | 'name'}) masked unless `user.may_unmask`."""
    if user is not None and user.may_unmask:
        return frame
    out = frame.copy()
    for column, kind in columns.items():
        if column in out.columns:
            out[column] = out[column].map(MASKERS[kind])
    return out


def may_reveal(user: User | None, reason: str | None) -> bool:
    """Whether `reveal` would unmask for `user` with `reason`: the permission and a reason of at least
    UNMASK_REASON_MIN_LENGTH characters."""
    from dashboard.core import settings

    return (
        user is not None and user.may_unmask and len((reason or "").strip()) >= settings.get("UNMASK_REASON_MIN_LENGTH")
    )
