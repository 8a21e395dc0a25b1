"""Linear customer requests: each linked ticket becomes one customer need, in the customer's words, exactly once.

The GraphQL answers are recorded payload shapes (tests/fixtures/linear/api). Linear's wording for a taken need id and
for a plan without customer requests is UNVERIFIED; the "feature not accessible" error type is the SDK's own.
"""

import json

import pytest
import responses
from sqlalchemy import select

from adapter import jobs
from adapter import queue
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import Signal
from adapter.providers import freshdesk
from adapter.providers.base import TrackerIssue
from adapter.trackers import needs
from adapter.trackers import settings as tracker_settings
from adapter.trackers import sync
from tests.conftest import load_fixture
from tests.console.support import csrf
from tests.support import bearer
from tests.trackers.support import LINEAR_API
from tests.trackers.support import admin_console
from tests.trackers.support import connect
from tests.trackers.support import make_theme

ISSUE_ID = "9cfb482a-81e3-4154-b5b9-2c805e70a02d"


class FakeLinear:
    """Answers each GraphQL operation by name; remembers the needs it holds, so a taken id is refused as Linear does."""

    def __init__(self, mock, *, needs_on_plan: bool = True):
        self.calls: list[dict] = []
        self.needs: dict[str, dict] = {}
        self.needs_on_plan = needs_on_plan
        self.fail_needs = 0  # answer this many customerNeedCreate calls with a 500 first
        mock.add_callback(responses.POST, LINEAR_API, callback=self.answer, content_type="application/json")

    def answer(self, request):
        body = json.loads(request.body)
        self.calls.append(body)
        query, variables = body["query"], body["variables"]
        if query.startswith("query Issue"):
            return 200, {}, json.dumps({"data": {"issue": None}, "errors": [{"message": "Entity not found: Issue"}]})
        for operation, fixture in (("issueCreate", "issue_create"), ("attachmentLinkURL", "attachment_link_url"),
                                   ("attachmentsForURL", "attachments_for_url"), ("customerUpsert", "customer_upsert")):
            if operation in query:
                return 200, {}, json.dumps(load_fixture("linear", f"api/{fixture}"))
        if "attachmentDelete" in query:
            return 200, {}, json.dumps({"data": {"attachmentDelete": {"success": True}}})
        if "customerNeedCreate" in query:
            return self._need(variables["input"])
        return 500, {}, "{}"

    def _need(self, fields: dict):
        if self.fail_needs:
            self.fail_needs -= 1
            return 500, {}, "{}"
        if not self.needs_on_plan:
            return 200, {}, json.dumps(load_fixture("linear", "api/error_feature_not_accessible"))
        if fields["id"] in self.needs:
            return 200, {}, json.dumps(load_fixture("linear", "api/error_already_exists"))
        self.needs[fields["id"]] = fields
        return 200, {}, json.dumps(load_fixture("linear", "api/customer_need_create"))

    def sent(self, operation: str) -> list[dict]:
        return [call["variables"] for call in self.calls if operation in call["query"]]


def _freshdesk(make_installation, db, account: str):
    installation = make_installation(kind="freshdesk", account=account, secrets={
        freshdesk.API_KEY_CREDENTIAL: "fd-key", freshdesk.SECRET_CREDENTIAL: "s"})
    connect(db, installation.id, "linear")
    return installation


@pytest.fixture
def acme(make_installation, db):
    return _freshdesk(make_installation, db, "acme")


def _send(app, client, installation_id, theme_id):
    response = client.post(f"/api/themes/{theme_id}/tracker", headers=bearer(app, installation_id))
    assert response.status_code == 201, response.json


def _actions(db, kind="tracker.customer_need"):
    with db.system() as session:
        return [(a.installation_id, a.status, a.attempts) for a in session.scalars(
            select(OutboxAction).where(OutboxAction.kind == kind).order_by(OutboxAction.id))]


