"""The one source of "now": the wall clock, plus the playground's fast-clock offset in development.

`wall()` is the real time, for anything an outside party's clock must agree with (signature windows).
`now()` is the service's time: the wall clock moved forward by the playground's fast clock, which web and
worker share through a small file in the data folder. Production (no playground) has no offset.
"""

from __future__ import annotations

import os
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta
from pathlib import Path

_offset_file: Path | None = None
_cached: tuple[float, timedelta] = (-1.0, timedelta(0))


def wall() -> datetime:
    """The real current moment as an aware UTC datetime."""
    return datetime.now(UTC)


def now() -> datetime:
    """The service's current moment (aware, UTC): the wall clock plus the fast clock's offset."""
    return wall() + offset()


def use_offset_file(path: Path | None) -> None:
    """Let the fast clock keep its offset in `path` (the playground's data folder), or turn it off with None."""
    global _offset_file, _cached
    _offset_file, _cached = path, (-1.0, timedelta(0))


def offset() -> timedelta:
    """How far the fast clock has moved the service's time ahead of the wall clock."""
    global _cached
    if _offset_file is None:
        return timedelta(0)
    try:
        modified = os.stat(_offset_file).st_mtime
    except FileNotFoundError:
        return timedelta(0)
    if modified != _cached[0]:
        try:
            seconds = int(_offset_file.read_text().strip() or 0)
        except (OSError, ValueError):  # half-written by another process: read it next time
            return _cached[1]
        _cached = (modified, timedelta(seconds=seconds))
    return _cached[1]


def skip_ahead(delta: timedelta) -> timedelta:
    """Move the service's time forward by `delta` (the playground's fast clock); returns the new offset.

    :raise RuntimeError: when no offset file is configured (the playground is off).
    """
    if _offset_file is None:
        raise RuntimeError("The fast clock only runs with the playground.")
    total = offset() + delta
    partial = _offset_file.with_suffix(".tmp")
    partial.write_text(str(int(total.total_seconds())))
    os.replace(partial, _offset_file)  # atomic, so the worker never reads half a number
    return total


def reset_offset() -> None:
    """Bring the service's time back to the wall clock."""
    if _offset_file is not None:
        _offset_file.unlink(missing_ok=True)


def monday_of(day: date) -> date:
    """The Monday that starts `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def weeks_before(end: datetime, weeks: int) -> list[date]:
    """The Mondays of the `weeks` ISO weeks up to `end` (exclusive), oldest first."""
    last = monday_of((end - timedelta(seconds=1)).date())
    return [last - timedelta(weeks=weeks - 1 - i) for i in range(weeks)]
