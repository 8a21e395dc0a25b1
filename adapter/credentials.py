"""Per-installation secrets, encrypted at rest and bound to their installation and name."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from adapter.models import Credential
from adapter.security import CredentialCipher


def cipher() -> CredentialCipher:
    """The current app's credential cipher."""
    return current_app.extensions["valuedesk.cipher"]


class CredentialStore:
    """Read and write one installation's credentials; plaintext never leaves this object unasked."""

    def __init__(self, session: Session, installation_id: str, credential_cipher: CredentialCipher | None = None):
        self.session = session
        self.installation_id = installation_id
        self.cipher = credential_cipher or cipher()

    def _context(self, name: str) -> str:
        return f"{self.installation_id}:{name}"

    def _row(self, name: str) -> Credential | None:
        return self.session.scalar(
            select(Credential).where(
                Credential.installation_id == self.installation_id, Credential.name == name
            )
        )

    def set(self, name: str, value: str) -> None:
        """Store (or replace) the credential `name`."""
        sealed = self.cipher.encrypt(value, context=self._context(name))
        row = self._row(name)
        if row is None:
            self.session.add(Credential(installation_id=self.installation_id, name=name, ciphertext=sealed))
        else:
            row.ciphertext = sealed
        self.session.flush()

    def get(self, name: str) -> str | None:
        """The plaintext of credential `name`, or None when it is not stored."""
        row = self._row(name)
        return None if row is None else self.cipher.decrypt(row.ciphertext, context=self._context(name))

    def delete(self, name: str) -> bool:
        """Remove credential `name`; True when it existed."""
        row = self._row(name)
        if row is None:
            return False
        self.session.delete(row)
        self.session.flush()
        return True

    def names(self) -> list[str]:
        """Names of the stored credentials (never their values)."""
        return list(
            self.session.scalars(
                select(Credential.name)
                .where(Credential.installation_id == self.installation_id)
                .order_by(Credential.name)
            )
        )
