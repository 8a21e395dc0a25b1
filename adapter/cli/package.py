"""Packaging the sidebar app for each helpdesk that frames it."""

from __future__ import annotations

from pathlib import Path

import click

from adapter.cli.base import main
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.sidebar.packaging import PACKAGERS

# What each command says it writes, and where the admin uploads the zip.
APPS = {
    "zendesk": ("Write the Zendesk app zip (upload it as a private app).",
                "Upload it in Zendesk Admin Center > Apps and integrations > Upload private app."),
    "freshdesk": ("Write the Freshdesk (FDK 3.0) app zip.", "Upload it in Freshdesk Admin > Apps > Custom apps."),
}


@main.group()
def package() -> None:
    """Build the helpdesk marketplace apps."""


def _package_command(name: str, summary: str, upload: str) -> None:
    @package.command(name, with_appcontext=False, help=summary)
    @click.option("--url", "service_url", required=True, help="Public https URL of this Valuedesk service.")
    @click.option("-o", "--out", "out_dir", default="dist", show_default=True, type=click.Path(file_okay=False))
    def build(service_url: str, out_dir: str) -> None:
        try:
            path = PACKAGERS[name](service_url, Path(out_dir))
        except (ApiError, DomainError) as exc:
            raise click.ClickException(exc.message) from None
        click.echo(f"Wrote {path}. {upload}")


for _name, (_summary, _upload) in APPS.items():
    _package_command(_name, _summary, _upload)
