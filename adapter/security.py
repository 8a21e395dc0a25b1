"""HMAC helpers, timestamp windows, random secrets and encryption of stored credentials."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from datetime import datetime
from datetime import timedelta
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from adapter.errors import ValuedeskError

_FORMAT_V1 = b"\x01"
_NONCE_BYTES = 12

# No vendor payload or API body nests anywhere near this deep; Python's parser and our own walks overflow near 1,000.
MAX_JSON_DEPTH = 64


def _as_bytes(value: str | bytes) -> bytes:
    return value.encode("utf-8") if isinstance(value, str) else value


def hmac_sha256(secret: str | bytes, message: bytes) -> bytes:
    """Raw HMAC-SHA256 digest of `message` keyed with `secret`."""
    return hmac.new(_as_bytes(secret), message, hashlib.sha256).digest()


def hmac_sha256_hex(secret: str | bytes, message: bytes) -> str:
    """Lower-case hex HMAC-SHA256, the form Jira, Linear and Stripe send."""
    return hmac_sha256(secret, message).hex()


def hmac_sha256_base64(secret: str | bytes, message: bytes) -> str:
    """Base64 HMAC-SHA256, the form Zendesk sends."""
    return base64.b64encode(hmac_sha256(secret, message)).decode("ascii")


def constant_time_equals(a: str | bytes | None, b: str | bytes | None) -> bool:
    """Compare two secrets or signatures without leaking where they differ."""
    if a is None or b is None:
        return False
    return hmac.compare_digest(_as_bytes(a), _as_bytes(b))


def within_window(moment: datetime, now: datetime, tolerance: timedelta) -> bool:
    """True when `moment` is no further than `tolerance` from `now`, in either direction."""
    return abs(now - moment) <= tolerance


def new_secret(nbytes: int = 32) -> str:
    """A URL-safe random secret for webhooks and tokens."""
    return secrets.token_urlsafe(nbytes)


class DecryptionError(ValuedeskError):
    """A stored credential could not be decrypted (wrong key, or the row was tampered with)."""

    code = "decryption_failed"


class CredentialCipher:
    """AES-256-GCM with a key derived from VALUEDESK_SECRET_KEY.

    Each ciphertext is bound to its context (installation and credential name) as associated
    data, so a ciphertext copied into another row or installation does not decrypt.
    """

    def __init__(self, secret_key: str):
        derived = HKDF(
            algorithm=hashes.SHA256(),
            length=32,
            salt=b"valuedesk",
            info=b"valuedesk credentials v1",
        ).derive(secret_key.encode("utf-8"))
        self._aead = AESGCM(derived)

    def encrypt(self, plaintext: str, *, context: str) -> bytes:
        """Encrypt `plaintext` for storage under `context`."""
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._aead.encrypt(nonce, plaintext.encode("utf-8"), context.encode("utf-8"))
        return _FORMAT_V1 + nonce + sealed

    def decrypt(self, blob: bytes, *, context: str) -> str:
        """Decrypt a value written by `encrypt` under the same `context`.

        :raise DecryptionError: when the key or context does not match.
        """
        if not blob or blob[:1] != _FORMAT_V1:
            raise DecryptionError("Unknown credential format.")
        nonce = blob[1 : 1 + _NONCE_BYTES]
        try:
            plain = self._aead.decrypt(nonce, blob[1 + _NONCE_BYTES :], context.encode("utf-8"))
        except InvalidTag:
            raise DecryptionError(
                "A stored credential could not be decrypted; was VALUEDESK_SECRET_KEY changed?"
            ) from None
        return plain.decode("utf-8")


class JsonTooDeep(ValueError):
    """A JSON document nested deeper than MAX_JSON_DEPTH."""

    def __init__(self):
        super().__init__(f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep; send a flatter document.")


def _too_deep(value: Any) -> bool:
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict | list):
            if depth > MAX_JSON_DEPTH:
                return True
            pending.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return False


def loads_bounded(data: bytes | str) -> Any:
    """json.loads for untrusted bodies: a document nested too deep is a ValueError, never a RecursionError.

    :raise JsonTooDeep: past MAX_JSON_DEPTH levels; ValueError (JSONDecodeError, UnicodeDecodeError) for invalid JSON.
    """
    try:
        value = json.loads(data)
    except RecursionError:
        raise JsonTooDeep() from None
    if _too_deep(value):
        raise JsonTooDeep()
    return value
