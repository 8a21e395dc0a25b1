"""Signals: classify, train, backfill, map history tags, bootstrap."""

from __future__ import annotations

import sys

import click

from adapter import clock
from adapter.cli.base import installation_session
from adapter.cli.base import main
from adapter.cli.base import read_json_lines
from adapter.db import get_db
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.errors import ProviderError


@main.group()
def signals() -> None:
    """Classify messages, train a model, and backfill suggestions from the helpdesk's history."""



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

    from adapter.signals import evaluate
    from adapter.signals import model as learned

    scorer = learned.loads(Path(model_path).read_bytes()) if model_path else None
    classifier = evaluate.default_classifier(competitors, scorer, threshold)
    if installation_id:
        with installation_session(installation_id) as (session, installation):
            classifier = evaluate.installation_classifier(session, installation, scorer)
    failures = 0
    for row in evaluate.classify_lines(read_json_lines(sys.stdin, ("id", "text")), classifier):
        failures += "error" in row
        click.echo(json.dumps(row))
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
    for _, item, error in read_json_lines(data_path, ("text", "labels")):
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
