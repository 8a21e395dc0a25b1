"""Replies: check drafts for copy-paste, refingerprint, sync macros."""

from __future__ import annotations

import sys

import click

from adapter import create_app
from adapter import migrations
from adapter.cli.base import main
from adapter.cli.base import read_json_lines
from adapter.cli.base import require_migrated
from adapter.db import get_db
from adapter.errors import ProviderError
from adapter.models import Installation


@main.group()
def replies() -> None:
    """Copy-paste warnings: check drafts, sync macros."""


@replies.command("check", with_appcontext=False)
@click.option("--threshold", type=click.FloatRange(0.7, 1.0), default=0.8, show_default=True,
              help="Share of words that must match, in order, for two replies to be copies "
                   "(at 0.8 a reply of up to 20 words may differ by 4 words).")
@click.option("--min-matches", type=click.IntRange(2, 1000), default=5, show_default=True,
              help="Near-copies on other lines needed for a 'repeated' warning.")
def replies_check(threshold: float, min_matches: int) -> None:
    """Read {"id","text","agent"?,"customer_message"?} JSON lines; check each against the lines before it.

    Writes {"id","warnings":[...],"similar":[ids]} per line. Lines are stored in a temporary database
    that is deleted afterwards; each line counts as its own ticket.
    """
    import json
    import tempfile
    from pathlib import Path

    from adapter.installations import create_installation
    from adapter.replies import service as reply_service
    from adapter.replies.evaluate import check_lines

    with tempfile.TemporaryDirectory(prefix="valuedesk-replies-") as folder:
        app = create_app({"DATABASE_URL": f"sqlite:///{Path(folder) / 'replies.db'}",
                          "VALUEDESK_SECRET_KEY": "evaluation-only-" + "x" * 32, "VALUEDESK_ENV": "test",
                          "VALUEDESK_DATA_DIR": folder, "VALUEDESK_PLAYGROUND": "0"})
        with app.app_context():
            migrations.upgrade(get_db().engine)
            with get_db().system() as session:
                installation_id = create_installation(session, kind="playground", account="evaluation").id
            failures = 0
            with get_db().tenant(installation_id) as session:
                installation = session.get(Installation, installation_id)
                reply_service.update_settings(installation, threshold=threshold, min_matches=min_matches)
                for row in check_lines(session, installation, read_json_lines(sys.stdin, ("id", "text"))):
                    failures += "error" in row
                    click.echo(json.dumps(row))
            get_db().dispose()
    if failures:
        raise SystemExit(1)


@replies.command("refingerprint")
def replies_refingerprint() -> None:
    """Re-fingerprint replies stored before migration 0010 now (the worker also does it, a little every minute)."""
    from adapter import jobs

    require_migrated()
    click.echo(f"Re-fingerprinted {jobs.refingerprint_replies(seconds=None):,} replies.")


@replies.command("sync-macros")
@click.option("--installation", "installation_id", required=True)
def replies_sync_macros(installation_id: str) -> None:
    """Fetch an installation's macros now (the worker also does it every hour)."""
    from adapter.replies import service as reply_service

    with get_db().tenant(installation_id) as session:
        installation = session.get(Installation, installation_id)
        if installation is None:
            raise click.ClickException(f"No installation {installation_id!r}.")
        try:
            count = reply_service.sync_macros(session, installation)
        except ProviderError as exc:
            raise click.ClickException(f"The helpdesk refused: {exc}") from None
    click.echo(f"Synced {count} macros.")
