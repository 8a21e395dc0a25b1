"""The provider contract: value types, the Helpdesk protocol, and one HTTP session with our error taxonomy."""

from __future__ import annotations

import email.utils
import html
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any
from typing import Protocol

import requests
from urllib3.util.retry import Retry

from adapter.errors import AuthError
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.errors import RateLimited
from adapter.errors import Rejected
from adapter.errors import Unavailable
from adapter.providers import egress

DEFAULT_TIMEOUT = (5.0, 20.0)
# Metadata key on refunds and coupons naming the Valuedesk action that asked for them.
ACTION_METADATA = "valuedesk_action"


@dataclass(frozen=True)
class Ticket:
    """A helpdesk ticket as the domain sees it."""

    id: str
    subject: str
    status: str
    requester_name: str | None
    requester_email: str | None
    organization: str | None
    assignee_id: str | None
    assignee_name: str | None
    tags: tuple[str, ...]
    url: str
    requester_id: str | None = None


@dataclass(frozen=True)
class Comment:
    """One message on a ticket."""

    id: str
    ticket_id: str
    author_role: str
    author_id: str | None
    author_name: str | None
    body: str
    public: bool
    created_at: datetime | None


@dataclass(frozen=True)
class Macro:
    """A reusable reply (Zendesk macro, Freshdesk canned response)."""

    id: str
    title: str
    body: str


@dataclass(frozen=True)
class Agent:
    """A helpdesk user who answers tickets."""

    id: str
    name: str
    email: str | None = None
    role: str = "agent"


@dataclass(frozen=True)
class Delivery:
    """What the webhook view needs from a delivery before storing it."""

    delivery_id: str
    event_type: str


@dataclass
class TicketPage:
    """One page of tickets from a listing, with the cursor for the next page."""

    tickets: list[Ticket] = field(default_factory=list)
    next_cursor: str | None = None


class Helpdesk(Protocol):
    """What every helpdesk client offers the domain."""

    def get_ticket(self, ticket_id: str) -> Ticket: ...

    def list_comments(self, ticket_id: str) -> list[Comment]: ...

    def add_tags(self, ticket_id: str, tags: list[str]) -> None: ...

    def remove_tags(self, ticket_id: str, tags: list[str]) -> None: ...

    def add_private_note(self, ticket_id: str, body: str) -> None: ...

    def list_macros(self) -> list[Macro]: ...

    def list_agents(self) -> list[Agent]: ...

    def ticket_url(self, ticket_id: str) -> str: ...

    def set_status(self, ticket_id: str, status: str) -> None: ...

    def iter_ticket_ids(self, since: datetime) -> Iterable[str]: ...


@dataclass(frozen=True)
class BillingCustomer:
    """A customer in the billing system, matched to a ticket's requester by email."""

    id: str
    email: str | None
    name: str | None
    created_at: datetime | None = None


@dataclass(frozen=True)
class Charge:
    """A payment that can be refunded; amounts in integer minor units of `currency`."""

    id: str
    customer_id: str | None
    amount: int
    amount_refunded: int
    currency: str
    created_at: datetime | None
    description: str | None
    status: str
    payment_intent: str | None = None

    @property
    def refundable(self) -> int:
        """What is left to refund (0 for a payment that did not succeed)."""
        return max(self.amount - self.amount_refunded, 0) if self.status == "succeeded" else 0


@dataclass(frozen=True)
class Refund:
    """A refund as the billing system reports it."""

    id: str
    charge_id: str | None
    amount: int
    currency: str
    status: str  # pending, requires_action, succeeded, failed, canceled
    failure_reason: str | None = None
    action_ref: str | None = None  # our metadata: which Valuedesk action asked for it


@dataclass(frozen=True)
class Promotion:
    """A one-customer promotion code backed by a single-use coupon."""

    coupon_id: str
    promotion_code_id: str
    code: str
    expires_at: datetime | None


@dataclass(frozen=True)
class Credit:
    """A credit on the customer's balance, applied to their next invoice."""

    id: str
    amount: int
    currency: str


class Billing(Protocol):
    """What every billing client offers the refunds module (Stripe now; Chargebee or Paddle could follow)."""

    name: str

    def find_customers(self, email: str) -> list[BillingCustomer]: ...

    def get_customer(self, customer_id: str) -> BillingCustomer: ...

    def list_charges(self, customer_id: str, limit: int = 10) -> list[Charge]: ...

    def get_charge(self, charge_id: str) -> Charge: ...

    def refund(self, charge: Charge, amount: int, *, reason: str, metadata: dict[str, str],
               idempotency_key: str) -> Refund: ...

    def list_refunds(self, charge_id: str) -> list[Refund]: ...

    def create_promotion(self, customer_id: str, *, code: str, percent_off: int | None, amount_off: int | None,
                         currency: str | None, expires_at: datetime, metadata: dict[str, str],
                         idempotency_key: str) -> Promotion: ...

    def credit_balance(self, customer_id: str, amount: int, currency: str, *, description: str,
                       metadata: dict[str, str], idempotency_key: str) -> Credit: ...


# Where a tracker issue stands, whatever the tracker calls its workflow states.
UNSTARTED, IN_PROGRESS, DONE, CANCELLED = "unstarted", "in_progress", "done", "cancelled"


@dataclass(frozen=True)
class TrackerIssue:
    """A Jira or Linear issue as the sync sees it."""

    key: str  # SUP-12, ENG-123
    id: str
    title: str
    url: str
    status: str  # the tracker's own name for the state ("In Review")
    category: str  # UNSTARTED, IN_PROGRESS, DONE or CANCELLED


