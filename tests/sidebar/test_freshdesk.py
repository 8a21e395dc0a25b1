"""The Freshdesk sidebar: the installation token opens an (unverified-identity) session for a real agent."""

import pytest

from adapter.connections import INSTALLATION_TOKEN
from adapter.credentials import CredentialStore
from adapter.providers import freshdesk
from adapter.sidebar import auth
from tests.support import freshdesk_api

TOKEN = "install-token-fd"


@pytest.fixture(autouse=True)
def forget_agents():
    auth._agent_cache.clear()


@pytest.fixture
def installation(make_installation):
    return make_installation(kind="freshdesk", account="acme", secrets={
        freshdesk.API_KEY_CREDENTIAL: "api-key-123", INSTALLATION_TOKEN: TOKEN})


def start(client, installation, token=TOKEN, agent_id="7001"):
    return client.post(f"/api/freshdesk/{installation.id}/session", json={"agent_id": agent_id},
                       headers={"X-Valuedesk-Installation-Token": token})


def test_session_for_a_known_agent_is_marked_unverified(client, installation, no_network):
    freshdesk_api(no_network, "GET", "agents/7001", "agent")
    response = start(client, installation)
    assert response.status_code == 200
    assert response.json["agent"] == {"id": "7001", "name": "Sam Rivera", "role": "agent"}
    assert response.json["verified"] is False and response.json["host"] == "freshdesk"
    with client.application.app_context():
        session = auth.read_token(response.json["token"])
    assert (session.installation_id, session.verified) == (installation.id, False)


@pytest.mark.parametrize("token", ["wrong", ""])
def test_wrong_installation_token_is_401(client, installation, token):
    response = start(client, installation, token=token)
    assert response.status_code == 401 and response.json["error"]["code"] == "invalid_installation_token"


def test_unknown_agent_is_401(client, installation, no_network):
    freshdesk_api(no_network, "GET", "agents/9999", "error_not_found", status=404)
    assert start(client, installation, agent_id="9999").json["error"]["code"] == "unknown_agent"


def test_bad_input_is_422_and_other_installations_are_404(client, installation, make_installation):
    assert client.post(f"/api/freshdesk/{installation.id}/session", json={"agent_id": "abc"},
                       headers={"X-Valuedesk-Installation-Token": TOKEN}).status_code == 422
    other = make_installation(kind="freshdesk", account="other", secrets={INSTALLATION_TOKEN: "other-token"})
    assert start(client, other, token=TOKEN).status_code == 401  # acme's token does not open other's sidebar


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
