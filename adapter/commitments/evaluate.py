"""Detecting promises in a batch of replies for evaluation: one result per line, with when each is due."""

from __future__ import annotations

from collections.abc import Iterable
from collections.abc import Iterator
from datetime import datetime
from zoneinfo import ZoneInfo
from zoneinfo import ZoneInfoNotFoundError

from adapter.commitments.detect import detect
from adapter.commitments.schedule import Schedule


def detect_lines(lines: Iterable[tuple[int, dict | None, str | None]], fixed: Schedule | None = None,
                 default_days: int = 1) -> Iterator[dict]:
    """For each (number, item, error) line: what the reply promises and when it is due, or {"id","error"}.

    Without a fixed schedule each line's own timezone gives calendar days that end at 23:59:59.
    """
    for _, item, error in lines:
        try:
            found = _detect_line(item, error, fixed, default_days)
        except ValueError as exc:
            yield {"id": (item or {}).get("id"), "error": str(exc) or "bad line"}
            continue
        yield {"id": item["id"], "promise": found.promise, "conditional": found.conditional, "vague": found.vague,
               "timed": found.timed, "due_text": found.due_text,
               "due_at": found.due_at.isoformat() if found.due_at else None,
               "sentence": found.sentence, "phrasing": found.phrasing}


def _detect_line(item: dict | None, error: str | None, fixed: Schedule | None, default_days: int):
    if error:
        raise ValueError(error)
    zone = str(item.get("timezone") or "UTC")
    try:
        schedule = fixed or Schedule.calendar(zone)
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown timezone {zone!r} (use an IANA name such as Europe/Berlin)") from None
    try:
        sent_at = datetime.fromisoformat(str(item["sent_at"]).replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"sent_at must be an ISO time like 2026-11-21T10:00:00Z, not {item['sent_at']!r}") from None
    if sent_at.tzinfo is None:
        sent_at = sent_at.replace(tzinfo=ZoneInfo(zone))
    return detect(str(item["text"]), sent_at, schedule, default_days=default_days)
