"""The audit trail of money actions: filtering it and writing it as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import time
from datetime import timedelta

from sqlalchemy import Select
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.billing import policy as rules
from adapter.errors import InvalidInput
from adapter.models import BillingAction
from adapter.models import BillingAudit

# Every step the trail records, in the order a request goes through them.
EVENTS = ("confirmed", "approval_requested", "approved", "declined", "withdrawn", "succeeded", "failed", "refund_failed")
COLUMNS = ("created_at", "action_id", "event", "actor_name", "actor_verified", "ticket_id", "kind", "amount", "currency",
           "percent_off", "verdict", "approver_name", "external_ids", "detail")


@dataclass(frozen=True)
class AuditFilters:
    """Which audit rows to show: a date range (inclusive, UTC), a step, a kind of action and a ticket."""

    since: date | None = None
    until: date | None = None
    event: str = ""
    kind: str = ""
    ticket: str = ""

    @classmethod
    def from_args(cls, args) -> AuditFilters:
        """Read the filters from query arguments.

        :raise DomainError: InvalidInput naming the filter that is malformed.
        """
        dates = {}
        for name in ("since", "until"):
            value = args.get(name, "").strip()
            try:
                dates[name] = date.fromisoformat(value) if value else None
            except ValueError:
                raise InvalidInput(f"{name} must be a date like 2026-11-01.", code="invalid_filter", fields={name: "YYYY-MM-DD"}) from None
        kind = args.get("kind", "").strip()
        if kind and kind not in rules.KINDS:
            raise InvalidInput(f"kind is one of {', '.join(rules.KINDS)}.", code="invalid_filter", fields={"kind": "|".join(rules.KINDS)})
        event = args.get("event", "").strip()
        if event and event not in EVENTS:
            raise InvalidInput(f"There is no audit step {event!r}.", code="invalid_filter", fields={"event": "unknown"})
        return cls(since=dates["since"], until=dates["until"], event=event, kind=kind, ticket=args.get("ticket", "").strip()[:64])

    def as_args(self) -> dict[str, str]:
        """The filters that are set, as query arguments (for the CSV link)."""
        return {name: str(value) for name, value in vars(self).items() if value}

    def query(self) -> Select:
        """The matching audit rows, oldest first."""
        statement = select(BillingAudit).order_by(BillingAudit.id)
        if self.since:
            statement = statement.where(BillingAudit.created_at >= datetime.combine(self.since, time(), UTC))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time(), UTC)
            statement = statement.where(BillingAudit.created_at < end)
        if self.event:
            statement = statement.where(BillingAudit.event == self.event)
        if self.kind:
            statement = statement.where(BillingAudit.kind == self.kind)
        if self.ticket:
            statement = statement.where(BillingAudit.ticket_id == self.ticket.lstrip("#"))
        return statement


def latest(session: Session, filters: AuditFilters, limit: int) -> list[BillingAudit]:
    """The newest `limit` matching rows, newest first."""
    return list(session.scalars(filters.query().order_by(None).order_by(BillingAudit.id.desc()).limit(limit)))


def as_csv(session: Session, filters: AuditFilters) -> str:
    """The matching rows as CSV, oldest first (amounts in minor units)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    # The action's public id, never its internal number (one sequence across installations).
    rows = session.execute(filters.query().add_columns(BillingAction.public_id)
                           .outerjoin(BillingAction, BillingAction.id == BillingAudit.action_id))
    for row, public_id in rows:
        writer.writerow([_cell(value) for value in (
            row.created_at.isoformat(), public_id, row.event, row.actor_name, row.actor_verified, row.ticket_id,
            row.kind, row.amount,
            row.currency, row.percent_off, row.verdict, row.approver_name,
            ";".join(f"{k}={v}" for k, v in sorted(row.external_ids.items())), row.detail)])
    return buffer.getvalue()


def _cell(value):
    # Spreadsheets run cells that start with = + - @ as formulas; free text from agents must not.
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value
