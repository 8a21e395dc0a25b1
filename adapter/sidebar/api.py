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
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent
from adapter.sidebar.auth import issue_token
from adapter.sidebar.auth import link_zendesk_app
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


class LinkOut(ma.Schema):
    url = ma.fields.String()


@api_bp.route("/admin/console-link", methods=["POST"])
@api_bp.response(200, LinkOut)
@admin_required
def console_link():
    """A one-minute link that opens the admin console in a new tab."""
    from adapter.console.auth import entry_token

    return {"url": url_for("console.enter_from_sidebar", token=entry_token(current_agent()), _external=False)}
