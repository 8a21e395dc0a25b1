"""Zendesk provisioning: connect creates webhook, secret and triggers once; re-running adopts; disconnect removes exactly."""

import json

import pytest

from adapter.connections import connect_zendesk
from adapter.connections import disconnect_zendesk
from adapter.credentials import CredentialStore
from adapter.errors import AuthError
from adapter.errors import PolicyRefused
from adapter.models import Installation
from adapter.providers import zendesk
from tests.support import ZENDESK_API
from tests.support import api_fixture
from tests.support import zendesk_api

WEBHOOK_ID = "01GSAK5KXNEV4JHCB0AKTE0BX4"


def register_zendesk(mock, *, webhook_exists=False, app_installed=True):
    """The admin API as a fresh (or already connected) account answers it."""
    zendesk_api(mock, "GET", "users/me.json", "users_me")
    webhook = api_fixture("zendesk", "webhook")
    if webhook_exists:
        zendesk_api(mock, "GET", f"webhooks/{WEBHOOK_ID}", json=webhook)
    else:
        zendesk_api(mock, "GET", "webhooks", "webhooks_list__empty")
    zendesk_api(mock, "POST", "webhooks", json=webhook, status=201)
    zendesk_api(mock, "GET", f"webhooks/{WEBHOOK_ID}/signing_secret", "webhook_signing_secret")
    zendesk_api(mock, "PUT", f"webhooks/{WEBHOOK_ID}", status=204)
    zendesk_api(mock, "GET", "triggers/search.json", "triggers_search__empty")
    counter = iter(range(9001, 9100))

    def created(request):
        spec = json.loads(request.body)["trigger"]
        return 201, {}, json.dumps({"trigger": {**spec, "id": next(counter)}})

    mock.add_callback("POST", f"{ZENDESK_API}/triggers.json", callback=created)
    zendesk_api(mock, "GET", "apps/installations.json",
                "apps_installations" if app_installed else "apps_installations__empty")
    mock.add("GET", f"{ZENDESK_API}/apps/225/public_key.pem",
             body="-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n")


def connect(db, **kwargs):
    with db.system() as session:
        return connect_zendesk(session, subdomain="acme", email="priya@acme.example", token="api-token",
                               public_url="https://valuedesk.test", **kwargs)


def test_first_connect_creates_everything_and_stores_it_encrypted(db, no_network):
    register_zendesk(no_network)
    report = connect(db)
    assert report.installation_id.startswith("zd-acme-")
    assert any(line.startswith("webhook") for line in report.created)
    assert len([line for line in report.created if line.startswith("trigger")]) == 3
    assert report.installation_token
    webhook_post = [c for c in no_network.calls if c.request.method == "POST" and c.request.url.endswith("/webhooks")][0]
    body = json.loads(webhook_post.request.body)["webhook"]
    assert body["endpoint"] == f"https://valuedesk.test/webhooks/zendesk/{report.installation_id}"
    assert body["subscriptions"] == ["conditional_ticket_events"] and body["request_format"] == "json"
    trigger_posts = [json.loads(c.request.body)["trigger"] for c in no_network.calls if c.request.url.endswith("triggers.json")]
    for trigger in trigger_posts:
        webhook_id, template = trigger["actions"][0]["value"]
        assert webhook_id == WEBHOOK_ID
        assert "latest_comment.value" not in template and "{{ticket.id}}" in template  # ids only, never text
    with db.system() as session:
        installation = session.get(Installation, report.installation_id)
        state = installation.settings["zendesk"]
        assert state["webhook_id"] == WEBHOOK_ID
        assert sorted(state["trigger_ids"]) == ["assignee_changed", "comment_added", "status_changed"]
        assert (state["app_id"], state["app_installation_id"]) == ("225", "82")
        store = CredentialStore(session, installation.id)
        assert store.get(zendesk.SECRET_CREDENTIAL) == "dGhpcyBpcyBhIHNpZ25pbmcgc2VjcmV0IGZvciB0ZXN0cw=="
        assert store.get(zendesk.TOKEN_CREDENTIAL) == "api-token"
        assert store.get(zendesk.APP_KEY_CREDENTIAL).startswith("-----BEGIN PUBLIC KEY-----")


def test_second_connect_adopts_and_creates_nothing(db, no_network):
    register_zendesk(no_network)
    first = connect(db)
    trigger_ids = {}
    with db.system() as session:
        trigger_ids = session.get(Installation, first.installation_id).settings["zendesk"]["trigger_ids"]
    no_network.reset()
    register_zendesk(no_network, webhook_exists=True)
    webhook = api_fixture("zendesk", "webhook")
    webhook["webhook"]["endpoint"] = f"https://valuedesk.test/webhooks/zendesk/{first.installation_id}"
    no_network.replace("GET", f"https://acme.zendesk.com/api/v2/webhooks/{WEBHOOK_ID}", json=webhook)
    for trigger_id in trigger_ids.values():
        zendesk_api(no_network, "GET", f"triggers/{trigger_id}.json", json={"trigger": {"id": int(trigger_id)}})
        zendesk_api(no_network, "PUT", f"triggers/{trigger_id}.json", json={"trigger": {"id": int(trigger_id)}})
    second = connect(db)
    assert second.installation_id == first.installation_id
    assert second.created == []
    assert second.installation_token == first.installation_token
    assert not [c for c in no_network.calls if c.request.method == "POST"]


