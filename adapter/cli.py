"""The `valuedesk` command: serve, worker, migrate, demo-data, installations and the analysis commands."""

from __future__ import annotations

import os
import subprocess
import sys

import click
from flask import current_app
from flask.cli import FlaskGroup
from flask.cli import ScriptInfo
from sqlalchemy import select
from sqlalchemy.engine import make_url

from adapter import clock
from adapter import create_app
from adapter import migrations
from adapter.config import is_configured
from adapter.db import get_db
from adapter.errors import ApiError
from adapter.errors import ConfigError
from adapter.errors import DomainError
from adapter.errors import ProviderError
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


@main.group()
def installations() -> None:
    """Add, list, show, disable and enable installations."""


def _describe(installation) -> str:
    state = "active" if installation.is_active else f"disabled {installation.disabled_at:%Y-%m-%d}"
    return f"{installation.id}\t{installation.kind}\t{installation.account}\t{installation.name}\t{state}"


@installations.command("add")
@click.option("--kind", required=True, type=click.Choice(["zendesk", "freshdesk", "playground"]))
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
        click.echo(f"state:          {'active' if installation.is_active else 'disabled'}")
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
    from adapter.errors import ProviderError

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
    from adapter.errors import ProviderError

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


@installations_connect.command("freshdesk")
@click.option("--domain", required=True, help="Your Freshdesk domain (acme for acme.freshdesk.com).")
@click.option("--api-key", required=True, prompt=True, hide_input=True, help="An agent's API key.")
@click.option("--timezone", default="UTC", show_default=True, help="Timezone for a new installation.")
def connect_freshdesk_command(domain: str, api_key: str, timezone: str) -> None:
    """Verify the API key, store it encrypted, and print the automation rules and app settings to use."""
    from adapter.connections import connect_freshdesk
    from adapter.credentials import CredentialStore
    from adapter.errors import ProviderError
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
    click.echo("\nSettings for the Valuedesk app in Freshdesk:")
    click.echo(f"  Installation id:    {report.installation_id}")
    click.echo(f"  Installation token: {report.installation_token}")
    click.echo(f"  Webhook secret:     {secret}")
    click.echo("\nAutomation rules to create:\n")
    click.echo(report.instructions)


@main.group()
def signals() -> None:
    """Classify messages, train a model, and backfill suggestions from the helpdesk's history."""


def _read_json_lines(stream, required: tuple[str, ...]):
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


@signals.command("classify", with_appcontext=False)
@click.option("--model", "model_path", type=click.Path(exists=True, dir_okay=False),
              help="A model from `signals train`, used instead of the default model.")
@click.option("--installation", "installation_id", help="Use this installation's rules and its blend of models.")
@click.option("--competitor", "competitors", multiple=True, help="A competitor name (repeatable).")
@click.option("--threshold", type=click.FloatRange(0.0, 1.0), default=0.5, show_default=True)
def signals_classify(model_path: str | None, installation_id: str | None, competitors: tuple[str, ...],
                     threshold: float) -> None:
    """Read {"id","text"} JSON lines on stdin; write {"id","labels","scores"} lines on stdout.

    Without --installation the default model shipped with Valuedesk scores each message with the built-in rules.
    """
    import json
    from pathlib import Path

    from adapter.signals import blend
    from adapter.signals import classify
    from adapter.signals import model as learned
    from adapter.signals import rules
    from adapter.signals.taxonomy import DEFAULT_TYPES

    types = [key for key, *_ in DEFAULT_TYPES]
    ruleset = rules.default_rules(competitors)
    scorer = learned.loads(Path(model_path).read_bytes()) if model_path else blend.fresh()
    if installation_id:
        from adapter.installations import get_installation
        from adapter.signals import service
        from adapter.signals import taxonomy

        app = click.get_current_context().ensure_object(ScriptInfo).load_app()
        with app.app_context(), get_db().tenant(installation_id) as session:
            installation = get_installation(session, installation_id)
            if installation is None:
                raise click.ClickException(f"No installation {installation_id!r}.")
            ruleset = taxonomy.ruleset_for(session, installation)
            types = [t.key for t in taxonomy.ensure_types(session) if t.enabled]
            scorer = scorer if model_path else service.current_model(session)
            threshold = taxonomy.settings_of(installation).threshold
    failures = 0
    for _, item, error in _read_json_lines(sys.stdin, ("id", "text")):
        if error:
            failures += 1
            click.echo(json.dumps({"id": (item or {}).get("id"), "error": error}))
            continue
        scores = classify.scores(str(item["text"]), ruleset, scorer, types)
        labels = [k for k, v in sorted(scores.items(), key=lambda kv: -kv[1]) if v >= threshold]
        click.echo(json.dumps({"id": item["id"], "labels": labels, "scores": scores}))
    if failures:
        raise SystemExit(1)


