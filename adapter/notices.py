"""Private notices to one agent in their sidebar, such as a thank-you when an issue they reported ships.

Only the agent they are for ever sees them; nothing counts or lists them per agent.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter import clock
from adapter.db import SCOPE_KEY
from adapter.db import insert_unless_exists
from adapter.models import AgentNotice

SHOWN = 10


def tell(session: Session, agent_id: str, kind: str, text: str, *, dedupe_key: str, url: str | None = None) -> None:
    """Leave a notice for `agent_id` (once per `dedupe_key`)."""
    values = {"installation_id": session.info[SCOPE_KEY], "agent_id": agent_id, "kind": kind, "text": text,
              "url": url, "dedupe_key": dedupe_key[:200], "created_at": clock.now()}
    insert_unless_exists(session, AgentNotice, values, ["installation_id", "dedupe_key"])


def waiting_for(session: Session, agent_id: str) -> list[AgentNotice]:
    """The agent's notices not yet dismissed, newest first."""
    return list(session.scalars(select(AgentNotice).where(AgentNotice.agent_id == agent_id,
                                                          AgentNotice.dismissed_at.is_(None))
                                .order_by(AgentNotice.id.desc()).limit(SHOWN)))


def dismiss(session: Session, agent_id: str, notice_id: int) -> bool:
    """Dismiss one of the agent's own notices; False when there is no such notice of theirs."""
    notice = session.get(AgentNotice, notice_id)
    if notice is None or notice.agent_id != agent_id:
        return False
    notice.dismissed_at = notice.dismissed_at or clock.now()
    return True
