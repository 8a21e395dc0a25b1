"""Installations: add, list, show, disable, enable, revoke an agent, connect and disconnect a helpdesk."""

from __future__ import annotations

import click

from adapter import lifecycle
from adapter.cli.base import main
from adapter.cli.base import settings
from adapter.db import get_db
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.errors import ProviderError
from adapter.providers import helpdesk_kinds


@main.group()
def installations() -> None:
    """Add, list, show, disable and enable installations."""


def _describe(installation) -> str:
    state = "active" if installation.is_active else f"disabled {installation.disabled_at:%Y-%m-%d}"
    return f"{installation.id}\t{installation.kind}\t{installation.account}\t{installation.name}\t{state}"


@installations.command("add")
@click.option("--kind", required=True, type=click.Choice(helpdesk_kinds()))
@click.option("--account", required=True, help="Zendesk subdomain or Freshdesk domain.")
@click.option("--name", help="Display name (defaults to the account).")
@click.option("--timezone", default="UTC", show_default=True, help="IANA timezone, e.g. Europe/Berlin.")
def installations_add(kind: str, account: str, name: str | None, timezone: str) -> None:
    """Create an installation."""
    from adapter.installations import create_installation

    try:
        with get_db().system() as session:
            installation = create_installation(session, kind=kind, account=account, name=name, timezone=timezone)
            click.echo(f"Created installation {installation.id} ({kind} {installation.account}).")
    except (ApiError, DomainError) as exc:
        raise click.ClickException(exc.message) from None


@installations.command("list")
def installations_list() -> None:
    """List every installation."""
    from adapter.installations import list_installations

    with get_db().system() as session:
        rows = list_installations(session)
        if not rows:
            click.echo("No installations yet. Add one with `valuedesk installations add`.")
        for installation in rows:
            click.echo(_describe(installation))


def _load(session, installation_id: str):
    from adapter.installations import get_installation

    installation = get_installation(session, installation_id)
    if installation is None:
        raise click.ClickException(f"No installation {installation_id!r}; see `valuedesk installations list`.")
    return installation


@installations.command("show")
@click.argument("installation_id")
def installations_show(installation_id: str) -> None:
    """Show one installation (credential names only, never values)."""
    from adapter.credentials import CredentialStore

    with get_db().system() as session:
        installation = _load(session, installation_id)
        hours = installation.business_hours
        click.echo(f"id:             {installation.id}")
        click.echo(f"helpdesk:       {installation.kind} {installation.account}")
        click.echo(f"name:           {installation.name}")
        click.echo(f"timezone:       {installation.timezone}")
        click.echo(f"business hours: days {hours['days']} {hours['start']}-{hours['end']}")
        purge = lifecycle.purge_date(installation, settings().uninstalled_retention_days)
        state = (f"uninstalled (data deleted on {purge:%Y-%m-%d})" if purge else
                 "active" if installation.is_active else "disabled")
        click.echo(f"state:          {state}")
        click.echo(f"created:        {installation.created_at:%Y-%m-%d %H:%M} UTC")
        names = CredentialStore(session, installation.id).names()
        click.echo(f"credentials:    {', '.join(names) if names else 'none'}")
        base = settings().public_url
        click.echo(f"webhook URL:    {base}/webhooks/{installation.kind}/{installation.id}")


@installations.command("disable")
@click.argument("installation_id")
def installations_disable(installation_id: str) -> None:
    """Refuse webhooks and sidebar sessions for an installation (its data is kept)."""
    from adapter.installations import disable_installation

    with get_db().system() as session:
        disable_installation(session, _load(session, installation_id))
    click.echo(f"Disabled {installation_id}.")


@installations.command("enable")
@click.argument("installation_id")
def installations_enable(installation_id: str) -> None:
    """Accept webhooks and sidebar sessions again."""
    from adapter.installations import enable_installation

    with get_db().system() as session:
        enable_installation(session, _load(session, installation_id))
    click.echo(f"Enabled {installation_id}.")


@installations.command("uninstall")
@click.argument("installation_id")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def installations_uninstall(installation_id: str, yes: bool) -> None:
    """Uninstall as the helpdesk's uninstall would: revoke grants, delete what Valuedesk created, forget every key,
    stop every job; the data is kept for the retention period, then deleted."""
    days = settings().uninstalled_retention_days
    if not yes:
        click.confirm(f"Uninstall {installation_id}? Its data is deleted for good after {days} days.", abort=True)
    with get_db().system() as session:
        for step in lifecycle.uninstall(session, _load(session, installation_id)):
            click.echo(f"  {step}")
    click.echo(f"Uninstalled {installation_id}; `installations enable` within {days} days takes it back.")


