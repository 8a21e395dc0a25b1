"""Product events from the marketplace Freshdesk app: addressed by domain, proven by the administrator's key it
registered, replays refused, and one account's key never stores a delivery for another."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapter.models import Installation
from adapter.models import WebhookReceipt
from adapter.providers import freshdesk
from tests.conftest import load_fixture
from tests.sidebar.fdk import ACME_ADMIN
from tests.sidebar.fdk import GLOBEX_ADMIN
from tests.sidebar.fdk import acme_and_globex
from tests.sidebar.fdk import stamp


@pytest.fixture
def installed(client, db, no_network, frozen_clock):
    """acme and globex, each installed through its app; {account: installation id}."""
    acme_and_globex(no_network)
    for domain, key in (("acme", ACME_ADMIN), ("globex", GLOBEX_ADMIN)):
        response = client.post(f"/api/freshdesk/app/{domain}.freshdesk.com/install",
                               json={"timestamp": stamp(frozen_clock())}, headers={freshdesk.APP_KEY_HEADER: key})
        assert response.status_code == 200, response.json
    with db.system() as session:
        return {i.account: i.id for i in session.scalars(select(Installation))}


def forward(client, frozen_clock, fixture="on_ticket_update", domain="acme.freshdesk.com", key=ACME_ADMIN, at=None):
    payload = {**load_fixture("freshdesk", fixture), "timestamp": stamp(at or frozen_clock()) // 1000}
    return client.post(f"/webhooks/freshdesk/app/{domain}", data=json.dumps(payload),
                       headers={"Content-Type": "application/json", freshdesk.APP_KEY_HEADER: key})


def stored(db) -> list[tuple[str, str]]:
    with db.system() as session:
        return [(r.installation_id, r.delivery_id) for r in session.scalars(select(WebhookReceipt))]


def test_the_apps_events_are_stored_for_its_own_account(client, db, installed, frozen_clock):
    assert forward(client, frozen_clock).status_code == 202
    assert forward(client, frozen_clock, domain="acme").status_code == 200  # the same update again: a duplicate
    frozen_clock.advance(seconds=30)
    assert forward(client, frozen_clock, domain="ACME.freshdesk.com").status_code == 202  # a later update
    assert [installation for installation, _ in stored(db)] == [installed["acme"]] * 2


@pytest.mark.parametrize("domain, key", [
    ("acme.freshdesk.com", "a-guessed-key-123"),
    ("acme.freshdesk.com", GLOBEX_ADMIN),  # another account's app
    ("globex.freshdesk.com", ACME_ADMIN),
    ("nobody.freshdesk.com", ACME_ADMIN),
    ("acme.freshdesk.com", ""),
])
def test_a_key_that_is_not_this_accounts_is_refused_and_nothing_is_stored(client, db, installed, frozen_clock, domain,
                                                                          key):
    response = forward(client, frozen_clock, domain=domain, key=key)
    assert response.status_code == 401
    assert response.json == forward(client, frozen_clock, domain="nobody.freshdesk.com").json  # reveals nothing
    assert stored(db) == []


def test_a_replayed_event_is_refused(client, db, installed, frozen_clock):
    response = forward(client, frozen_clock, at=frozen_clock() - timedelta(hours=3))
    assert response.status_code == 401 and "replay" in response.json["error"]["message"]
    assert stored(db) == []


def test_the_key_is_never_stored_with_the_delivery(client, db, installed, frozen_clock):
    forward(client, frozen_clock)
    with db.system() as session:
        receipt = session.scalars(select(WebhookReceipt)).one()
    assert freshdesk.APP_KEY_HEADER not in receipt.headers and ACME_ADMIN not in json.dumps(receipt.headers)


def test_an_account_the_operator_disabled_answers_410_to_its_own_app_only(client, installed, frozen_clock, runner):
    assert runner.invoke(args=["installations", "disable", installed["acme"]]).exit_code == 0
    assert forward(client, frozen_clock).status_code == 410
    assert forward(client, frozen_clock, key="a-guessed-key-123").status_code == 401
