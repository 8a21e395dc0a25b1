"""Commitments: detect promises in replies read from stdin."""

from __future__ import annotations

import sys

import click

from adapter.cli.base import installation_session
from adapter.cli.base import main
from adapter.cli.base import read_json_lines


@main.group()
def commitments() -> None:
    """Detect follow-up promises in replies (evaluation)."""


@commitments.command("detect", with_appcontext=False)
@click.option("--installation", "installation_id", help="Use this installation's business hours and defaults.")
def commitments_detect(installation_id: str | None) -> None:
    """Read {"id","text","sent_at","timezone"?} JSON lines; write what each reply promises, in which sentence, and when
    it is due.

    Without --installation, days are calendar days, business days are Monday to Friday, and a day ends at
    23:59:59 in the line's timezone.
    """
    import json

    from adapter.commitments.evaluate import detect_lines

    fixed, default_days = None, 1
    if installation_id:
        from adapter.commitments import service

        with installation_session(installation_id) as (_, installation):
            fixed = service.schedule_of(installation)
            default_days = service.settings_of(installation).default_business_days
    failures = 0
    for row in detect_lines(read_json_lines(sys.stdin, ("id", "text", "sent_at")), fixed, default_days):
        failures += "error" in row
        click.echo(json.dumps(row))
    if failures:
        raise SystemExit(1)
