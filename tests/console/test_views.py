"""The admin console: who can get in, CSRF on every form, and the digest page."""

import time

import pytest

from adapter.installations import PLAYGROUND_ID
from tests.console.support import csrf
from tests.support import bearer

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
    assert client.get(link).status_code == 302
    assert client.get("/admin/digest").status_code == 200


def test_console_links_expire(console_app, monkeypatch):
    client = console_app.test_client()
    admin = bearer(console_app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")
    link = client.post("/api/admin/console-link", headers=admin).json["url"]
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + 120)
    client.get(link)
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
