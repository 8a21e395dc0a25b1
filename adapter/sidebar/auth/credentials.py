"""Valuedesk's own per-agent credentials, issued once the helpdesk vouched for the agent; the browser keeps the secret."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy import update
from sqlalchemy.orm import Session

from adapter import clock
from adapter.models import AgentCredential

# A credential nobody used for this long must be verified again (a lost laptop stops being trusted by itself).
IDLE_LIFETIME = timedelta(days=90)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue(session: Session, agent_id: str) -> tuple[AgentCredential, str]:
    """A new credential for `agent_id` in the session's installation, and its secret (stored only as a hash)."""
    secret = "vdc_" + secrets.token_urlsafe(32)
    credential = AgentCredential(agent_id=agent_id, secret_hash=_hash(secret))
    session.add(credential)
    session.flush()
    return credential, secret


def find(session: Session, secret: str | None) -> AgentCredential | None:
    """The live credential with this secret in the session's installation, or None (unknown, revoked or idle)."""
    if not secret or not secret.startswith("vdc_") or len(secret) > 100:
        return None
    credential = session.scalar(select(AgentCredential).where(AgentCredential.secret_hash == _hash(secret)))
    return credential if credential is not None and _live(credential) else None


def is_live(session: Session, credential_id: int | None) -> bool:
    """True while the credential a session was opened with is neither revoked nor idle too long."""
    if credential_id is None:
        return False
    credential = session.get(AgentCredential, credential_id)
    return credential is not None and _live(credential)


def _live(credential: AgentCredential) -> bool:
    return credential.revoked_at is None and credential.last_used_at + IDLE_LIFETIME > clock.now()


def revoke(session: Session, agent_id: str) -> int:
    """Revoke every credential of one agent in the session's installation; how many were live."""
    result = session.execute(update(AgentCredential).where(AgentCredential.agent_id == agent_id,
                                                           AgentCredential.revoked_at.is_(None))
                             .values(revoked_at=clock.now()).execution_options(synchronize_session=False))
    return result.rowcount
