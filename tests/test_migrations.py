"""Migrations run up from empty and back down, and match the models exactly."""

import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy import inspect
from sqlalchemy import text
from sqlalchemy.engine import make_url

from adapter import migrations
from adapter.db import Base
from tests.conftest import POSTGRES_URL


@pytest.fixture
def empty_engine(tmp_path):
    """A brand-new empty database of the kind under test."""
    if not POSTGRES_URL:
        engine = create_engine(f"sqlite:///{tmp_path / 'empty.db'}")
        yield engine
        engine.dispose()
        return
    name = f"vd_migrate_{uuid.uuid4().hex[:8]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine = create_engine(make_url(POSTGRES_URL).set(database=name))
    yield engine
    engine.dispose()
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}"'))
    admin.dispose()


def test_upgrade_from_empty_creates_every_table(empty_engine):
    assert migrations.current_revision(empty_engine) is None
    migrations.upgrade(empty_engine)
    assert migrations.is_up_to_date(empty_engine)
    assert set(Base.metadata.tables) <= set(inspect(empty_engine).get_table_names())


def test_models_and_migrations_do_not_drift(empty_engine):
    migrations.upgrade(empty_engine)
    with empty_engine.connect() as connection:
        diff = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert diff == []


def test_downgrade_to_base_and_up_again(empty_engine):
    migrations.upgrade(empty_engine)
    migrations.downgrade(empty_engine, "base")
    assert set(inspect(empty_engine).get_table_names()) <= {"alembic_version"}
    migrations.upgrade(empty_engine)
    assert migrations.is_up_to_date(empty_engine)


def test_0010_moves_stored_replies_while_the_service_runs(empty_engine, make_app):
    """Replies fingerprinted the old way wait harmlessly after 0010; the worker re-fingerprints those with text."""
    from datetime import timedelta

    from adapter import clock
    from adapter import jobs
    from adapter.db import get_db
    from adapter.models import Installation
    from adapter.replies import service

    answer = ("Thanks for flagging this. Our team is aware that large exports can time out and a fix ships next "
              "week. Until then, exporting one month at a time works reliably.")
    migrations.upgrade(empty_engine, "0009")
    sent = (clock.now() - timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S")
    with empty_engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO installations (id, kind, account, name, timezone, business_hours, settings, created_at) "
            "VALUES ('pg-old-1', 'playground', 'old', 'Old', 'UTC', '{}', '{}', :at)"), {"at": sent})
        for number, reply in enumerate((answer, answer.replace("reliably", "fine"), None), 1):
            connection.execute(text(
                "INSERT INTO reply_fingerprints (id, installation_id, ticket_id, comment_id, agent_id, created_at, "
                "words, signature, text) VALUES (:id, 'pg-old-1', :ticket, :comment, 'agent', :at, 25, :sig, :text)"),
                {"id": number, "ticket": str(number), "comment": f"c{number}", "at": sent, "sig": b"\x01" * 512,
                 "text": reply})
            for band in range(21):
                connection.execute(text("INSERT INTO reply_bands (fingerprint_id, band, key, installation_id) "
                                        "VALUES (:id, :band, :key, 'pg-old-1')"),
                                   {"id": number, "band": band, "key": number * 100 + band})
    migrations.upgrade(empty_engine)
    assert "reply_bands" not in inspect(empty_engine).get_table_names()
    app = make_app(empty_engine.url.render_as_string(hide_password=False))
    with app.app_context(), get_db().tenant("pg-old-1") as session:
        installation = session.get(Installation, "pg-old-1")
        waiting = service.check(session, installation, ticket_id="9", agent_id="a", draft=answer)
        assert waiting.matches == []  # checks keep working before the move, they just do not see old replies
    with app.app_context():
        assert jobs.refingerprint_replies() == 2
        assert jobs.refingerprint_replies() == 0
        with get_db().tenant("pg-old-1") as session:
            installation = session.get(Installation, "pg-old-1")
            moved = service.check(session, installation, ticket_id="9", agent_id="a", draft=answer)
            assert sorted(m.ticket_id for m in moved.matches) == ["1", "2"]
            assert session.scalar(text("SELECT count(*) FROM reply_fingerprints")) == 2  # the text-less one is gone
