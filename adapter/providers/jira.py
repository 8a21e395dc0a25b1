"""Jira Cloud: issues, comments and remote links over REST v3 (Atlassian Document Format), and admin webhooks.

Issues: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issues/
Remote links: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-remote-links/
Search: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/ (/search/jql)
Webhooks: https://developer.atlassian.com/cloud/jira/platform/webhooks/
Connected either with OAuth 2.0 (3LO, through api.atlassian.com; see `atlassian`) or, for self-hosters, with an
account email and API token (the site itself).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from collections.abc import Mapping
from urllib.parse import quote
from urllib.parse import urlsplit

from requests.auth import HTTPBasicAuth

from adapter import oauth
from adapter.db import get_db
from adapter.errors import InvalidInput
from adapter.errors import MalformedDelivery
from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.errors import UnsupportedEvent
from adapter.events import TrackerIssueChanged
from adapter.providers import atlassian
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
from adapter.security import constant_time_equals
from adapter.security import hmac_sha256_hex

NAME = "jira"
EMAIL_CREDENTIAL = "jira_email"
TOKEN_CREDENTIAL = "jira_api_token"
SECRET_CREDENTIAL = "jira_webhook_secret"
# The unguessable last segment of the address a dynamic (OAuth-registered) webhook posts to.
PATH_SECRET_CREDENTIAL = "jira_webhook_path_secret"
SIGNATURE_HEADER = "X-Hub-Signature"
IDENTIFIER_HEADER = "X-Atlassian-Webhook-Identifier"
STORED_HEADERS = ("Content-Type", IDENTIFIER_HEADER)
EVENT_TYPES = ("jira:issue_updated", "jira:issue_deleted")
IGNORED_EVENT_TYPES = ("jira:issue_created", "comment_created", "comment_updated")
ISSUE_FIELDS = "summary,status,resolution"
# Resolutions that mean "closed without shipping".
CANCELLED_RESOLUTIONS = {"won't do", "won't fix", "duplicate", "cannot reproduce", "declined", "abandoned"}
_URL = re.compile(r"https?://[^\s<>\"“”‘’«»]+")
# Punctuation that ends a sentence or closes a quote or bracket after a link, not part of the link.
_TRAILING = ".,;:!?'\")]}"


class Client:
    """The Tracker contract over one Jira Cloud site: OAuth (a bearer token, through Atlassian's gateway by the
    site's cloud id) or an account email and API token (the site itself)."""

    name = NAME

    def __init__(self, site: str, *, project: str, email: str = "", token: str = "", cloud_id: str = "",
                 bearer: Callable[[], str] | None = None, issue_type: str = "Task",
                 issue_types: Mapping[str, str] | None = None):
        self.site = site_name(site)
        if self.site is None:  # settings stored before sites were checked
            raise Rejected("The Jira site is not an Atlassian Cloud site name; reconnect Jira.", provider=NAME)
        self.base = f"https://{self.site}.atlassian.net"  # where people open issues
        self.project, self.issue_type, self.issue_types = project, issue_type, dict(issue_types or {})
        if cloud_id and bearer is not None:
            self.api = HttpApi(NAME, atlassian.rest_base(cloud_id), auth=atlassian.Bearer(bearer))
        else:
            self.api = HttpApi(NAME, f"{endpoints.origin(NAME, self.base)}/rest/api/3", auth=HTTPBasicAuth(email, token))

    def issue_url(self, key: str) -> str:
        """The issue's page for people."""
        return f"{self.base}/browse/{key}"

    def check(self) -> str:
        """Who we are on this site and that the project exists; a line for the admin.

        :raise AuthError: for a wrong email or token; NotFound for an unknown project.
        """
        me = self.api.json("GET", "myself")
        project = self.api.json("GET", f"project/{quote(self.project)}")
        return f"{me.get('displayName') or me.get('emailAddress') or 'API user'} on {self.site}, project " \
               f"{project.get('key', self.project)} ({project.get('name', '')})"

    def create_issue(self, *, title: str, description: str, kind: str | None = None,
                     labels: tuple[str, ...] = (), request_id: str | None = None) -> TrackerIssue:
        """Create an issue in the connected project; `kind` (a signal type) picks the issue type from the mapping.

        Jira has no idempotency key, so `request_id` becomes a label that `created_before` searches for.
        """
        issue_type = self.issue_types.get(kind or "", self.issue_type)
        labels = (*labels, request_label(request_id)) if request_id else labels
        fields = {"project": {"key": self.project}, "issuetype": {"name": issue_type},
                  "summary": title[:250], "description": adf(description),
                  "labels": [label_safe(label) for label in labels]}
        created = self.api.json("POST", "issue", json={"fields": fields})
        return self.get_issue(created["key"])

    def created_before(self, request_id: str) -> TrackerIssue | None:
        """The issue an earlier attempt with this request id created, if any."""
        jql = f'labels = "{request_label(request_id)}"'
        found = self.api.json("GET", "search/jql", params={"jql": jql, "fields": ISSUE_FIELDS, "maxResults": 1})
        issues = found.get("issues") or []
        return self._issue(issues[0]) if issues else None

    def get_issue(self, key: str) -> TrackerIssue:
        """An issue with its status category."""
        return self._issue(self.api.json("GET", f"issue/{quote(key)}", params={"fields": ISSUE_FIELDS}))

    def add_comment(self, key: str, body: str) -> None:
        """Comment on the issue."""
        self.api.json("POST", f"issue/{quote(key)}/comment", json={"body": adf(body)})

    def link_ticket(self, key: str, *, global_id: str, url: str, title: str) -> None:
        """Link the ticket from the issue; the same global id updates the link instead of adding one."""
        self.api.json("POST", f"issue/{quote(key)}/remotelink",
                      json={"globalId": global_id[:255], "relationship": "reported in",
                            "object": {"url": url, "title": title[:255]}})

    def unlink_ticket(self, key: str, *, global_id: str, url: str) -> None:
        """Remove the ticket's link from the issue."""
        self.api.request("DELETE", f"issue/{quote(key)}/remotelink", params={"globalId": global_id})

    def issues_linked_to(self, *, global_id: str, url: str) -> list[TrackerIssue]:
        """Issues that carry this ticket's remote link."""
        jql = f'issue in issuesWithRemoteLinksByGlobalId("{global_id}")'
        found = self.api.json("GET", "search/jql", params={"jql": jql, "fields": ISSUE_FIELDS, "maxResults": 20})
        return [self._issue(raw) for raw in found.get("issues", [])]

    def _issue(self, raw: dict) -> TrackerIssue:
        fields = raw.get("fields") or {}
        status = fields.get("status") or {}
        return TrackerIssue(key=raw["key"], id=str(raw["id"]), title=fields.get("summary") or "",
                            url=self.issue_url(raw["key"]), status=status.get("name") or "",
                            category=category(status, fields.get("resolution")))


def category(status: dict, resolution: dict | None) -> str:
    """Our category for a Jira status: its statusCategory, with "done but won't do" counted as cancelled."""
    key = (status.get("statusCategory") or {}).get("key")
    if key == "done":
        return CANCELLED if (resolution or {}).get("name", "").lower() in CANCELLED_RESOLUTIONS else DONE
    return IN_PROGRESS if key == "indeterminate" else UNSTARTED


def request_label(request_id: str) -> str:
    """The label that marks the issue one create request made."""
    return f"valuedesk-{request_id.replace('-', '')[:20]}"


_SITE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def site_name(site: str) -> str | None:
    """The Atlassian Cloud site name in what an admin pastes (acme, acme.atlassian.net, https://acme.atlassian.net/);
    None for anything else, so no other host ever receives the account's credentials."""
    value = str(site or "").strip().lower()
    if value.startswith("https://"):
        parts = urlsplit(value)
        if parts.query or parts.fragment or "@" in parts.netloc or parts.port is not None:
            return None
        value = parts.netloc
    value = value.removesuffix(".atlassian.net")
    return value if _SITE.fullmatch(value) else None


def key_of(text: str) -> str | None:
    """The issue key in what an agent pastes: SUP-42 or https://acme.atlassian.net/browse/SUP-42."""
    match = re.search(r"(?:^|/browse/|selectedIssue=)([A-Z][A-Z0-9_]+-\d+)\b", text.strip())
    return match.group(1) if match else None


def label_safe(label: str) -> str:
    """Jira refuses labels with spaces."""
    return re.sub(r"\s+", "_", label.strip())[:255]


def adf(text: str) -> dict:
    """Plain text as an Atlassian Document: paragraphs, "- " bullet lists, "> " quotes, and links."""
    content: list[dict] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in block.splitlines() if line.strip()]
        if lines and all(line.lstrip().startswith("- ") for line in lines):
            content.append({"type": "bulletList", "content": [
                {"type": "listItem", "content": [_paragraph([line.lstrip()[2:]])]} for line in lines]})
        elif lines and all(line.startswith(">") for line in lines):
            content.append({"type": "blockquote", "content": [_paragraph([line[1:].strip() for line in lines])]})
        elif lines:
            content.append(_paragraph(lines))
    return {"type": "doc", "version": 1, "content": content or [{"type": "paragraph", "content": []}]}


