"""Trackers API: send or link a theme from the sidebar; connect Jira or Linear and watch the syncs as an admin."""

from __future__ import annotations

from dataclasses import asdict

import marshmallow as ma
from flask import current_app
from flask import g
from flask_smorest import Blueprint
from sqlalchemy import func
from sqlalchemy import select

from adapter import queue
from adapter import workitems
from adapter.connections import webhook_url
from adapter.db import release_request_session
from adapter.errors import ApiError
from adapter.errors import AuthError
from adapter.errors import NotFound
from adapter.errors import ProviderError
from adapter.models import OutboxAction
from adapter.models import Theme
from adapter.models import TrackerLink
from adapter.models import TrackerTicket
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_db
from adapter.sidebar.auth import agent_required
from adapter.signals import themes
from adapter.trackers import settings as tracker_settings
from adapter.trackers import sync

bp = Blueprint("trackers", __name__, url_prefix="/api", description="Jira and Linear: theme issues and their sync.")


class TrackerLinkOut(ma.Schema):
    theme_id = ma.fields.Integer()
    theme_title = ma.fields.String()
    tracker = ma.fields.String()
    tracker_name = ma.fields.String()
    state = ma.fields.String(metadata={"description": "creating (waiting for the tracker) or linked"})
    issue_key = ma.fields.String(allow_none=True)
    issue_url = ma.fields.String(allow_none=True)
    title = ma.fields.String()
    status = ma.fields.String()
    category = ma.fields.String(metadata={"description": "unstarted, in_progress, done or cancelled"})
    tickets = ma.fields.Integer()
    tickets_linked = ma.fields.Integer()


class IssueRefIn(ma.Schema):
    issue = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=500),
                             metadata={"description": "An issue key (SUP-42) or its URL"})


def link_out(session, link: TrackerLink) -> dict:
    """A link as the sidebar and console show it."""
    counts = session.execute(select(func.count(), func.count(TrackerTicket.linked_at))
                             .where(TrackerTicket.link_id == link.id)).one()
    theme = session.get(Theme, link.theme_id)
    return {**{name: getattr(link, name) for name in ("theme_id", "tracker", "state", "issue_key", "issue_url", "title",
                                                      "status", "category")},
            "theme_title": theme.title if theme else "", "tracker_name": tracker_settings.NAMES.get(link.tracker, link.tracker),
            "tickets": counts[0], "tickets_linked": counts[1]}


def _link_or_404(session, theme_id: int) -> TrackerLink:
    link = sync.link_of(session, theme_id)
    if link is None:
        raise ApiError(404, "not_linked", "This theme has no tracker issue yet.")
    return link


@bp.route("/themes/<int:theme_id>/tracker", methods=["GET"])
@bp.response(200, TrackerLinkOut)
@agent_required
def theme_issue(theme_id: int):
    """The theme's tracker issue and how many of its tickets are linked."""
    session = agent_db()
    return link_out(session, _link_or_404(session, theme_id))


@bp.route("/themes/<int:theme_id>/tracker", methods=["POST"])
@bp.response(201, TrackerLinkOut)
@agent_required
def send_theme(theme_id: int):
    """Create the theme's issue in the connected tracker (it appears within seconds; the tracker may be slow)."""
    session = agent_db()
    link = sync.send_theme(session, g.installation, theme_id)
    session.commit()
    return link_out(session, link)


@bp.route("/themes/<int:theme_id>/tracker", methods=["PUT"])
@bp.arguments(IssueRefIn)
@bp.response(200, TrackerLinkOut)
@agent_required
def link_theme(data, theme_id: int):
    """Link the theme to an existing issue by its key or URL; its tickets are linked and counted on the issue."""
    session = agent_db()
    themes.get_theme(session, theme_id)
    key = tracker_settings.key_of(g.installation, data["issue"])
    if tracker_settings.settings_of(g.installation).kind is None:
        raise ApiError(409, "tracker_not_connected", "No tracker is connected; an admin can connect Jira or Linear.")
    if key is None:
        raise ApiError(400, "invalid_issue", "Paste an issue key like SUP-42 or the issue's link.", fields={"issue": "key or URL"})
    tracker = tracker_settings.client(session, g.installation)
    release_request_session()  # the tracker call may take seconds; hold no connection meanwhile
    try:
        issue = tracker.get_issue(key)
    except NotFound:
        raise ApiError(404, "unknown_issue", f"{key} does not exist (or the connection cannot see it).") from None
    except ProviderError as exc:
        raise ApiError(502, "tracker_unavailable", f"The tracker did not answer: {exc.message} Try again in a moment.") from None
    link = sync.link_existing(session, g.installation, theme_id, issue)
    session.commit()
    return link_out(session, link)


