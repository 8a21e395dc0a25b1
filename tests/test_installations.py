"""Installations: validation of account, timezone and business hours; uniqueness."""

import pytest

from adapter.errors import Conflict
from adapter.errors import InvalidInput
from adapter.installations import create_installation
from adapter.installations import normalise_account
from adapter.installations import validate_business_hours


@pytest.mark.parametrize(
    "kind, given, expected",
    [
        ("zendesk", "https://Acme.zendesk.com/agent/tickets/1", "acme"),
        ("zendesk", "acme", "acme"),
        ("freshdesk", "acme.freshdesk.com", "acme"),
        ("freshdesk", "support.acme.example", "support.acme.example"),
    ],
)
def test_account_is_normalised(kind, given, expected):
    assert normalise_account(kind, given) == expected


def test_create_and_refuse_duplicates(db):
    with db.system() as session:
        inst = create_installation(session, kind="zendesk", account="acme", timezone="Europe/Berlin")
        assert inst.id.startswith("zd-acme-")
        assert inst.business_hours == {"days": [0, 1, 2, 3, 4], "start": "09:00", "end": "17:00"}
    with db.system() as session, pytest.raises(Conflict) as info:
        create_installation(session, kind="zendesk", account="https://acme.zendesk.com")
    assert info.value.code == "already_installed"


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"kind": "helpscout", "account": "x"}, "invalid_kind"),
        ({"kind": "zendesk", "account": "bad account!"}, "invalid_account"),
        ({"kind": "zendesk", "account": "ok", "timezone": "Mars/Base"}, "invalid_timezone"),
    ],
)
def test_invalid_fields_are_explained(db, fields, code):
    with db.system() as session, pytest.raises(InvalidInput) as info:
        create_installation(session, **fields)
    assert info.value.code == code


@pytest.mark.parametrize(
    "hours",
    [
        {"days": [], "start": "09:00", "end": "17:00"},
        {"days": [7], "start": "09:00", "end": "17:00"},
        {"days": [0], "start": "9am", "end": "17:00"},
        {"days": [0], "start": "17:00", "end": "09:00"},
    ],
)
def test_bad_business_hours(hours):
    with pytest.raises(InvalidInput) as info:
        validate_business_hours(hours)
    assert info.value.code == "invalid_business_hours"
