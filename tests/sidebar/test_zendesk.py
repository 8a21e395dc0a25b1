"""The Zendesk sidebar: the signed-URL JWT opens a session only when key, expiry, issuer, audience and agent check out."""

import re
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from adapter.connections import INSTALLATION_TOKEN
from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.providers import zendesk
from adapter.sidebar import auth
from tests.support import ZENDESK_API
from tests.support import zendesk_api


def rsa_pair():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    return key, public.decode()


PRIVATE, PUBLIC = rsa_pair()
OTHER_PRIVATE, _ = rsa_pair()


def token(**overrides):
    now = int(time.time())
    claims = {
        "iss": "acme.zendesk.com",
        "aud": "https://acme.zendesk.com/api/v2/apps/installations/82.json",
        "sub": "https://acme.zendesk.com/api/v2/users/235323.json",
        "iat": now, "nbf": now, "exp": now + 300,
        "context": {"product": "support", "location": "ticket_sidebar"},
        "cnf": {"jku": "https://acme.zendesk.com/api/v2/apps/225/public_key.pem"},
    }
    key = overrides.pop("key", PRIVATE)
    algorithm = overrides.pop("algorithm", "RS256")
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(claims, key, algorithm=algorithm)


@pytest.fixture(autouse=True)
def forget_agents():
    auth.agent_cache.clear()


@pytest.fixture
def installation(make_installation, db):
    inst = make_installation(kind="zendesk", account="acme", secrets={
        zendesk.EMAIL_CREDENTIAL: "priya@acme.example", zendesk.TOKEN_CREDENTIAL: "api-token",
        zendesk.APP_KEY_CREDENTIAL: PUBLIC, INSTALLATION_TOKEN: "install-token-123"})
    with db.system() as session:
        row = session.get(Installation, inst.id)
        row.settings = {"zendesk": {"app_id": "225", "app_installation_id": "82"}}
    return inst


def open_sidebar(client, jwt_token):
    return client.post("/sidebar/zendesk", data={"token": jwt_token})


def test_valid_token_opens_a_session_with_the_role_from_zendesk(client, installation, no_network):
    zendesk_api(no_network, "GET", "users/235323.json", "user")
    response = open_sidebar(client, token())
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert re.search(r"hosts/zendesk\.[0-9a-f]{12}\.js", html) and "zaf_sdk.min.js" in html
    assert '"name": "Sam Rivera"' in html and '"role": "agent"' in html
    session_token = html.split('"token": "')[1].split('"')[0]
    with client.application.app_context():
        agent = auth.read_token(session_token)
    assert (agent.installation_id, agent.agent_id, agent.host) == (installation.id, "235323", "zendesk")


def test_agent_lookups_are_cached(client, installation, no_network):
    lookup = zendesk_api(no_network, "GET", "users/235323.json", "user")
    open_sidebar(client, token())
    open_sidebar(client, token())
    assert len(lookup.calls) == 1


@pytest.mark.parametrize(
    "claims, code",
    [
        (lambda now: {"exp": now - 60, "nbf": now - 400}, "invalid_app_token"),  # expired
        (lambda now: {"nbf": now + 600, "exp": now + 900}, "invalid_app_token"),  # not valid yet
        ({"iss": "evil.zendesk.com"}, "not_installed"),
        ({"aud": "https://evil.example/api"}, "invalid_app_token"),
        ({"aud": "https://acme.zendesk.com/api/v2/apps/installations/999.json"}, "invalid_app_token"),
        # Matched whole: installation 820 is not 82, and the account's own API address is not an audience.
        ({"aud": "https://acme.zendesk.com/api/v2/apps/installations/820.json"}, "invalid_app_token"),
        ({"aud": "https://acme.zendesk.com/api/v2/apps/installations/82.json.evil"}, "invalid_app_token"),
        ({"aud": "https://acme.zendesk.com/api/v2/apps/installations/182.json"}, "invalid_app_token"),
        ({"aud": "https://acme.zendesk.com.evil.example/api/v2/apps/installations/82.json"}, "invalid_app_token"),
        ({"key": OTHER_PRIVATE}, "invalid_app_token"),
        ({"sub": None}, "unknown_agent"),
        ({"exp": None}, "invalid_app_token"),
    ],
)
def test_bad_tokens_are_refused(client, installation, claims, code):
    if callable(claims):  # times are taken when the test runs, not when it was collected
        claims = claims(int(time.time()))
    response = open_sidebar(client, token(**claims))
    assert response.status_code == 401
    assert code in response.get_data(as_text=True)


