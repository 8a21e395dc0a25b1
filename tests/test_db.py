"""Tenant scoping: a session for one installation cannot read or change another's rows."""

import pytest
from sqlalchemy import create_engine
from sqlalchemy import delete
from sqlalchemy import func
from sqlalchemy import select
from sqlalchemy import update

from adapter.credentials import CredentialStore
from adapter.db import Base
from adapter.db import TenantScoped
from adapter.db import insert_unless_exists
from adapter.errors import TenantViolation
from adapter.models import Credential
from adapter.models import Installation
from adapter.models import PlaygroundTicket
from adapter.models import WebhookReceipt


@pytest.fixture
def two_tenants(db, make_installation):
    a = make_installation(account="alpha")
    b = make_installation(account="bravo")
    for inst, subject in ((a, "alpha ticket"), (b, "bravo ticket")):
        with db.tenant(inst.id) as session:
            session.add(PlaygroundTicket(subject=subject, requester_name="R", requester_email="r@x.example"))
    return a, b


def test_selects_only_see_own_rows(db, two_tenants):
    a, b = two_tenants
    with db.tenant(a.id) as session:
        assert [t.subject for t in session.scalars(select(PlaygroundTicket))] == ["alpha ticket"]
        assert session.scalar(select(func.count()).select_from(PlaygroundTicket)) == 1
        # Even an explicit filter on the other installation finds nothing.
        assert session.scalars(select(PlaygroundTicket).where(PlaygroundTicket.installation_id == b.id)).all() == []
        assert [i.id for i in session.scalars(select(Installation))] == [a.id]
        assert session.get(Installation, b.id) is None


def test_get_by_primary_key_of_other_tenant_returns_none(db, two_tenants):
    a, b = two_tenants
    with db.tenant(b.id) as session:
        bravo_id = session.scalar(select(PlaygroundTicket.id))
    with db.tenant(a.id) as session:
        assert session.get(PlaygroundTicket, bravo_id) is None


def test_bulk_update_and_delete_are_scoped(db, two_tenants):
    a, b = two_tenants
    with db.tenant(a.id) as session:
        session.execute(update(PlaygroundTicket).values(subject="changed"))
        session.execute(delete(Credential))
    with db.tenant(b.id) as session:
        assert session.scalar(select(PlaygroundTicket.subject)) == "bravo ticket"
        assert CredentialStore(session, b.id).names() == ["webhook_secret"]


def test_writing_another_tenants_row_is_refused(db, two_tenants):
    a, b = two_tenants
    with pytest.raises(TenantViolation, match="Refusing to write"), db.tenant(a.id) as session:
        session.add(PlaygroundTicket(installation_id=b.id, subject="x", requester_name="R", requester_email="r@x"))


def test_inserting_a_row_of_another_tenant_unless_it_exists_is_refused(db, two_tenants):
    a, b = two_tenants
    values = {"installation_id": b.id, "provider": "playground", "delivery_id": "d-1", "event_type": "comment.created",
              "headers": {}, "body": b"{}", "status": "pending", "attempts": 0}
    with pytest.raises(TenantViolation, match="another installation"), db.tenant(a.id) as session:
        insert_unless_exists(session, WebhookReceipt, values, ["installation_id", "provider", "delivery_id"])
    with db.tenant(b.id) as session:
        assert insert_unless_exists(session, WebhookReceipt, values, ["installation_id", "provider", "delivery_id"])
        assert insert_unless_exists(session, WebhookReceipt, values, ["installation_id", "provider", "delivery_id"]) \
            is None


def test_new_rows_take_the_session_installation(db, two_tenants):
    a, _ = two_tenants
    with db.tenant(a.id) as session:
        ticket = PlaygroundTicket(subject="new", requester_name="R", requester_email="r@x.example")
        session.add(ticket)
        session.flush()
        assert ticket.installation_id == a.id


def test_unscoped_session_cannot_query(db, two_tenants):
    session = db._factory()
    with pytest.raises(TenantViolation, match="no installation scope"):
        session.scalars(select(PlaygroundTicket)).all()
    session.close()


def test_system_session_sees_everything(db, two_tenants):
    with db.system() as session:
        assert session.scalar(select(func.count()).select_from(PlaygroundTicket)) == 2


def test_every_tenant_table_is_indexed_by_installation_first():
    for table in Base.metadata.sorted_tables:
        if "installation_id" not in table.c:
            continue
        leading = [list(i.columns)[0].name for i in table.indexes]
        leading += [list(c.columns)[0].name for c in table.constraints if hasattr(c, "columns") and c.columns and c.__class__.__name__ == "UniqueConstraint"]
        assert "installation_id" in leading, f"{table.name} has no index leading with installation_id"


def test_every_table_with_installation_id_uses_the_mixin():
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if "installation_id" in mapper.columns and cls is not Installation:
            assert issubclass(cls, TenantScoped), cls.__name__


def test_text_and_json_with_nul_characters_are_stored_on_every_database(db, two_tenants):
    a, _ = two_tenants
    with db.tenant(a.id) as session:
        ticket = PlaygroundTicket(subject="crash\x00here", requester_name="R", requester_email="r@x.example")
        session.add(ticket)
        session.flush()
        insert_unless_exists(session, WebhookReceipt, {
            "installation_id": a.id, "provider": "playground", "delivery_id": "nul\x00id", "event_type": "x",
            "headers": {"X-Odd": "a\x00b"}, "body": b"{}", "status": "pending", "attempts": 0,
        }, ["installation_id", "provider", "delivery_id"])
    with db.tenant(a.id) as session:
        subject = session.get(PlaygroundTicket, ticket.id).subject
        receipt = session.scalar(select(WebhookReceipt))
    postgres = db.engine.dialect.name == "postgresql"  # PostgreSQL text cannot hold NUL: it is dropped
    assert subject == ("crashhere" if postgres else "crash\x00here")
    assert receipt.delivery_id == ("nulid" if postgres else "nul\x00id")
    assert receipt.headers == {"X-Odd": "ab" if postgres else "a\x00b"}


def _terminate_pooled_backends(db) -> None:
    """Kill the server side of every connection in the pool, as a PostgreSQL restart would."""
    with db.engine.connect() as connection:
        pid = connection.exec_driver_sql("SELECT pg_backend_pid()").scalar()
    killer = create_engine(db.url)
    try:
        with killer.connect() as connection:
            connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})")
    finally:
        killer.dispose()


@pytest.fixture
def postgres_db(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("pooled connections only go stale on PostgreSQL")
    return db


def test_a_connection_idle_longer_than_the_ping_interval_is_checked_and_replaced(postgres_db, monkeypatch):
    import adapter.db

    _terminate_pooled_backends(postgres_db)
    monkeypatch.setattr(adapter.db, "IDLE_PING_SECONDS", 0)
    postgres_db.ping()  # the dead connection failed its ping and a fresh one answered


def test_a_busy_connection_is_not_pinged_and_a_dead_server_fails_one_statement(postgres_db):
    from sqlalchemy.exc import OperationalError

    _terminate_pooled_backends(postgres_db)
    with pytest.raises(OperationalError):
        postgres_db.ping()
    postgres_db.ping()  # the disconnect emptied the pool; the next statement gets a fresh connection
