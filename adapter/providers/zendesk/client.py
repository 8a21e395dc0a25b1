"""The Zendesk ticket client: zenpy for tickets, comments, tags and macros (account set-up is in provisioning.py)."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import datetime

import requests
from zenpy import Zenpy
from zenpy.lib.api_objects import Comment as ZenpyComment
from zenpy.lib.api_objects import Ticket as ZenpyTicket
from zenpy.lib.exception import APIException
from zenpy.lib.exception import ZenpyException

from adapter.errors import AuthError
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.errors import Rejected
from adapter.errors import Unavailable
from adapter.events import AGENT
from adapter.events import CUSTOMER
from adapter.events import SYSTEM
from adapter.providers.base import Agent
from adapter.providers.base import Comment
from adapter.providers.base import HttpApi
from adapter.providers.base import Macro
from adapter.providers.base import Ticket
from adapter.providers.base import error_for_status
from adapter.providers.base import html_to_text
from adapter.providers.base import numeric_id
from adapter.providers.endpoints import origin as vendor_origin
from adapter.providers.zendesk.constants import AGENT_ROLES
from adapter.providers.zendesk.constants import EMAIL_CREDENTIAL
from adapter.providers.zendesk.constants import NAME
from adapter.providers.zendesk.constants import OAUTH_CREDENTIAL
from adapter.providers.zendesk.constants import TOKEN_CREDENTIAL


def _raise_forvendor_errors(response: requests.Response, *args, **kwargs) -> None:
    # Runs inside requests before zenpy sees the response, so a 429 raises RateLimited with
    # Retry-After instead of zenpy's default of sleeping in the worker thread.
    error = error_for_status(NAME, response)
    if error is not None:
        raise error


def vendor_errors(method):
    """Map network and zenpy failures onto the error taxonomy."""

    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        try:
            return method(*args, **kwargs)
        except ProviderError:
            raise
        except (requests.ConnectionError, requests.Timeout):
            raise Unavailable("Zendesk could not be reached.", provider=NAME) from None
        except (APIException, ZenpyException) as exc:
            raise Rejected(f"Zendesk refused the request: {str(exc)[:200]}", provider=NAME) from None

    return wrapper


def origin(subdomain: str) -> str:
    """https://<subdomain>.zendesk.com, or the local fake that plays every subdomain in tests."""
    return vendor_origin(NAME, f"https://{subdomain}.zendesk.com")


def _ticket(ticket_id) -> int:
    return numeric_id(NAME, "ticket", ticket_id)


def _role(zendesk_role: str | None) -> str:
    if zendesk_role in AGENT_ROLES:
        return AGENT
    if zendesk_role == "end-user":
        return CUSTOMER
    return SYSTEM


