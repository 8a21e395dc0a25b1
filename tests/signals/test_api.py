"""The signals API: confirm, reject, add, undo with tag write-back; themes; admin; digest; bad input; tenancy."""

import pytest
from sqlalchemy import select

from adapter.installations import PLAYGROUND_ID
from adapter.models import OutboxAction
from adapter.models import PlaygroundTicket
from adapter.models import Signal
from adapter.models import Suggestion
from tests.support import bearer


@pytest.fixture
def agent(sam):
    return sam


@pytest.fixture
def admin(priya):
    return priya


def ticket_tags(db, ticket_id):
    with db.tenant(PLAYGROUND_ID) as session:
        return session.get(PlaygroundTicket, ticket_id).tags


def suggestion_id(client, agent, ticket_id, type_key):
    data = client.get(f"/api/tickets/{ticket_id}/signals", headers=agent).json
    return next(s["id"] for s in data["suggestions"] if s["type_key"] == type_key)


def test_ticket_panel_lists_types_suggestions_and_customer_messages(client, playground, agent):
    data = client.get("/api/tickets/1/signals", headers=agent).json
    assert [t["key"] for t in data["types"]][:3] == ["bug", "feature_request", "ux_friction"]
    assert {s["type_key"] for s in data["suggestions"]} >= {"bug", "churn_risk"}
    assert data["signals"] == []
    assert data["messages"][0]["text"].startswith("Hi, every time I try to export")


def test_confirm_with_edited_quote_and_new_theme_tags_the_ticket(client, db, playground, agent):
    sid = suggestion_id(client, agent, 1, "bug")
    response = client.post(f"/api/suggestions/{sid}/confirm", headers=agent,
                           json={"quote": "the page spins for about a minute and then shows \"Export failed (504)\"",
                                 "new_theme_title": "CSV export times out"})
    assert response.status_code == 201
    signal = response.json
    assert (signal["type_key"], signal["customer_name"], signal["organization"]) == ("bug", "Dana Whitfield", "Northwind Traders")
    assert signal["theme_title"] == "CSV export times out"
    assert "vd_bug" in ticket_tags(db, 1)
    again = client.post(f"/api/suggestions/{sid}/confirm", headers=agent, json={})
    assert again.status_code == 409


def test_similar_themes_then_attach(client, playground, agent):
    first = client.post("/api/tickets/6/signals", headers=agent, json={
        "type": "bug", "quote": "Uploading a receipt photo fails with an error", "new_theme_title": "Receipt photos fail to upload"})
    assert first.status_code == 201
    matches = client.post("/api/themes/similar", headers=agent, json={"text": "receipt photo upload fails"}).json
    assert matches[0]["title"] == "Receipt photos fail to upload" and matches[0]["score"] > 0.1
    added = client.post("/api/tickets/7/signals", headers=agent, json={
        "type": "bug", "quote": "The receipt photo won't upload", "theme_id": matches[0]["theme_id"]})
    assert added.status_code == 201
    theme = client.get(f"/api/themes/{matches[0]['theme_id']}", headers=agent).json
    assert (theme["signals"], theme["tickets"], theme["customers"], theme["organizations"]) == (2, 2, 2, 2)
    assert theme["trend"] == "rising"


def test_reject_and_undo(client, db, playground, agent):
    sid = suggestion_id(client, agent, 1, "competitor")
    assert client.post(f"/api/suggestions/{sid}/reject", headers=agent).json["status"] == "rejected"
    bug = suggestion_id(client, agent, 1, "bug")
    signal = client.post(f"/api/suggestions/{bug}/confirm", headers=agent, json={}).json
    assert "vd_bug" in ticket_tags(db, 1)
    assert client.delete(f"/api/signals/{signal['id']}", headers=agent).status_code == 204
    assert "vd_bug" not in ticket_tags(db, 1)
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.get(Suggestion, bug).status == "suggested"  # back on the list
        assert session.scalars(select(Signal).where(Signal.ticket_id == "1")).all() == []


def test_undo_keeps_the_tag_while_another_signal_of_the_type_remains(client, db, playground, agent):
    one = client.post("/api/tickets/6/signals", headers=agent, json={"type": "ux_friction", "quote": "can't find where"}).json
    client.post("/api/tickets/6/signals", headers=agent, json={"type": "ux_friction", "quote": "It's really confusing."})
    client.delete(f"/api/signals/{one['id']}", headers=agent)
    assert "vd_ux_friction" in ticket_tags(db, 6)


