"""Credentials are encrypted at rest, bound to their installation, and never listed by value."""

import pytest
from sqlalchemy import select

from adapter.credentials import CredentialStore
from adapter.models import Credential
from adapter.security import DecryptionError


def test_round_trip_and_stored_bytes_are_not_plaintext(db, make_installation):
    inst = make_installation(account="acme", secrets={})
    with db.tenant(inst.id) as session:
        CredentialStore(session, inst.id).set("api_token", "tok_live_abcdef123456")
    with db.tenant(inst.id) as session:
        store = CredentialStore(session, inst.id)
        assert store.get("api_token") == "tok_live_abcdef123456"
        raw = session.scalar(select(Credential.ciphertext).where(Credential.name == "api_token"))
        assert b"tok_live_abcdef123456" not in raw
        assert store.names() == ["api_token"]


def test_replace_and_delete(db, make_installation):
    inst = make_installation(account="acme", secrets={})
    with db.tenant(inst.id) as session:
        store = CredentialStore(session, inst.id)
        store.set("api_token", "one")
        store.set("api_token", "two")
        assert store.get("api_token") == "two"
        assert store.delete("api_token") is True
        assert store.delete("api_token") is False
        assert store.get("api_token") is None


def test_ciphertext_copied_to_another_installation_does_not_decrypt(db, make_installation):
    a = make_installation(account="alpha", secrets={"api_token": "alpha-secret"})
    b = make_installation(account="bravo", secrets={"api_token": "bravo-secret"})
    with db.system() as session:
        alpha_row = session.scalar(select(Credential).where(Credential.installation_id == a.id))
        bravo_row = session.scalar(select(Credential).where(Credential.installation_id == b.id))
        bravo_row.ciphertext = alpha_row.ciphertext
    with db.tenant(b.id) as session, pytest.raises(DecryptionError):
        CredentialStore(session, b.id).get("api_token")