def test_connect_adopts_by_endpoint_and_title_when_state_was_lost(db, no_network):
    register_zendesk(no_network)
    first = connect(db)
    with db.system() as session:
        installation = session.get(Installation, first.installation_id)
        installation.settings = {}
    no_network.reset()
    register_zendesk(no_network)
    webhook = api_fixture("zendesk", "webhook")["webhook"]
    webhook["endpoint"] = f"https://valuedesk.test/webhooks/zendesk/{first.installation_id}"
    no_network.replace("GET", "https://acme.zendesk.com/api/v2/webhooks", json={"webhooks": [webhook]})
    specs = zendesk.trigger_specs(WEBHOOK_ID)
    found = {"triggers": [{"id": 500 + n, "title": spec["title"]} for n, spec in enumerate(specs.values())]}
    no_network.replace("GET", "https://acme.zendesk.com/api/v2/triggers/search.json", json=found)
    for n in range(3):
        zendesk_api(no_network, "PUT", f"triggers/{500 + n}.json", json={"trigger": {"id": 500 + n}})
    report = connect(db)
    assert report.created == []
    assert not [c for c in no_network.calls if c.request.method == "POST"]


def test_non_admin_token_is_refused_and_nothing_is_stored(db, no_network):
    zendesk_api(no_network, "GET", "users/me.json", "users_me__agent")
    with pytest.raises(PolicyRefused) as info:
        connect(db)
    assert info.value.code == "zendesk_admin_required"
    with db.system() as session:
        assert session.query(Installation).count() == 0


def test_bad_credentials_surface_as_auth_error(db, no_network):
    zendesk_api(no_network, "GET", "users/me.json", "error_unauthorized", status=401)
    with pytest.raises(AuthError):
        connect(db)


def test_missing_app_is_a_note_not_a_failure(db, no_network):
    register_zendesk(no_network, app_installed=False)
    report = connect(db)
    assert any("not installed yet" in note for note in report.notes)


def test_disconnect_removes_exactly_what_connect_created(db, no_network):
    register_zendesk(no_network)
    report = connect(db)
    with db.system() as session:
        state = session.get(Installation, report.installation_id).settings["zendesk"]
    no_network.reset()
    deletes = [zendesk_api(no_network, "DELETE", f"triggers/{tid}.json", status=204) for tid in state["trigger_ids"].values()]
    deletes.append(zendesk_api(no_network, "DELETE", f"webhooks/{WEBHOOK_ID}", status=204))
    with db.system() as session:
        result = disconnect_zendesk(session, session.get(Installation, report.installation_id))
    assert all(len(d.calls) == 1 for d in deletes)
    assert len(no_network.calls) == 4
    assert any(line.startswith("credential zendesk_api_token") for line in result.removed)
    with db.system() as session:
        installation = session.get(Installation, report.installation_id)
        assert "zendesk" not in installation.settings
        assert CredentialStore(session, installation.id).get(zendesk.TOKEN_CREDENTIAL) is None


def test_connect_freshdesk_stores_key_and_secret_and_explains_the_rules(db, no_network):
    from adapter.connections import connect_freshdesk
    from adapter.providers import freshdesk
    from tests.support import freshdesk_api

    freshdesk_api(no_network, "GET", "agents/me", "agents_me")
    with db.system() as session:
        report = connect_freshdesk(session, domain="https://acme.freshdesk.com", api_key="api-key-123",
                                   public_url="https://valuedesk.test")
    assert report.installation_id.startswith("fd-acme-")
    assert f"https://valuedesk.test/webhooks/freshdesk/{report.installation_id}" in report.instructions
    with db.system() as session:
        store = CredentialStore(session, report.installation_id)
        assert store.get(freshdesk.API_KEY_CREDENTIAL) == "api-key-123"
        secret = store.get(freshdesk.SECRET_CREDENTIAL)
    assert f"X-Valuedesk-Secret: {secret}" in report.instructions
    freshdesk_api(no_network, "GET", "agents/me", "agents_me")
    with db.system() as session:
        again = connect_freshdesk(session, domain="acme", api_key="api-key-123", public_url="https://valuedesk.test")
    assert again.installation_id == report.installation_id and again.created == []


def test_connect_freshdesk_with_a_bad_key(db, no_network):
    from adapter.connections import connect_freshdesk
    from tests.support import freshdesk_api

    freshdesk_api(no_network, "GET", "agents/me", json={"code": "invalid_credentials"}, status=401)
    with pytest.raises(AuthError), db.system() as session:
        connect_freshdesk(session, domain="acme", api_key="wrong", public_url="https://valuedesk.test")
