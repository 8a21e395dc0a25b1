"""Linear: issues, comments and ticket attachments over GraphQL (always with variables), and signed webhooks.

Schema: https://github.com/linear/linear/blob/master/packages/sdk/src/schema.graphql
Webhooks: https://linear.app/developers/webhooks
Rate limits: https://linear.app/developers/rate-limiting
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Callable
from collections.abc import Mapping
from datetime import UTC
from datetime import datetime
from datetime import timedelta

from adapter import oauth
from adapter.errors import AuthError
from adapter.errors import InvalidInput
from adapter.errors import MalformedDelivery
from adapter.errors import NotFound
from adapter.errors import NotOnPlan
from adapter.errors import RateLimited
from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.errors import UnsupportedEvent
from adapter.events import TrackerIssueChanged
from adapter.oauth import OAuthApp
from adapter.providers import endpoints
from adapter.providers.base import CANCELLED
from adapter.providers.base import DONE
from adapter.providers.base import IN_PROGRESS
from adapter.providers.base import UNSTARTED
from adapter.providers.base import Delivery
from adapter.providers.base import HttpApi
from adapter.providers.base import TrackerIssue
from adapter.providers.vendor import TRACKER
from adapter.providers.vendor import Vendor
from adapter.security import JsonTooDeep
from adapter.security import constant_time_equals
from adapter.security import hmac_sha256_hex
from adapter.security import loads_bounded
from adapter.security import within_window

NAME = "linear"
API_URL = "https://api.linear.app"
APP_URL = "https://linear.app"  # the consent page; the token endpoints live on the API host
KEY_CREDENTIAL = "linear_api_key"
OAUTH_CREDENTIAL = "linear_oauth_token"
SECRET_CREDENTIAL = "linear_webhook_secret"
SIGNATURE_HEADER = "Linear-Signature"
TIMESTAMP_HEADER = "Linear-Timestamp"
DELIVERY_HEADER = "Linear-Delivery"
STORED_HEADERS = ("Content-Type", DELIVERY_HEADER, TIMESTAMP_HEADER)
TOLERANCE = timedelta(seconds=60)
EVENT_TYPES = ("Issue.update", "Issue.remove")
IGNORED_EVENT_TYPES = ("Issue.create", "Comment.create", "Comment.update", "Attachment.create")
STATE_CATEGORIES = {"triage": UNSTARTED, "backlog": UNSTARTED, "unstarted": UNSTARTED, "started": IN_PROGRESS,
                    "completed": DONE, "canceled": CANCELLED}

_ISSUE = "id identifier title url state { name type }"
CREATE_ISSUE = f"""mutation CreateIssue($input: IssueCreateInput!) {{
  issueCreate(input: $input) {{ success issue {{ {_ISSUE} }} }}
}}"""
GET_ISSUE = f"query Issue($id: String!) {{ issue(id: $id) {{ {_ISSUE} }} }}"
CREATE_COMMENT = """mutation Comment($input: CommentCreateInput!) { commentCreate(input: $input) { success } }"""
LINK_URL = """mutation Link($issueId: String!, $url: String!, $title: String) {
  attachmentLinkURL(issueId: $issueId, url: $url, title: $title) { success attachment { id } }
}"""
ATTACHMENTS_FOR_URL = f"""query Linked($url: String!) {{
  attachmentsForURL(url: $url) {{ nodes {{ id issue {{ {_ISSUE} }} }} }}
}}"""
WHO_AM_I = """query Check($teamId: String!) { viewer { name } team(id: $teamId) { key name } }"""
TEAMS = """query Teams { teams(first: 100) { nodes { id key name } } }"""
CREATE_WEBHOOK = """mutation Hook($input: WebhookCreateInput!) { webhookCreate(input: $input) { success webhook { id secret } } }"""
DELETE_WEBHOOK = """mutation Unhook($id: String!) { webhookDelete(id: $id) { success } }"""
WEBHOOK_RESOURCES = ["Issue"]  # issue state changes close the loop; nothing else is read
DELETE_ATTACHMENT = """mutation Unlink($id: String!) { attachmentDelete(id: $id) { success } }"""
UPSERT_CUSTOMER = """mutation Customer($input: CustomerUpsertInput!) {
  customerUpsert(input: $input) { success customer { id } }
}"""
CREATE_NEED = """mutation Need($input: CustomerNeedCreateInput!) { customerNeedCreate(input: $input) { success need { id } } }"""
# How Linear says a client-chosen id is taken (UNVERIFIED wording: a re-sent create must count as done, not fail).
_ALREADY_EXISTS = ("already exists", "duplicate")


class Client:
    """The Tracker contract over one Linear workspace, for one team."""

    name = NAME

    def __init__(self, *, team_id: str, api_key: str | None = None, oauth_token: str | None = None,
                 label_ids: Mapping[str, str] | None = None):
        if not (api_key or oauth_token):
            raise AuthError("Linear is not connected: give an API key or an OAuth token.", provider=NAME)
        # A personal API key goes in Authorization as is; an OAuth token as a Bearer token.
        authorization = api_key if api_key else f"Bearer {oauth_token}"
        self.team_id, self.label_ids = team_id, dict(label_ids or {})
        self.api = HttpApi(NAME, endpoints.origin(NAME, API_URL),
                           headers={"Authorization": authorization, "Content-Type": "application/json"})

    def graphql(self, query: str, variables: dict) -> dict:
        """Run one GraphQL operation and return its data; GraphQL errors become our error taxonomy."""
        body = self.api.json("POST", "graphql", data=json.dumps({"query": query, "variables": variables}))
        errors = (body or {}).get("errors") or []
        if errors:
            raise _error(errors)
        return body.get("data") or {}

    def check(self) -> str:
        """Who we are and that the team exists; a line for the admin.

        :raise AuthError: for a refused key; NotFound for an unknown team.
        """
        data = self.graphql(WHO_AM_I, {"teamId": self.team_id})
        team = data.get("team")
        if not team:
            raise NotFound(f"Linear has no team {self.team_id}.", provider=NAME, http_status=404)
        return f"{(data.get('viewer') or {}).get('name') or 'API user'}, team {team.get('key')} ({team.get('name')})"

    def create_issue(self, *, title: str, description: str, kind: str | None = None,
                     labels: tuple[str, ...] = (), request_id: str | None = None) -> TrackerIssue:
        """Create an issue in the team; `kind` picks a label id from the connection's mapping.

        `request_id` (a UUID v4) becomes the issue's own id, so a retried create cannot make a second issue.
        """
        label_ids = [self.label_ids[k] for k in (kind, *labels) if k and k in self.label_ids]
        fields = {"teamId": self.team_id, "title": title[:250], "description": description, "labelIds": label_ids}
        if request_id:
            fields["id"] = request_id
        data = self.graphql(CREATE_ISSUE, {"input": fields})
        payload = data.get("issueCreate") or {}
        if not payload.get("success") or not payload.get("issue"):
            raise Rejected("Linear did not create the issue.", provider=NAME)
        return _issue(payload["issue"])

    def created_before(self, request_id: str) -> TrackerIssue | None:
        """The issue an earlier attempt with this request id created, if any."""
        try:
            return self.get_issue(request_id)
        except NotFound:
            return None

    def get_issue(self, key: str) -> TrackerIssue:
        """An issue by identifier (ENG-123) or id."""
        issue = self.graphql(GET_ISSUE, {"id": key}).get("issue")
        if not issue:
            raise NotFound(f"Linear has no issue {key}.", provider=NAME, http_status=404)
        return _issue(issue)

    def add_comment(self, key: str, body: str) -> None:
        """Comment on the issue (markdown)."""
        self.graphql(CREATE_COMMENT, {"input": {"issueId": key, "body": body}})

    def link_ticket(self, key: str, *, global_id: str, url: str, title: str) -> None:
        """Attach the ticket URL; Linear keys attachments by URL, so linking twice updates one attachment."""
        self.graphql(LINK_URL, {"issueId": key, "url": url, "title": title[:250]})

    def unlink_ticket(self, key: str, *, global_id: str, url: str) -> None:
        """Remove the ticket's attachment from the issue."""
        for node in self.graphql(ATTACHMENTS_FOR_URL, {"url": url}).get("attachmentsForURL", {}).get("nodes", []):
            issue = node.get("issue") or {}
            if key in (issue.get("identifier"), issue.get("id")):
                self.graphql(DELETE_ATTACHMENT, {"id": node["id"]})

    def teams(self) -> list[dict]:
        """The teams this token can create issues in: [{id, key, name}], by name."""
        nodes = (self.graphql(TEAMS, {}).get("teams") or {}).get("nodes") or []
        return sorted(({"id": n["id"], "key": n.get("key") or "", "name": n.get("name") or ""} for n in nodes
                       if isinstance(n, dict) and n.get("id")), key=lambda team: team["name"].lower())

    def create_webhook(self, *, url: str, team_id: str, secret: str, label: str) -> tuple[str, str]:
        """Subscribe `url` to the team's issue changes, signed with `secret`; (webhook id, the secret Linear signs with)."""
        fields = {"url": url, "teamId": team_id, "resourceTypes": WEBHOOK_RESOURCES, "secret": secret, "label": label,
                  "enabled": True}
        payload = self.graphql(CREATE_WEBHOOK, {"input": fields}).get("webhookCreate") or {}
        hook = payload.get("webhook") or {}
        if not payload.get("success") or not hook.get("id"):
            raise Rejected("Linear did not create the webhook.", provider=NAME)
        return hook["id"], hook.get("secret") or secret  # it keeps a given secret; one it made would come back here

    def delete_webhook(self, webhook_id: str) -> bool:
        """Delete a webhook; False when Linear no longer has it."""
        try:
            return bool((self.graphql(DELETE_WEBHOOK, {"id": webhook_id}).get("webhookDelete") or {}).get("success"))
        except NotFound:
            return False

    def add_customer_need(self, key: str, *, need_id: str, url: str, body: str, customer_id: str | None,
                          customer_name: str | None) -> bool:
        """Record the ticket as a customer request on the issue, from `customer_id` (upserted first); False if it was there.

        `need_id` (UUID v4) is chosen by the caller, so a repeat of the same ticket and issue is recognised by Linear.

        :raise NotOnPlan: the workspace's plan has no customer requests.
        """
        fields = {"id": need_id, "issueId": key, "body": body, "attachmentUrl": url}
        if customer_id:
            self.graphql(UPSERT_CUSTOMER, {"input": {"externalId": customer_id, "name": customer_name or customer_id}})
            fields["customerExternalId"] = customer_id
        try:
            payload = self.graphql(CREATE_NEED, {"input": fields}).get("customerNeedCreate") or {}
        except Rejected as exc:
            if isinstance(exc, NotOnPlan) or not any(words in exc.message.lower() for words in _ALREADY_EXISTS):
                raise
            return False
        if not payload.get("success"):
            raise Rejected("Linear did not create the customer request.", provider=NAME)
        return True

    def issues_linked_to(self, *, global_id: str, url: str) -> list[TrackerIssue]:
        """Issues with an attachment for this ticket URL."""
        nodes = self.graphql(ATTACHMENTS_FOR_URL, {"url": url}).get("attachmentsForURL", {}).get("nodes", [])
        return [_issue(node["issue"]) for node in nodes if node.get("issue")]


