"""Sidebar sessions: valid tokens pass; missing, forged, expired or disabled ones get 401."""

import time

from itsdangerous import URLSafeTimedSerializer

from adapter.installations import disable_installation
from adapter.models import Installation
from adapter.sidebar import auth
from tests.support import bearer


def test_valid_session_reads_the_ticket(app, client, db, make_installation):
    inst = make_installation(account="acme")
    from adapter.playground import helpdesk

    with db.tenant(inst.id) as session:
        from adapter.models import PlaygroundTicket

        ticket = PlaygroundTicket(subject="Broken export", requester_name="Dana", requester_email="dana@x.example",
                                  tags=["vip"])
        session.add(ticket)
        session.flush()
        ticket_id = ticket.id
    assert helpdesk  # the playground provider serves this installation
    response = client.get(f"/api/tickets/{ticket_id}", headers=bearer(app, inst.id))
    assert response.status_code == 200
    assert response.json["subject"] == "Broken export"
    assert response.json["tags"] == ["vip"]


def test_missing_malformed_and_forged_tokens(app, client, make_installation):
    inst = make_installation(account="acme")
    assert client.get("/api/tickets/1").json["error"]["code"] == "missing_session"
    assert client.get("/api/tickets/1", headers={"Authorization": "Basic abc"}).status_code == 401
    forged = URLSafeTimedSerializer("not-our-secret-key-at-all-0123456789", salt="valuedesk.sidebar.session.v1").dumps(
        {"installation_id": inst.id, "agent_id": "a", "agent_name": "A", "role": "admin", "host": "playground"})
    response = client.get("/api/tickets/1", headers={"Authorization": f"Bearer {forged}"})
    assert response.status_code == 401
    assert response.json["error"]["code"] == "invalid_session"


def test_expired_token(app, client, make_installation, monkeypatch):
    inst = make_installation(account="acme")
    headers = bearer(app, inst.id)
    real_time = time.time
    monkeypatch.setattr(time, "time", lambda: real_time() + auth.SESSION_MAX_AGE_SECONDS + 5)
    response = client.get("/api/tickets/1", headers=headers)
    assert response.status_code == 401
    assert response.json["error"]["code"] == "session_expired"


def test_disabled_installation_ends_sessions(app, client, db, make_installation):
    inst = make_installation(account="acme")
    headers = bearer(app, inst.id)
    with db.system() as session:
        disable_installation(session, session.get(Installation, inst.id))
    assert client.get("/api/tickets/1", headers=headers).json["error"]["code"] == "installation_disabled"


def test_refresh_returns_a_new_working_token(app, client, make_installation):
    inst = make_installation(account="acme")
    response = client.post("/api/session/refresh", headers=bearer(app, inst.id))
    assert response.status_code == 200
    assert response.json["agent"] == {"id": "agent-sam", "name": "Sam Rivera", "role": "agent"}
    again = client.post("/api/session/refresh", headers={"Authorization": f"Bearer {response.json['token']}"})
    assert again.status_code == 200


def test_one_installation_cannot_read_anothers_ticket(app, client, db, make_installation):
    from adapter.models import PlaygroundTicket

    a, b = make_installation(account="alpha"), make_installation(account="bravo")
    with db.tenant(b.id) as session:
        ticket = PlaygroundTicket(subject="Bravo only", requester_name="B", requester_email="b@x.example")
        session.add(ticket)
        session.flush()
        bravo_ticket = ticket.id
    response = client.get(f"/api/tickets/{bravo_ticket}", headers=bearer(app, a.id))
    assert response.status_code == 404
    assert "Bravo only" not in response.get_data(as_text=True)