@installations.command("revoke-agent")
@click.argument("installation_id")
@click.argument("agent_id")
def installations_revoke_agent(installation_id: str, agent_id: str) -> None:
    """Stop trusting every browser a Freshdesk agent verified (a lost laptop); their sessions turn unverified within
    15 minutes and they verify again with their API key."""
    from adapter.sidebar.auth.credentials import revoke

    with get_db().system() as lookup:
        _load(lookup, installation_id)
    with get_db().tenant(installation_id) as session:
        count = revoke(session, agent_id)
    click.echo(f"Revoked {count} credential{'' if count == 1 else 's'} of agent {agent_id} in {installation_id}.")


@installations.group("connect")
def installations_connect() -> None:
    """Connect a helpdesk account: verify credentials and provision its webhooks."""


def _print_report(report) -> None:
    for line in report.created:
        click.echo(f"  created  {line}")
    for line in report.reused:
        click.echo(f"  kept     {line}")
    for line in report.removed:
        click.echo(f"  removed  {line}")
    for line in report.notes:
        click.secho(f"  note     {line}", fg="yellow")


@installations_connect.command("zendesk")
@click.option("--subdomain", required=True, help="Your Zendesk subdomain (acme for acme.zendesk.com).")
@click.option("--email", required=True, help="An admin's email address.")
@click.option("--token", required=True, prompt=True, hide_input=True, help="That admin's API token.")
@click.option("--timezone", default="UTC", show_default=True, help="Timezone for a new installation.")
def connect_zendesk_command(subdomain: str, email: str, token: str, timezone: str) -> None:
    """Verify the token, create (or adopt) the webhook and triggers, and store everything encrypted."""
    from adapter.connections import connect_zendesk

    try:
        with get_db().system() as session:
            report = connect_zendesk(session, subdomain=subdomain, email=email, token=token,
                                     public_url=settings().public_url, timezone=timezone)
    except (ApiError, DomainError) as exc:
        raise click.ClickException(exc.message) from None
    except ProviderError as exc:
        raise click.ClickException(f"Zendesk said no: {exc.message}") from None
    click.echo(f"Connected {subdomain}.zendesk.com as installation {report.installation_id}.")
    _print_report(report)
    click.echo(f"Installation token (paste it into the Valuedesk app's settings in Zendesk): {report.installation_token}")


@installations.command("disconnect")
@click.argument("installation_id")
def installations_disconnect(installation_id: str) -> None:
    """Remove the webhooks and triggers Valuedesk created in the helpdesk, and forget its credentials."""
    from adapter.connections import disconnect_zendesk

    with get_db().system() as session:
        installation = _load(session, installation_id)
        if installation.kind != "zendesk":
            raise click.ClickException(
                f"{installation_id} is a {installation.kind} installation; Valuedesk created nothing there to remove "
                "(delete the automation rules and the app in the helpdesk yourself).")
        try:
            report = disconnect_zendesk(session, installation)
        except ProviderError as exc:
            raise click.ClickException(f"Zendesk said no: {exc.message}") from None
    click.echo(f"Disconnected {installation_id}.")
    _print_report(report)



@installations_connect.command("freshdesk")
@click.option("--domain", required=True, help="Your Freshdesk domain (acme for acme.freshdesk.com).")
@click.option("--api-key", required=True, prompt=True, hide_input=True, help="An agent's API key.")
@click.option("--timezone", default="UTC", show_default=True, help="Timezone for a new installation.")
def connect_freshdesk_command(domain: str, api_key: str, timezone: str) -> None:
    """Verify the API key, store it encrypted, and print the automation rules and app settings to use."""
    from adapter.connections import connect_freshdesk
    from adapter.credentials import CredentialStore
    from adapter.providers import freshdesk

    try:
        with get_db().system() as session:
            report = connect_freshdesk(session, domain=domain, api_key=api_key, public_url=settings().public_url,
                                       timezone=timezone)
            secret = CredentialStore(session, report.installation_id).get(freshdesk.SECRET_CREDENTIAL)
    except ProviderError as exc:
        raise click.ClickException(f"Freshdesk said no: {exc.message}") from None
    click.echo(f"Connected {domain} as installation {report.installation_id}.")
    _print_report(report)
    click.echo("\nThe app `valuedesk package freshdesk` builds asks only for the Freshdesk domain and an administrator's API"
               " key, and adopts this installation when installed.")
    click.echo("Settings for a Valuedesk app built before it (installation id, token and webhook secret):")
    click.echo(f"  Installation id:    {report.installation_id}")
    click.echo(f"  Installation token: {report.installation_token}")
    click.echo(f"  Webhook secret:     {secret}")
    click.echo("\nAutomation rules to create:\n")
    click.echo(report.instructions)
