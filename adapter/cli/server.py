"""Serving: migrate, serve, worker and demo-data."""

from __future__ import annotations

import os
import subprocess
import sys

import click

from adapter import clock
from adapter import create_app
from adapter import migrations
from adapter.cli.base import main
from adapter.cli.base import require_migrated
from adapter.cli.base import safe_url
from adapter.cli.base import settings
from adapter.config import is_configured
from adapter.db import get_db
from adapter.models import Installation


@main.command()
def migrate() -> None:
    """Upgrade the database to the newest schema."""
    engine = get_db().engine
    before = migrations.current_revision(engine)
    migrations.upgrade(engine)
    after = migrations.current_revision(engine)
    if before == after:
        click.echo(f"Database {safe_url(settings().database_url)} is up to date ({after}).")
    else:
        click.echo(f"Migrated {safe_url(settings().database_url)} from {before or 'empty'} to {after}.")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", default=8000, show_default=True, type=int, help="Port to listen on.")
@click.option("--threads", default=8, show_default=True, type=click.IntRange(1, 256),
              help="Threads that run requests (slow clients never hold one: requests reach them complete).")
@click.option("--workers", type=int, hidden=True, help="No longer used: one process serves; add threads or machines.")
@click.option("--with-worker", is_flag=True, help="Also run the job worker (stopped together with Ctrl-C).")
def serve(host: str, port: int, threads: int, workers: int | None, with_worker: bool) -> None:
    """Serve the web app (waitress: whole requests reach the threads, with header and body deadlines)."""
    require_migrated()
    from adapter import server as web_server

    if workers is not None:
        click.secho("--workers is no longer used: one process serves all connections; use --threads.", fg="yellow",
                    err=True)
    url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '::') else host}:{port}"
    if not is_configured("VALUEDESK_PUBLIC_URL"):
        # Links the service hands out (tracker issues, the sidebar, webhooks) must point at this server's port.
        os.environ["VALUEDESK_PUBLIC_URL"] = url
    config = settings()
    limits = web_server.Limits(header_timeout=config.header_timeout, body_timeout=config.body_timeout,
                               max_body=config.webhook_max_bytes)
    try:
        httpd = web_server.create(create_app(), host=host, port=port, threads=threads, limits=limits)
    except OSError as exc:
        raise click.ClickException(f"Cannot listen on {host}:{port}: {exc.strerror or exc}.") from None
    job_worker = None
    if with_worker:
        job_worker = subprocess.Popen([sys.executable, "-m", "adapter.cli", "worker"], env=os.environ.copy())
    click.secho(f"\nValuedesk is running on {url}", fg="green", bold=True)
    if config.playground:
        click.secho(f"Open the playground: {url}/playground/\n", fg="green")
    web_server.run(httpd, on_exit=lambda: _stop(job_worker))


def _stop(process: subprocess.Popen | None) -> None:
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


@main.command()
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Worker threads [default: 1 on SQLite, which has one writer; 4 on PostgreSQL].")
def worker(workers: int | None) -> None:
    """Run the job worker with periodic jobs (sweeps, reminders, syncs)."""
    require_migrated()
    from adapter.queue import get_huey

    workers = workers or (1 if settings().is_sqlite else 4)
    huey = get_huey()
    if huey.immediate:
        raise click.ClickException("VALUEDESK_JOBS_IMMEDIATE is on: jobs run inside the web process, no worker needed.")
    storage = "Redis" if settings().redis_url else f"SQLite ({settings().huey_sqlite_path})"
    click.echo(f"Valuedesk worker: {workers} threads, queue on {storage}.", err=True)
    consumer = huey.create_consumer(workers=workers, worker_type="thread", periodic=True, max_delay=1.0,
                                    check_worker_health=True)
    consumer.run()


@main.command("demo-data")
@click.option("--reset", is_flag=True, help="Replace the playground tickets with fresh copies.")
@click.option("--team-history", is_flag=True,
              help="Also add seven past weeks of team follow-ups and pre-send checks for the dashboard.")
def demo_data(reset: bool, team_history: bool) -> None:
    """Create the playground installation and its sample tickets."""
    require_migrated()
    from adapter.installations import PLAYGROUND_ID
    from adapter.intake import enqueue_processing
    from adapter.playground import helpdesk

    db = get_db()
    with db.system() as session:
        helpdesk.ensure_installation(session)
    from adapter.providers import sandbox_billing
    from adapter.replies import service as replies

    if reset:
        clock.reset_offset()  # fresh sample tickets start at the real time
    with db.tenant(PLAYGROUND_ID) as session:
        receipt_ids = helpdesk.seed_tickets(session, reset=reset)
        helpdesk.seed_history(session)
        if team_history:
            helpdesk.seed_team_history(session, session.get(Installation, PLAYGROUND_ID))
        replies.sync_macros(session, session.get(Installation, PLAYGROUND_ID))
        sandbox_billing.seed(session)
    queued = sum(enqueue_processing(receipt_id) for receipt_id in receipt_ids)
    if receipt_ids:
        click.echo(f"Playground ready: sample tickets created, {queued} events queued for the worker.")
    else:
        click.echo("Playground already has its sample tickets (use --reset to start over).")
