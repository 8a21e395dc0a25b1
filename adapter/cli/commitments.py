"""Commitments: detect promises in replies read from stdin."""

from __future__ import annotations

import sys

import click
from flask.cli import ScriptInfo

from adapter.cli.base import main
from adapter.cli.base import read_json_lines
from adapter.db import get_db


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
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from zoneinfo import ZoneInfoNotFoundError

    from adapter.commitments.detect import detect
    from adapter.commitments.schedule import Schedule

    fixed, default_days = None, 1
    if installation_id:
        from adapter.commitments import service
        from adapter.installations import get_installation

        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        with app.app_context(), get_db().tenant(installation_id) as session:
            installation = get_installation(session, installation_id)
            if installation is None:
                raise click.ClickException(f"No installation {installation_id!r}.")
            fixed = service.schedule_of(installation)
            default_days = service.settings_of(installation).default_business_days
    failures = 0
    for _, item, error in read_json_lines(sys.stdin, ("id", "text", "sent_at")):
        try:
            if error:
                raise ValueError(error)
            zone = str(item.get("timezone") or "UTC")
            try:
                schedule = fixed or Schedule.calendar(zone)
                ZoneInfo(zone)
            except (ZoneInfoNotFoundError, ValueError):
                raise ValueError(f"unknown timezone {zone!r} (use an IANA name such as Europe/Berlin)") from None
            try:
                sent_at = datetime.fromisoformat(str(item["sent_at"]).replace("Z", "+00:00"))
            except ValueError:
                raise ValueError(f"sent_at must be an ISO time like 2026-11-21T10:00:00Z, not {item['sent_at']!r}") from None
            if sent_at.tzinfo is None:
                sent_at = sent_at.replace(tzinfo=ZoneInfo(zone))
            found = detect(str(item["text"]), sent_at, schedule, default_days=default_days)
        except ValueError as exc:
            failures += 1
            click.echo(json.dumps({"id": (item or {}).get("id"), "error": str(exc) or "bad line"}))
            continue
        click.echo(json.dumps({"id": item["id"], "promise": found.promise, "conditional": found.conditional,
                               "vague": found.vague, "timed": found.timed, "due_text": found.due_text,
                               "due_at": found.due_at.isoformat() if found.due_at else None,
                               "sentence": found.sentence, "phrasing": found.phrasing}))
    if failures:
        raise SystemExit(1)
