"""Trackers: connect Jira or Linear, the webhook secret, status and disconnect."""

from __future__ import annotations

import click
from sqlalchemy import select

from adapter.cli.base import installation_or_exit
from adapter.cli.base import main
from adapter.cli.base import settings
from adapter.db import get_db
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.errors import ProviderError


@main.group()
def trackers() -> None:
    """Jira and Linear: connect one, set up its webhook, see the theme issues and their syncs."""


@trackers.group("connect")
def trackers_connect() -> None:
    """Connect Jira Cloud or Linear (the credentials are checked with one call and stored encrypted)."""


def _tracker_connect(installation_id: str, kind: str, values: dict, secrets: dict) -> None:
    from adapter.connections import webhook_url
    from adapter.trackers import settings as tracker_settings

    with get_db().tenant(installation_id, immediate=True) as session:
        installation = installation_or_exit(session, installation_id)
        try:
            who = tracker_settings.connect(session, installation, kind, values, secrets)
        except (ApiError, DomainError) as exc:
            raise click.ClickException(exc.message) from None
        except ProviderError as exc:
            raise click.ClickException(f"Could not reach {tracker_settings.NAMES[kind]}: {exc.message}") from None
        secret = tracker_settings.webhook_secret(session, installation)
        project = tracker_settings.settings_of(installation).project
    click.echo(f"{tracker_settings.NAMES[kind]} connected for {installation_id}: {who}.")
    click.echo(tracker_settings.webhook_instructions(kind, webhook_url(settings().public_url, kind, installation_id), secret,
                                                     project))


@trackers_connect.command("jira")
@click.option("--installation", "installation_id", required=True)
@click.option("--site", required=True, help="Your Jira Cloud site (acme or acme.atlassian.net).")
@click.option("--project", required=True, help="The key of the project issues go to (SUP).")
@click.option("--email", required=True, help="The Atlassian account the API token belongs to.")
@click.option("--token", required=True, prompt=True, hide_input=True, help="An Atlassian API token.")
def trackers_connect_jira(installation_id: str, site: str, project: str, email: str, token: str) -> None:
    """Connect Jira Cloud with an account email and API token, then print the webhook to create."""
    _tracker_connect(installation_id, "jira", {"site": site, "project": project}, {"email": email, "api_token": token})


@trackers_connect.command("linear")
@click.option("--installation", "installation_id", required=True)
@click.option("--team", "team_id", required=True, help="The id of the Linear team issues go to.")
@click.option("--api-key", required=True, prompt=True, hide_input=True, help="A Linear personal API key.")
def trackers_connect_linear(installation_id: str, team_id: str, api_key: str) -> None:
    """Connect Linear with an API key, then print the webhook to create."""
    _tracker_connect(installation_id, "linear", {"team_id": team_id}, {"api_key": api_key})


@trackers.command("webhook-secret")
@click.option("--installation", "installation_id", required=True)
@click.argument("secret")
def trackers_webhook_secret(installation_id: str, secret: str) -> None:
    """Store the signing secret the tracker showed for its webhook (Linear generates its own)."""
    from adapter.trackers import settings as tracker_settings

    with get_db().tenant(installation_id, immediate=True) as session:
        try:
            tracker_settings.set_webhook_secret(session, installation_or_exit(session, installation_id), secret)
        except (ApiError, DomainError) as exc:
            raise click.ClickException(exc.message) from None
    click.echo("Webhook secret stored; deliveries signed with it are accepted from now on.")


@trackers.command("status")
@click.option("--installation", "installation_id", required=True)
def trackers_status(installation_id: str) -> None:
    """The connection, each theme's issue, and tracker writes that are waiting or failed."""
    from adapter.models import TrackerLink
    from adapter.trackers import settings as tracker_settings
    from adapter.trackers.api import pending_syncs

    with get_db().tenant(installation_id) as session:
        installation = installation_or_exit(session, installation_id)
        current = tracker_settings.settings_of(installation)
        click.echo(f"Tracker: {tracker_settings.NAMES.get(current.kind or '', 'not connected')}"
                   f" · sync {current.sync}" + (f" at {current.auto_threshold} tickets" if current.sync == "automatic" else ""))
        for link in session.scalars(select(TrackerLink).order_by(TrackerLink.id)):
            click.echo(f"  theme {link.theme_id}: {link.issue_key or '(creating)'} {link.status or ''} {link.title}".rstrip())
        for action in pending_syncs(session):
            click.echo(f"  {action.status:<10} #{action.id} {action.kind} (attempts {action.attempts})"
                       + (f": {action.last_error}" if action.last_error else ""))


@trackers.command("disconnect")
@click.option("--installation", "installation_id", required=True)
def trackers_disconnect(installation_id: str) -> None:
    """Forget the tracker's credentials (links to existing issues stay for the record)."""
    from adapter.trackers import settings as tracker_settings

    with get_db().tenant(installation_id, immediate=True) as session:
        tracker_settings.disconnect(session, installation_or_exit(session, installation_id))
    click.echo("Tracker disconnected.")
