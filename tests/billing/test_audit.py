"""The billing audit trail is append-only, in the ORM and (on PostgreSQL) in the database itself."""

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from adapter.models import BillingAudit


def add_row(db, installation_id) -> int:
    with db.tenant(installation_id) as session:
        row = BillingAudit(action_id=1, event="succeeded", actor_id="agent-sam", actor_name="Sam Rivera",
                           ticket_id="3", kind="refund", amount=1200, currency="usd", external_ids={"refund": "re_1"})
        session.add(row)
        session.flush()
        return row.id


def test_audit_rows_cannot_be_changed_or_deleted(db, make_installation):
    installation = make_installation()
    row_id = add_row(db, installation.id)
    with db.tenant(installation.id) as session:
        session.get(BillingAudit, row_id).amount = 1
        with pytest.raises(PermissionError):
            session.flush()
        session.rollback()
        session.delete(session.get(BillingAudit, row_id))
        with pytest.raises(PermissionError):
            session.flush()
        session.rollback()


def test_postgres_refuses_raw_updates_too(db, make_installation):
    if db.url.startswith("sqlite"):
        pytest.skip("the trigger exists on PostgreSQL only")
    row_id = add_row(db, make_installation().id)
    with pytest.raises(DBAPIError, match="append-only"), db.system() as session:
        session.execute(text("UPDATE billing_audit SET amount = 1 WHERE id = :id"), {"id": row_id})
