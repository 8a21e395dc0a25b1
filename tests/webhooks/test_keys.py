"""The per-process cache of webhook keys: no database reads for a known installation, and changes seen in time."""

import pytest
from sqlalchemy import event
from sqlalchemy import update

from adapter.credentials import CredentialStore
from adapter.credentials import cipher
from adapter.installations import disable_installation
from adapter.installations import enable_installation
from adapter.models import Credential
from adapter.models import Installation
from adapter.providers import playground as playground_provider
from tests.conftest import load_fixture
from tests.support import signed_playground_post
from webhooks.keys import WebhookKeys
from webhooks.keys import webhook_keys

PAYLOAD = load_fixture("playground", "comment_created")


@pytest.fixture
def installation(make_installation):
    return make_installation(account="acme")


@pytest.fixture
def statements(db):
    """Every SQL statement the app's engine runs while the test watches."""
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def test_a_known_installation_is_acknowledged_with_one_insert(client, installation, statements, monkeypatch):
    monkeypatch.setattr("adapter.intake.enqueue_processing", lambda receipt_id: True)  # count the view's SQL only
    assert signed_playground_post(client, installation.id, PAYLOAD, delivery_id="d-1").status_code == 202
    statements.clear()
    assert signed_playground_post(client, installation.id, PAYLOAD, delivery_id="d-2").status_code == 202
    sql = [s.split()[0].upper() for s in statements if s.split()[0].upper() not in ("BEGIN", "COMMIT", "SELECT")]
    assert sql == ["INSERT"]
    assert not [s for s in statements if "installations" in s or "credentials" in s]


def test_disabling_refuses_the_next_delivery_and_enabling_accepts_it(client, db, installation):
    assert signed_playground_post(client, installation.id, PAYLOAD).status_code == 202
    with db.system() as session:
        disable_installation(session, session.get(Installation, installation.id))
    assert signed_playground_post(client, installation.id, PAYLOAD).status_code == 410
    with db.system() as session:
        enable_installation(session, session.get(Installation, installation.id))
    assert signed_playground_post(client, installation.id, PAYLOAD).status_code == 202


def test_disconnecting_refuses_the_next_delivery(client, db, installation):
    assert signed_playground_post(client, installation.id, PAYLOAD).status_code == 202
    with db.tenant(installation.id) as session:
        CredentialStore(session, installation.id).delete(playground_provider.SECRET_CREDENTIAL)
    response = signed_playground_post(client, installation.id, PAYLOAD)
    assert response.status_code == 404 and response.json["error"]["code"] == "not_connected"


def test_a_change_that_is_rolled_back_keeps_the_cached_key(client, db, installation):
    assert signed_playground_post(client, installation.id, PAYLOAD).status_code == 202
    with db.tenant(installation.id) as session:
        CredentialStore(session, installation.id).set(playground_provider.SECRET_CREDENTIAL, "never-committed")
        session.rollback()
    key = webhook_keys().get(installation.id, playground_provider.SECRET_CREDENTIAL)
    assert key.secret == "whsec-test-secret"


def test_a_secret_rotated_by_another_process_is_reloaded_once_a_signature_fails(client, db, installation):
    assert signed_playground_post(client, installation.id, PAYLOAD).status_code == 202
    sealed = cipher().encrypt("rotated-secret", context=f"{installation.id}:{playground_provider.SECRET_CREDENTIAL}")
    with db.system() as session:  # a Core update, as another process's commit looks to this one: no ORM events
        session.execute(update(Credential).where(Credential.installation_id == installation.id)
                        .values(ciphertext=sealed))
    assert webhook_keys().get(installation.id, playground_provider.SECRET_CREDENTIAL).secret == "whsec-test-secret"

    assert signed_playground_post(client, installation.id, PAYLOAD, secret="rotated-secret").status_code == 202
    old = signed_playground_post(client, installation.id, PAYLOAD)
    assert old.status_code == 401


def test_entries_expire_after_their_time_to_live(app, db, installation):
    keys = WebhookKeys(ttl=0)
    assert keys.get(installation.id, playground_provider.SECRET_CREDENTIAL).active
    with db.system() as session:  # bypasses this cache's invalidation, as another process would
        session.execute(update(Installation).where(Installation.id == installation.id)
                        .values(disabled_at=Installation.created_at))
    assert not keys.get(installation.id, playground_provider.SECRET_CREDENTIAL).active


def test_an_installation_created_after_a_refused_delivery_works_at_once(client, make_installation):
    assert signed_playground_post(client, "inst-early", PAYLOAD).status_code == 404
    make_installation(account="early", installation_id="inst-early")
    assert signed_playground_post(client, "inst-early", PAYLOAD).status_code == 202