@bp.route("/themes/<int:theme_id>/tracker", methods=["DELETE"])
@bp.response(204)
@agent_required
def unlink_theme(theme_id: int):
    """Detach the theme from its issue (the issue itself stays in the tracker)."""
    session = agent_db()
    sync.unlink_theme(session, theme_id)
    session.commit()


# Admin: the connection, its settings, and the syncs


class TrackerConnectionOut(ma.Schema):
    kind = ma.fields.String(allow_none=True)
    name = ma.fields.String(allow_none=True)
    connected = ma.fields.Boolean()
    site = ma.fields.String()
    project = ma.fields.String()
    issue_type = ma.fields.String()
    issue_types = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    team_id = ma.fields.String()
    label_ids = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String())
    sync = ma.fields.String()
    auto_threshold = ma.fields.Integer()
    reopen_tickets = ma.fields.Boolean()
    webhook_url = ma.fields.String(allow_none=True)
    webhook_secret = ma.fields.String(allow_none=True)
    needs_unavailable = ma.fields.String()  # Linear customer requests: what Linear said when refusing them ("" if on)
    needs_unavailable_at = ma.fields.String()


class JiraIn(ma.Schema):
    site = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=200))
    project = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[A-Za-z][A-Za-z0-9_]{0,19}$",
                                                                          error="A Jira project key looks like SUP."))
    email = ma.fields.Email(required=True)
    api_token = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=500))


class LinearIn(ma.Schema):
    team_id = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=64))
    api_key = ma.fields.String(load_default=None, validate=ma.validate.Length(min=8, max=500))
    oauth_token = ma.fields.String(load_default=None, validate=ma.validate.Length(min=8, max=2000))

    @ma.validates_schema
    def one_credential(self, data, **kwargs):
        if not data.get("api_key") and not data.get("oauth_token"):
            raise ma.ValidationError("Give a Linear API key (or an OAuth token).", "api_key")


class TrackerSettingsIn(ma.Schema):
    sync = ma.fields.String(validate=ma.validate.OneOf(tracker_settings.SYNC_RULES))
    auto_threshold = ma.fields.Integer(validate=ma.validate.Range(min=2, max=1000))
    reopen_tickets = ma.fields.Boolean()
    issue_type = ma.fields.String(validate=ma.validate.Length(min=1, max=60))
    issue_types = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
                                 values=ma.fields.String(validate=ma.validate.Length(min=1, max=60)))
    label_ids = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(min=1, max=40)),
                               values=ma.fields.String(validate=ma.validate.Length(min=1, max=64)))


class TrackerSyncOut(ma.Schema):
    id = ma.fields.Integer()
    kind = ma.fields.String()
    status = ma.fields.String()
    attempts = ma.fields.Integer()
    last_error = ma.fields.String(allow_none=True)
    next_attempt_at = ma.fields.DateTime()
    created_at = ma.fields.DateTime()


def connection_out(session, installation) -> dict:
    """The connection as admins see it: never the credentials, but the webhook set-up."""
    settings = tracker_settings.settings_of(installation)
    public_url = current_app.config["VALUEDESK"].public_url
    hook = settings.kind in tracker_settings.SECRETS
    return {**asdict(settings), "name": tracker_settings.NAMES.get(settings.kind or ""), "connected": settings.kind is not None,
            "webhook_url": webhook_url(public_url, settings.kind, installation.id) if hook else None,
            "webhook_secret": tracker_settings.webhook_secret(session, installation) if hook else None}


@bp.route("/admin/trackers", methods=["GET"])
@bp.response(200, TrackerConnectionOut)
@admin_required
def get_connection():
    """Which tracker is connected, how themes map to it, and the webhook to set up there."""
    return connection_out(agent_db(), g.installation)