def _issue(raw: dict) -> TrackerIssue:
    state = raw.get("state") or {}
    return TrackerIssue(key=raw.get("identifier") or raw["id"], id=raw["id"], title=raw.get("title") or "",
                        url=raw.get("url") or "", status=state.get("name") or "",
                        category=STATE_CATEGORIES.get(state.get("type"), UNSTARTED))


def _error(errors: list) -> Exception:
    first = errors[0] if isinstance(errors[0], dict) else {"message": str(errors[0])}
    extensions = first.get("extensions") if isinstance(first.get("extensions"), dict) else {}
    kind = str(extensions.get("type") or extensions.get("code") or "").lower()
    message = str(extensions.get("userPresentableMessage") or first.get("message") or "GraphQL error")[:200]
    if kind.replace("_", " ") == "feature not accessible":  # the plan lacks it (type names: the SDK's error.ts)
        return NotOnPlan(f"Linear's plan for this workspace does not include it: {message}", provider=NAME)
    if "ratelimit" in kind.replace("_", ""):
        return RateLimited(f"Linear is rate limiting us: {message}", retry_after=60.0, provider=NAME)
    if "authentication" in kind or "forbidden" in kind:
        return AuthError(f"Linear refused our credentials: {message}", provider=NAME)
    if "not found" in message.lower() or "entity not found" in message.lower():
        return NotFound(f"Linear: {message}", provider=NAME, http_status=404)
    return Rejected(f"Linear refused the request: {message}", provider=NAME)


