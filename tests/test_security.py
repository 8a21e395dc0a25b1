"""HMAC helpers, timestamp windows and credential encryption."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest

from adapter.security import CredentialCipher
from adapter.security import DecryptionError
from adapter.security import constant_time_equals
from adapter.security import hmac_sha256_base64
from adapter.security import hmac_sha256_hex
from adapter.security import within_window


def test_hmac_encodings_match_known_vectors():
    # RFC 4231 test case 2
    assert hmac_sha256_hex("Jefe", b"what do ya want for nothing?") == (
        "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
    )
    assert hmac_sha256_base64("Jefe", b"what do ya want for nothing?") == "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="


def test_constant_time_equals():
    assert constant_time_equals("abc", "abc")
    assert not constant_time_equals("abc", "abd")
    assert not constant_time_equals(None, "abc")


def test_within_window_both_directions():
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert within_window(now - timedelta(seconds=299), now, timedelta(minutes=5))
    assert within_window(now + timedelta(seconds=299), now, timedelta(minutes=5))
    assert not within_window(now - timedelta(seconds=301), now, timedelta(minutes=5))


def test_cipher_round_trip_and_ciphertext_is_not_plaintext():
    cipher = CredentialCipher("k" * 40)
    sealed = cipher.encrypt("zendesk-api-token-123", context="zd-acme:api_token")
    assert b"zendesk-api-token-123" not in sealed
    assert cipher.decrypt(sealed, context="zd-acme:api_token") == "zendesk-api-token-123"
    assert cipher.encrypt("same", context="c") != cipher.encrypt("same", context="c")  # random nonce


def test_ciphertext_is_bound_to_its_context_and_key():
    cipher = CredentialCipher("k" * 40)
    sealed = cipher.encrypt("secret", context="inst-a:api_token")
    with pytest.raises(DecryptionError):
        cipher.decrypt(sealed, context="inst-b:api_token")
    with pytest.raises(DecryptionError, match="VALUEDESK_SECRET_KEY"):
        CredentialCipher("j" * 40).decrypt(sealed, context="inst-a:api_token")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(DecryptionError):
        cipher.decrypt(tampered, context="inst-a:api_token")