def _connect(kind: str, values: dict, secrets: dict):
    session = agent_db()
    try:
        tracker_settings.connect(session, g.installation, kind, values, secrets)
    except ProviderError as exc:
        if isinstance(exc, AuthError):
            raise ApiError(400, "tracker_refused", exc.message) from None
        raise ApiError(502, "tracker_unavailable", f"Could not reach {kind}: {exc.message}") from None
    session.commit()
    return connection_out(session, g.installation)


@bp.route("/admin/trackers/jira", methods=["PUT"])
@bp.arguments(JiraIn)
@bp.response(200, TrackerConnectionOut)
@admin_required
def connect_jira(data):
    """Connect Jira Cloud with an account email and API token (checked with one call, stored encrypted)."""
    return _connect("jira", {"site": data["site"], "project": data["project"]},
                    {"email": data["email"], "api_token": data["api_token"]})


@bp.route("/admin/trackers/linear", methods=["PUT"])
@bp.arguments(LinearIn)
@bp.response(200, TrackerConnectionOut)
@admin_required
def connect_linear(data):
    """Connect Linear with an API key or OAuth token (checked with one call, stored encrypted)."""
    return _connect("linear", {"team_id": data["team_id"]},
                    {"api_key": data.get("api_key"), "oauth_token": data.get("oauth_token")})


@bp.route("/admin/trackers", methods=["DELETE"])
@bp.response(204)
@admin_required
def disconnect():
    """Forget the tracker's credentials; existing links stay for the record."""
    session = agent_db()
    tracker_settings.disconnect(session, g.installation)
    session.commit()


@bp.route("/admin/trackers/settings", methods=["PATCH"])
@bp.arguments(TrackerSettingsIn)
@bp.response(200, TrackerConnectionOut)
@admin_required
def patch_settings(data):
    """Change the sync rule (manual or automatic at N tickets), mappings, or reopening of shipped tickets."""
    session = agent_db()
    tracker_settings.update_settings(g.installation, **data)
    session.commit()
    return connection_out(session, g.installation)


@bp.route("/admin/trackers/links", methods=["GET"])
@bp.response(200, TrackerLinkOut(many=True))
@admin_required
def list_links():
    """Every theme with a tracker issue, newest first."""
    session = agent_db()
    return [link_out(session, link) for link in session.scalars(select(TrackerLink).order_by(TrackerLink.id.desc()))]


def pending_syncs(session, limit: int = 200) -> list[OutboxAction]:
    """Tracker writes that are waiting, being retried, or failed for good."""
    return list(session.scalars(select(OutboxAction).where(OutboxAction.kind.startswith("tracker."),
                                                           OutboxAction.status.in_(("pending", "processing", "failed")))
                                .order_by(OutboxAction.id.desc()).limit(limit)))


@bp.route("/admin/trackers/syncs", methods=["GET"])
@bp.response(200, TrackerSyncOut(many=True))
@admin_required
def list_syncs():
    """Pending and failed tracker writes, with the last error."""
    return pending_syncs(agent_db())


def retry_sync(session, action_id: int) -> None:
    """Give a failed tracker write a fresh set of attempts.

    :raise ApiError: 404 for an unknown action, 409 when it is not failed.
    """
    action = session.get(OutboxAction, action_id)
    if action is None or not action.kind.startswith("tracker."):
        raise ApiError(404, "unknown_sync", f"There is no tracker sync {action_id}.")
    if not workitems.retry_failed(session, OutboxAction, action_id):
        raise ApiError(409, "not_failed", "Only a failed sync can be retried; this one is still on its way.")


@bp.route("/admin/trackers/syncs/<int:action_id>/retry", methods=["POST"])
@bp.response(202)
@admin_required
def retry(action_id: int):
    """Retry a failed tracker write now."""
    session = agent_db()
    retry_sync(session, action_id)
    session.commit()
    queue.enqueue("run_outbox_action", action_id)


class WebhookSecretIn(ma.Schema):
    secret = ma.fields.String(required=True, validate=ma.validate.Length(min=16, max=200))


@bp.route("/admin/trackers/webhook-secret", methods=["PUT"])
@bp.arguments(WebhookSecretIn)
@bp.response(204)
@admin_required
def put_webhook_secret(data):
    """Store the signing secret the tracker generated for its webhook (Linear shows it once the webhook exists)."""
    session = agent_db()
    tracker_settings.set_webhook_secret(session, g.installation, data["secret"])
    session.commit()
