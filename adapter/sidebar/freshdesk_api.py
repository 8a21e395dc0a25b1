"""The Freshdesk app's calls: its set-up events (install, update, uninstall), the install page's key check, and
sidebar sessions, addressed by domain (marketplace app) or by installation id (an app made with the CLI)."""

from __future__ import annotations

import marshmallow as ma
from flask import request

from adapter import freshdesk_app
from adapter.db import get_db
from adapter.db import request_session
from adapter.errors import InvalidInput
from adapter.limits import note_failure
from adapter.limits import refuse_while_backing_off
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.sidebar.api import TOKEN_HEADER
from adapter.sidebar.api import LinkedSchema
from adapter.sidebar.api import SessionSchema
from adapter.sidebar.api import session_out
from adapter.sidebar.auth import FreshdeskSession
from adapter.sidebar.auth import app_by_key
from adapter.sidebar.auth import app_by_token
from adapter.sidebar.auth import freshdesk_session
from adapter.sidebar.auth import install_freshdesk
from adapter.sidebar.auth import installation_by_key
from adapter.sidebar.auth import verify_freshdesk
from adapter.sidebar.blueprint import api_bp

AGENT_ID = ma.validate.Regexp(r"^\d{1,20}$")
API_KEY = ma.validate.Length(min=8, max=200)


class FreshdeskSessionIn(ma.Schema):
    agent_id = ma.fields.String(required=True, validate=AGENT_ID)
    credential = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100),
                                  metadata={"description": "The credential this browser got when the agent verified"})


class FreshdeskVerifyIn(ma.Schema):
    agent_id = ma.fields.String(required=True, validate=AGENT_ID)
    api_key = ma.fields.String(required=True, validate=API_KEY,
                               metadata={"description": "The agent's own Freshdesk API key; used once, never stored"})


class InstallationInfo(ma.Schema):
    name = ma.fields.String()
    timezone = ma.fields.String()


class BootSchema(SessionSchema):
    host = ma.fields.String()
    verification = ma.fields.String(metadata={"description": "verified | not_verified | expired | other_agent"})
    credential = ma.fields.String(allow_none=True,
                                  metadata={"description": "After verifying: keep it in this browser, send it back"})
    installation_info = ma.fields.Nested(InstallationInfo)


def _boot(opened: FreshdeskSession) -> dict:
    request_session(opened.installation.id).commit()
    return {**session_out(opened.agent), "host": "freshdesk", "verification": opened.verification,
            "credential": opened.credential,
            "installation_info": {"name": opened.installation.name, "timezone": opened.installation.timezone}}


def _app_key() -> str | None:
    return request.headers.get(freshdesk.APP_KEY_HEADER)


# The marketplace app: the installation is its domain, the credential the administrator's key it registered.

class SetUpEventIn(ma.Schema):
    timestamp = ma.fields.Raw(required=True, metadata={"description": "When Freshworks sent the event (epoch s or ms)"})


class UpdateEventIn(SetUpEventIn):
    previous_domain = ma.fields.String(load_default=None, validate=ma.validate.Length(max=255),
                                       metadata={"description": "The domain the app was installed with, if renamed"})


class KeyCheckIn(ma.Schema):
    domain = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    api_key = ma.fields.String(required=True, validate=API_KEY)


class SetUpOut(ma.Schema):
    installed = ma.fields.Boolean()
    done = ma.fields.List(ma.fields.String())


class KeyCheckOut(ma.Schema):
    ok = ma.fields.Boolean()
    message = ma.fields.String()


@api_bp.route("/freshdesk/app/check", methods=["POST"])
@api_bp.arguments(KeyCheckIn)
@api_bp.response(200, KeyCheckOut)
def freshdesk_app_check(data):
    """The install page's check: is this an administrator's API key of this Freshdesk account? Changes nothing."""
    key = _checked_key(data["domain"], data["api_key"])
    return {"ok": True,
            "message": f"The key of {key.agent.name or 'an administrator'} on {key.subdomain}.freshdesk.com works."}


def _checked_key(domain: str, api_key: str) -> freshdesk_app.CheckedKey:
    """The key checked with Freshdesk; a refused one counts as a failed sign-in of the caller's address."""
    refuse_while_backing_off()
    try:
        return freshdesk_app.check_admin_key(domain, api_key)
    except InvalidInput:
        note_failure()
        raise