@signals.command("train", with_appcontext=False)
@click.option("--data", "data_path", required=True, type=click.File("r"), help='JSON lines {"text","labels"}.')
@click.option("-o", "--out", "out_path", default="signals-model.pkl", show_default=True, type=click.Path(dir_okay=False))
def signals_train(data_path, out_path: str) -> None:
    """Train a model from labelled JSON lines (for `signals classify --model`)."""
    from pathlib import Path

    from adapter.signals import model as learned

    examples = []
    for _, item, error in _read_json_lines(data_path, ("text", "labels")):
        if error:
            raise click.ClickException(error)
        examples.append(learned.Example(text=str(item["text"]), labels=frozenset(map(str, item["labels"]))))
    trained = learned.train(examples)
    if trained is None:
        raise click.ClickException(f"Not enough data: need at least {learned.MIN_EXAMPLES} examples and "
                                   f"{learned.MIN_POSITIVES} of some type (got {len(examples)} examples).")
    Path(out_path).write_bytes(learned.dumps(trained))
    per_type = ", ".join(f"{k} {v}" for k, v in sorted(trained.positives.items()))
    click.echo(f"Trained on {trained.examples} examples ({per_type}); wrote {out_path}.")


@signals.command("backfill")
@click.option("--installation", "installation_id", required=True, help="Installation to backfill.")
@click.option("--since", default="90d", show_default=True, help="How far back: 90d, 12w or 2026-01-31.")
@click.option("--restart", is_flag=True, help="Start over instead of resuming an unfinished run.")
def signals_backfill(installation_id: str, since: str, restart: bool) -> None:
    """Create suggestions (not confirmed signals) for recent tickets; resumes after an interruption."""
    from adapter import clock
    from adapter.errors import ProviderError
    from adapter.installations import get_installation
    from adapter.providers import helpdesk_client
    from adapter.signals import backfill

    try:
        moment = backfill.parse_since(since, clock.now())
    except (ApiError, DomainError) as exc:
        raise click.ClickException(exc.message) from None
    with get_db().session(installation_id) as session:
        installation = get_installation(session, installation_id)
        if installation is None:
            raise click.ClickException(f"No installation {installation_id!r}.")
        helpdesk = helpdesk_client(session, installation)
        try:
            ticket_ids = list(helpdesk.iter_ticket_ids(moment))
        except ProviderError as exc:
            raise click.ClickException(f"Could not list tickets: {exc.message}") from None
        run = backfill.start_or_resume(session, moment.replace(microsecond=0), restart=restart)
        todo = backfill.remaining(ticket_ids, run)
        session.commit()
        if len(todo) < len(ticket_ids):
            click.echo(f"Resuming: {run.processed} tickets done before, {len(todo)} to go.")
        with click.progressbar(length=len(todo), label=f"Backfilling since {moment:%Y-%m-%d}",
                               show_pos=True, file=sys.stderr) as bar:
            try:
                backfill.run(session, installation, helpdesk, todo, run, progress=lambda _: bar.update(1))
            except ProviderError as exc:
                raise click.ClickException(f"Stopped at ticket {run.last_ticket_id or '(first)'}: {exc.message}. "
                                           "Run the same command again to resume.") from None
        click.echo(f"Done: {run.processed} tickets read, {run.suggestions} new suggestions to review.")


@signals.command("tags")
@click.option("--installation", "installation_id", required=True, help="Installation whose history to map.")
@click.option("--map", "pairs", multiple=True, metavar="TAG=TYPE",
              help="Confirm that a helpdesk tag means a signal type (repeatable); TAG= unmaps it.")
def signals_tags(installation_id: str, pairs: tuple[str, ...]) -> None:
    """Show the helpdesk tags the backfill found, with the signal type each probably means; confirm with --map."""
    from adapter.installations import get_installation
    from adapter.signals import history
    from adapter.signals import service
    from adapter.signals import taxonomy

    with get_db().tenant(installation_id) as session:
        installation = get_installation(session, installation_id)
        if installation is None:
            raise click.ClickException(f"No installation {installation_id!r}.")
        types = taxonomy.ensure_types(session)
        if pairs:
            changes = {}
            for pair in pairs:
                tag, sep, type_key = pair.partition("=")
                if not sep or not tag.strip():
                    raise click.ClickException(f"--map takes TAG=TYPE, not {pair!r}.")
                changes[tag.strip()] = type_key.strip() or None
            try:
                history.update_mapping(session, installation, changes, [t.key for t in types])
            except (ApiError, DomainError) as exc:
                raise click.ClickException(f"{exc.message} Nothing was changed.") from None
            session.commit()
        offered = history.offered(session, installation, service.current_model(session), [t.tag for t in types])
    if not offered:
        click.echo("No tagged tickets yet: run `valuedesk signals backfill` first.")
        return
    width = max(len(s.tag) for s in offered)
    click.echo(f"{'tag'.ljust(width)}  tickets  suggested        mapped")
    for item in offered:
        suggested = f"{item.type_key} ({item.reason})" if item.type_key else f"- ({item.reason})"
        click.echo(f"{item.tag.ljust(width)}  {item.tickets:>7}  {suggested:<16} {item.mapped or '-'}")
    unconfirmed = [s for s in offered if s.type_key and not s.mapped]
    if unconfirmed:
        example = " ".join(f"--map {s.tag}={s.type_key}" for s in unconfirmed[:3])
        click.echo(f"\nConfirm with: valuedesk signals tags --installation {installation_id} {example}")