def key_of(text: str) -> str | None:
    """The issue identifier in what an agent pastes: ENG-123 or https://linear.app/acme/issue/ENG-123/slug."""
    match = re.search(r"(?:^|/issue/)([A-Za-z][A-Za-z0-9]*-\d+)\b", text.strip())
    return match.group(1).upper() if match else None


def client_for(session, settings: Mapping, credentials) -> Client:
    """A Client on the API key, else a pasted OAuth token, else the *Connect Linear* grant (refreshed when due)."""
    api_key, token = credentials.get(KEY_CREDENTIAL), credentials.get(OAUTH_CREDENTIAL)
    if not (api_key or token) and getattr(credentials, "installation_id", None) and credentials.get(OAUTH.credential):
        token = oauth.access_token(session, credentials.installation_id, OAUTH)
    return Client(team_id=settings["team_id"], api_key=api_key, oauth_token=token,
                  label_ids=settings.get("label_ids") or {})


# What happens after consent and before revocation is tracker logic (the team, the webhook, the settings): the tracker
# feature registers it at start (`on_connect`), so this module never imports a layer above it.
_hooks: dict[str, Callable] = {}


def on_connect(connected: Callable, disconnecting: Callable) -> None:
    """Set the OAuth hooks: connected(session, installation, tokens), disconnecting(session, installation)."""
    _hooks.update(connected=connected, disconnecting=disconnecting)


