"""The commitments API: add, done, snooze, edit, mine, preview; bad input, privacy and tenancy."""

from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapter import clock
from adapter.installations import PLAYGROUND_ID
from adapter.models import Commitment
from tests.support import bearer

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)


def in_hours(hours: float) -> str:
    return (clock.now() + timedelta(hours=hours)).isoformat()


def count(db):
    with db.tenant(PLAYGROUND_ID) as session:
        return len(session.scalars(select(Commitment)).all())


def test_add_by_hand_then_done(client, db, playground, sam):
    created = client.post("/api/tickets/6/commitments", headers=sam,
                          json={"text": "Call Jonas about the logo", "due_at": in_hours(3)})
    assert created.status_code == 201
    assert (created.json["manual"], created.json["state"], created.json["mine"]) == (True, "open", True)
    done = client.post(f"/api/commitments/{created.json['id']}/done", headers=sam)
    assert done.json["state"] == "done"
    assert client.post(f"/api/commitments/{created.json['id']}/done", headers=sam).status_code == 409


def test_snooze_needs_a_reason_and_resets_the_reminder(client, db, playground, sam):
    [promise] = client.get("/api/tickets/2/commitments", headers=sam).json
    assert client.post(f"/api/commitments/{promise['id']}/snooze", headers=sam,
                       json={"due_at": in_hours(48)}).status_code == 422
    snoozed = client.post(f"/api/commitments/{promise['id']}/snooze", headers=sam,
                          json={"due_at": in_hours(48), "reason": "waiting on the product team"}).json
    assert snoozed["snooze_reason"] == "waiting on the product team" and snoozed["reminded"] is False
    edited = client.patch(f"/api/commitments/{promise['id']}", headers=sam, json={"due_at": in_hours(5)}).json
    assert datetime.fromisoformat(edited["due_at"]) - clock.now() < timedelta(hours=6)


@pytest.mark.parametrize(
    "method, path, body, status, code",
    [
        ("post", "/api/tickets/6/commitments", {"text": "x", "due_at": "2020-01-01T10:00:00+00:00"}, 400, "due_in_past"),
        ("post", "/api/tickets/6/commitments", {"text": "x", "due_at": "2030-01-01T10:00:00"}, 422, "invalid_input"),
        ("post", "/api/tickets/6/commitments", {"text": "   ", "due_at": "2030-01-01T10:00:00+00:00"}, 400, "empty_text"),
        ("post", "/api/tickets/6/commitments", {"due_at": "2030-01-01T10:00:00+00:00"}, 422, "invalid_input"),
        ("post", "/api/tickets/999/commitments", {"text": "x", "due_at": "2030-01-01T10:00:00+00:00"}, 404, "provider_not_found"),
        ("post", "/api/commitments/99999/done", None, 404, "unknown_commitment"),
        ("patch", "/api/commitments/99999", {"due_at": "2030-01-01T10:00:00+00:00"}, 404, "unknown_commitment"),
        ("post", "/api/commitments/preview", {"text": ""}, 422, "invalid_input"),
    ],
)
def test_bad_input_changes_nothing(client, db, playground, sam, method, path, body, status, code):
    before = count(db)
    response = getattr(client, method)(path, headers=sam, json=body)
    assert response.status_code == status and response.json["error"]["code"] == code
    assert count(db) == before


def test_snoozing_into_the_past_is_refused(client, playground, sam):
    [promise] = client.get("/api/tickets/2/commitments", headers=sam).json
    response = client.post(f"/api/commitments/{promise['id']}/snooze", headers=sam,
                           json={"due_at": "2020-01-01T00:00:00+00:00", "reason": "oops"})
    assert response.status_code == 400 and response.json["error"]["code"] == "due_in_past"


def test_mine_lists_only_my_open_promises_soonest_first(client, playground, sam, priya):
    client.post("/api/tickets/6/commitments", headers=sam, json={"text": "later", "due_at": in_hours(30)})
    client.post("/api/tickets/7/commitments", headers=sam, json={"text": "sooner", "due_at": in_hours(2)})
    client.post("/api/tickets/4/commitments", headers=priya, json={"text": "priya's", "due_at": in_hours(1)})
    mine = client.get("/api/commitments/mine", headers=sam).json
    texts, dues = [c["text"] for c in mine], [datetime.fromisoformat(c["due_at"]) for c in mine]
    assert dues == sorted(dues) and texts.index("sooner") < texts.index("later") and all(c["mine"] for c in mine)
    assert mine[texts.index("sooner")]["ticket_url"].endswith("/playground/tickets/7")
    assert "priya's" not in [c["text"] for c in mine]


