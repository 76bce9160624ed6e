"""The audit trail (全过程留痕): one call, `record(...)`, for every view, drill, export, unmask, ticket transition,
permission change and denial. Issue 4 stores it append-only in the application-state store; until then events go
to the `cockpit.audit` logger so callers can already be written against the final signature.
"""

from __future__ import annotations

import logging
from typing import Any

_log = logging.getLogger("cockpit.audit")


def record(action: str, *, page: str | None = None, region: str | None = None, params: dict[str, Any] | None = None,
           rows: int | None = None, detail: str | None = None, outcome: str = "ok") -> None:
    """Append one audit event for the current user (never pass personal data unmasked in `params` or `detail`)."""
    _log.info("%s page=%s region=%s params=%s rows=%s outcome=%s %s", action, page, region, params, rows, outcome,
              detail or "")
