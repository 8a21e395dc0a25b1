"""The Freshdesk sidebar: the installation token proves the app; an agent is unverified (request, never approve or
administer) until they verify once with their own API key, and roles then come from Freshdesk, never the browser."""

import base64
import json

import pytest
from responses import matchers
from sqlalchemy import select

from adapter.connections import INSTALLATION_TOKEN
from adapter.credentials import CredentialStore
from adapter.models import AgentCredential
from adapter.models import BillingAudit
from adapter.models import Installation
from adapter.providers import freshdesk
from adapter.providers import stripe
from adapter.sidebar import auth
from tests.conftest import load_fixture
from tests.support import billing_action
from tests.support import freshdesk_api
from tests.support import stripe_api

TOKEN = "install-token-fd"
SAM, PRIYA, LEE = "7001", "7002", "7003"  # an agent, a Freshdesk administrator, a lead by Valuedesk's settings
KEYS = {SAM: "sam-own-api-key", PRIYA: "priya-own-api-key", LEE: "lee-own-api-key"}


@pytest.fixture(autouse=True)
def no_stripe_retries(monkeypatch):
    monkeypatch.setattr(stripe, "NETWORK_RETRIES", 0)


@pytest.fixture
def installation(make_installation, db):
    made = make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.API_KEY_CREDENTIAL: "api-key-123", INSTALLATION_TOKEN: TOKEN,
        stripe.API_KEY_CREDENTIAL: "rk_test_51Hx2ValuedeskAcme00", stripe.SECRET_CREDENTIAL: "whsec_acmeSecret123456"})
    with db.system() as session:
        session.get(Installation, made.id).settings = {"lead_agent_ids": [LEE]}
    return made


@pytest.fixture
def freshdesk_account(no_network):
    """The account's agents and roles as Freshdesk answers the installation's key, and each agent's own key."""
    for agent_id, fixture in ((SAM, "agent"), (PRIYA, "agent__admin"), (LEE, "agent__custom_role")):
        freshdesk_api(no_network, "GET", f"agents/{agent_id}", fixture)
    freshdesk_api(no_network, "GET", "roles", "roles")
    for agent_id, fixture in ((SAM, "agents_me__sam"), (PRIYA, "agents_me"), (LEE, "agent__custom_role")):
        freshdesk_api(no_network, "GET", "agents/me", fixture, match=[matchers.header_matcher({
            "Authorization": "Basic " + base64.b64encode(f"{KEYS[agent_id]}:X".encode()).decode()})])
    freshdesk_api(no_network, "GET", "agents/me", "error_not_found", status=401)  # any other key
    return no_network


def start(client, installation, agent_id=SAM, credential=None, token=TOKEN):
    return client.post(f"/api/freshdesk/{installation.id}/session", json={"agent_id": agent_id, "credential": credential},
                       headers={"X-Valuedesk-Installation-Token": token})


def verify(client, installation, agent_id, api_key):
    return client.post(f"/api/freshdesk/{installation.id}/verify", json={"agent_id": agent_id, "api_key": api_key},
                       headers={"X-Valuedesk-Installation-Token": TOKEN})


def session_of(response) -> dict:
    assert response.status_code == 200, response.json
    return {"Authorization": f"Bearer {response.json['token']}"}


def test_a_session_is_unverified_until_the_agent_verifies(client, installation, freshdesk_account):
    response = start(client, installation)
    assert response.status_code == 200
    assert response.json["agent"] == {"id": SAM, "name": "Sam Rivera", "role": "agent"}
    assert (response.json["verified"], response.json["verification"], response.json["credential"]) == \
        (False, "not_verified", None)
    with client.application.app_context():
        session = auth.read_token(response.json["token"])
    assert (session.installation_id, session.verified, session.is_lead) == (installation.id, False, False)


def test_naming_a_lead_or_an_admin_gives_no_rights(client, installation, freshdesk_account):
    # The attack: POST .../session with a lead's or an admin's id gave their role; an admin's id gave the refund
    # policy (raised to $999,999) and the console.
    for agent_id in (LEE, PRIYA):
        response = start(client, installation, agent_id=agent_id)
        assert (response.json["agent"]["role"], response.json["verified"]) == ("agent", False)
        claimed = session_of(response)
        assert client.get("/api/billing/approvals", headers=claimed).status_code == 403
        raised = client.patch("/api/admin/billing/policy", headers=claimed, json={"refund_per_ticket": {"usd": 99_999_900}})
        assert raised.status_code == 403
        assert client.post("/api/admin/console-link", headers=claimed).status_code == 403