def _paragraph(lines: list[str]) -> dict:
    nodes: list[dict] = []
    for number, line in enumerate(lines):
        if number:
            nodes.append({"type": "hardBreak"})
        position = 0
        for match in _URL.finditer(line):
            if match.start() > position:
                nodes.append({"type": "text", "text": line[position:match.start()]})
            url = link_text(match.group())
            nodes.append({"type": "text", "text": url, "marks": [{"type": "link", "attrs": {"href": url}}]})
            position = match.start() + len(url)
        if position < len(line):
            nodes.append({"type": "text", "text": line[position:]})
    return {"type": "paragraph", "content": nodes}


def link_text(candidate: str) -> str:
    """A matched URL without the punctuation that follows it in prose; a ")" stays when the URL opened one."""
    while candidate and candidate[-1] in _TRAILING:
        if candidate[-1] == ")" and candidate.count("(") >= candidate.count(")"):
            break
        candidate = candidate[:-1]
    return candidate


def client_for(settings: Mapping[str, str], credentials) -> Client:
    """A Client from a tracker connection's settings and stored credentials (OAuth when the settings name a cloud id).

    With OAuth every request asks for a live access token, refreshed (and rotated) when it is about to expire.
    """
    bearer = None
    if settings.get("cloud_id"):
        installation_id = credentials.installation_id

        def bearer() -> str:
            # Read in a short session of its own: the caller's may hold SQLite's one write lock, which a refresh needs.
            with get_db().tenant(installation_id) as reader:
                return oauth.access_token(reader, installation_id, APP)
    return Client(settings["site"], email=credentials.get(EMAIL_CREDENTIAL) or "",
                  token=credentials.get(TOKEN_CREDENTIAL) or "", cloud_id=settings.get("cloud_id") or "",
                  bearer=bearer, project=settings["project"],
                  issue_type=settings.get("issue_type") or "Task", issue_types=settings.get("issue_types") or {})


