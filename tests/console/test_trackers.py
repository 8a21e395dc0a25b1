"""The console's Jira and Linear page: connection, sync rule form (with CSRF and validation), issues and failed syncs."""

import re

from sqlalchemy import select

from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.trackers.settings import settings_of
from tests.trackers.support import make_theme


def csrf(page: bytes) -> str:
    return re.search(rb'name="csrf_token" value="([^"]+)"', page).group(1).decode()


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