def test_an_agent_verifies_once_with_their_own_api_key(client, db, installation, freshdesk_account):
    verified = verify(client, installation, PRIYA, KEYS[PRIYA])
    assert verified.status_code == 200, verified.json
    assert (verified.json["verified"], verified.json["agent"]["role"]) == (True, "admin")  # Freshdesk's Administrator
    credential = verified.json["credential"]
    assert credential.startswith("vdc_")
    me = [c for c in freshdesk_account.calls if c.request.url.endswith("/agents/me")]
    assert len(me) == 1  # the key was shown to Freshdesk once, on the account's own domain
    assert me[0].request.url == "https://acme.freshdesk.com/api/v2/agents/me"
    # The next time this browser opens the sidebar, its credential vouches for Priya.
    again = start(client, installation, agent_id=PRIYA, credential=credential)
    assert (again.json["verified"], again.json["verification"], again.json["agent"]["role"]) == (True, "verified", "admin")
    assert client.get("/api/admin/billing/policy", headers=session_of(again)).status_code == 200
    with db.tenant(installation.id) as session:
        stored = " ".join(f"{r.agent_id} {r.secret_hash}" for r in session.scalars(select(AgentCredential)))
        assert CredentialStore(session, installation.id).get(freshdesk.API_KEY_CREDENTIAL) == "api-key-123"
        names = CredentialStore(session, installation.id).names()
    assert KEYS[PRIYA] not in stored and credential not in stored  # neither the key nor the secret is kept
    assert sorted(names) == sorted([freshdesk.API_KEY_CREDENTIAL, INSTALLATION_TOKEN, stripe.API_KEY_CREDENTIAL,
                                    stripe.SECRET_CREDENTIAL])


@pytest.mark.parametrize("agent_id, api_key, code", [
    (SAM, "a-key-freshdesk-refuses", "api_key_refused"),
    (SAM, KEYS[PRIYA], "api_key_of_another_agent"),  # Sam pastes Priya's key to become her
])
def test_a_refused_key_or_another_agents_key_verifies_nobody(client, db, installation, freshdesk_account, agent_id,
                                                             api_key, code):
    refused = verify(client, installation, agent_id, api_key)
    assert (refused.status_code, refused.json["error"]["code"]) == (400, code)
    assert "Profile settings > View API key" in refused.json["error"]["message"]
    with db.tenant(installation.id) as session:
        assert session.scalars(select(AgentCredential)).all() == []


def test_a_credential_vouches_only_for_its_own_agent_while_it_lives(client, db, installation, freshdesk_account,
                                                                     frozen_clock):
    priyas = verify(client, installation, PRIYA, KEYS[PRIYA]).json["credential"]
    borrowed = start(client, installation, agent_id=SAM, credential=priyas)
    assert (borrowed.json["verified"], borrowed.json["verification"]) == (False, "other_agent")
    made_up = start(client, installation, agent_id=PRIYA, credential="vdc_" + "x" * 43)
    assert (made_up.json["verified"], made_up.json["verification"]) == (False, "expired")
    frozen_clock.advance(days=91)  # unused for longer than 90 days
    assert start(client, installation, agent_id=PRIYA, credential=priyas).json["verification"] == "expired"


def test_revoking_a_credential_ends_its_verified_sessions_within_15_minutes(client, db, installation, runner,
                                                                         freshdesk_account, frozen_clock):
    credential = verify(client, installation, PRIYA, KEYS[PRIYA]).json["credential"]
    admin = session_of(start(client, installation, agent_id=PRIYA, credential=credential))
    result = runner.invoke(args=["installations", "revoke-agent", installation.id, PRIYA])
    assert result.exit_code == 0 and "Revoked 1 credential" in result.output
    frozen_clock.advance(minutes=16)
    assert client.get("/api/admin/billing/policy", headers=admin).status_code == 403
    assert client.post("/api/session/refresh", headers=admin).json["verified"] is False
    assert start(client, installation, agent_id=PRIYA, credential=credential).json["verification"] == "expired"


# Money: the attack from the issue, replayed, and what an unverified request looks like afterwards.

YEARLY = "ch_3NqAnnLkdIwHu7ix1AnnuaL0"


@pytest.fixture
def shop(freshdesk_account):
    """Ticket 42 of Dana, her Stripe customer and yearly charge; returns the refund-create mock."""
    freshdesk_api(freshdesk_account, "GET", "tickets/42", "ticket__with_requester")
    freshdesk_api(freshdesk_account, "POST", "tickets/42/notes", json={"id": 1})
    stripe_api(freshdesk_account, "GET", "customers", "customers_list")
    stripe_api(freshdesk_account, "GET", "customers/cus_NffrFeUfNV2Hib", "customer")
    stripe_api(freshdesk_account, "GET", f"charges/{YEARLY}", "charge__yearly")
    return stripe_api(freshdesk_account, "POST", "refunds", "refund")


def refund(client, headers, amount):
    preview = client.post("/api/billing/preview", headers=headers, json={
        "kind": "refund", "ticket_id": "42", "customer_id": "cus_NffrFeUfNV2Hib", "charge_id": YEARLY,
        "amount": amount, "reason": "service_issue"})
    assert preview.status_code == 201, preview.json
    return client.post(f"/api/billing/actions/{preview.json['id']}/confirm", headers=headers).json


