"""Months as dates: the half-open date range of a run of months (what a sargable filter on a fact's date needs)
and a month's last day. One place, so every query and rule draws the same boundary."""

from __future__ import annotations

import calendar
import datetime as dt


def month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def month_after(year: int, month: int) -> dt.date:
    """The first day of the month after `month` of `year` (January of the next year after December)."""
    return dt.date(year + month // 12, month % 12 + 1, 1)


def month_end(year: int, month: int) -> dt.date:
    """The last day of `month` of `year`."""
    return dt.date(year, month, calendar.monthrange(year, month)[1])


def months_bounds(year: int, first_month: int, last_month: int) -> tuple[dt.date, dt.date]:
    """[first day of `first_month`, first day after `last_month`) of `year`."""
    return month_start(year, first_month), month_after(year, last_month)
