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