# Webhooks (admin webhooks with a secret)


def sign(secret: str, body: bytes) -> str:
    """The X-Hub-Signature Jira sends for a body."""
    return "sha256=" + hmac_sha256_hex(secret, body)


def verify(headers: Mapping[str, str], body: bytes, secret: str, now=None) -> None:
    """Check X-Hub-Signature over the raw body (Jira sends no timestamp to bound replays; dedupe does).

    :raise SignatureError: on a missing or wrong signature.
    """
    sent = headers.get(SIGNATURE_HEADER) or ""
    if not sent.startswith("sha256="):
        raise SignatureError(f"Missing {SIGNATURE_HEADER} header (set a secret on the Jira webhook).")
    if not constant_time_equals(sign(secret, body), sent):
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body.")


def verify_dynamic(headers: Mapping[str, str], path_secret: str, secret: str, client_secret: str | None) -> None:
    """Check a dynamic webhook: the address's path secret, and its bearer JWT when Jira sends one.

    How Atlassian signs these deliveries is not settled in its documentation, so the path secret (which only Jira
    and this service know) is required, and a bearer token that is present must be signed with the client secret.

    :raise SignatureError: a wrong path secret or token.
    """
    if not secret or not constant_time_equals(path_secret, secret):
        raise SignatureError("This webhook address is not the one Valuedesk registered with Jira.")
    atlassian.verify_bearer(headers.get("Authorization") or "", client_secret)


def describe(headers: Mapping[str, str], payload: dict) -> Delivery:
    """Delivery id (the webhook identifier, kept across retries) and event type."""
    delivery_id = headers.get(IDENTIFIER_HEADER)
    event_type = payload.get("webhookEvent")
    if not delivery_id or not isinstance(event_type, str):
        raise MalformedDelivery(f"A Jira delivery needs {IDENTIFIER_HEADER} and webhookEvent.")
    return Delivery(delivery_id=delivery_id, event_type=event_type)


