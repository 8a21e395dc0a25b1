"""The admin console: who can get in, CSRF on every form, and the digest page."""

import re
import time

import pytest
import requests

from adapter.installations import PLAYGROUND_ID
from tests.console.support import csrf
from tests.console.support import enter
from tests.support import bearer
from tests.support import serving

TOKEN = "bootstrap-admin-token-0123456789"


@pytest.fixture
def console_app(make_app, runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    return make_app(VALUEDESK_ADMIN_TOKEN=TOKEN)


def test_pages_need_a_console_session(console_app):
    client = console_app.test_client()
    response = client.get("/admin/digest")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_login_with_the_admin_token(console_app):
    client = console_app.test_client()
    token = csrf(client.get("/admin/login").data)
    wrong = client.post("/admin/login", data={"csrf_token": token, "installation": PLAYGROUND_ID, "token": "nope"})
    assert wrong.status_code == 400 and b"not the admin token" in wrong.data
    unknown = client.post("/admin/login", data={"csrf_token": token, "installation": "nope", "token": TOKEN})
    assert unknown.status_code == 400 and b"no installation" in unknown.data
    ok = client.post("/admin/login", data={"csrf_token": token, "installation": PLAYGROUND_ID, "token": TOKEN})
    assert ok.status_code == 302
    page = client.get("/admin/digest")
    assert page.status_code == 200 and b"Voice of the customer" in page.data and b"CSV export times out" in page.data
    assert b"<svg" in page.data


def test_forms_without_the_csrf_token_are_refused(console_app):
    client = console_app.test_client()
    response = client.post("/admin/login", data={"installation": PLAYGROUND_ID, "token": TOKEN})
    assert response.status_code == 400
    assert b"form expired" in response.data


def test_admins_enter_from_the_sidebar_and_agents_cannot(console_app):
    client = console_app.test_client()
    agent = bearer(console_app, PLAYGROUND_ID)
    assert client.post("/api/admin/console-link", headers=agent).status_code == 403
    admin = bearer(console_app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    link = client.post("/api/admin/console-link", headers=admin).json["url"]
    assert enter(client, link).status_code == 302
    assert client.get("/admin/digest").status_code == 200


def test_console_links_expire(console_app, monkeypatch):
    client = console_app.test_client()
    admin = bearer(console_app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    link = client.post("/api/admin/console-link", headers=admin).json["url"]
    page = client.get(link)
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    assert client.get(link).status_code == 302  # expired: back to sign-in
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    client.post("/admin/enter", data={"csrf_token": csrf(page.data), "token": token})
    assert client.get("/admin/digest").status_code == 302


def test_digest_range_and_bad_dates(console_app):
    client = console_app.test_client()
    client.get("/playground/console")
    assert client.get("/admin/digest?since=2026-10-01&until=2026-11-30").status_code == 200
    bad = client.get("/admin/digest?since=2026-13-45")
    assert bad.status_code == 400 and b"since must be a date" in bad.data
    reversed_range = client.get("/admin/digest?since=2026-11-30&until=2026-11-01")
    assert reversed_range.status_code == 400


def test_logout(console_app):
    client = console_app.test_client()
    client.get("/playground/console")
    page = client.get("/admin/digest")
    client.post("/admin/logout", data={"csrf_token": csrf(page.data)})
    assert client.get("/admin/digest").status_code == 302


def admin_link(app, client, installation_id=PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan"):
    admin = bearer(app, installation_id, agent_id=agent_id, name=name, role="admin")
    return client.post("/api/admin/console-link", headers=admin).json["url"]


def test_logout_ends_the_session_on_the_server(console_app):
    # The attack: a copy of the console cookie (a shared machine, a proxy log) kept working after sign-out.
    client = console_app.test_client()
    enter(client, admin_link(console_app, client))
    copied = client.get_cookie("session").value
    client.post("/admin/logout", data={"csrf_token": csrf(client.get("/admin/digest").data)})
    thief = console_app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/admin/digest").status_code == 302


def test_an_entry_link_works_once(console_app):
    # The attack: the link from a proxy or history log opened the console a second time within its minute.
    client = console_app.test_client()
    link = admin_link(console_app, client)
    page = client.get(link)
    token = re.search(r'name="token" value="([^"]+)"', page.get_data(as_text=True)).group(1)
    assert client.post("/admin/enter", data={"csrf_token": csrf(page.data), "token": token}).status_code == 302
    other = console_app.test_client()
    again = other.get(link)
    replay = other.post("/admin/enter", data={"csrf_token": csrf(again.data), "token": token}, follow_redirects=True)
    assert b"was used already" in replay.data
    assert other.get("/admin/digest").status_code == 302


def test_an_entry_link_never_switches_a_session_by_itself(console_app, make_installation):
    # The attack (login CSRF): a page made the admin's browser GET the attacker's entry link, and the admin's console
    # session silently became the attacker's installation.
    victim = console_app.test_client()
    enter(victim, admin_link(console_app, victim))
    attacker = make_installation(kind="zendesk", account="evilcorp", secrets={})
    attacker_link = admin_link(console_app, console_app.test_client(), attacker.id, agent_id="666", name="Mallory")
    shown = victim.get(attacker_link)
    text = shown.get_data(as_text=True)
    assert shown.status_code == 200 and "Mallory" in text and "You are signed in to" in text
    assert "Priya Natarajan" in text and shown.headers["Cache-Control"] == "no-store"
    assert b"Playground" in victim.get("/admin/settings").data  # still the victim's own console
    token = re.search(r'name="token" value="([^"]+)"', text).group(1)
    forged = victim.post("/admin/enter", data={"token": token})  # a cross-site form cannot know the CSRF token
    assert forged.status_code == 400
    assert b"Playground" in victim.get("/admin/settings").data


def test_entry_tokens_never_reach_a_log_line(console_app, json_log, no_network):
    # The attack: request lines (ours, and the web server's) carried whole /admin/enter/<token> paths.
    no_network.add_passthru("http://127.0.0.1")
    client = console_app.test_client()
    link = admin_link(console_app, client)
    with serving(console_app) as base_url:
        assert requests.get(base_url + link, timeout=10).status_code == 200
    enter(client, link)
    written = json_log.getvalue()
    assert link.rsplit("/", 1)[1] not in written
    assert '"route": "/admin/enter/[token]"' in written and '"route": "/admin/enter"' in written


def test_the_playground_console_asks_before_switching_someone_elses_session(console_app, make_installation):
    other = make_installation(kind="zendesk", account="initech", secrets={})
    client = console_app.test_client()
    enter(client, admin_link(console_app, client, other.id, agent_id="9", name="Ada Admin"))
    shown = client.get("/playground/console")
    assert shown.status_code == 200 and b"You are signed in to" in shown.data and b"Ada Admin" in shown.data
    assert b"initech" in client.get("/admin/settings").data.lower()  # the GET switched nothing
    assert client.post("/playground/console").status_code == 400  # no CSRF token
    assert client.post("/playground/console", data={"csrf_token": csrf(shown.data)}).status_code == 302
    assert b"Playground" in client.get("/admin/settings").data
