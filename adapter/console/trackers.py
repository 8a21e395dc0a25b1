"""Console page for Jira and Linear: the connection and its webhook, the sync rule, theme issues and failed syncs."""

from __future__ import annotations

from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for
from sqlalchemy import select

from adapter import oauth
from adapter import queue
from adapter.console.auth import console_required
from adapter.console.blueprint import bp
from adapter.db import reads_only
from adapter.db import release_request_session
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.errors import ProviderError
from adapter.models import TrackerLink
from adapter.providers import oauth_app
from adapter.signals import taxonomy
from adapter.trackers import api as trackers_api
from adapter.trackers import jira_oauth
from adapter.trackers import linear_connect
from adapter.trackers import needs
from adapter.trackers import settings as tracker_settings


@bp.get("/trackers")
@console_required
def trackers_page():
    """The tracker connection, its webhook set-up, the sync rule, each theme's issue, and writes waiting or failed."""
    session = request_session(g.installation.id)
    connection = trackers_api.connection_out(session, g.installation)
    instructions = (tracker_settings.webhook_instructions(connection["kind"], connection["webhook_url"],
                                                          connection["webhook_secret"], connection["project"])
                    if connection["kind"] in tracker_settings.SECRETS else None)
    jira = jira_oauth.console_view(session, g.installation)
    if jira["connected"] and jira["webhook_ids"]:
        instructions = None  # Valuedesk registered the webhook itself
    links = [trackers_api.link_out(session, link)
             for link in session.scalars(select(TrackerLink).order_by(TrackerLink.id.desc()).limit(200))]
    linear_oauth = current_app.config["VALUEDESK"].oauth_client("linear") is not None
    granted = oauth.tokens(session, g.installation.id, oauth_app("linear")) is not None
    return render_template("console/trackers.html", connection=connection, instructions=instructions, links=links,
                           jira=jira, linear_oauth=linear_oauth, linear_granted=granted,
                           syncs=trackers_api.pending_syncs(session), rules=tracker_settings.SYNC_RULES,
                           settings=tracker_settings.settings_of(g.installation), types=taxonomy.ensure_types(session))


@bp.post("/trackers/settings")
@console_required
def trackers_settings():
    """Save the sync rule, threshold, reopening and the mapping of signal types to issue types or labels."""
    session = request_session(g.installation.id)
    try:
        threshold = int(request.form.get("auto_threshold", ""))
    except ValueError:
        flash("The ticket threshold must be a whole number (2 to 1000).", "error")
        return redirect(url_for("console.trackers_page"))
    form = request.form
    mapping = {name: {key.removeprefix(f"{name}."): value.strip() for key, value in form.items()
                      if key.startswith(f"{name}.") and value.strip()}  # an empty cell falls back to the default
               for name in ("issue_types", "label_ids")}
    try:
        tracker_settings.update_settings(
            g.installation, sync=form.get("sync"), auto_threshold=threshold,
            reopen_tickets=form.get("reopen_tickets") == "on", issue_type=form.get("issue_type"),
            **{name: values for name, values in mapping.items() if f"has_{name}" in form})
    except (ApiError, DomainError) as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("console.trackers_page"))
    session.commit()
    flash("Tracker settings saved.", "info")
    return redirect(url_for("console.trackers_page"))


@bp.post("/trackers/test")
@reads_only
@console_required
def trackers_test():
    """Test the connection with one call to the tracker."""
    tracker = tracker_settings.client(request_session(g.installation.id), g.installation)
    release_request_session()
    if tracker is None:
        flash("No tracker is connected.", "error")
    else:
        try:
            flash(f"Connected: {tracker.check()}.", "info")
        except ProviderError as exc:
            flash(f"The tracker refused or did not answer: {exc.message}", "error")
    return redirect(url_for("console.trackers_page"))


@bp.post("/trackers/syncs/<int:action_id>/retry")
@console_required
def trackers_retry(action_id: int):
    """Retry a failed tracker write."""
    session = request_session(g.installation.id)
    try:
        trackers_api.retry_sync(session, action_id)
    except (ApiError, DomainError) as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.trackers_page"))
    session.commit()
    queue.enqueue("run_outbox_action", action_id)
    flash("Retrying now.", "info")
    return redirect(url_for("console.trackers_page"))


@bp.post("/trackers/customer-requests/retry")
@console_required
def trackers_needs_retry():
    """Try Linear customer requests again (after a plan change): every linked ticket is sent once more, without duplicates."""
    session = request_session(g.installation.id)
    if tracker_settings.settings_of(g.installation).kind != "linear":
        flash("Customer requests are a Linear feature; connect Linear first.", "error")
        return redirect(url_for("console.trackers_page"))
    queued = needs.try_again(session, g.installation)
    session.commit()
    flash(f"Trying customer requests again for {queued} linked ticket{'s' if queued != 1 else ''}.", "info")
    return redirect(url_for("console.trackers_page"))


@bp.get("/trackers/linear/team")
@console_required
def linear_team_page():
    """After connecting Linear with OAuth: the teams the grant can create issues in, to choose one."""
    session = request_session(g.installation.id)
    try:
        teams = linear_connect.teams(session, g.installation)
    except ProviderError as exc:
        flash(f"Linear did not list its teams: {exc.message}", "error")
        return redirect(url_for("console.trackers_page"))
    return render_template("console/linear_team.html", teams=teams)


@bp.post("/trackers/linear/team")
@console_required
def linear_team_choose():
    """Use the chosen team: Linear becomes the tracker and Valuedesk creates its webhook there."""
    session = request_session(g.installation.id)
    try:
        message = linear_connect.choose_team(session, g.installation, str(request.form.get("team_id") or ""))
    except (DomainError, ProviderError) as exc:
        session.rollback()
        flash(exc.message, "error")
        return redirect(url_for("console.linear_team_page" if isinstance(exc, DomainError) else "console.trackers_page"))
    session.commit()
    flash(message, "info")
    return redirect(url_for("console.trackers_page"))
