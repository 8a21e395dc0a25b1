"""Checking a batch of drafts for copy-paste, each against the lines before it, for evaluation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from collections.abc import Iterator

from sqlalchemy.orm import Session

from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.models import Installation
from adapter.replies import service


def check_lines(session: Session, installation: Installation,
                lines: Iterable[tuple[int, dict | None, str | None]]) -> Iterator[dict]:
    """For each (number, item, error) line: {"id","warnings","similar"}, or {"id","error"}; each line is its own ticket.

    Every line that checks is stored as a sent reply, so later lines are compared with it.
    """
    for number, item, error in lines:
        line_id = (item or {}).get("id")
        try:
            if error:
                raise ValueError(error)
            text, agent = str(item["text"]), item.get("agent")
            ticket = f"line-{number}"
            result = service.check(session, installation, ticket_id=ticket, agent_id=agent, draft=text,
                                   customer_message=item.get("customer_message"))
        except (ValueError, ApiError, DomainError) as exc:
            yield {"id": line_id, "error": getattr(exc, "message", None) or str(exc)}
            continue
        service.record_reply(session, ticket_id=ticket, comment_id=json.dumps(line_id), agent_id=agent, text=text)
        yield {"id": line_id, "warnings": [w.as_dict() for w in result.warnings],
               "similar": [json.loads(m.comment_id) for m in result.matches]}
