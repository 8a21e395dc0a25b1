"""Uninstalling the marketplace Freshdesk app stops every job for the account; installing it again within the retention
period brings the account's data back."""

import json
from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from adapter import jobs
from adapter import receipts
from adapter.db import Base
from adapter.models import Commitment
from adapter.models import Installation
from adapter.models import OutboxAction
from adapter.models import WebhookReceipt
from adapter.providers import freshdesk
from tests.conftest import load_fixture
from tests.sidebar.fdk import ACME_ADMIN
from tests.sidebar.fdk import acme_and_globex
from tests.sidebar.fdk import stamp
from tests.support import freshdesk_api


@pytest.fixture
def acme(client, db, no_network, frozen_clock):
    """acme installed through the app, with an overdue promise, a pending outbox write and an unprocessed delivery."""
    acme_and_globex(no_network)
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    assert set_up(client, frozen_clock, "install").status_code == 200
    with db.system() as session:
        installation_id = session.scalars(select(Installation.id).where(Installation.account == "acme")).one()
    with db.tenant(installation_id) as session:
        session.add(Commitment(ticket_id="42", agent_id="7001", text="I'll get back to you by Friday.",
                               due_at=frozen_clock() - timedelta(hours=1)))
        session.add(OutboxAction(kind="helpdesk.add_tags", payload={"ticket_id": "42", "tags": ["vd_bug"]}))
        receipts.store(session.connection(), installation_id=installation_id, provider="freshdesk",
                       delivery_id="42:5001:onConversationCreate", event_type="app.conversation_created", headers={},
                       body=json.dumps(load_fixture("freshdesk", "on_conversation_create")).encode())
    return installation_id


def set_up(client, frozen_clock, step, key=ACME_ADMIN):
    return client.post(f"/api/freshdesk/app/acme.freshdesk.com/{step}", json={"timestamp": stamp(frozen_clock())},
                       headers={freshdesk.APP_KEY_HEADER: key})


def forward(client, frozen_clock, key=ACME_ADMIN):
    """The app's onTicketUpdate handler posting through its webhook template."""
    event = {**load_fixture("freshdesk", "on_ticket_update"), "timestamp": stamp(frozen_clock())}
    return client.post("/webhooks/freshdesk/app/acme.freshdesk.com", json=event,
                       headers={freshdesk.APP_KEY_HEADER: key})


def rows(db, installation_id: str) -> int:
    """Rows the installation owns in every tenant table but its credentials."""
    with db.system() as session:
        return sum(session.scalar(select(func.count()).select_from(table).where(table.c.installation_id ==
                                                                                installation_id))
                   for table in Base.metadata.sorted_tables
                   if "installation_id" in table.c and table.name != "credentials")


def test_uninstalling_stops_every_job_and_reinstalling_brings_the_data_back(client, db, acme, no_network,
                                                                           frozen_clock):
    frozen_clock.advance(minutes=1)
    assert set_up(client, frozen_clock, "uninstall").status_code == 200
    kept = rows(db, acme)
    calls = len(no_network.calls)

    assert forward(client, frozen_clock).status_code == 401  # the app's webhook: its key is gone
    by_id = client.post(f"/webhooks/freshdesk/{acme}", json={}, headers={freshdesk.SECRET_HEADER: "anything"})
    assert by_id.status_code == 410  # the automation-rule address of the same account
    with db.system() as session:
        action_id = session.scalars(select(OutboxAction.id)).one()
        receipt_id = session.scalars(select(WebhookReceipt.id)).one()
    jobs.run_outbox_action(action_id)
    jobs.process_receipt(receipt_id)
    assert jobs.sweep_commitments() == (0, 0)
    assert jobs.sync_macros() == 0 and jobs.refresh_tracker_issues() == 0 and jobs.reconcile_billing() == 0
    with db.system() as session:
        assert session.get(OutboxAction, action_id).status == "ignored"
        assert session.get(WebhookReceipt, receipt_id).status == "ignored"
        assert session.scalars(select(Commitment.state)).one() == "open"  # not missed, not reminded
    assert len(no_network.calls) == calls  # nothing was sent to Freshdesk
    session = client.post("/api/freshdesk/app/acme.freshdesk.com/session", json={"agent_id": "7001"},
                          headers={freshdesk.APP_KEY_HEADER: ACME_ADMIN})
    assert session.status_code == 401

    frozen_clock.advance(days=10)
    reinstalled = set_up(client, frozen_clock, "install")
    assert reinstalled.status_code == 200 and f"reinstalled {acme} with its data" in reinstalled.json["done"]
    assert rows(db, acme) == kept
    with db.system() as session:
        assert session.get(Installation, acme).is_active
    assert forward(client, frozen_clock).status_code == 202
    opened = client.post("/api/freshdesk/app/acme.freshdesk.com/session", json={"agent_id": "7001"},
                         headers={freshdesk.APP_KEY_HEADER: ACME_ADMIN})
    assert opened.status_code == 200 and opened.json["installation"] == acme


def test_after_the_retention_period_the_data_is_gone_and_installing_starts_afresh(client, db, acme, frozen_clock):
    frozen_clock.advance(minutes=1)
    set_up(client, frozen_clock, "uninstall")
    frozen_clock.advance(days=29)
    assert jobs.purge_uninstalled() == 0 and rows(db, acme) > 0
    frozen_clock.advance(days=1)
    assert jobs.purge_uninstalled() == 1
    assert rows(db, acme) == 0
    installed = set_up(client, frozen_clock, "install")
    assert installed.status_code == 200 and installed.json["done"][0].startswith("created installation fd-acme-")
    assert acme not in installed.json["done"][0]