class Client:
    """The Helpdesk protocol for one Zendesk account: tickets, comments, tags, macros and agents."""

    def __init__(self, subdomain: str, *, email: str | None = None, token: str | None = None,
                 oauth_token: str | None = None):
        self.subdomain = subdomain
        auth = None if oauth_token else (f"{email}/token", token)
        headers = {"Authorization": f"Bearer {oauth_token}"} if oauth_token else None
        self.http = HttpApi(NAME, f"{origin(subdomain)}/api/v2", auth=auth, headers=headers)
        self.http.session.hooks["response"].append(_raise_forvendor_errors)
        credentials = {"oauth_token": oauth_token} if oauth_token else {"email": email, "token": token}
        self.zenpy = Zenpy(subdomain=subdomain, session=self.http.session, timeout=20, **credentials)

    def ticket_url(self, ticket_id: str) -> str:
        """Where an agent opens this ticket."""
        return f"{origin(self.subdomain)}/agent/tickets/{ticket_id}"

    @vendor_errors
    def get_ticket(self, ticket_id: str) -> Ticket:
        """The ticket with requester, organization and assignee resolved in two batched calls."""
        ticket = self.zenpy.tickets(id=_ticket(ticket_id))
        people = [i for i in (ticket.requester_id, ticket.assignee_id) if i]
        users = {u.id: u for u in self.zenpy.users(ids=people)} if people else {}
        requester = users.get(ticket.requester_id)
        assignee = users.get(ticket.assignee_id)
        organization = self.zenpy.organizations(id=ticket.organization_id).name if ticket.organization_id else None
        return Ticket(
            id=str(ticket.id),
            subject=ticket.subject or "",
            status=ticket.status or "",
            requester_name=requester.name if requester else None,
            requester_email=requester.email if requester else None,
            requester_id=str(ticket.requester_id) if ticket.requester_id else None,
            organization=organization,
            assignee_id=str(ticket.assignee_id) if ticket.assignee_id else None,
            assignee_name=assignee.name if assignee else None,
            tags=tuple(ticket.tags or ()),
            url=self.ticket_url(str(ticket.id)),
        )

    @vendor_errors
    def list_comments(self, ticket_id: str) -> list[Comment]:
        """Every comment, public and private, oldest first, with the author's role."""
        comments = list(self.zenpy.tickets.comments(ticket=_ticket(ticket_id)))
        author_ids = sorted({c.author_id for c in comments if c.author_id and c.author_id > 0})
        authors = {u.id: u for u in self.zenpy.users(ids=author_ids)} if author_ids else {}
        result = []
        for c in comments:
            author = authors.get(c.author_id)
            result.append(
                Comment(
                    id=str(c.id),
                    ticket_id=str(ticket_id),
                    author_role=_role(author.role if author else None),
                    author_id=str(c.author_id) if c.author_id else None,
                    author_name=author.name if author else None,
                    body=c.plain_body or c.body or "",
                    public=bool(c.public),
                    created_at=_parse_time(c.created_at),
                )
            )
        return result

    @vendor_errors
    def add_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Add tags without touching the others (PUT /tickets/{id}/tags)."""
        list(self.zenpy.tickets.add_tags(_ticket(ticket_id), list(tags)))

    @vendor_errors
    def remove_tags(self, ticket_id: str, tags: list[str]) -> None:
        """Remove only the listed tags (DELETE /tickets/{id}/tags)."""
        list(self.zenpy.tickets.delete_tags(_ticket(ticket_id), list(tags)))

    @vendor_errors
    def add_private_note(self, ticket_id: str, body: str) -> None:
        """Add an internal comment the requester never sees."""
        self.zenpy.tickets.update(ZenpyTicket(id=_ticket(ticket_id), comment=ZenpyComment(body=body, public=False)))

    @vendor_errors
    def set_status(self, ticket_id: str, status: str) -> None:
        """Move the ticket to another status (reopen when an issue ships)."""
        self.zenpy.tickets.update(ZenpyTicket(id=_ticket(ticket_id), status=status))

    @vendor_errors
    def list_macros(self) -> list[Macro]:
        """Active macros that set a comment, with that comment's text."""
        macros = []
        for macro in self.zenpy.macros(active=True):
            body = _macro_comment(macro.actions or [])
            if body:
                macros.append(Macro(id=str(macro.id), title=macro.title or "", body=body))
        return macros

    @vendor_errors
    def list_agents(self) -> list[Agent]:
        """Agents and admins of the account."""
        data = self.http.json("GET", "users.json", params=[("role[]", "agent"), ("role[]", "admin")])
        return [_agent(u) for u in (data or {}).get("users", [])]

    @vendor_errors
    def get_user(self, user_id: str) -> Agent:
        """One user, with the role Zendesk reports (used to trust sidebar identities)."""
        return _agent((self.http.json("GET", f"users/{numeric_id(NAME, 'user', user_id)}.json") or {}).get("user") or {})

    @vendor_errors
    def me(self) -> Agent:
        """The user the credentials belong to."""
        return _agent((self.http.json("GET", "users/me.json") or {}).get("user") or {})

    @vendor_errors
    def iter_ticket_ids(self, since: datetime) -> Iterator[str]:
        """Ids of tickets updated since `since`, through the cursor-based incremental export."""
        params = {"start_time": int(since.timestamp())}
        path = "incremental/tickets/cursor.json"
        while True:
            data = self.http.json("GET", path, params=params) or {}
            for ticket in data.get("tickets", []):
                if ticket.get("status") != "deleted":
                    yield str(ticket["id"])
            if data.get("end_of_stream") or not data.get("after_cursor"):
                return
            params = {"cursor": data["after_cursor"]}


def _macro_comment(actions: list) -> str | None:
    for action in actions:
        if not isinstance(action, dict) or action.get("field") not in ("comment_value", "comment_value_html"):
            continue
        value = action.get("value")
        # comment_value is either the text or [channel, text].
        if isinstance(value, list):
            value = value[-1] if value else None
        if isinstance(value, str) and value.strip():
            return html_to_text(value) if action["field"] == "comment_value_html" else value.strip()
    return None


def _agent(user: dict) -> Agent:
    if not user.get("id"):
        raise NotFound("Zendesk returned no user.", provider=NAME)
    return Agent(id=str(user["id"]), name=user.get("name") or "", email=user.get("email"), role=user.get("role") or "")


def _parse_time(value) -> datetime | None:
    if isinstance(value, datetime):
        return value
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def client_for(installation, credentials) -> Client:
    """A Client from an installation's stored credentials.

    :raise AuthError: when Zendesk is not connected.
    """
    oauth = credentials.get(OAUTH_CREDENTIAL)
    email, token = credentials.get(EMAIL_CREDENTIAL), credentials.get(TOKEN_CREDENTIAL)
    if not oauth and not (email and token):
        raise AuthError(
            "Zendesk is not connected for this installation: an admin presses Connect in the console (or, self-hosted, "
            "runs `valuedesk installations connect zendesk`).",
            provider=NAME,
        )
    return Client(installation.account, email=email, token=token, oauth_token=oauth)
