"""Console pages that finish *Connect Jira*: choose the site (when the grant reaches several), then the project."""

from __future__ import annotations

from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from adapter import oauth
from adapter import queue
from adapter.console.auth import console_required
from adapter.console.blueprint import bp
from adapter.db import release_request_session
from adapter.db import request_session
from adapter.errors import DomainError
from adapter.errors import ProviderError
from adapter.trackers import jira_oauth


def _cannot(exc: Exception):
    """Back to the trackers page with what went wrong (a lost grant asks for Connect Jira again)."""
    if isinstance(exc, oauth.ReconnectNeeded):
        flash("Jira needs connecting again: press Connect Jira and approve Valuedesk.", "error")
    elif isinstance(exc, DomainError):
        flash(exc.message, "error")
    else:
        flash(f"Jira did not answer: {exc.message} Try again in a moment.", "error")
    return redirect(url_for("console.trackers_page"))


def _choice(load):
    """The choice page with what `load(session)` found at Atlassian, or back to the trackers page saying why not."""
    try:
        found = load(request_session(g.installation.id))
    except (DomainError, ProviderError) as exc:
        return _cannot(exc)
    return render_template("console/jira_choose.html", **{"sites": None, "site": None, "projects": None, **found})


@bp.get("/trackers/jira/site")
@console_required
def jira_site():
    """The Jira sites the admin's approval reaches, to choose one."""
    return _choice(lambda session: {"sites": jira_oauth.sites(session, g.installation)})


@bp.get("/trackers/jira/project")
@console_required
def jira_project():
    """The chosen site's projects, to choose the one issues go to."""
    cloud_id = request.args.get("cloud_id", "")
    return _choice(lambda session: {"site": jira_oauth.site(session, g.installation, cloud_id),
                                    "projects": jira_oauth.projects(session, g.installation, cloud_id)})


@bp.post("/trackers/jira/project")
@console_required
def jira_choose():
    """Connect the chosen site and project, register the webhook, and retry syncs that waited for a grant."""
    try:
        release_request_session()  # the grant is refreshed, if due, before this request takes the write lock
        jira_oauth.warm_up(g.installation.id)
    except (DomainError, ProviderError) as exc:
        return _cannot(exc)
    session = request_session(g.installation.id)
    try:
        message = jira_oauth.choose(session, g.installation, request.form.get("cloud_id", ""),
                                    request.form.get("project", ""))
    except (DomainError, ProviderError) as exc:
        session.rollback()
        return _cannot(exc)
    retried = jira_oauth.retry_after_reconnect(session)
    session.commit()
    for action_id in retried:
        queue.enqueue("run_outbox_action", action_id)
    flash(message + (f" Retrying {len(retried)} sync{'s' if len(retried) != 1 else ''} that waited for it."
                     if retried else ""), "info")
    return redirect(url_for("console.trackers_page"))