def test_each_linked_ticket_becomes_a_customer_need_in_the_customers_words(app, client, db, acme, no_network):
    linear = FakeLinear(no_network)
    _send(app, client, acme.id, make_theme(db, acme.id))
    created = linear.sent("customerNeedCreate")
    assert len(created) == 2 and len(linear.needs) == 2
    first = created[0]["input"]
    assert first == {"id": needs.need_id(acme.id, "35436", ISSUE_ID), "issueId": ISSUE_ID,
                     "body": "> The export spins forever and times out (35436)",
                     "attachmentUrl": "https://acme.freshdesk.com/a/tickets/35436",
                     "customerExternalId": "Petrova Design"}
    assert first["id"][14] == "4"  # UUID v4 form, as Linear asks of client ids
    assert linear.sent("customerUpsert")[0]["input"] == {"externalId": "Petrova Design", "name": "Petrova Design"}
    assert "Petrova" not in "".join(call["query"] for call in linear.calls)  # values travel as variables only
    assert [status for _, status, _ in _actions(db)] == ["done", "done"]


def test_relinking_the_same_tickets_finds_the_needs_linear_has_and_makes_no_second(app, client, db, acme, no_network):
    linear = FakeLinear(no_network)
    theme_id = make_theme(db, acme.id)
    _send(app, client, acme.id, theme_id)
    with db.tenant(acme.id) as session:
        sync.unlink_theme(session, theme_id)
    issue = TrackerIssue(key="ENG-123", id=ISSUE_ID, title="CSV export", url="", status="Todo", category="unstarted")
    with db.tenant(acme.id) as session:
        sync.link_existing(session, session.get(Installation, acme.id), theme_id, issue)
    ids = [variables["input"]["id"] for variables in linear.sent("customerNeedCreate")]
    assert len(ids) == 4 and len(set(ids)) == 2  # asked twice per ticket, with the same id
    assert len(linear.needs) == 2
    assert [status for _, status, _ in _actions(db)] == ["done"] * 4  # "already exists" counts as done


def test_a_plan_without_customer_requests_is_recorded_once_and_shown_on_the_trackers_page(app, client, db, acme,
                                                                                          no_network):
    linear = FakeLinear(no_network, needs_on_plan=False)
    _send(app, client, acme.id, make_theme(db, acme.id, tickets=("35436", "35437", "35438")))
    assert len(linear.sent("customerNeedCreate")) == 1  # the first refusal stops the rest
    assert len(linear.sent("attachmentLinkURL")) == 3  # tickets are still linked
    assert {status for _, status, _ in _actions(db)} == {"done"}  # nothing left to retry forever
    with db.tenant(acme.id) as session:
        installation = session.get(Installation, acme.id)
        assert needs.unavailable(installation) == "Linear's plan for this workspace does not include it: Customer " \
                                                  "requests are not available on your current plan."
    console = admin_console(app, acme.id)
    page = console.get("/admin/trackers").data.decode()
    assert "Customer requests are unavailable" in page and "not available on your current plan" in page
    admin = bearer(app, acme.id, agent_id="7", name="Ada Admin", role="admin")
    assert "current plan" in client.get("/api/admin/trackers", headers=admin).json["needs_unavailable"]
    more = make_theme(db, acme.id, tickets=("40001",), title="Another theme")
    _send(app, client, acme.id, more)
    assert len(linear.sent("customerNeedCreate")) == 1  # not tried again for this installation

    linear.needs_on_plan = True  # the workspace upgraded; the admin presses "Try again"
    answer = console.post("/admin/trackers/customer-requests/retry", data={"csrf_token": csrf(page.encode())})
    assert answer.status_code == 302
    assert len(linear.needs) == 4
    assert "Customer requests are unavailable" not in console.get("/admin/trackers").data.decode()


