"""The Freshdesk API v2 client over one requests session (API key as basic auth).

https://developers.freshdesk.com/api/
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import requests

from adapter.errors import AuthError
from adapter.errors import RateLimited
from adapter.errors import Unavailable
from adapter.events import AGENT
from adapter.events import CUSTOMER
from adapter.providers.base import Agent
from adapter.providers.base import Comment
from adapter.providers.base import HttpApi
from adapter.providers.base import Macro
from adapter.providers.base import Ticket
from adapter.providers.base import html_to_text
from adapter.providers.base import numeric_id
from adapter.providers.freshdesk.constants import ADMIN_ROLE_NAMES
from adapter.providers.freshdesk.constants import API_KEY_CREDENTIAL
from adapter.providers.freshdesk.constants import NAME
from adapter.providers.freshdesk.constants import STATUS_BY_NAME
from adapter.providers.freshdesk.constants import STATUS_CODES

PER_PAGE = 100
MAX_PAGES = 50
TAG_ATTEMPTS = 3


@dataclass
class RateBudget:
    """What Freshdesk's X-RateLimit headers last said for one account."""

    total: int
    remaining: int
    observed_at: float

    def reserve(self) -> int:
        """Calls kept back for interactive work (the sidebar) before jobs pause."""
        return max(3, self.total // 20)


# Shared by every client in this process, keyed by account, so jobs slow down together.
_budgets: dict[str, RateBudget] = {}
_budgets_lock = threading.Lock()


def _time(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def _ticket(ticket_id) -> int:
    return numeric_id(NAME, "ticket", ticket_id)


def _status(code) -> str:
    return STATUS_CODES.get(int(code), "pending") if str(code).isdigit() else "open"


class Client:
    """The Helpdesk protocol for one Freshdesk account."""

    def __init__(self, domain: str, api_key: str):
        self.domain = domain
        host = domain if "." in domain else f"{domain}.freshdesk.com"
        self.host = host
        self.http = HttpApi(NAME, f"https://{host}/api/v2", auth=(api_key, "X"))
        self.http.session.hooks["response"].append(self._observe_rate_limit)

    def _observe_rate_limit(self, response: requests.Response, *args, **kwargs) -> None:
        total, remaining = response.headers.get("X-RateLimit-Total"), response.headers.get("X-RateLimit-Remaining")
        if total and remaining and total.isdigit() and remaining.isdigit():
            with _budgets_lock:
                _budgets[self.host] = RateBudget(int(total), int(remaining), time.monotonic())

    def budget(self) -> RateBudget | None:
        """The last rate-limit reading for this account in this process."""
        return _budgets.get(self.host)

    def _call(self, method: str, path: str, *, background: bool = True, **kwargs):
        # Freshdesk's limit is per minute and per account; when a job would eat into the reserve,
        # it waits for the window to roll over instead of starving the agents' sidebar.
        budget = self.budget()
        if background and budget is not None:
            age = time.monotonic() - budget.observed_at
            if age < 60 and budget.remaining <= budget.reserve():
                raise RateLimited("Freshdesk rate budget nearly spent", retry_after=60 - age, provider=NAME)
        return self.http.request(method, path, **kwargs)

    def _json(self, method: str, path: str, **kwargs):
        response = self._call(method, path, **kwargs)
        return response.json() if response.content else None

    def _pages(self, path: str, params: dict | None = None) -> Iterator[dict]:
        params = {**(params or {}), "per_page": PER_PAGE, "page": 1}
        for _ in range(MAX_PAGES):
            response = self._call("GET", path, params=params)
            items = response.json() or []
            yield from items
            if "next" not in response.links:  # Freshdesk sends Link: <…page=N+1>; rel="next" while more exist
                return
            params["page"] += 1

    def ticket_url(self, ticket_id: str) -> str:
        """Where an agent opens this ticket."""
        return f"https://{self.host}/a/tickets/{ticket_id}"

    def me(self, *, with_role: bool = False) -> Agent:
        """The agent the API key belongs to (verifies the key); with_role also asks which roles administer the account."""
        data = self._json("GET", "agents/me", background=False) or {}
        if not with_role or not data.get("role_ids"):
            return _agent(data)
        try:
            admin_roles = self.admin_role_ids()
        except AuthError:  # the key worked for agents/me, so roles are refused to non-administrators (UNVERIFIED)
            admin_roles = set()
        return _agent(data, admin=bool(set(data["role_ids"]) & admin_roles))

    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with requester and company sideloaded, and the responder's name."""
        data = self._json("GET", f"tickets/{_ticket(ticket_id)}", params={"include": "requester,company"}) or {}
        requester = data.get("requester") or {}
        company = data.get("company") or {}
        responder = None
        if data.get("responder_id"):
            responder = _agent(self._json("GET", f"agents/{int(data['responder_id'])}") or {})
        return Ticket(
            id=str(data["id"]),
            subject=data.get("subject") or "",
            status=_status(data.get("status")),
            requester_name=requester.get("name"),
            requester_email=requester.get("email"),
            requester_id=str(data["requester_id"]) if data.get("requester_id") else None,
            organization=company.get("name"),
            assignee_id=str(data["responder_id"]) if data.get("responder_id") else None,
            assignee_name=responder.name if responder else None,
            tags=tuple(data.get("tags") or ()),
            url=self.ticket_url(str(data["id"])),
        )

    def list_comments(self, ticket_id: str) -> list[Comment]:
        """The ticket's description (the customer's first message) followed by every conversation, paged."""
        ticket = self._json("GET", f"tickets/{_ticket(ticket_id)}") or {}
        comments = [
            Comment(
                id=f"{ticket_id}-description",
                ticket_id=str(ticket_id),
                author_role=CUSTOMER,
                author_id=str(ticket.get("requester_id") or "") or None,
                author_name=None,
                body=ticket.get("description_text") or html_to_text(ticket.get("description")),
                public=True,
                created_at=_time(ticket.get("created_at")),
            )
        ]
        for c in self._pages(f"tickets/{_ticket(ticket_id)}/conversations"):
            comments.append(
                Comment(
                    id=str(c["id"]),
                    ticket_id=str(ticket_id),
                    author_role=CUSTOMER if c.get("incoming") else AGENT,
                    author_id=str(c["user_id"]) if c.get("user_id") else None,
                    author_name=None,
                    body=c.get("body_text") or html_to_text(c.get("body")),
                    public=not c.get("private", False),
                    created_at=_time(c.get("created_at")),
                )
            )
        return comments

    def add_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Add tags, keeping every tag already there (Freshdesk replaces the whole list on write)."""
        self._change_tags(ticket_id, lambda current: current + [t for t in tags if t not in current])

    def remove_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Remove only the listed tags."""
        unwanted = set(tags)
        self._change_tags(ticket_id, lambda current: [t for t in current if t not in unwanted])

    def _change_tags(self, ticket_id: str, change) -> None:
        # Read, compute, then re-read just before writing: if anyone changed the ticket in between,
        # start over from their version so their tags survive our write.
        for _ in range(TAG_ATTEMPTS):
            before = self._json("GET", f"tickets/{_ticket(ticket_id)}") or {}
            current = list(before.get("tags") or [])
            wanted = change(current)
            if wanted == current:
                return
            latest = self._json("GET", f"tickets/{_ticket(ticket_id)}") or {}
            if latest.get("updated_at") != before.get("updated_at") or latest.get("tags") != before.get("tags"):
                continue
            self._call("PUT", f"tickets/{_ticket(ticket_id)}", json={"tags": wanted})
            return
        raise Unavailable("The ticket kept changing while we updated its tags; will try again.", provider=NAME)

    def add_private_note(self, ticket_id: str, body: str) -> None:
        """Add a private note (HTML body) the requester never sees."""
        note = html.escape(body).replace("\n", "<br>")
        self._call("POST", f"tickets/{_ticket(ticket_id)}/notes", json={"body": note, "private": True})

    def set_status(self, ticket_id: str, status: str) -> None:
        """Move the ticket to another status (reopen when an issue ships)."""
        self._call("PUT", f"tickets/{_ticket(ticket_id)}", json={"status": STATUS_BY_NAME[status]})

    def list_macros(self) -> list[Macro]:
        """Canned responses (Freshdesk's macros) across every folder."""
        macros = []
        for folder in self._json("GET", "canned_response_folders") or []:
            for response in self._json("GET", f"canned_response_folders/{int(folder['id'])}/responses") or []:
                body = response.get("content") or html_to_text(response.get("content_html"))
                if body:
                    macros.append(Macro(id=str(response["id"]), title=response.get("title") or "", body=body))
        return macros

    def list_agents(self) -> list[Agent]:
        """Every agent of the account."""
        return [_agent(a) for a in self._pages("agents")]

    def get_agent(self, agent_id: str) -> Agent:
        """One agent, with role "admin" when Freshdesk makes them an administrator (to trust sidebar identities)."""
        data = self._json("GET", f"agents/{numeric_id(NAME, 'agent', agent_id)}", background=False) or {}
        return _agent(data, admin=bool(set(data.get("role_ids") or ()) & self.admin_role_ids()))

    def admin_role_ids(self) -> set[int]:
        """Ids of the account's built-in administrator roles (GET /roles; custom roles never count)."""
        roles = self._json("GET", "roles", background=False) or []
        return {role["id"] for role in roles if role.get("default") and role.get("name") in ADMIN_ROLE_NAMES}

    def iter_ticket_ids(self, since: datetime) -> Iterator[str]:
        """Ids of tickets updated since `since`, oldest first."""
        params = {"updated_since": since.strftime("%Y-%m-%dT%H:%M:%SZ"), "order_by": "updated_at", "order_type": "asc"}
        for ticket in self._pages("tickets", params):
            yield str(ticket["id"])


def _agent(data: dict, *, admin: bool = False) -> Agent:
    contact = data.get("contact") or {}
    return Agent(id=str(data.get("id", "")), name=contact.get("name") or "", email=contact.get("email"),
                 role="admin" if admin else "agent")


def client_for(installation, credentials) -> Client:
    """A Client from an installation's stored API key.

    :raise AuthError: when Freshdesk is not connected.
    """
    api_key = credentials.get(API_KEY_CREDENTIAL)
    if not api_key:
        raise AuthError("Freshdesk is not connected for this installation; run "
                        "`valuedesk installations connect freshdesk`.", provider=NAME)
    return Client(installation.account, api_key)
