"""The packaged FDK app's serverless handlers, run by a Node stand-in for Freshworks' runtime with recorded event
payloads, against the live service: install registers the account (or refuses the installation with Valuedesk's
reason), update stores the new key, uninstall stops the account and never blocks, product events arrive."""

import pytest
from sqlalchemy import select

from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.models import WebhookReceipt
from adapter.providers import freshdesk
from tests.sidebar.fdk import ACME_ADMIN
from tests.sidebar.fdk import ACME_AGENT
from tests.sidebar.fdk import acme_and_globex
from tests.sidebar.fdk import event
from tests.sidebar.fdk import freshdesk_account
from tests.sidebar.fdk import run_handler
from tests.sidebar.fdk import run_install_page
from tests.sidebar.fdk import unpacked_app
from tests.support import serving

IPARAMS = {"freshdesk_domain": "acme.freshdesk.com", "freshdesk_api_key": ACME_ADMIN}


@pytest.fixture
def live(app, tmp_path, no_network):
    """The unpacked app and the live service's address, with acme's and globex's Freshdesk answers."""
    acme_and_globex(no_network)
    no_network.add_passthru("http://127.0.0.1")  # the Node runtime calls the live service, not Freshdesk
    with serving(app) as base_url:
        yield unpacked_app(tmp_path), base_url


def handle(live, handler, fixture, at, **iparams):
    app_dir, base_url = live
    return run_handler(app_dir, base_url, handler, event(fixture, at), {**IPARAMS, **iparams})


def acme(db):
    with db.system() as session:
        return session.scalars(select(Installation).where(Installation.account == "acme")).one_or_none()


def test_install_registers_the_account_and_lets_the_installation_finish(db, live, frozen_clock):
    result = handle(live, "onAppInstallHandler", "on_app_install", frozen_clock())
    assert result["rendered"] == {"ok": True}
    assert result["calls"] == [{"name": "valuedeskInstall", "path": "/api/freshdesk/app/acme.freshdesk.com/install",
                                "status": 200}]
    assert result["db"] == {"valuedesk": {"domain": "acme.freshdesk.com"}}
    installation = acme(db)
    with db.tenant(installation.id) as session:
        assert CredentialStore(session, installation.id).get(freshdesk.APP_KEY_DIGEST) == freshdesk.key_digest(ACME_ADMIN)


def test_install_with_an_agents_key_is_refused_with_valuedesks_reason(db, live, frozen_clock):
    result = handle(live, "onAppInstallHandler", "on_app_install", frozen_clock(), freshdesk_api_key=ACME_AGENT)
    assert result["rendered"]["ok"] is False
    assert "Sam Rivera, who is not an administrator of acme.freshdesk.com" in result["rendered"]["error"]["message"]
    assert result["db"] == {} and acme(db) is None


def test_install_with_a_mistyped_domain_is_refused(db, live, frozen_clock):
    result = handle(live, "onAppInstallHandler", "on_app_install", frozen_clock(), freshdesk_domain="acme.freshdsk.com")
    assert result["rendered"]["ok"] is False and "not a Freshdesk domain" in result["rendered"]["error"]["message"]
    assert acme(db) is None


def test_update_stores_the_new_key_and_follows_a_renamed_account(db, live, no_network, frozen_clock):
    freshdesk_account(no_network, "acme2", {ACME_ADMIN: "agents_me__admin"})
    handle(live, "onAppInstallHandler", "on_app_install", frozen_clock())
    installation_id = acme(db).id
    frozen_clock.advance(minutes=1)
    result = handle(live, "afterAppUpdateHandler", "after_app_update", frozen_clock(),
                    freshdesk_domain="acme2.freshdesk.com")
    assert result["rendered"] == {"ok": True} and result["db"] == {"valuedesk": {"domain": "acme2.freshdesk.com"}}
    with db.system() as session:
        assert session.get(Installation, installation_id).account == "acme2"


def test_uninstall_stops_the_account_and_never_blocks(db, live, frozen_clock):
    handle(live, "onAppInstallHandler", "on_app_install", frozen_clock())
    frozen_clock.advance(minutes=1)
    result = handle(live, "onAppUninstallHandler", "on_app_uninstall", frozen_clock())
    assert result["rendered"] == {"ok": True} and result["calls"][0]["status"] == 200
    installation = acme(db)
    assert installation.uninstalled_at is not None and not installation.is_active
    again = handle(live, "onAppUninstallHandler", "on_app_uninstall", frozen_clock())  # Valuedesk refuses: 401
    assert again["calls"][0]["status"] == 401 and again["rendered"] == {"ok": True}


def test_product_events_reach_the_service_as_deliveries_of_the_account(db, live, frozen_clock):
    handle(live, "onAppInstallHandler", "on_app_install", frozen_clock())
    result = handle(live, "onTicketUpdateHandler", "on_ticket_update", frozen_clock())
    assert result["calls"] == [{"name": "valuedeskWebhook", "path": "/webhooks/freshdesk/app/acme.freshdesk.com",
                                "status": 202}]
    with db.system() as session:
        receipt = session.scalars(select(WebhookReceipt)).one()
    assert (receipt.installation_id, receipt.event_type) == (acme(db).id, "app.ticket_updated")


@pytest.mark.parametrize("callback, value, iparams, answer", [
    ("apiKeyChange", ACME_ADMIN, {}, ""),
    ("apiKeyChange", ACME_AGENT, {}, "This API key belongs to Sam Rivera, who is not an administrator of "
                                     "acme.freshdesk.com; installing Valuedesk needs an administrator's key."),
    ("apiKeyChange", "mistyped-key-1", {}, "Freshdesk did not accept this API key for acme.freshdesk.com."),
    ("domainChange", "acme", {}, ""),
    ("domainChange", "globex.freshdesk.com", {}, "Freshdesk did not accept this API key for globex.freshdesk.com."),
    ("domainChange", "https://acme.freshdesk.com/a/", {}, "Enter your helpdesk's address, like acme.freshdesk.com."),
    ("apiKeyChange", ACME_ADMIN, {"freshdesk_domain": ""}, ""),  # nothing to check against yet
])
def test_the_install_page_checks_the_domain_and_key_as_they_are_typed(db, live, callback, value, iparams, answer):
    app_dir, base_url = live
    checked = run_install_page(app_dir, base_url, callback, value, {**IPARAMS, **iparams})
    assert checked["answer"].startswith(answer) and bool(checked["answer"]) == bool(answer)
    assert len(checked["calls"]) <= 1 and acme(db) is None  # at most one check; it installs nothing
