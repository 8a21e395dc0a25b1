"""Packaging the sidebar app for Zendesk and Freshdesk."""

from __future__ import annotations

import click

from adapter.cli.base import main
from adapter.errors import ApiError
from adapter.errors import DomainError


@main.group()
def package() -> None:
    """Build the helpdesk marketplace apps."""


@package.command("zendesk", with_appcontext=False)
@click.option("--url", "service_url", required=True, help="Public https URL of this Valuedesk service.")
@click.option("-o", "--out", "out_dir", default="dist", show_default=True, type=click.Path(file_okay=False))
def package_zendesk(service_url: str, out_dir: str) -> None:
    """Write the Zendesk app zip (upload it as a private app)."""
    from pathlib import Path

    from adapter.sidebar.packaging import build_zendesk_app

    try:
        path = build_zendesk_app(service_url, Path(out_dir))
    except (ApiError, DomainError) as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Wrote {path}. Upload it in Zendesk Admin Center > Apps and integrations > Upload private app.")


@package.command("freshdesk", with_appcontext=False)
@click.option("--url", "service_url", required=True, help="Public https URL of this Valuedesk service.")
@click.option("-o", "--out", "out_dir", default="dist", show_default=True, type=click.Path(file_okay=False))
def package_freshdesk(service_url: str, out_dir: str) -> None:
    """Write the Freshdesk (FDK 3.0) app zip."""
    from pathlib import Path

    from adapter.sidebar.packaging import build_freshdesk_app

    try:
        path = build_freshdesk_app(service_url, Path(out_dir))
    except (ApiError, DomainError) as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"Wrote {path}. Upload it in Freshdesk Admin > Apps > Custom apps.")
