"""Sidebar JSON API: session and ticket context."""

from __future__ import annotations

import marshmallow as ma
from flask import g

from adapter.db import request_session
from adapter.providers import helpdesk_client
from adapter.sidebar import api_bp
from adapter.sidebar.auth import SESSION_MAX_AGE_SECONDS
from adapter.sidebar.auth import agent_required
from adapter.sidebar.auth import current_agent
from adapter.sidebar.auth import issue_token


class AgentSchema(ma.Schema):
    id = ma.fields.String()
    name = ma.fields.String()
    role = ma.fields.String()


class SessionSchema(ma.Schema):
    installation = ma.fields.String()
    agent = ma.fields.Nested(AgentSchema)
    token = ma.fields.String()
    expires_in = ma.fields.Integer()


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
    """Exchange a valid session token for a fresh one."""
    agent = current_agent()
    return {
        "installation": agent.installation_id,
        "agent": {"id": agent.agent_id, "name": agent.agent_name, "role": agent.role},
        "token": issue_token(agent),
        "expires_in": SESSION_MAX_AGE_SECONDS,
    }


@api_bp.route("/tickets/<ticket_id>", methods=["GET"])
@api_bp.response(200, TicketSchema)
@agent_required
def ticket_context(ticket_id: str):
    """The ticket's requester, organization, status and tags, as the helpdesk reports them."""
    ticket = agent_helpdesk().get_ticket(ticket_id)
    return {**ticket.__dict__, "tags": list(ticket.tags)}