def _register(domain: str, data: dict, event: str) -> dict:
    sent_at = freshdesk_app.event_time(data["timestamp"])
    key = _checked_key(domain, _app_key() or "")
    with get_db().system(immediate=True) as session:
        _, done = freshdesk_app.register(session, key, sent_at, event=event, previous_domain=data.get("previous_domain"))
    return {"installed": True, "done": done}


@api_bp.route("/freshdesk/app/<domain>/install", methods=["POST"])
@api_bp.arguments(SetUpEventIn)
@api_bp.response(200, SetUpOut)
def freshdesk_app_install(data, domain: str):
    """onAppInstall: check the administrator's key with Freshdesk, then create or reactivate the installation."""
    return _register(domain, data, "install")


@api_bp.route("/freshdesk/app/<domain>/update", methods=["POST"])
@api_bp.arguments(UpdateEventIn)
@api_bp.response(200, SetUpOut)
def freshdesk_app_update(data, domain: str):
    """afterAppUpdate: check the (new) key the same way and store it; a renamed account keeps its installation."""
    return _register(domain, data, "update")


@api_bp.route("/freshdesk/app/<domain>/uninstall", methods=["POST"])
@api_bp.arguments(SetUpEventIn)
@api_bp.response(200, SetUpOut)
def freshdesk_app_uninstall(data, domain: str):
    """onAppUninstall: stop every job for the account, revoke and purge its credentials; data is kept for reinstall."""
    installation_id = installation_by_key(domain, _app_key())
    sent_at = freshdesk_app.event_time(data["timestamp"])
    with get_db().system(immediate=True) as session:
        done = freshdesk_app.unregister(session, session.get(Installation, installation_id), sent_at)
    return {"installed": False, "done": done}


@api_bp.route("/freshdesk/app/<domain>/session", methods=["POST"])
@api_bp.arguments(FreshdeskSessionIn)
@api_bp.response(200, BootSchema)
def freshdesk_app_session(data, domain: str):
    """Open a sidebar session for the marketplace app (its request template adds the key, server-side)."""
    return _boot(freshdesk_session(app_by_key(domain, _app_key()), data["agent_id"], data["credential"]))


@api_bp.route("/freshdesk/app/<domain>/verify", methods=["POST"])
@api_bp.arguments(FreshdeskVerifyIn)
@api_bp.response(200, BootSchema)
def freshdesk_app_verify(data, domain: str):
    """Verify an agent once with their own API key, for the marketplace app."""
    return _boot(verify_freshdesk(app_by_key(domain, _app_key()), data["agent_id"], data["api_key"]))


# An app made with the CLI (`valuedesk installations connect freshdesk`): installation id and installation token.

@api_bp.route("/freshdesk/<installation_id>/session", methods=["POST"])
@api_bp.arguments(FreshdeskSessionIn)
@api_bp.response(200, BootSchema)
def freshdesk_session_start(data, installation_id: str):
    """Open a sidebar session for the FDK app (through its request template, which adds the installation token).

    Verified only when the browser sends the credential this agent got by verifying; otherwise unverified.
    """
    app = app_by_token(installation_id, request.headers.get(TOKEN_HEADER))
    return _boot(freshdesk_session(app, data["agent_id"], data["credential"]))


@api_bp.route("/freshdesk/<installation_id>/verify", methods=["POST"])
@api_bp.arguments(FreshdeskVerifyIn)
@api_bp.response(200, BootSchema)
def freshdesk_verify(data, installation_id: str):
    """Verify a Freshdesk agent once with their own API key (checked with Freshdesk, then dropped); returns a verified
    session and the credential this browser keeps."""
    app = app_by_token(installation_id, request.headers.get(TOKEN_HEADER))
    return _boot(verify_freshdesk(app, data["agent_id"], data["api_key"]))


class FreshdeskInstallIn(ma.Schema):
    domain = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    api_key = ma.fields.String(required=True, validate=API_KEY)


@api_bp.route("/freshdesk/<installation_id>/install", methods=["POST"])
@api_bp.arguments(FreshdeskInstallIn)
@api_bp.response(200, LinkedSchema)
def freshdesk_install(data, installation_id: str):
    """Store the API key an app made with the CLI sends from onAppInstall, after checking it against Freshdesk."""
    install_freshdesk(installation_id, request.headers.get(TOKEN_HEADER), data["domain"], data["api_key"])
    request_session(installation_id).commit()
    return {"linked": True}