@signals.command("bootstrap")
@click.option("--installation", "installation_id", required=True, help="Installation to train.")
def signals_bootstrap(installation_id: str) -> None:
    """Train the installation's model from its mapped tag history and its agents' decisions."""
    from adapter.installations import get_installation
    from adapter.signals import history
    from adapter.signals import model as learned
    from adapter.signals import service
    from adapter.signals.taxonomy import DEFAULT_TYPES

    with get_db().tenant(installation_id) as session:
        installation = get_installation(session, installation_id)
        if installation is None:
            raise click.ClickException(f"No installation {installation_id!r}.")
        if not history.mapping_of(installation):
            raise click.ClickException("No helpdesk tag is mapped to a signal type yet: see `valuedesk signals tags`.")
        steps = len(DEFAULT_TYPES) + 2
        with click.progressbar(length=steps, label="Training from the tagged history", file=sys.stderr) as bar:
            trained = service.retrain(session, installation, progress=lambda step: bar.update(1))
        if trained is None:
            raise click.ClickException(f"Not enough data: need {learned.MIN_EXAMPLES} tagged tickets or decisions.")
        session.commit()
    per_type = ", ".join(f"{k} {v}" for k, v in sorted(trained.positives.items()) if v)
    click.echo(f"Trained on {trained.examples} tickets and decisions ({per_type}); suggestions now use it.")


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
    for _, item, error in _read_json_lines(sys.stdin, ("id", "text", "sent_at")):
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
                for number, item, error in _read_json_lines(sys.stdin, ("id", "text")):
                    line_id = (item or {}).get("id")
                    try:
                        if error:
                            raise ValueError(error)
                        text, agent = str(item["text"]), item.get("agent")
                        ticket = f"line-{number}"
                        result = reply_service.check(session, installation, ticket_id=ticket, agent_id=agent,
                                                     draft=text, customer_message=item.get("customer_message"))
                    except (ValueError, ApiError, DomainError) as exc:
                        failures += 1
                        click.echo(json.dumps({"id": line_id, "error": getattr(exc, "message", None) or str(exc)}))
                        continue
                    reply_service.record_reply(session, ticket_id=ticket, comment_id=json.dumps(line_id),
                                               agent_id=agent, text=text)
                    click.echo(json.dumps({"id": line_id, "warnings": [w.as_dict() for w in result.warnings],
                                           "similar": [json.loads(m.comment_id) for m in result.matches]}))
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


@main.group()
def billing() -> None:
    """Refunds and coupons: connect Stripe, show or change the policy, export the audit trail."""


def _billing_installation(session, installation_id: str) -> Installation:
    installation = session.get(Installation, installation_id)
    if installation is None:
        raise click.ClickException(f"No installation {installation_id!r}; see `valuedesk installations list`.")
    return installation


@billing.command("connect")
@click.option("--installation", "installation_id", required=True)
@click.option("--key", "api_key", required=True, help="A Stripe restricted key (rk_live_…); see README for its permissions.")
@click.option("--webhook-secret", help="The signing secret (whsec_…) of the Stripe webhook endpoint.")
def billing_connect(installation_id: str, api_key: str, webhook_secret: str | None) -> None:
    """Store a Stripe key (checked with one read) and print where Stripe should send refund events."""
    from adapter.connections import webhook_url
    from adapter.credentials import CredentialStore
    from adapter.providers import stripe

    if not api_key.startswith(("rk_", "sk_")):
        raise click.ClickException("That is not a Stripe secret or restricted key (it starts with rk_ or sk_).")
    if webhook_secret is not None and not webhook_secret.startswith("whsec_"):
        raise click.ClickException("A Stripe webhook signing secret starts with whsec_.")
    with get_db().tenant(installation_id) as session:
        installation = _billing_installation(session, installation_id)
        if installation.kind == "playground":
            raise click.ClickException("The playground uses its sandbox billing account, never a real Stripe key.")
        try:
            stripe.Client(api_key).check_key()
        except ProviderError as exc:
            raise click.ClickException(f"Stripe refused the key: {exc.message}") from None
        credentials = CredentialStore(session, installation_id)
        credentials.set(stripe.API_KEY_CREDENTIAL, api_key)
        if webhook_secret:
            credentials.set(stripe.SECRET_CREDENTIAL, webhook_secret)
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
        installation = _billing_installation(session, installation_id)
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
        _billing_installation(session, installation_id)
        click.echo(audit.as_csv(session, audit.AuditFilters()), nl=False)


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
        installation = _billing_installation(session, installation_id)
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
            tracker_settings.set_webhook_secret(session, _billing_installation(session, installation_id), secret)
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
        installation = _billing_installation(session, installation_id)
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
        tracker_settings.disconnect(session, _billing_installation(session, installation_id))
    click.echo("Tracker disconnected.")


if __name__ == "__main__":
    main()
