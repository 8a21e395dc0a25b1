"""Sidebar entry pages: each host's signed context becomes an agent session, then the panel renders."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import render_template
from flask import request

from adapter.db import request_session
from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.providers import playground
from adapter.sidebar import bp
from adapter.sidebar.auth import AgentSession
from adapter.sidebar.auth import issue_token


def render_panel(agent: AgentSession, ticket_id: str | None, installation: Installation):
    """The sidebar page for one agent and ticket, carrying a fresh session token."""
    config = {
        "token": issue_token(agent),
        "ticketId": ticket_id,
        "host": agent.host,
        "agent": {"id": agent.agent_id, "name": agent.agent_name, "role": agent.role},
        "installation": {"name": installation.name, "timezone": installation.timezone},
    }
    return render_template("sidebar/panel.html", config=config, host=agent.host)


@bp.get("/playground")
def playground_panel():
    """The sidebar as the playground helpdesk shows it; acts as the playground's demo agent."""
    if not current_app.config["VALUEDESK"].playground:
        abort(404)
    installation = request_session(PLAYGROUND_ID).get(Installation, PLAYGROUND_ID)
    if installation is None:
        abort(404, "The playground has no data yet; run `valuedesk demo-data`.")
    as_agent = request.args.get("agent", playground.AGENTS[0].id)
    agent = next((a for a in playground.AGENTS if a.id == as_agent), playground.AGENTS[0])
    session = AgentSession(
        installation_id=PLAYGROUND_ID,
        agent_id=agent.id,
        agent_name=agent.name,
        role="admin" if agent.role == "admin" else "agent",
        host="playground",
    )
    return render_panel(session, request.args.get("ticket_id"), installation)