def test_the_nudge_is_shown_to_its_own_agent_only(client, db, playground, sam, priya, monkeypatch):
    from adapter.commitments import service
    from adapter.models import Installation

    [promise] = client.get("/api/tickets/2/commitments", headers=sam).json
    monkeypatch.setattr(clock, "now", lambda: datetime.fromisoformat(promise["due_at"]) + timedelta(minutes=1))
    with db.tenant(PLAYGROUND_ID) as session:
        service.remind_and_miss(session, session.get(Installation, PLAYGROUND_ID))
    assert client.get("/api/tickets/2/commitments", headers=sam).json[0]["nudge"].startswith("Hi Marcus")
    assert client.get("/api/tickets/2/commitments", headers=priya).json[0]["nudge"] is None


def test_preview_of_a_draft(client, playground, sam):
    found = client.post("/api/commitments/preview", headers=sam,
                        json={"text": "Thanks! I'll check with billing and get back to you tomorrow."}).json
    assert found["promise"] is True and found["due_text"] == "tomorrow" and found["due_at"].endswith("+00:00")
    assert client.post("/api/commitments/preview", headers=sam, json={"text": "Thanks for reaching out!"}).json["promise"] is False


def test_preview_names_the_sentence_and_counts_business_days_from_friday_afternoon(client, playground, sam,
                                                                                    frozen_clock):
    frozen_clock.set(datetime.fromisoformat("2026-11-20T16:30:00+00:00"))  # Friday 16:30 in London
    draft = "Thanks for the screenshots.\nOur billing team will contact you within 2 business days."
    found = client.post("/api/commitments/preview", headers=sam, json={"text": draft}).json
    assert (found["promise"], found["timed"], found["vague"], found["phrasing"]) == (True, True, False, "company_or_team")
    assert found["sentence"] == "Our billing team will contact you within 2 business days."
    assert found["due_at"] == "2026-11-24T17:00:00+00:00"  # Tuesday's closing: the weekend does not count
    vague = client.post("/api/commitments/preview", headers=sam, json={"text": "I'll DM you the details shortly."}).json
    assert (vague["promise"], vague["vague"], vague["timed"], vague["due_text"]) == (True, True, False, "shortly")
    assert vague["due_at"] == "2026-11-23T17:00:00+00:00"  # the default: one business day


def test_another_installation_cannot_touch_these_commitments(app, client, playground, sam, make_installation):
    [promise] = client.get("/api/tickets/2/commitments", headers=sam).json
    other = bearer(app, make_installation(account="other").id)
    assert client.post(f"/api/commitments/{promise['id']}/done", headers=other).status_code == 404
    assert client.get("/api/tickets/2/commitments", headers=other).json == []
    assert client.get("/api/commitments/mine", headers=other).json == []


def test_admin_settings(client, playground, sam, priya):
    assert client.get("/api/admin/commitments/settings", headers=sam).status_code == 403
    changed = client.patch("/api/admin/commitments/settings", headers=priya, json={"lead_minutes": 120}).json
    assert changed == {"lead_minutes": 120, "default_business_days": 1, "lead_digest": False, "helpdesk_tags": False}
    assert client.patch("/api/admin/commitments/settings", headers=priya, json={"lead_minutes": 1}).status_code == 422
    assert client.patch("/api/admin/commitments/settings", headers=priya,
                        json={"default_business_days": 30}).status_code == 422


def test_fast_clock_in_the_playground_moves_now_forward_not_the_promises(client, db, playground, frozen_clock):
    [before] = client.get("/api/tickets/2/commitments", headers=bearer(client.application, PLAYGROUND_ID)).json
    result = client.post("/playground/api/clock/skip", json={"minutes": 60 * 24 * 10}).json
    assert result["ahead_minutes"] == 60 * 24 * 10 and result["missed"] >= 1
    assert datetime.fromisoformat(result["now"]) == frozen_clock() + timedelta(days=10)
    [after] = client.get("/api/tickets/2/commitments", headers=bearer(client.application, PLAYGROUND_ID)).json
    assert (before["state"], after["state"]) == ("open", "missed")
    assert after["due_at"] == before["due_at"]  # the promise keeps its time; the clock moved
    assert client.post("/playground/api/clock/skip", json={"minutes": 0}).status_code == 422
    back = client.post("/playground/api/clock/reset").json
    assert back["ahead_minutes"] == 0 and datetime.fromisoformat(back["now"]) == frozen_clock()
