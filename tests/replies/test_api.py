"""The pre-send check API: warnings for the author, outcomes and stats for the team, bad input refused."""

import pytest

from adapter.providers.playground import MACROS
from adapter.replies.service import MAX_DRAFT_CHARS

REFUND = MACROS[0].body


def test_unchanged_macro_warns_and_personalised_does_not(client, playground, sam):
    warned = client.post("/api/replies/check", headers=sam, json={"ticket_id": "1", "draft": "Hi Dana,\n\n" + REFUND})
    assert warned.status_code == 200
    kinds = [w["kind"] for w in warned.json["warnings"]]
    assert kinds == ["unedited_macro", "not_addressed"]  # and the export error is not mentioned
    assert "error 504" in warned.json["warnings"][1]["detail"]
    personal = ("Hi Dana, the 504 comes from the export of a full year timing out: our engineers are shipping a fix "
                "this week, and exporting one quarter at a time works now. " + MACROS[1].body)
    assert client.post("/api/replies/check", headers=sam, json={"ticket_id": "1", "draft": personal}).json == {
        "warnings": []}


def test_checks_and_outcomes_are_counted_for_the_team(client, playground, sam, priya):
    client.post("/api/replies/check", headers=sam, json={"ticket_id": "1", "draft": REFUND})
    client.post("/api/replies/check", headers=sam, json={"ticket_id": "1", "draft": "The 504 export fix ships Friday."})
    assert client.post("/api/replies/outcome", headers=sam, json={"outcome": "edited"}).status_code == 204
    weeks = client.get("/api/admin/replies/stats?weeks=2", headers=priya).json
    assert len(weeks) == 2
    assert {k: weeks[-1][k] for k in ("checks", "warned", "warned_share", "edited", "edited_share")} == {
        "checks": 2, "warned": 1, "warned_share": None, "edited": 1, "edited_share": None}  # too few for a share
    assert weeks[0]["checks"] == 0 and weeks[0]["warned_share"] is None


@pytest.mark.parametrize("body, status, field", [
    ({}, 422, "draft"),
    ({"draft": ""}, 400, "draft"),
    ({"draft": "   \n "}, 400, "draft"),
    ({"draft": "x" * (MAX_DRAFT_CHARS + 1)}, 413, "draft"),
    ({"draft": 42}, 422, "draft"),
    ({"draft": "Hello", "ticket_id": "x" * 65}, 422, "ticket_id"),
])
def test_bad_drafts_are_refused(client, playground, sam, priya, body, status, field):
    response = client.post("/api/replies/check", headers=sam, json=body)
    assert response.status_code == status
    assert field in response.json["error"]["fields"]
    assert client.get("/api/admin/replies/stats?weeks=1", headers=priya).json[0]["checks"] == 0  # nothing counted


def test_bad_outcome_and_settings(client, playground, sam, priya):
    assert client.post("/api/replies/outcome", headers=sam, json={"outcome": "ignored"}).status_code == 422
    assert client.patch("/api/admin/replies/settings", headers=priya, json={"threshold": 0.5}).status_code == 422
    assert client.patch("/api/admin/replies/settings", headers=priya, json={"min_matches": 1}).status_code == 422
    changed = client.patch("/api/admin/replies/settings", headers=priya, json={"min_matches": 3, "retention_days": 30})
    assert changed.json == {"threshold": 0.8, "min_matches": 3, "window_days": 30, "retention_days": 30}
    assert client.get("/api/admin/replies/settings", headers=priya).json["min_matches"] == 3


def test_admin_endpoints_need_an_admin(client, playground, sam, priya):
    for method, path in (("GET", "/api/admin/replies/stats"), ("GET", "/api/admin/replies/settings"),
                         ("PATCH", "/api/admin/replies/settings"), ("POST", "/api/admin/replies/macros/sync")):
        assert client.open(path, method=method, headers=sam, json={}).status_code == 403
    assert client.post("/api/admin/replies/macros/sync", headers=priya).json == {"macros": 3}


def test_no_session_no_check(client, playground):
    assert client.post("/api/replies/check", json={"draft": REFUND}).status_code == 401
