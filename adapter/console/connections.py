"""Console page for connections made with OAuth: connect (to the vendor's consent page and back), see, disconnect."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app
from flask import flash
from flask import g
from flask import redirect
from flask import render_template
from flask import request
from flask import url_for

from adapter import clock
from adapter import lifecycle
from adapter import oauth
from adapter.console.auth import console_required
from adapter.console.blueprint import bp
from adapter.db import request_session
from adapter.errors import Conflict
from adapter.errors import DomainError
from adapter.errors import ProviderError
from adapter.providers import helpdesk_kinds
from adapter.providers import oauth_app
from adapter.providers import oauth_apps
from adapter.providers import zendesk


def _applies(app, installation) -> bool:
    """A helpdesk's OAuth app connects installations of that helpdesk only; trackers connect to any."""
    return app.vendor not in helpdesk_kinds() or app.vendor == installation.kind


def _app_or_404(vendor: str):
    app = oauth_app(vendor)
    if app is None or not _applies(app, g.installation):
        return None, (render_template("console/oauth_refused.html", title="No such connection",
                                      message=f"Valuedesk does not connect to {vendor!r} with OAuth."), 404)
    return app, None


def _playground_grant(app) -> oauth.Tokens:
    """What a connected account looks like, for the playground (it never talks to a vendor)."""
    now = clock.now()
    return oauth.Tokens(access_token="", scope=app.scope_separator.join(app.scopes), granted_at=now - timedelta(days=3),
                        expires_at=now + timedelta(minutes=40))


def connection_rows(session, installation) -> list[dict]:
    """Each OAuth vendor: whether the operator configured it, and this installation's grant (never the tokens)."""
    settings = current_app.config["VALUEDESK"]
    rows = []
    for app in oauth_apps():
        if not _applies(app, installation):
            continue
        granted = oauth.tokens(session, installation.id, app)
        example = granted is None and installation.kind == "playground"
        granted = _playground_grant(app) if example else granted
        rows.append({"vendor": app.vendor, "name": app.display_name, "configured": bool(settings.oauth_client(app.vendor)),
                     "connected": granted is not None, "granted_at": granted.granted_at if granted else None,
                     "expires_at": granted.expires_at if granted else None, "scope": granted.scope if granted else "",
                     "redirect_uri": oauth.redirect_uri(app.vendor), "example": example})
    return rows


@bp.get("/connections")
@console_required
def connections_page():
    """What this installation is connected to with OAuth, and what happens to its data on uninstall."""
    settings = current_app.config["VALUEDESK"]
    rows = connection_rows(request_session(g.installation.id), g.installation)
    if g.agent.role == zendesk.SETUP_ROLE:  # opened from the sidebar of a Zendesk account not connected yet
        rows = [row for row in rows if row["vendor"] == zendesk.NAME]
    return render_template("console/connections.html", rows=rows,
                           retention_days=settings.uninstalled_retention_days,
                           purge_date=lifecycle.purge_date(g.installation, settings.uninstalled_retention_days))


@bp.post("/connect/<vendor>")
@console_required
def connect_start(vendor: str):
    """Start the vendor's authorization: record the state, then send the admin to the vendor's consent page."""
    app, missing = _app_or_404(vendor)
    if missing:
        return missing
    session = request_session(g.installation.id)
    try:
        url = oauth.begin(session, g.installation, app, agent_id=g.agent.agent_id)
    except Conflict as exc:
        flash(exc.message, "error")
        return redirect(url_for("console.connections_page"))
    session.commit()
    return redirect(url, code=303)


@bp.get("/oauth/<vendor>/callback")
@console_required
def connect_callback(vendor: str):
    """The vendor sends the admin back here: finish, or say plainly why not (nothing stored)."""
    app, missing = _app_or_404(vendor)
    if missing:
        return missing
    session = request_session(g.installation.id)
    try:
        result = oauth.finish(session, g.installation, app, agent_id=g.agent.agent_id, args=request.args)
    except (DomainError, ProviderError) as exc:
        session.rollback()
        if isinstance(exc, oauth.OAuthRefused | Conflict):
            message, status = exc.message, 400 if isinstance(exc, oauth.OAuthRefused) else 409
        else:  # the vendor's set-up step failed after consent
            message, status = (f"{app.display_name} approved Valuedesk, but setting it up failed: {exc.message} "
                               "Nothing was stored; press Connect again."), 502
        return render_template("console/oauth_refused.html", title=f"{app.display_name} is not connected",
                               message=message), status
    session.commit()
    flash(result.message, "info")
    return redirect(result.next_url or url_for("console.connections_page"))


@bp.post("/disconnect/<vendor>")
@console_required
def connect_remove(vendor: str):
    """Delete what Valuedesk created at the vendor, revoke the grant, forget the tokens."""
    app, missing = _app_or_404(vendor)
    if missing:
        return missing
    session = request_session(g.installation.id)
    done = oauth.revoke(session, g.installation, app)
    session.commit()
    flash(f"{app.display_name} disconnected: " + "; ".join(done) + "." if done else
          f"{app.display_name} was not connected.", "info")
    return redirect(url_for("console.connections_page"))