def test_alg_none_is_refused(client, installation):
    unsigned = jwt.encode({"iss": "acme.zendesk.com", "aud": "https://acme.zendesk.com/x", "sub": "1",
                           "exp": int(time.time()) + 60}, None, algorithm="none")
    assert open_sidebar(client, unsigned).status_code == 401


def test_hs256_with_the_public_key_as_secret_is_refused(client, installation):
    # Classic key-confusion attack: sign with HMAC using the public key text.
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    header = b64(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    payload = b64(json.dumps({"iss": "acme.zendesk.com", "aud": "https://acme.zendesk.com/api/v2/apps/installations/82.json",
                              "sub": "235323", "exp": int(time.time()) + 60}).encode())
    signature = b64(hmac.new(PUBLIC.encode(), f"{header}.{payload}".encode(), hashlib.sha256).digest())
    assert open_sidebar(client, f"{header}.{payload}.{signature}").status_code == 401


def test_bare_ticket_id_or_missing_token_is_401(client, installation):
    assert client.get("/sidebar/zendesk?ticket_id=35436").status_code == 401
    assert client.post("/sidebar/zendesk", data={}).status_code == 401
    assert open_sidebar(client, "not-a-jwt").status_code == 401


def test_end_users_cannot_open_the_sidebar(client, installation, no_network):
    zendesk_api(no_network, "GET", "users/235323.json", "user__end_user")
    response = open_sidebar(client, token())
    assert response.status_code == 401 and "not_an_agent" in response.get_data(as_text=True)


def test_admins_and_configured_leads_get_their_roles(client, db, installation, no_network):
    with db.system() as session:
        row = session.get(Installation, installation.id)
        row.settings = {**row.settings, "lead_agent_ids": ["235323"]}
    zendesk_api(no_network, "GET", "users/235323.json", "user")
    assert '"role": "lead"' in open_sidebar(client, token()).get_data(as_text=True)


def test_unlinked_app_fetches_its_key_from_the_accounts_own_jku(client, db, installation, no_network):
    with db.system() as session:
        CredentialStore(session, installation.id).delete(zendesk.APP_KEY_CREDENTIAL)
        session.get(Installation, installation.id).settings = {}
    key = no_network.add("GET", f"{ZENDESK_API}/apps/225/public_key.pem", body=PUBLIC)
    zendesk_api(no_network, "GET", "users/235323.json", "user")
    assert open_sidebar(client, token(aud="https://acme.zendesk.com/api/v2/apps/installations/82.json")).status_code == 200
    assert len(key.calls) == 1
    with db.system() as session:
        assert CredentialStore(session, installation.id).get(zendesk.APP_KEY_CREDENTIAL) == PUBLIC


def test_foreign_jku_is_never_fetched(client, db, installation, no_network):
    with db.system() as session:
        CredentialStore(session, installation.id).delete(zendesk.APP_KEY_CREDENTIAL)
        session.get(Installation, installation.id).settings = {}
    response = open_sidebar(client, token(cnf={"jku": "https://evil.zendesk.com/api/v2/apps/1/public_key.pem"}))
    assert response.status_code == 401
    assert "Link Valuedesk" in response.get_data(as_text=True)  # the linking page, nothing fetched
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in response.get_data(as_text=True)  # its one inline script runs by nonce
    assert no_network.calls == [] or all("evil" not in c.request.url for c in no_network.calls)


def test_link_with_the_installation_token(client, db, installation, no_network):
    no_network.add("GET", f"{ZENDESK_API}/apps/300/public_key.pem", body=PUBLIC)
    body = {"subdomain": "acme", "app_id": "300", "app_installation_id": "91"}
    wrong = client.post("/api/zendesk/link", json=body, headers={"X-Valuedesk-Installation-Token": "nope"})
    assert wrong.status_code == 401
    ok = client.post("/api/zendesk/link", json=body, headers={"X-Valuedesk-Installation-Token": "install-token-123"})
    assert ok.status_code == 200 and ok.json == {"linked": True}
    with db.system() as session:
        assert session.get(Installation, installation.id).settings["zendesk"]["app_installation_id"] == "91"
    assert client.post("/api/zendesk/link", json={"subdomain": "acme"}).status_code == 422


def test_audience_of_a_longer_installation_number_is_refused(client, db, installation, no_network):
    # The attack: with app installation 555 linked, a token for installation 5550 (same account) passed, because
    # the audience was matched by substring.
    with db.system() as session:
        row = session.get(Installation, installation.id)
        row.settings = {"zendesk": {"app_id": "225", "app_installation_id": "555"}}
    zendesk_api(no_network, "GET", "users/235323.json", "user")
    refused = open_sidebar(client, token(aud="https://acme.zendesk.com/api/v2/apps/installations/5550.json"))
    assert refused.status_code == 401 and "another app installation" in refused.get_data(as_text=True)
    assert open_sidebar(client, token(aud="https://acme.zendesk.com/api/v2/apps/installations/555.json")).status_code == 200


ADMIN = {"user": {"id": 235323, "name": "Sam Rivera", "email": "sam@acme.example", "role": "admin", "active": True}}
DEMOTED = {"user": {**ADMIN["user"], "role": "agent"}}


def session_token(response) -> dict:
    html = response.get_data(as_text=True)
    return {"Authorization": "Bearer " + html.split('"token": "')[1].split('"')[0]}


def test_refresh_never_reissues_a_role_zendesk_took_away(client, installation, no_network, frozen_clock):
    # The attack: POST /api/session/refresh re-issued the same role for another 2 hours, forever; a demoted admin
    # stayed admin.
    user = zendesk_api(no_network, "GET", "users/235323.json", json=ADMIN)
    admin = session_token(open_sidebar(client, token()))
    assert client.post("/api/session/refresh", headers=admin).json["agent"]["role"] == "admin"
    assert user.call_count == 1  # within 15 minutes nobody asks Zendesk again
    no_network.replace("GET", f"{ZENDESK_API}/users/235323.json", json=DEMOTED)  # an admin demotes Sam in Zendesk
    frozen_clock.advance(minutes=16)
    refreshed = client.post("/api/session/refresh", headers=admin)
    assert refreshed.json["agent"]["role"] == "agent"
    assert client.get("/api/admin/billing/policy", headers=admin).status_code == 403
    again = {"Authorization": f"Bearer {refreshed.json['token']}"}
    frozen_clock.advance(minutes=10)  # the refreshed token carries the new answer's time: no call yet
    assert client.post("/api/session/refresh", headers=again).json["agent"]["role"] == "agent"
    assert sum(c.request.url.endswith("/users/235323.json") for c in no_network.calls) == 2


def test_a_configured_lead_removed_from_the_list_loses_the_role_within_15_minutes(client, db, installation, no_network,
                                                                                  frozen_clock):
    with db.system() as session:
        row = session.get(Installation, installation.id)
        row.settings = {**row.settings, "lead_agent_ids": ["235323"]}
    zendesk_api(no_network, "GET", "users/235323.json", "user")
    lead = session_token(open_sidebar(client, token()))
    assert client.get("/api/billing/approvals", headers=lead).status_code == 200
    with db.system() as session:
        row = session.get(Installation, installation.id)
        row.settings = {**row.settings, "lead_agent_ids": []}
    frozen_clock.advance(minutes=15, seconds=1)
    assert client.get("/api/billing/approvals", headers=lead).status_code == 403


@pytest.mark.parametrize("answer, status", [({"json": {"user": {**ADMIN["user"], "role": "end-user"}}}, 401),
                                            ({"status": 404, "json": {"error": "RecordNotFound"}}, 401)])
def test_someone_zendesk_no_longer_knows_as_an_agent_is_signed_out(client, installation, no_network, frozen_clock,
                                                                  answer, status):
    zendesk_api(no_network, "GET", "users/235323.json", json=ADMIN)
    admin = session_token(open_sidebar(client, token()))
    no_network.replace("GET", f"{ZENDESK_API}/users/235323.json", **answer)
    frozen_clock.advance(minutes=20)
    assert client.post("/api/session/refresh", headers=admin).status_code == status


def test_while_zendesk_cannot_answer_a_stale_session_keeps_working_without_privileges(client, installation, no_network,
                                                                                       frozen_clock):
    zendesk_api(no_network, "GET", "users/235323.json", json=ADMIN)
    admin = session_token(open_sidebar(client, token()))
    no_network.replace("GET", f"{ZENDESK_API}/users/235323.json", status=503, json={})
    frozen_clock.advance(minutes=20)
    assert client.get("/api/admin/billing/policy", headers=admin).status_code == 403
    refreshed = client.post("/api/session/refresh", headers=admin)
    assert refreshed.status_code == 200 and refreshed.json["agent"]["role"] == "agent"
    no_network.replace("GET", f"{ZENDESK_API}/users/235323.json", json=ADMIN)  # Zendesk is back: asked again
    assert client.get("/api/admin/billing/policy", headers=admin).status_code == 200