def issue_of(payload: dict, base_url: str) -> TrackerIssue | None:
    """The issue a webhook delivery is about, with its new status category."""
    raw = payload.get("issue") or {}
    if not raw.get("key"):
        return None
    fields = raw.get("fields") or {}
    status = fields.get("status") or {}
    return TrackerIssue(key=raw["key"], id=str(raw.get("id") or ""), title=fields.get("summary") or "",
                        url=f"{base_url}/browse/{raw['key']}", status=status.get("name") or "",
                        category=category(status, fields.get("resolution")))


def parse_event(installation_id: str, payload: dict, headers: Mapping[str, str] | None = None) -> TrackerIssueChanged:
    """An issue's new state from jira:issue_updated or jira:issue_deleted.

    :raise UnsupportedEvent: when the delivery names no issue.
    """
    raw = payload.get("issue") or {}
    base = str(raw.get("self") or "").split("/rest/")[0]
    issue = issue_of(payload, base)
    if issue is None:
        raise UnsupportedEvent("A Jira issue event without an issue key.")
    return TrackerIssueChanged(installation_id=installation_id, tracker=NAME, issue_key=issue.key, issue_id=issue.id,
                               title=issue.title, status=issue.status, category=issue.category, url=issue.url,
                               deleted=payload.get("webhookEvent") == "jira:issue_deleted")


def connection(values: dict) -> dict:
    """The connect form's values as tracker settings.

    :raise InvalidInput: without a site or a project.
    """
    site, project = site_name(values.get("site") or ""), str(values.get("project") or "").strip().upper()
    if not site:
        raise InvalidInput("Jira needs your Atlassian Cloud site: acme, acme.atlassian.net or https://acme.atlassian.net.",
                           code="invalid_connection", fields={"site": "an Atlassian Cloud site"})
    if not project:
        raise InvalidInput("Jira needs the key of the project issues go to (SUP).", code="invalid_connection",
                           fields={"project": "required"})
    return {"site": site, "project": project, "team_id": "", "cloud_id": ""}


def webhook_help(url: str, secret: str | None, project: str = "") -> str:
    """How to set up Jira's webhook so issue changes reach Valuedesk."""
    return (f"In Jira: Settings > System > WebHooks > Create a WebHook\n"
            f"  URL:    {url}\n  Secret: {secret}\n"
            "  Events: Issue updated, Issue deleted\n"
            f"  JQL:    project = {project or 'SUP'}   (Valuedesk ignores issues it has not linked)\n"
            "Without the webhook, Valuedesk still checks linked issues every 15 minutes.")


# What happens after consent and before a disconnect lives on the tracker side (adapter.trackers.jira_oauth), which
# registers it at start so that imports point one way.
_oauth_hooks: dict[str, Callable] = {}


def on_oauth(*, connected: Callable, disconnecting: Callable) -> None:
    """Register the tracker side's `connected` and `disconnecting` hooks for the OAuth app."""
    _oauth_hooks.update(connected=connected, disconnecting=disconnecting)


APP = oauth.OAuthApp(
    vendor=NAME, display_name="Jira", authorize_url=lambda account: atlassian.auth_url("/authorize"),
    token_url=lambda account: atlassian.auth_url("/oauth/token"), scopes=atlassian.SCOPES,
    connected=lambda session, installation, tokens: _oauth_hooks["connected"](session, installation, tokens),
    disconnecting=lambda session, installation: _oauth_hooks["disconnecting"](session, installation),
    revoke_url=None, pkce=False, json_body=True,  # 3LO has neither PKCE nor a revocation endpoint; JSON token bodies
    extra_params={"audience": "api.atlassian.com", "prompt": "consent"}, consent_origin=atlassian.AUTH_ORIGIN,
)

VENDOR = Vendor(
    name=NAME, display_name="Jira", role=TRACKER, webhooks=sys.modules[__name__], secret_credential=SECRET_CREDENTIAL,
    credentials={"email": EMAIL_CREDENTIAL, "api_token": TOKEN_CREDENTIAL},
    client_for=lambda session, settings, credentials: client_for(settings, credentials),
    connection=connection, min_credentials=2, credentials_missing="Jira needs the account's email and an API token.",
    credentials_missing_fields={"email": "required", "api_token": "required"},
    refused="Jira did not accept the connection. Check the site, the project key, the account's email and the API "
            "token, then try again.",
    key_of=key_of, webhook_help=webhook_help, oauth=APP,
)
