"""Billing: connect Stripe, show or change the policy, export the audit trail."""

from __future__ import annotations

import click
from flask import current_app

from adapter.cli.base import installation_or_exit
from adapter.cli.base import main
from adapter.db import get_db
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.errors import ProviderError


@main.group()
def billing() -> None:
    """Refunds and coupons: connect Stripe, show or change the policy, export the audit trail."""



@billing.command("connect")
@click.option("--installation", "installation_id", required=True)
@click.option("--key", "api_key", required=True, help="A Stripe restricted key (rk_live_…); see README for its permissions.")
@click.option("--webhook-secret", help="The signing secret (whsec_…) of the Stripe webhook endpoint.")
def billing_connect(installation_id: str, api_key: str, webhook_secret: str | None) -> None:
    """Store a Stripe key (checked with one read) and print where Stripe should send refund events."""
    from adapter.billing.connect import connect_stripe
    from adapter.connections import webhook_url
    from adapter.providers import stripe

    with get_db().tenant(installation_id) as session:
        installation = installation_or_exit(session, installation_id)
        try:
            connect_stripe(session, installation, api_key, webhook_secret)
        except DomainError as exc:
            refused = exc.code == "stripe_key_refused"
            raise click.ClickException(("Stripe refused the key: " if refused else "") + exc.message) from None
        except ProviderError as exc:
            raise click.ClickException(f"Stripe refused the key: {exc.message}") from None
    url = webhook_url(current_app.config["VALUEDESK"].public_url, "stripe", installation_id)
    click.echo(f"Stripe connected for {installation_id}.")
    click.echo(f"In Stripe, add a webhook endpoint {url}\n  for the events: {', '.join(stripe.EVENT_TYPES)}"
               + ("" if webhook_secret else "\n  then run this command again with --webhook-secret whsec_…"))


@billing.command("policy")
@click.option("--installation", "installation_id", required=True)
@click.option("--set", "changes", metavar="JSON", help='Settings to change, e.g. \'{"refund_per_ticket": {"usd": 5000}}\'.')
def billing_policy(installation_id: str, changes: str | None) -> None:
    """Print the refund and coupon policy as JSON, or change it."""
    import json
    from dataclasses import asdict

    from adapter.billing import service as billing_service

    with get_db().tenant(installation_id) as session:
        installation = installation_or_exit(session, installation_id)
        if changes:
            try:
                values = json.loads(changes)
            except json.JSONDecodeError as exc:
                raise click.ClickException(f"--set is not JSON: {exc.msg}") from None
            if not isinstance(values, dict):
                raise click.ClickException("--set takes a JSON object.")
            unknown = sorted(set(values) - set(asdict(billing_service.policy_of(installation))) - {"reviewed"})
            if unknown:
                raise click.ClickException(f"Unknown setting(s): {', '.join(unknown)}.")
            try:
                policy = billing_service.update_policy(installation, **values)
            except (ApiError, DomainError) as exc:
                raise click.ClickException(exc.message) from None
        else:
            policy = billing_service.policy_of(installation)
        click.echo(json.dumps({**asdict(policy), "roles": list(policy.roles)}, indent=2, sort_keys=True))


@billing.command("audit")
@click.option("--installation", "installation_id", required=True)
def billing_audit(installation_id: str) -> None:
    """Write the billing audit trail as CSV to standard output."""
    from adapter.billing import audit

    with get_db().tenant(installation_id) as session:
        installation_or_exit(session, installation_id)
        click.echo(audit.as_csv(session, audit.AuditFilters()), nl=False)