OAUTH = OAuthApp(
    vendor=NAME, display_name="Linear",
    authorize_url=lambda account: endpoints.origin(NAME, APP_URL) + "/oauth/authorize",
    token_url=lambda account: endpoints.origin(NAME, API_URL) + "/oauth/token",
    revoke_url=lambda account: endpoints.origin(NAME, API_URL) + "/oauth/revoke",
    # write covers issues, comments, attachments and customer needs (issues:create and comments:create name the first
    # two for consent); admin because only admins, or apps granted admin, may create and delete webhooks.
    scopes=("read", "write", "issues:create", "comments:create", "admin"), scope_separator=",",
    extra_params={"actor": "app"},  # issues and customer needs are created by the app, not the approving person
    consent_origin=APP_URL,
    connected=lambda session, installation, tokens: _hooks["connected"](session, installation, tokens),
    disconnecting=lambda session, installation: _hooks["disconnecting"](session, installation),
)


# Webhooks


def sign(secret: str, body: bytes) -> str:
    """The Linear-Signature for a body: hex HMAC-SHA256 of the raw bytes."""
    return hmac_sha256_hex(secret, body)


def verify(headers: Mapping[str, str], body: bytes, secret: str, now: datetime) -> None:
    """Check Linear-Signature over the raw body and that the body's own webhookTimestamp is at most 60 s old.

    Only the signed body's time counts, as in Linear's SDK (LinearWebhookClient): the Linear-Timestamp header is
    not signed, so a captured body resent with a fresh header would otherwise pass.

    :raise SignatureError: on a missing, wrong or stale signature; MalformedDelivery for a signed body that is not
        a JSON object.
    """
    if not constant_time_equals(sign(secret, body), (headers.get(SIGNATURE_HEADER) or "").lower()):
        raise SignatureError(f"{SIGNATURE_HEADER} is missing or does not match the body.")
    try:
        payload = loads_bounded(body)
    except JsonTooDeep as exc:
        raise MalformedDelivery(str(exc)) from None
    except ValueError:
        raise MalformedDelivery("The body is not valid JSON.") from None
    if not isinstance(payload, dict):
        raise MalformedDelivery("The body must be a JSON object.")
    stamp = payload.get("webhookTimestamp")
    try:
        if isinstance(stamp, bool) or not isinstance(stamp, int | float | str):
            raise ValueError
        sent_at = datetime.fromtimestamp(int(stamp) / 1000, UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        raise SignatureError("The signed body carries no webhookTimestamp (epoch milliseconds).") from None
    if not within_window(sent_at, now, TOLERANCE):
        raise SignatureError("The body's webhookTimestamp is outside the 60-second window.")


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id (Linear-Delivery) and event type (`<type>.<action>`, e.g. Issue.update)."""
    delivery_id = headers.get(DELIVERY_HEADER)
    if not delivery_id or not isinstance(payload.get("type"), str) or not isinstance(payload.get("action"), str):
        raise MalformedDelivery(f"A Linear delivery needs {DELIVERY_HEADER}, type and action.")
    return Delivery(delivery_id=delivery_id, event_type=f"{payload['type']}.{payload['action']}")


def issue_of(payload: dict) -> TrackerIssue | None:
    """The issue an Issue webhook is about, with its new state category."""
    data = payload.get("data") or {}
    if payload.get("type") != "Issue" or not data.get("id"):
        return None
    return _issue({**data, "url": data.get("url") or payload.get("url") or ""})


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> TrackerIssueChanged:
    """An issue's new state from an Issue update or remove delivery.

    :raise UnsupportedEvent: when the delivery carries no issue.
    """
    issue = issue_of(payload)
    if issue is None:
        raise UnsupportedEvent("A Linear Issue event without the issue's id.")
    return TrackerIssueChanged(installation_id=installation_id, tracker=NAME, issue_key=issue.key, issue_id=issue.id,
                               title=issue.title, status=issue.status, category=issue.category, url=issue.url,
                               deleted=payload.get("action") == "remove")


def connection(values: dict) -> dict:
    """The connect form's values as tracker settings.

    :raise InvalidInput: without a team.
    """
    team_id = str(values.get("team_id") or "").strip()
    if not team_id:
        raise InvalidInput("Linear needs the id of the team issues go to.", code="invalid_connection",
                           fields={"team_id": "required"})
    return {"site": "", "project": "", "team_id": team_id}


def webhook_help(url: str, secret: str | None, project: str = "") -> str:
    """How to set up Linear's webhook so issue changes reach Valuedesk."""
    return (f"In Linear: Settings > API > Webhooks > New webhook\n"
            f"  URL:    {url}\n  Data change events: Issues\n"
            f"  Then paste Linear's signing secret here: `valuedesk trackers webhook-secret --installation ... SECRET`\n"
            f"  (until then Valuedesk expects: {secret})\n"
            "Without the webhook, Valuedesk still checks linked issues every 15 minutes.")


VENDOR = Vendor(
    name=NAME, display_name="Linear", role=TRACKER, webhooks=sys.modules[__name__], secret_credential=SECRET_CREDENTIAL,
    credentials={"api_key": KEY_CREDENTIAL, "oauth_token": OAUTH_CREDENTIAL},
    client_for=client_for, oauth=OAUTH,
    connection=connection, credentials_missing="Linear needs an API key (or an OAuth token).",
    credentials_missing_fields={"api_key": "required"},
    refused="Linear did not accept the connection. Check the team id and the API key, then try again.",
    key_of=key_of, webhook_help=webhook_help,
)
