"""Sidebar entry pages: each host's signed context becomes an agent session, then the panel renders."""

from __future__ import annotations

from flask import abort
from flask import current_app
from flask import make_response
from flask import render_template
from flask import request
from flask import url_for

from adapter import clock
from adapter.api import error_response
from adapter.db import request_session
from adapter.errors import ApiError
from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.providers import playground
from adapter.providers import zendesk
from adapter.sidebar.assets import asset_url
from adapter.sidebar.auth import AgentSession
from adapter.sidebar.auth import issue_token
from adapter.sidebar.auth import zendesk_agent
from adapter.sidebar.blueprint import PANEL_SECTIONS
from adapter.sidebar.blueprint import SECTION_SCRIPTS
from adapter.sidebar.blueprint import bp


def render_panel(agent: AgentSession, ticket_id: str | None, installation: Installation):
    """The sidebar page for one agent and ticket, carrying a fresh session token."""
    config = {
        "token": issue_token(agent),
        "ticketId": ticket_id,
        "host": agent.host,
        "agent": {"id": agent.agent_id, "name": agent.agent_name, "role": agent.role},
        "verified": agent.verified,
        "installation": {"name": installation.name, "timezone": installation.timezone},
        "now": clock.now().isoformat(),  # the service's time, which the playground's fast clock may move ahead
    }
    return render_template("sidebar/panel.html", config=config, host=agent.host, asset=static_asset,
                           sections=PANEL_SECTIONS, scripts=SECTION_SCRIPTS)


def static_asset(path: str) -> str:
    """URL of a sidebar script or stylesheet: content-hashed, compressed, cached for a year."""
    return asset_url(path)


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


@bp.route("/zendesk", methods=["GET", "POST"])
def zendesk_panel():
    """The sidebar as Zendesk loads it: a POST carrying the signed-URL JWT in the form field `token`."""
    token = request.form.get("token", "") if request.method == "POST" else ""
    if not token:
        return error_response(401, "missing_app_token",
                              "Open Valuedesk from the ticket sidebar in Zendesk; this page needs Zendesk's signed token.")
    try:
        agent, installation = zendesk_agent(token)
    except ApiError as exc:
        if exc.code == "app_not_linked":
            link_url = current_app.config["VALUEDESK"].public_url + url_for("api.zendesk_link")
            return render_template("sidebar/zendesk_link.html", link_url=link_url), 401
        return error_response(exc.status, exc.code, exc.message)
    if agent.role == zendesk.SETUP_ROLE:
        return zendesk_connect_page(agent)
    return render_panel(agent, None, installation)


def zendesk_connect_page(agent):
    """What the sidebar shows until an admin connects the account: a one-use link to the console's Connect step."""
    from adapter.console.auth import entry_token

    response = make_response(render_template(
        "sidebar/zendesk_connect.html", entry_url=current_app.config["VALUEDESK"].public_url
        + url_for("console.enter_from_sidebar", token=entry_token(agent))))
    response.headers["Cache-Control"] = "no-store"
    return response