def test_a_linear_outage_delays_a_need_and_the_retry_sends_it_once(app, client, db, acme, no_network, monkeypatch,
                                                                  frozen_clock):
    linear = FakeLinear(no_network)
    linear.fail_needs = 1
    _send(app, client, acme.id, make_theme(db, acme.id, tickets=("35436",)))
    assert _actions(db) == [(acme.id, "pending", 1)] and not linear.needs
    monkeypatch.setattr(queue, "enqueue", lambda name, item_id, **kw: jobs.run_outbox_action(item_id))
    frozen_clock.advance(minutes=30)
    assert jobs.sweep() >= 1
    assert _actions(db) == [(acme.id, "done", 2)] and len(linear.needs) == 1


def test_one_installations_plan_and_needs_stay_its_own(app, client, db, acme, make_installation, no_network):
    other = _freshdesk(make_installation, db, "globex")
    linear = FakeLinear(no_network, needs_on_plan=False)
    _send(app, client, acme.id, make_theme(db, acme.id, tickets=("35436",)))
    linear.needs_on_plan = True
    _send(app, client, other.id, make_theme(db, other.id, tickets=("35436",)))
    created = linear.sent("customerNeedCreate")
    assert len(created) == 2 and len(linear.needs) == 1
    assert created[1]["input"]["id"] == needs.need_id(other.id, "35436", ISSUE_ID) != created[0]["input"]["id"]
    assert created[1]["input"]["attachmentUrl"] == "https://globex.freshdesk.com/a/tickets/35436"
    with db.tenant(other.id) as session:
        assert needs.unavailable(session.get(Installation, other.id)) == ""
        assert session.scalars(select(Signal.ticket_id)).all() == ["35436"]  # only its own signals
    assert "Customer requests are unavailable" not in admin_console(app, other.id).get("/admin/trackers").data.decode()
    assert "Customer requests are unavailable" in admin_console(app, acme.id).get("/admin/trackers").data.decode()


def test_the_retry_button_is_refused_without_linear(app, db, make_installation):
    installation = make_installation(kind="freshdesk", account="initech", secrets={
        freshdesk.API_KEY_CREDENTIAL: "fd-key", freshdesk.SECRET_CREDENTIAL: "s"})
    console = admin_console(app, installation.id)
    token = csrf(console.get("/admin/trackers").data)
    answer = console.post("/admin/trackers/customer-requests/retry", data={"csrf_token": token},
                          follow_redirects=True)
    assert "connect Linear first" in answer.data.decode()
    assert _actions(db) == []


@pytest.mark.parametrize(("organization", "email", "expected"), [
    ("  Petrova   Design ", "ana@petrova.example", ("Petrova Design", "Petrova Design")),
    (None, "Ana@Petrova.Example", ("petrova.example", "petrova.example")),
    ("", "someone@gmail.com", ("someone@gmail.com", "someone@gmail.com")),
    (None, None, None),
    (None, "not an address", None),
])
def test_the_customer_is_the_organisation_then_the_company_domain_then_the_address(organization, email, expected):
    who = needs.customer_of(organization, email)
    assert (who.external_id, who.name) == expected if expected else who is None


def test_the_body_is_the_customers_words_as_block_quotes():
    assert needs.need_body(["It hangs.\nEvery time.", " Still broken "]) == "> It hangs.\n> Every time.\n\n> Still broken"


def test_the_need_id_depends_on_installation_ticket_and_issue():
    base = needs.need_id("fd-acme", "1", ISSUE_ID)
    assert base == needs.need_id("fd-acme", "1", ISSUE_ID)
    assert len({base, needs.need_id("fd-globex", "1", ISSUE_ID), needs.need_id("fd-acme", "2", ISSUE_ID),
                needs.need_id("fd-acme", "1", "other-issue")}) == 4


def test_settings_edits_cannot_clear_the_unavailable_record(db, acme):
    with db.tenant(acme.id) as session:
        installation = session.get(Installation, acme.id)
        needs._record_unavailable(installation, "not on plan")
        assert needs.unavailable(installation) == "not on plan"
        tracker_settings.update_settings(installation, needs_unavailable="")  # settings edits cannot clear it
        assert needs.unavailable(installation) == "not on plan"
