"""Helpers for tracker tests: a theme with signals on tickets, and a connected Jira or Linear."""

from __future__ import annotations

import json

from adapter import clock
from adapter.credentials import CredentialStore
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.models import Signal
from adapter.models import Theme
from adapter.providers import jira
from adapter.providers import linear
from adapter.signals import taxonomy
from adapter.trackers import settings as tracker_settings

JIRA_API = "https://acme.atlassian.net/rest/api/3"
LINEAR_API = "https://api.linear.app/graphql"
JIRA_SECRET = "jira-webhook-secret-0123456789"
LINEAR_SECRET = "lin_wh_secret_0123456789abcdef"


def make_theme(db, installation_id: str, tickets=("35436", "35437"), *, title="CSV export times out",
               type_key="bug", agent_id: str | None = None) -> int:
    """A theme with one signal per ticket, in the customers' words (confirmed by `agent_id` when given)."""
    with db.tenant(installation_id) as session:
        taxonomy.ensure_types(session)
        theme = Theme(title=title)
        session.add(theme)
        session.flush()
        for number, ticket_id in enumerate(tickets):
            add_signal(session, theme.id, ticket_id, number, type_key).agent_id = agent_id
        return theme.id


def add_signal(session, theme_id: int, ticket_id: str, number: int = 0, type_key: str = "bug") -> Signal:
    """One more customer's words on the theme."""
    signal = Signal(ticket_id=ticket_id, type_key=type_key, quote=f"The export spins forever and times out ({ticket_id})",
                    customer_id=f"customer{number}@example.com", customer_name=f"Customer {number}",
                    organization="Petrova Design", theme_id=theme_id)
    session.add(signal)
    session.flush()
    return signal


def connect(db, installation_id: str, kind: str, **settings) -> None:
    """Store a tracker connection as `valuedesk trackers connect` would, without the check call."""
    with db.tenant(installation_id) as session:
        installation = session.get(Installation, installation_id)
        base = {**tracker_settings.TrackerSettings().__dict__, "kind": kind}
        if kind == "jira":
            base.update(site="acme", project="SUP", issue_type="Task", issue_types={"bug": "Bug"})
            secrets = {jira.EMAIL_CREDENTIAL: "bot@acme.example", jira.TOKEN_CREDENTIAL: "atl-token",
                       jira.SECRET_CREDENTIAL: JIRA_SECRET}
        else:
            base.update(team_id="72b2a2dc", label_ids={"bug": "label-bug"})
            secrets = {linear.KEY_CREDENTIAL: "lin_api_key_123", linear.SECRET_CREDENTIAL: LINEAR_SECRET}
        base.update(settings)
        store_feature_settings(installation, tracker_settings.FEATURE, tracker_settings.validate(base))
        store = CredentialStore(session, installation_id)
        for name, value in secrets.items():
            store.set(name, value)


def admin_console(app, installation_id: str):
    """A console client signed in as an admin of the installation (through the sidebar's console link)."""
    from tests.console.support import enter
    from tests.support import bearer

    console = app.test_client()
    admin = bearer(app, installation_id, agent_id="7", name="Ada Admin", role="admin")
    assert enter(console, console.post("/api/admin/console-link", headers=admin).json["url"]).status_code == 302
    return console


def linear_post(client, installation_id, payload, *, secret=LINEAR_SECRET, delivery="d-1", stamp_ms=None):
    payload = {**payload, "webhookTimestamp": stamp_ms if stamp_ms is not None else int(clock.wall().timestamp() * 1000)}
    body = json.dumps(payload).encode()
    headers = {"Content-Type": "application/json", linear.DELIVERY_HEADER: delivery,
               linear.SIGNATURE_HEADER: linear.sign(secret, body)}
    return client.post(f"/webhooks/linear/{installation_id}", data=body, headers=headers)
