"""The date window technology management accepts (lists and transfer cases).

A date before :data:`EARLIEST_DATE` or more than :data:`PLANNED_YEARS_AHEAD` years after
today is a typo (``0001-01-01``, ``9999-12-31``), not a plan: a designated-technology list
noticed in 2999 would be "the newest list" for ever, a case decided in 2999 never comes due.
"""

from __future__ import annotations

from datetime import date

#: No date on a list or a case may be earlier.
EARLIEST_DATE = date(1950, 1, 1)
#: A planned date (list notice, entry into force, decision) may be at most this many years
#: ahead of today.
PLANNED_YEARS_AHEAD = 10


def latest_planned_date(today: date) -> date:
    """The latest planned date accepted on ``today`` (:data:`PLANNED_YEARS_AHEAD` on)."""
    try:
        return today.replace(year=today.year + PLANNED_YEARS_AHEAD)
    except ValueError:  # 29 February
        return today.replace(year=today.year + PLANNED_YEARS_AHEAD, day=28)


def outside_window(when: date, today: date) -> str | None:
    """Why ``when`` is not a plausible planned date on ``today``, or None when it is."""
    if when < EARLIEST_DATE:
        return f"{when.isoformat()} is before {EARLIEST_DATE.isoformat()}"
    latest = latest_planned_date(today)
    if when > latest:
        return (f"{when.isoformat()} is more than {PLANNED_YEARS_AHEAD} years ahead "
                f"(latest: {latest.isoformat()})")
    return None
