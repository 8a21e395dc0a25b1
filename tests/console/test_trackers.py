"""The console's Jira and Linear page: connection, sync rule form (with CSRF and validation), issues and failed syncs."""

from dataclasses import asdict

import pytest
from sqlalchemy import select

from adapter.installations import PLAYGROUND_ID
from adapter.installations import store_feature_settings
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.trackers.settings import FEATURE
from adapter.trackers.settings import settings_of
from tests.console.support import csrf
from tests.console.support import signed_in
from tests.trackers.support import make_theme


def test_settings_form_saves_valid_values_and_explains_invalid_ones(app, db, playground):
    console = app.test_client()
    console.get("/playground/console")
    page = console.get("/admin/trackers")
    assert page.status_code == 200 and b"the sandbox tracker" in page.data and b"Every tracker write has landed" in page.data
    token = csrf(page.data)
    assert console.post("/admin/trackers/settings", data={"sync": "automatic", "auto_threshold": "4"}).status_code == 400
    saved = console.post("/admin/trackers/settings", follow_redirects=True,
                         data={"csrf_token": token, "sync": "automatic", "auto_threshold": "4", "reopen_tickets": "on"})
    assert b"Tracker settings saved." in saved.data
    with db.tenant(PLAYGROUND_ID) as session:
        current = settings_of(session.get(Installation, PLAYGROUND_ID))
        assert (current.sync, current.auto_threshold, current.reopen_tickets) == ("automatic", 4, True)
    for bad in ({"sync": "automatic", "auto_threshold": "lots"}, {"sync": "whenever", "auto_threshold": "4"},
                {"sync": "automatic", "auto_threshold": "1"}):
        refused = console.post("/admin/trackers/settings", data={"csrf_token": token, **bad}, follow_redirects=True)
        assert b'flash-error' in refused.data
    with db.tenant(PLAYGROUND_ID) as session:
        assert settings_of(session.get(Installation, PLAYGROUND_ID)).auto_threshold == 4
    tested = console.post("/admin/trackers/test", data={"csrf_token": token}, follow_redirects=True)
    assert b"Connected: the playground" in tested.data


def test_issues_and_failed_syncs_are_listed_with_a_retry(app, client, db, playground, sam):
    theme_id = make_theme(db, PLAYGROUND_ID, tickets=("1",), title="Receipts upload fails")
    assert client.post(f"/api/themes/{theme_id}/tracker", headers=sam).status_code == 201
    with db.tenant(PLAYGROUND_ID) as session:
        session.add(OutboxAction(kind="tracker.comment_count", payload={"link_id": 1}, status="failed", attempts=8,
                                 last_error="RateLimited: slow down"))
    console = app.test_client()
    console.get("/playground/console")
    page = console.get("/admin/trackers")
    assert b"VD-1" in page.data and b"Receipts upload fails" in page.data and b"RateLimited: slow down" in page.data
    with db.tenant(PLAYGROUND_ID) as session:
        failed = session.scalar(select(OutboxAction.id).where(OutboxAction.status == "failed"))
    retried = console.post(f"/admin/trackers/syncs/{failed}/retry", data={"csrf_token": csrf(page.data)},
                           follow_redirects=True)
    assert b"Retrying now." in retried.data
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.get(OutboxAction, failed).status in ("done", "ignored")


@pytest.mark.parametrize(("kind", "valid", "expected", "invalid", "message"), [
    ("jira", {"issue_type": "Story", "issue_types.bug": "Bug", "issue_types.feature_request": ""},
     {"issue_type": "Story", "issue_types": {"bug": "Bug"}}, {"issue_type": ""}, "default Jira issue type needs 1 to 60"),
    ("jira", {"issue_type": "Task", "issue_types.bug": "Defect"}, {"issue_types": {"bug": "Defect"}},
     {"issue_type": "Task", "issue_types.bug": "x" * 61}, "each signal type needs a value of 1 to 60"),
    ("linear", {"label_ids.bug": "4f1c-label", "label_ids.praise": " "}, {"label_ids": {"bug": "4f1c-label"}},
     {"label_ids.bug": "y" * 65}, "each signal type needs a value of 1 to 64"),
])
def test_the_mapping_of_signal_types_saves_and_refuses(app, db, playground, kind, valid, expected, invalid, message):
    with db.tenant(PLAYGROUND_ID) as session:
        installation = session.get(Installation, PLAYGROUND_ID)
        store_feature_settings(installation, FEATURE, {**asdict(settings_of(installation)), "kind": kind})
    console, token = signed_in(app)
    page = console.get("/admin/trackers").get_data(as_text=True)
    assert ("issue_types.bug" in page) == (kind == "jira") and ("label_ids.bug" in page) == (kind == "linear")
    base = {"csrf_token": token, "sync": "manual", "auto_threshold": "5", f"has_{'issue_types' if kind == 'jira' else 'label_ids'}": "1"}
    saved = console.post("/admin/trackers/settings", data={**base, **valid}, follow_redirects=True)
    assert b"Tracker settings saved." in saved.data
    with db.tenant(PLAYGROUND_ID) as session:
        current = asdict(settings_of(session.get(Installation, PLAYGROUND_ID)))
    assert {name: current[name] for name in expected} == expected
    refused = console.post("/admin/trackers/settings", data={**base, **invalid}, follow_redirects=True)
    assert b"flash-error" in refused.data and message in refused.get_data(as_text=True)
    with db.tenant(PLAYGROUND_ID) as session:
        assert asdict(settings_of(session.get(Installation, PLAYGROUND_ID))) == current
