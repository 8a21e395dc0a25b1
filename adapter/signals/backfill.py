"""Backfill: read the helpdesk's recent tickets and create suggestions (never confirmed signals), resumably."""

from __future__ import annotations

import re
from collections.abc import Callable
from collections.abc import Iterable
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.errors import InvalidInput
from adapter.events import CUSTOMER
from adapter.models import BackfillRun
from adapter.models import Installation
from adapter.signals import history
from adapter.signals import service

_AGE = re.compile(r"^(\d{1,4})([dw])$")
KIND = "signals"


def parse_since(value: str, now: datetime) -> datetime:
    """'90d', '12w' or an ISO date as a UTC moment.

    :raise DomainError: InvalidInput for anything else.
    """
    value = value.strip().lower()
    match = _AGE.match(value)
    if match:
        amount, unit = int(match.group(1)), match.group(2)
        return now - (timedelta(days=amount) if unit == "d" else timedelta(weeks=amount))
    try:
        return datetime.combine(date.fromisoformat(value), time.min, tzinfo=UTC)
    except ValueError:
        raise InvalidInput(f"--since must look like 90d, 12w or 2026-01-31, not {value!r}.", code="invalid_since") from None


def start_or_resume(session: Session, since: datetime, *, restart: bool = False) -> BackfillRun:
    """The unfinished run for this start date, or a new one (tenant session)."""
    run = session.scalar(select(BackfillRun).where(BackfillRun.kind == KIND, BackfillRun.since == since,
                                                   BackfillRun.status != "done").order_by(BackfillRun.id.desc()))
    if run is None or restart:
        run = BackfillRun(kind=KIND, since=since)
        session.add(run)
    run.status, run.error = "running", None
    session.flush()
    return run


def remaining(ticket_ids: list[str], run: BackfillRun) -> list[str]:
    """The ticket ids a resumed run still has to read."""
    if run.last_ticket_id is None or run.last_ticket_id not in ticket_ids:
        return ticket_ids
    return ticket_ids[ticket_ids.index(run.last_ticket_id) + 1:]


def backfill_ticket(session: Session, installation: Installation, helpdesk, ticket_id: str, since: datetime) -> int:
    """Suggest signals for a ticket's customer messages written since `since`; how many new suggestions.

    The ticket's tags and customer text are kept as history, for mapping tags to signal types and
    bootstrapping the installation's model (`valuedesk signals tags`, `valuedesk signals bootstrap`).
    """
    created = 0
    comments = helpdesk.list_comments(ticket_id)
    for comment in comments:
        if comment.author_role != CUSTOMER or not comment.public:
            continue
        if comment.created_at is not None and comment.created_at < since:
            continue
        created += len(service.suggest(session, installation, ticket_id, comment.id, comment.body))
    text = history.customer_text(comments)
    if text:
        history.record(session, ticket_id, helpdesk.get_ticket(ticket_id).tags, text)
    return created


def run(session: Session, installation: Installation, helpdesk, ticket_ids: Iterable[str], backfill: BackfillRun,
        progress: Callable[[str], None] = lambda ticket_id: None) -> BackfillRun:
    """Process tickets in order, committing after each so an interruption resumes where it stopped."""
    try:
        for ticket_id in ticket_ids:
            backfill.suggestions += backfill_ticket(session, installation, helpdesk, ticket_id, backfill.since)
            backfill.processed += 1
            backfill.last_ticket_id = ticket_id
            session.commit()
            progress(ticket_id)
    except Exception as exc:
        session.rollback()
        backfill.status, backfill.error = "failed", f"{type(exc).__name__}: {getattr(exc, 'message', '')}"[:500]
        session.commit()
        raise
    backfill.status, backfill.finished_at = "done", clock.now()
    session.commit()
    return backfill
