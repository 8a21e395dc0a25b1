"""The `valuedesk` group and what its commands share: the app, its settings, the database check."""

from __future__ import annotations

import sys
from contextlib import contextmanager

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import ScriptInfo
from sqlalchemy.engine import make_url

from adapter import create_app
from adapter import migrations
from adapter.db import get_db
from adapter.errors import ConfigError
from adapter.installations import get_installation
from adapter.models import Installation


def _create_app():
    try:
        return create_app()
    except ConfigError as exc:
        click.secho(f"Configuration error: {exc.message}", fg="red", err=True)
        sys.exit(2)


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """Valuedesk: signals, honest follow-ups, copy-paste nudges and safe refunds for your helpdesk."""


def settings():
    """The running app's Settings."""
    return current_app.config["VALUEDESK"]


def safe_url(url: str) -> str:
    """A database URL with its password hidden, for printing."""
    return make_url(url).render_as_string(hide_password=True)


def require_migrated() -> None:
    """Exit with a clear message when the database is behind the code."""
    engine = get_db().engine
    try:
        current = migrations.current_revision(engine)
    except Exception as exc:
        raise click.ClickException(f"Cannot reach the database at {safe_url(settings().database_url)}: {exc}") from None
    head = migrations.head_revision()
    if current != head:
        raise click.ClickException(
            f"The database at {safe_url(settings().database_url)} is not migrated "
            f"(it is at {current or 'nothing'}, the code needs {head}). Run `valuedesk migrate` first."
        )



def read_json_lines(stream, required: tuple[str, ...]):
    """Each line's number, its object and what is wrong with it (None when nothing is)."""
    import json

    for number, line in enumerate(stream, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except json.JSONDecodeError as exc:
            yield number, None, f"line {number} is not JSON: {exc.msg}"
            continue
        missing = [k for k in required if not isinstance(item, dict) or k not in item]
        yield number, item, (f"line {number} lacks {', '.join(missing)}" if missing else None)



def installation_or_exit(session, installation_id: str) -> Installation:
    """The installation, or exit with a message naming the command that lists them."""
    installation = session.get(Installation, installation_id)
    if installation is None:
        raise click.ClickException(f"No installation {installation_id!r}; see `valuedesk installations list`.")
    return installation


@contextmanager
def installation_session(installation_id: str):
    """For a command that runs without the app: the app's context and the installation's session, or exit."""
    app = click.get_current_context().ensure_object(ScriptInfo).load_app()
    with app.app_context(), get_db().tenant(installation_id) as session:
        installation = get_installation(session, installation_id)
        if installation is None:
            raise click.ClickException(f"No installation {installation_id!r}.")
        yield session, installation
