"""Fixtures for the copy-paste warning tests."""

import pytest


@pytest.fixture
def tenant(db, make_installation):
    """A fresh playground-kind installation and a function that opens its session."""
    installation_id = make_installation().id

    def session():
        return db.tenant(installation_id)

    session.id = installation_id
    return session
