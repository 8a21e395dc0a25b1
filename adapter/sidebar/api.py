"""Sidebar JSON API: session and ticket context."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask import request
from flask import url_for

from adapter.db import request_session
from adapter.providers import helpdesk_client
from adapter.sidebar.auth import SESSION_MAX_AGE_SECONDS
from adapter.sidebar.auth import AgentSession
from adapter.sidebar.auth import FreshdeskSession
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent
from adapter.sidebar.auth import freshdesk_session
from adapter.sidebar.auth import install_freshdesk
from adapter.sidebar.auth import issue_token
from adapter.sidebar.auth import link_zendesk_app
from adapter.sidebar.auth import verify_freshdesk
from adapter.sidebar.blueprint import api_bp

TOKEN_HEADER = "X-Valuedesk-Installation-Token"


class AgentSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()


class SessionSchema(ma.Schema):
    installation = ma.fields.String()
    agent = ma.fields.Nested(AgentSchema)
    token = ma.fields.String()
    expires_in = ma.fields.Integer()
    verified = ma.fields.Boolean(metadata={"description": "False while the helpdesk has not vouched for the agent"})


def session_out(agent: AgentSession) -> dict:
    """A session as the sidebar receives it, with a fresh token."""
    return {"installation": agent.installation_id, "token": issue_token(agent), "expires_in": SESSION_MAX_AGE_SECONDS,
            "agent": {"id": agent.agent_id, "name": agent.agent_name, "role": agent.role}, "verified": agent.verified}


class TicketSchema(ma.Schema):
    id = ma.fields.String()
    subject = ma.fields.String()
    status = ma.fields.String()
    requester_name = ma.fields.String(allow_none=True)
    requester_email = ma.fields.String(allow_none=True)
    organization = ma.fields.String(allow_none=True)
    assignee_name = ma.fields.String(allow_none=True)
    tags = ma.fields.List(ma.fields.String())
    url = ma.fields.String()


def agent_helpdesk():
    """The helpdesk client of the current agent's installation."""
    agent = current_agent()
    return helpdesk_client(request_session(agent.installation_id), g.installation)


@api_bp.route("/session/refresh", methods=["POST"])
@api_bp.response(200, SessionSchema)
@agent_required
def refresh_session():
    """Exchange a valid session token for a fresh one, with the role the helpdesk gives now (asked every 15 minutes)."""
    return session_out(current_agent())


@api_bp.route("/tickets/<ticket_id>", methods=["GET"])
@api_bp.response(200, TicketSchema)
@agent_required
def ticket_context(ticket_id: str):
    """The ticket's requester, organization, status and tags, as the helpdesk reports them."""
    ticket = agent_helpdesk().get_ticket(ticket_id)
    return {**ticket.__dict__, "tags": list(ticket.tags)}


class ZendeskLinkIn(ma.Schema):
    subdomain = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^[a-z0-9][a-z0-9-]*$"))
    app_id = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d+$"))
    app_installation_id = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d+$"))


class LinkedSchema(ma.Schema):
    linked = ma.fields.Boolean()


@api_bp.route("/zendesk/link", methods=["POST"])
@api_bp.arguments(ZendeskLinkIn)
@api_bp.response(200, LinkedSchema)
def zendesk_link(data):
    """Link the installed Zendesk app to its installation (called through Zendesk's proxy with the installation token)."""
    link_zendesk_app(data["subdomain"], data["app_id"], data["app_installation_id"], request.headers.get(TOKEN_HEADER))
    return {"linked": True}


class FreshdeskSessionIn(ma.Schema):
    agent_id = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{1,20}$"))
    credential = ma.fields.String(load_default=None, validate=ma.validate.Length(max=100),
                                  metadata={"description": "The credential this browser got when the agent verified"})


class FreshdeskVerifyIn(ma.Schema):
    agent_id = ma.fields.String(required=True, validate=ma.validate.Regexp(r"^\d{1,20}$"))
    api_key = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=200),
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


@api_bp.route("/freshdesk/<installation_id>/session", methods=["POST"])
@api_bp.arguments(FreshdeskSessionIn)
@api_bp.response(200, BootSchema)
def freshdesk_session_start(data, installation_id: str):
    """Open a sidebar session for the FDK app (through its request template, which adds the installation token).

    Verified only when the browser sends the credential this agent got by verifying; otherwise unverified.
    """
    return _boot(freshdesk_session(installation_id, request.headers.get(TOKEN_HEADER), data["agent_id"],
                                   data["credential"]))


@api_bp.route("/freshdesk/<installation_id>/verify", methods=["POST"])
@api_bp.arguments(FreshdeskVerifyIn)
@api_bp.response(200, BootSchema)
def freshdesk_verify(data, installation_id: str):
    """Verify a Freshdesk agent once with their own API key (checked with Freshdesk, then dropped); returns a verified
    session and the credential this browser keeps."""
    return _boot(verify_freshdesk(installation_id, request.headers.get(TOKEN_HEADER), data["agent_id"],
                                  data["api_key"]))


class FreshdeskInstallIn(ma.Schema):
    domain = ma.fields.String(required=True, validate=ma.validate.Length(min=1, max=255))
    api_key = ma.fields.String(required=True, validate=ma.validate.Length(min=8, max=200))


@api_bp.route("/freshdesk/<installation_id>/install", methods=["POST"])
@api_bp.arguments(FreshdeskInstallIn)
@api_bp.response(200, LinkedSchema)
def freshdesk_install(data, installation_id: str):
    """Store the API key the FDK app sends from onAppInstall, after checking it against Freshdesk."""
    install_freshdesk(installation_id, request.headers.get(TOKEN_HEADER), data["domain"], data["api_key"])
    request_session(installation_id).commit()
    return {"linked": True}


class LinkOut(ma.Schema):
    url = ma.fields.String()


@api_bp.route("/admin/console-link", methods=["POST"])
@api_bp.response(200, LinkOut)
@admin_required
def console_link():
    """A one-minute link that opens the admin console in a new tab."""
    from adapter.console.auth import entry_token

    return {"url": url_for("console.enter_from_sidebar", token=entry_token(current_agent()), _external=False)}