@pytest.mark.parametrize(
    "path, body, status, code",
    [
        ("/api/tickets/1/signals", {"type": "nonsense", "quote": "x"}, 404, "unknown_signal_type"),
        ("/api/tickets/1/signals", {"type": "bug", "quote": "   "}, 400, "empty_quote"),
        ("/api/tickets/1/signals", {"type": "bug"}, 422, "invalid_input"),
        ("/api/tickets/1/signals", {"type": "bug", "quote": "x", "theme_id": 999}, 404, "unknown_theme"),
        ("/api/tickets/1/signals", {"type": "bug", "quote": "x", "theme_id": 1, "new_theme_title": "y"}, 422, "invalid_input"),
        ("/api/tickets/999/signals", {"type": "bug", "quote": "x"}, 404, "provider_not_found"),
        ("/api/suggestions/99999/confirm", {}, 404, "unknown_suggestion"),
        ("/api/themes/similar", {"text": ""}, 422, "invalid_input"),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(client, db, playground, agent, path, body, status, code):
    with db.tenant(PLAYGROUND_ID) as session:
        before = (session.query(Signal).count(), session.query(OutboxAction).count())
    response = client.post(path, headers=agent, json=body)
    assert response.status_code == status and response.json["error"]["code"] == code
    with db.tenant(PLAYGROUND_ID) as session:
        assert (session.query(Signal).count(), session.query(OutboxAction).count()) == before


def test_another_installation_cannot_see_or_touch_signals(app, client, db, playground, agent, make_installation):
    sid = suggestion_id(client, agent, 1, "bug")
    signal = client.post(f"/api/suggestions/{sid}/confirm", headers=agent, json={"new_theme_title": "Exports"}).json
    other = bearer(app, make_installation(account="other").id)
    assert client.post(f"/api/suggestions/{sid}/reject", headers=other).status_code == 404
    assert client.delete(f"/api/signals/{signal['id']}", headers=other).status_code == 404
    assert client.get(f"/api/themes/{signal['theme_id']}", headers=other).status_code == 404
    assert client.post("/api/themes/similar", headers=other, json={"text": "Exports"}).json == []
    assert client.get("/api/digest", headers=other).json["themes"] == []


def test_admin_manages_taxonomy_and_settings(client, playground, agent, admin):
    assert client.get("/api/admin/signals/types", headers=agent).status_code == 403
    renamed = client.patch("/api/admin/signals/types/ux_friction", headers=admin,
                           json={"name": "Usability", "color": "#123456", "phrases": ["where is the"]}).json
    assert (renamed["name"], renamed["color"], renamed["phrases"]) == ("Usability", "#123456", ["where is the"])
    added = client.post("/api/admin/signals/types", headers=admin, json={"name": "Security concern", "phrases": ["phishing"]})
    assert added.status_code == 201 and added.json["tag"] == "vd_security_concern"
    assert client.patch("/api/admin/signals/types/praise", headers=admin, json={"enabled": False}).json["enabled"] is False
    types = [t["key"] for t in client.get("/api/tickets/5/signals", headers=agent).json["types"]]
    assert "praise" not in types and "security_concern" in types
    settings = client.patch("/api/admin/signals/settings", headers=admin, json={"competitors": ["Xero", "Xero", "Wave"]}).json
    assert settings["competitors"] == ["Xero", "Wave"]


@pytest.mark.parametrize(
    "path, method, body, status",
    [
        ("/api/admin/signals/types/bug", "patch", {"tag": "has spaces"}, 400),
        ("/api/admin/signals/types/bug", "patch", {"tag": "vd_praise"}, 409),
        ("/api/admin/signals/types/bug", "patch", {"color": "red"}, 422),
        ("/api/admin/signals/types/bug", "patch", {"color": "#zzzzzz"}, 400),
        ("/api/admin/signals/types/bug", "patch", {"patterns": ["(a+)+"]}, 400),
        ("/api/admin/signals/types/nope", "patch", {"enabled": False}, 404),
        ("/api/admin/signals/types", "post", {"name": "Bug"}, 409),
        ("/api/admin/signals/settings", "patch", {"threshold": 2}, 422),
        ("/api/admin/signals/settings", "patch", {"threshold": 0.9, "auto_confirm_threshold": 0.6}, 400),
    ],
)
def test_invalid_admin_changes_are_explained(client, playground, admin, path, method, body, status):
    response = getattr(client, method)(path, headers=admin, json=body)
    assert response.status_code == status and response.json["error"]["message"]


def test_admin_merges_and_splits_themes(client, playground, agent, admin):
    a = client.post("/api/tickets/1/signals", headers=agent, json={"type": "bug", "quote": "export 504", "new_theme_title": "Exports"}).json
    b = client.post("/api/tickets/6/signals", headers=agent, json={"type": "bug", "quote": "export slow", "new_theme_title": "Slow exports"}).json
    merged = client.post(f"/api/admin/themes/{b['theme_id']}/merge", headers=admin, json={"into": a["theme_id"]}).json
    assert (merged["theme_id"], merged["signals"]) == (a["theme_id"], 2)
    assert client.get(f"/api/themes/{b['theme_id']}", headers=agent).json["theme_id"] == a["theme_id"]  # follows the merge
    split = client.post(f"/api/admin/themes/{a['theme_id']}/split", headers=admin,
                        json={"signal_ids": [b["id"]], "title": "Slow exports (again)"})
    assert split.status_code == 201 and split.json["signals"] == 1
    assert client.post(f"/api/admin/themes/{a['theme_id']}/merge", headers=admin, json={"into": a["theme_id"]}).status_code == 400
    assert client.post(f"/api/admin/themes/{a['theme_id']}/split", headers=admin,
                       json={"signal_ids": [a["id"]], "title": "all of it"}).status_code == 400


def test_bootstrap_admin_token(make_app, playground):
    app = make_app(VALUEDESK_ADMIN_TOKEN="bootstrap-admin-token-0123456789")
    client = app.test_client()
    headers = {"Authorization": "Bearer bootstrap-admin-token-0123456789", "X-Valuedesk-Installation": PLAYGROUND_ID}
    assert client.get("/api/admin/signals/settings", headers=headers).status_code == 200
    assert client.get("/api/admin/signals/settings", headers={"Authorization": headers["Authorization"]}).status_code == 400
