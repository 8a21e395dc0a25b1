"""The marketplace Freshdesk app's calls: an administrator's key, checked with Freshdesk, registers the account and is
from then on the app's credential; every refusal is a clear 4xx that changes nothing, and one account's key never
acts on another's."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from adapter.connections import INSTALLATION_TOKEN
from adapter.credentials import CredentialStore
from adapter.models import Credential
from adapter.models import Installation
from adapter.providers import freshdesk
from tests.sidebar.fdk import ACME_ADMIN
from tests.sidebar.fdk import ACME_AGENT
from tests.sidebar.fdk import ACME_LEE
from tests.sidebar.fdk import GLOBEX_ADMIN
from tests.sidebar.fdk import acme_and_globex
from tests.sidebar.fdk import freshdesk_account
from tests.sidebar.fdk import stamp
from tests.support import api_fixture
from tests.support import freshdesk_api


@pytest.fixture
def accounts(no_network):
    acme_and_globex(no_network)
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    no_network.add("GET", "https://globex.freshdesk.com/api/v2/agents/7001", json=api_fixture("freshdesk", "agent"))
    return no_network


def set_up(client, frozen_clock, step, domain="acme.freshdesk.com", key=ACME_ADMIN, at=None, **body):
    return client.post(f"/api/freshdesk/app/{domain}/{step}", json={"timestamp": stamp(at or frozen_clock()), **body},
                       headers={freshdesk.APP_KEY_HEADER: key})


def session_start(client, domain="acme.freshdesk.com", key=ACME_ADMIN):
    return client.post(f"/api/freshdesk/app/{domain}/session", json={"agent_id": "7001"},
                       headers={freshdesk.APP_KEY_HEADER: key})


def state(db) -> dict:
    """Every installation with its credential names and lifecycle marks: what a refusal must leave alone."""
    with db.system() as session:
        return {i.id: (i.account, i.is_active, i.uninstalled_at, sorted(CredentialStore(session, i.id).names()),
                       (i.settings or {}).get("freshdesk_app"))
                for i in session.scalars(select(Installation))}


def installation_of(db, account: str) -> Installation:
    with db.system() as session:
        return session.scalars(select(Installation).where(Installation.account == account)).one()


def test_installing_registers_the_account_and_the_key_then_opens_it(client, db, accounts, frozen_clock):
    response = set_up(client, frozen_clock, "install")
    assert response.status_code == 200, response.json
    installation = installation_of(db, "acme")
    assert response.json["installed"] is True
    assert response.json["done"] == [f"created installation {installation.id}", "stored the API key of Priya Natarajan"]
    assert (installation.kind, installation.is_active) == ("freshdesk", True)
    with db.tenant(installation.id) as session:
        credentials = CredentialStore(session, installation.id)
        assert credentials.get(freshdesk.API_KEY_CREDENTIAL) == ACME_ADMIN
        assert credentials.get(freshdesk.APP_KEY_DIGEST) == freshdesk.key_digest(ACME_ADMIN)
        assert ACME_ADMIN.encode() not in b"".join(session.scalars(select(Credential.ciphertext)))  # encrypted
    opened = session_start(client)
    assert opened.status_code == 200 and opened.json["installation"] == installation.id
    assert opened.json["agent"]["id"] == "7001" and opened.json["verified"] is False


@pytest.mark.parametrize("domain, key, at, status, code", [
    ("acme.freshdesk.com", "not-a-real-key-1", 0, 400, "api_key_refused"),
    ("acme.freshdesk.com", ACME_AGENT, 0, 403, "admin_required"),
    ("acme.freshdesk.com", ACME_LEE, 0, 403, "admin_required"),  # a custom role named "Administrator"
    ("acme.freshdesk.com", GLOBEX_ADMIN, 0, 400, "api_key_refused"),  # another account's administrator
    ("127.0.0.1", ACME_ADMIN, 0, 400, "invalid_domain"),
    ("acme.freshdesk.com.evil.example", ACME_ADMIN, 0, 400, "invalid_domain"),
    ("acme.freshdesk.com", "", 0, 400, "api_key_missing"),
    ("acme.freshdesk.com", ACME_ADMIN, -11, 400, "stale_event"),
    ("acme.freshdesk.com", ACME_ADMIN, 11, 400, "stale_event"),
])
def test_each_refused_install_says_why_and_changes_nothing(client, db, accounts, frozen_clock, domain, key, at, status,
                                                            code):
    before = state(db)
    response = set_up(client, frozen_clock, "install", domain=domain, key=key,
                      at=frozen_clock() + timedelta(minutes=at))
    assert response.status_code == status and response.json["error"]["code"] == code
    assert len(response.json["error"]["message"]) > 20
    assert state(db) == before


def test_a_freshdesk_domain_with_no_account_is_named(client, db, accounts, frozen_clock):
    # What Freshdesk answers for an account that does not exist is not documented; a 404 is read as "no such account".
    accounts.add("GET", "https://nobody.freshdesk.com/api/v2/agents/me", status=404, json={"code": "not_found"})
    before = state(db)
    response = set_up(client, frozen_clock, "install", domain="nobody.freshdesk.com")
    assert response.status_code == 400 and response.json["error"]["code"] == "unknown_domain"
    assert "nobody.freshdesk.com is not a Freshdesk account" in response.json["error"]["message"]
    assert state(db) == before


def test_a_domain_that_is_not_freshdesks_is_never_called(client, accounts, frozen_clock):
    calls = len(accounts.calls)
    for domain in ("127.0.0.1", "169.254.169.254", "internal.example", "acme.freshdesk.com.evil.example"):
        assert set_up(client, frozen_clock, "install", domain=domain).status_code == 400
    assert len(accounts.calls) == calls


def test_a_set_up_event_without_a_time_is_refused(client, db, accounts):
    before = state(db)
    response = client.post("/api/freshdesk/app/acme.freshdesk.com/install", json={},
                           headers={freshdesk.APP_KEY_HEADER: ACME_ADMIN})
    assert response.status_code == 422 and "timestamp" in response.json["error"]["message"]
    assert state(db) == before


def test_one_accounts_key_cannot_act_on_another(client, db, accounts, frozen_clock):
    assert set_up(client, frozen_clock, "install").status_code == 200
    assert set_up(client, frozen_clock, "install", domain="globex.freshdesk.com", key=GLOBEX_ADMIN).status_code == 200
    acme, globex = installation_of(db, "acme"), installation_of(db, "globex")
    assert acme.id != globex.id
    before = state(db)
    frozen_clock.advance(seconds=5)
    for response in (session_start(client, key=GLOBEX_ADMIN),
                     set_up(client, frozen_clock, "uninstall", key=GLOBEX_ADMIN),
                     set_up(client, frozen_clock, "uninstall", domain="globex.freshdesk.com", key=ACME_ADMIN),
                     client.post("/api/freshdesk/app/acme.freshdesk.com/verify", json={"agent_id": "7001",
                                 "api_key": ACME_AGENT}, headers={freshdesk.APP_KEY_HEADER: GLOBEX_ADMIN})):
        assert response.status_code == 401 and response.json["error"]["code"] == "app_not_recognised"
    assert set_up(client, frozen_clock, "install", key=GLOBEX_ADMIN).json["error"]["code"] == "api_key_refused"
    assert state(db) == before
    assert session_start(client, domain="globex.freshdesk.com", key=GLOBEX_ADMIN).json["installation"] == globex.id


def test_an_unknown_domain_and_a_wrong_key_get_the_same_answer(client, accounts, frozen_clock):
    set_up(client, frozen_clock, "install")
    unknown = session_start(client, domain="nobody.freshdesk.com")
    wrong = session_start(client, key="a-wrong-key-123")
    assert unknown.status_code == wrong.status_code == 401 and unknown.json == wrong.json


def test_a_replayed_uninstall_is_refused_and_changes_nothing(client, db, accounts, frozen_clock):
    installed_at = frozen_clock()
    set_up(client, frozen_clock, "install")
    uninstalled_at = frozen_clock.advance(minutes=1)
    first = set_up(client, frozen_clock, "uninstall")
    assert first.status_code == 200 and first.json["installed"] is False
    assert "credential freshdesk_app_key_digest deleted" in first.json["done"]
    after_uninstall = state(db)
    again = set_up(client, frozen_clock, "uninstall", at=uninstalled_at)  # the same request, sent again
    assert again.status_code == 401 and state(db) == after_uninstall
    replayed_install = set_up(client, frozen_clock, "install", at=installed_at)  # an older install, sent again
    assert replayed_install.status_code == 409 and replayed_install.json["error"]["code"] == "replayed_event"
    assert state(db) == after_uninstall
    frozen_clock.advance(minutes=1)
    reinstalled = set_up(client, frozen_clock, "install")
    assert reinstalled.status_code == 200 and any("reinstalled" in step for step in reinstalled.json["done"])
    after_reinstall = state(db)
    replayed = set_up(client, frozen_clock, "uninstall", at=uninstalled_at)  # the old uninstall, after reinstalling
    assert replayed.status_code == 409 and replayed.json["error"]["code"] == "replayed_event"
    assert state(db) == after_reinstall and installation_of(db, "acme").is_active


def test_a_retried_install_whose_answer_was_lost_is_harmless(client, db, accounts, frozen_clock):
    assert set_up(client, frozen_clock, "install").status_code == 200
    before = state(db)
    again = set_up(client, frozen_clock, "install")
    assert again.status_code == 200, again.json
    assert state(db) == before


def test_an_update_stores_the_new_key_checked_the_same_way(client, db, no_network, frozen_clock):
    freshdesk_account(no_network, "acme", {ACME_ADMIN: "agents_me__admin", "priya-new-key": "agents_me__admin",
                                           ACME_AGENT: "agents_me__sam"})
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    set_up(client, frozen_clock, "install")
    frozen_clock.advance(minutes=1)
    refused = set_up(client, frozen_clock, "update", key=ACME_AGENT)
    assert refused.status_code == 403 and session_start(client).status_code == 200
    frozen_clock.advance(minutes=1)
    assert set_up(client, frozen_clock, "update", key="priya-new-key").status_code == 200
    assert session_start(client).status_code == 401
    assert session_start(client, key="priya-new-key").status_code == 200


def test_a_renamed_account_keeps_its_installation_when_the_key_proves_it(client, db, no_network, frozen_clock):
    freshdesk_account(no_network, "acme", {ACME_ADMIN: "agents_me__admin", "priya-new-key": "agents_me__admin"})
    freshdesk_account(no_network, "acme2", {ACME_ADMIN: "agents_me__admin", "priya-new-key": "agents_me__admin"})
    set_up(client, frozen_clock, "install")
    installation_id = installation_of(db, "acme").id
    frozen_clock.advance(minutes=1)
    before = state(db)
    unproven = set_up(client, frozen_clock, "update", domain="acme2.freshdesk.com", key="priya-new-key",
                      previous_domain="acme.freshdesk.com")
    assert unproven.status_code == 403 and unproven.json["error"]["code"] == "domain_change_unproven"
    assert state(db) == before
    moved = set_up(client, frozen_clock, "update", domain="acme2.freshdesk.com", previous_domain="acme.freshdesk.com")
    assert moved.status_code == 200 and moved.json["done"][0] == f"moved installation {installation_id} to " \
                                                                  "acme2.freshdesk.com"
    assert installation_of(db, "acme2").id == installation_id


def test_the_install_pages_check_answers_and_changes_nothing(client, db, accounts):
    before = state(db)
    good = client.post("/api/freshdesk/app/check", json={"domain": "acme.freshdesk.com", "api_key": ACME_ADMIN})
    assert good.status_code == 200 and good.json == {
        "ok": True, "message": "The key of Priya Natarajan on acme.freshdesk.com works."}
    agent = client.post("/api/freshdesk/app/check", json={"domain": "acme", "api_key": ACME_AGENT})
    assert agent.status_code == 403 and "not an administrator of acme.freshdesk.com" in agent.json["error"]["message"]
    refused = client.post("/api/freshdesk/app/check", json={"domain": "acme", "api_key": "wrong-key-1234"})
    assert refused.status_code == 400 and "did not accept this API key" in refused.json["error"]["message"]
    # Found by the API fuzz: a key Basic auth cannot carry was a 500 (requests encodes it as Latin-1).
    odd = client.post("/api/freshdesk/app/check", json={"domain": "acme", "api_key": "ключ-ключ-ключ"})
    assert odd.status_code == 400 and "not a Freshdesk API key" in odd.json["error"]["message"]
    assert state(db) == before


def test_an_installation_made_with_the_cli_is_adopted_and_its_token_keeps_working(client, db, accounts, frozen_clock,
                                                                                  make_installation):
    made = make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.API_KEY_CREDENTIAL: "api-key-123", INSTALLATION_TOKEN: "install-token-fd"})
    response = set_up(client, frozen_clock, "install")
    assert response.status_code == 200 and response.json["done"] == ["stored the API key of Priya Natarajan"]
    assert session_start(client).json["installation"] == made.id
    by_token = client.post(f"/api/freshdesk/{made.id}/session", json={"agent_id": "7001"},
                           headers={"X-Valuedesk-Installation-Token": "install-token-fd"})
    assert by_token.status_code == 200 and by_token.json["installation"] == made.id


def test_an_account_the_operator_disabled_cannot_reactivate_itself(client, db, accounts, frozen_clock, runner):
    set_up(client, frozen_clock, "install")
    installation = installation_of(db, "acme")
    assert runner.invoke(args=["installations", "disable", installation.id]).exit_code == 0
    frozen_clock.advance(minutes=1)
    response = set_up(client, frozen_clock, "install")
    assert response.status_code == 403 and response.json["error"]["code"] == "installation_disabled"
    assert not installation_of(db, "acme").is_active