class Tracker(Protocol):
    """What every issue tracker offers the signal sync (Jira and Linear)."""

    name: str

    def check(self) -> str: ...

    def create_issue(self, *, title: str, description: str, kind: str | None = None,
                     labels: tuple[str, ...] = (), request_id: str | None = None) -> TrackerIssue: ...

    def created_before(self, request_id: str) -> TrackerIssue | None: ...

    def get_issue(self, key: str) -> TrackerIssue: ...

    def add_comment(self, key: str, body: str) -> None: ...

    def link_ticket(self, key: str, *, global_id: str, url: str, title: str) -> None: ...

    def unlink_ticket(self, key: str, *, global_id: str, url: str) -> None: ...

    def issues_linked_to(self, *, global_id: str, url: str) -> list[TrackerIssue]: ...


_BLOCK_TAG = re.compile(r"<\s*(br|/p|/div|/li|/h[1-6]|/tr)\b[^>]*>", re.IGNORECASE)
_ANY_TAG = re.compile(r"<[^>]+>")


def html_to_text(markup: str | None) -> str:
    """Plain text of a helpdesk HTML body: block ends become line breaks, other tags vanish."""
    if not markup:
        return ""
    text = html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", markup)))
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def numeric_id(provider: str, kind: str, value) -> int:
    """A vendor's numeric object id from what a URL or a person gave us.

    :raise NotFound: for anything but digits, naming what was looked for (a 404 with a message, not a crash).
    """
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise NotFound(f"{provider.capitalize()} {kind} ids are numbers; there is no {kind} {str(value)[:40]!r}.",
                       provider=provider, http_status=404)
    return int(text)


def retry_after_seconds(value: str | None, default: float = 60.0) -> float:
    """Parse a Retry-After header given as seconds or as an HTTP date."""
    if not value:
        return default
    try:
        return max(float(value), 1.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return default
    return max(when.timestamp() - time.time(), 1.0)


def error_for_status(provider: str, response: requests.Response) -> ProviderError | None:
    """Map a vendor HTTP response onto the error taxonomy; None when it succeeded."""
    status = response.status_code
    if status < 400:
        return None
    detail = _short_detail(response)
    if status in (401, 403):
        return AuthError(f"{provider} refused our credentials ({status}){detail}", provider=provider, http_status=status)
    if status == 404:
        return NotFound(f"{provider} has no such object{detail}", provider=provider, http_status=status)
    if status == 429:
        return RateLimited(
            f"{provider} is rate limiting us",
            retry_after=retry_after_seconds(response.headers.get("Retry-After")),
            provider=provider,
            http_status=status,
        )
    if status >= 500:
        return Unavailable(
            f"{provider} is unavailable ({status})",
            provider=provider,
            http_status=status,
            retry_after=retry_after_seconds(response.headers.get("Retry-After"), 30.0),
        )
    return Rejected(f"{provider} rejected the request ({status}){detail}", provider=provider, http_status=status)


def _short_detail(response: requests.Response) -> str:
    try:
        body: Any = response.json()
    except ValueError:
        return ""
    message = None
    if isinstance(body, dict):
        message = body.get("description") or body.get("message") or body.get("error")
        if isinstance(message, dict):
            message = message.get("message") or message.get("title")
        if message is None and isinstance(body.get("errors"), list | dict):
            message = str(body["errors"])[:200]
    return f": {str(message)[:200]}" if message else ""


class HttpApi:
    """One requests.Session per client with timeouts, connection retries and vendor errors mapped."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        *,
        auth: Any = None,
        headers: dict[str, str] | None = None,
        timeout: tuple[float, float] = DEFAULT_TIMEOUT,
        connect_retries: int = 2,
    ):
        self.provider = provider
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.last_response: requests.Response | None = None
        self.session = requests.Session()
        self.session.auth = auth
        self.session.headers.update({"User-Agent": "Valuedesk/0.1", "Accept": "application/json"})
        self.session.headers.update(headers or {})
        # Only connection failures are retried here; 429 and 5xx surface as RateLimited/Unavailable
        # so the job queue, not a sleeping worker, decides when to try again.
        retry = Retry(total=connect_retries, connect=connect_retries, read=0, status=0, redirect=0,
                      backoff_factor=0.3, allowed_methods=None, raise_on_status=False)
        egress.mount(self.session, max_retries=retry)

    def url(self, path: str) -> str:
        """Absolute URL for a path relative to the API base."""
        return path if path.startswith(("http://", "https://")) else f"{self.base_url}/{path.lstrip('/')}"

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        """Send a request; raise our error taxonomy for failures.

        :raise ProviderError: AuthError, NotFound, RateLimited, Unavailable or Rejected.
        """
        kwargs.setdefault("timeout", self.timeout)
        try:
            response = self.session.request(method, self.url(path), **kwargs)
        except (requests.ConnectionError, requests.Timeout):
            # One message for every way of not getting through (refused, closed, timed out, not a public address),
            # so an error never tells a closed port from an open one.
            raise Unavailable(f"{self.provider} could not be reached.", provider=self.provider) from None
        self.last_response = response
        error = error_for_status(self.provider, response)
        if error is not None:
            raise error
        return response

    def json(self, method: str, path: str, **kwargs: Any) -> Any:
        """Send a request and decode its JSON body (None for an empty body)."""
        response = self.request(method, path, **kwargs)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise Unavailable(f"{self.provider} answered with something that is not JSON",
                              provider=self.provider, http_status=response.status_code) from None
