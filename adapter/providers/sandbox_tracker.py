"""The playground's sandbox tracker: issues in our own database that stand in for Jira or Linear in `make run`.

It implements the same Tracker contract, so the playground shows a theme becoming an issue, tickets
linked to it, the hourly count comment, and the loop closing when a visitor marks the issue done.
`adapter.trackers.settings.client` never offers it to a real installation.
"""

from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.errors import NotFound
from adapter.models import SandboxIssue
from adapter.providers.base import CANCELLED
from adapter.providers.base import DONE
from adapter.providers.base import IN_PROGRESS
from adapter.providers.base import UNSTARTED
from adapter.providers.base import TrackerIssue
from adapter.providers.vendor import TRACKER
from adapter.providers.vendor import Vendor

NAME = "sandbox"
KEY_PREFIX = "VD"
STATUS_NAMES = {UNSTARTED: "To do", IN_PROGRESS: "In progress", DONE: "Done", CANCELLED: "Won't do"}


class Client:
    """The Tracker contract over the sandbox table, in the caller's transaction (a job that fails leaves no trace)."""

    name = NAME

    def __init__(self, session: Session, base_url: str = ""):
        self.session = session
        self.base_url = base_url.rstrip("/")

    def _row(self, key: str) -> SandboxIssue:
        row = self.session.scalar(select(SandboxIssue).where(SandboxIssue.key == key.upper()))
        if row is None:
            raise NotFound(f"The sandbox tracker has no issue {key}.", provider=NAME, http_status=404)
        return row

    def issue(self, row: SandboxIssue) -> TrackerIssue:
        """The contract's view of a sandbox row."""
        return TrackerIssue(key=row.key, id=str(row.id), title=row.title, url=f"{self.base_url}/playground/tracker#{row.key}",
                            status=STATUS_NAMES.get(row.state, row.state), category=row.state)

    def check(self) -> str:
        """Always reachable: it lives in our own database."""
        return "the playground's sandbox tracker"

    def create_issue(self, *, title: str, description: str, kind: str | None = None,
                     labels: tuple[str, ...] = (), request_id: str | None = None) -> TrackerIssue:
        """A new issue with the next VD-n key."""
        number = (self.session.scalar(select(func.count()).select_from(SandboxIssue)) or 0) + 1
        row = SandboxIssue(key=f"{KEY_PREFIX}-{number}", title=title[:250], description=description, kind=kind,
                           state=UNSTARTED, comments=[], links=[], request_id=request_id)
        self.session.add(row)
        self.session.flush()
        return self.issue(row)

    def created_before(self, request_id: str) -> TrackerIssue | None:
        """The issue an earlier create with this request id made, if any."""
        row = self.session.scalar(select(SandboxIssue).where(SandboxIssue.request_id == request_id))
        return self.issue(row) if row is not None else None

    def get_issue(self, key: str) -> TrackerIssue:
        """One issue by key."""
        return self.issue(self._row(key))

    def add_comment(self, key: str, body: str) -> None:
        """Append a comment."""
        row = self._row(key)
        row.comments = [*row.comments, {"body": body, "at": clock.now().isoformat()}]

    def link_ticket(self, key: str, *, global_id: str, url: str, title: str) -> None:
        """Add or update the link with this global id, as Jira does."""
        row = self._row(key)
        others = [link for link in row.links if link["global_id"] != global_id]
        row.links = [*others, {"global_id": global_id, "url": url, "title": title}]

    def unlink_ticket(self, key: str, *, global_id: str, url: str) -> None:
        """Remove the link with this global id."""
        row = self._row(key)
        row.links = [link for link in row.links if link["global_id"] != global_id]

    def issues_linked_to(self, *, global_id: str, url: str) -> list[TrackerIssue]:
        """Issues holding a link with this global id."""
        rows = self.session.scalars(select(SandboxIssue).order_by(SandboxIssue.id))
        return [self.issue(row) for row in rows if any(link["global_id"] == global_id for link in row.links)]


def key_of(text: str) -> str | None:
    """A sandbox key (VD-3) in what an agent pastes, including the playground tracker URL."""
    match = re.search(r"\b(VD-\d+)\b", text.strip().upper())
    return match.group(1) if match else None


def client_from(session: Session, settings, credentials) -> Client | None:
    """The sandbox tracker, when the playground is on."""
    config = current_app.config["VALUEDESK"]
    return Client(session, config.public_url) if config.playground else None


VENDOR = Vendor(name=NAME, display_name="sandbox tracker", long_name="the sandbox tracker", role=TRACKER,
                client_for=client_from, builtin=True, key_of=key_of,
                webhook_help=lambda url, secret, project="": "The playground's sandbox tracker needs no webhook.")