def test_an_agent_who_names_a_lead_cannot_approve_their_own_large_refund(client, db, installation, shop,
                                                                          freshdesk_account):
    # The attack: Sam asks for $1,000, opens a second session naming Lee (a lead) and approves it himself.
    sam = session_of(start(client, installation))
    asked = refund(client, sam, "1000.00")
    assert asked["state"] == "pending_approval" and asked["agent_verified"] is False
    posing = session_of(start(client, installation, agent_id=LEE))
    refused = client.post(f"/api/billing/actions/{asked['id']}/approve", headers=posing)
    assert (refused.status_code, refused.json["error"]["code"]) == (403, "unverified")
    assert "verify yourself in the Valuedesk sidebar" in refused.json["error"]["message"]
    assert shop.call_count == 0
    # The real Lee verifies with his own key and approves: now the money moves, and the trail says who was vouched for.
    lee = session_of(verify(client, installation, LEE, KEYS[LEE]))
    approved = client.post(f"/api/billing/actions/{asked['id']}/approve", headers=lee).json
    assert approved["state"] == "succeeded" and shop.call_count == 1
    with db.tenant(installation.id) as session:
        trail = [(a.event, a.actor_name, a.actor_verified) for a in session.scalars(select(BillingAudit))]
        assert billing_action(session, asked["id"]).approver_name == "Lee Okafor"
    assert trail == [("approval_requested", "Sam Rivera", False), ("approved", "Lee Okafor", True),
                     ("succeeded", "Sam Rivera", False)]
    notes = [json.loads(c.request.body)["body"] for c in freshdesk_account.calls
             if c.request.url.endswith("/tickets/42/notes")]
    assert "Sam Rivera (sign-in not confirmed by the helpdesk) asked for a refund of $1,000.00" in notes[0]


def test_unverified_sessions_share_one_daily_allowance(client, db, installation, shop):
    # Naming other agents must not multiply the 24-hour allowance: every unverified session draws on one.
    with db.system() as session:
        row = session.get(Installation, installation.id)
        row.settings = {**row.settings, "billing": {"refund_per_ticket": {"usd": 100_000}}}
    sam, posing_as_priya = session_of(start(client, installation)), session_of(start(client, installation, PRIYA))
    assert [refund(client, sam, "90.00")["state"] for _ in range(3)] == ["succeeded"] * 3
    over = refund(client, posing_as_priya, "90.00")
    assert over["state"] == "pending_approval" and "limit for 24 hours ($270.00 so far)" in over["verdict_reason"]
    verified_sam = session_of(verify(client, installation, SAM, KEYS[SAM]))
    assert refund(client, verified_sam, "90.00")["state"] == "succeeded"  # his own allowance, once vouched for


def test_wrong_installation_tokens_and_other_installations(client, installation, make_installation, freshdesk_account):
    for token in ("wrong", ""):
        response = start(client, installation, token=token)
        assert response.status_code == 401 and response.json["error"]["code"] == "invalid_installation_token"
    assert client.post(f"/api/freshdesk/{installation.id}/session", json={"agent_id": "abc"},
                       headers={"X-Valuedesk-Installation-Token": TOKEN}).status_code == 422
    other = make_installation(kind="freshdesk", account="other", secrets={
        INSTALLATION_TOKEN: "other-token", freshdesk.API_KEY_CREDENTIAL: "other-api-key"})
    assert start(client, other).status_code == 401  # acme's token does not open other's sidebar
    credential = verify(client, installation, SAM, KEYS[SAM]).json["credential"]
    freshdesk_account.add("GET", f"https://other.freshdesk.com/api/v2/agents/{SAM}",
                          json=load_fixture("freshdesk", "api/agent"))
    freshdesk_account.add("GET", "https://other.freshdesk.com/api/v2/roles", json=load_fixture("freshdesk", "api/roles"))
    elsewhere = start(client, other, credential=credential, token="other-token")
    assert (elsewhere.json["verified"], elsewhere.json["verification"]) == (False, "expired")  # acme's credential


def test_unknown_agent_is_401(client, installation, freshdesk_account):
    freshdesk_api(freshdesk_account, "GET", "agents/9999", "error_not_found", status=404)
    assert start(client, installation, agent_id="9999").json["error"]["code"] == "unknown_agent"


def test_install_stores_the_api_key_after_checking_it(client, db, installation, no_network):
    freshdesk_api(no_network, "GET", "agents/me", "agents_me")
    response = client.post(f"/api/freshdesk/{installation.id}/install", json={"domain": "acme.freshdesk.com",
                           "api_key": "new-api-key-456"}, headers={"X-Valuedesk-Installation-Token": TOKEN})
    assert response.status_code == 200
    assert no_network.calls[0].request.headers["Authorization"] == "Basic bmV3LWFwaS1rZXktNDU2Olg="
    with db.system() as session:
        assert CredentialStore(session, installation.id).get(freshdesk.API_KEY_CREDENTIAL) == "new-api-key-456"


def test_install_refuses_another_account(client, db, installation):
    response = client.post(f"/api/freshdesk/{installation.id}/install", json={"domain": "evil.freshdesk.com",
                           "api_key": "new-api-key-456"}, headers={"X-Valuedesk-Installation-Token": TOKEN})
    assert response.status_code == 400 and response.json["error"]["code"] == "wrong_account"
    with db.system() as session:
        assert CredentialStore(session, installation.id).get(freshdesk.API_KEY_CREDENTIAL) == "api-key-123"
