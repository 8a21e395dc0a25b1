"""SQLAlchemy engine and sessions, with every session scoped to one installation or marked as system."""

from __future__ import annotations

import functools
import hashlib
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from typing import Any

from flask import current_app
from flask import g
from flask import request
from psycopg.types.string import StrDumperUnknown
from sqlalchemy import JSON
from sqlalchemy import BigInteger
from sqlalchemy import Column
from sqlalchemy import DateTime
from sqlalchemy import ForeignKey
from sqlalchemy import Integer
from sqlalchemy import MetaData
from sqlalchemy import String
from sqlalchemy import create_engine
from sqlalchemy import event
from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.orm import Session
from sqlalchemy.orm import declared_attr
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import sessionmaker
from sqlalchemy.orm import with_loader_criteria
from sqlalchemy.types import TypeDecorator

from adapter.errors import TenantViolation
from adapter.text import without_nul

SCOPE_KEY = "valuedesk.installation_id"
IMMEDIATE = "valuedesk_begin_immediate"
SYSTEM = "*system*"

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only autoincrements INTEGER PRIMARY KEY; PostgreSQL gets a real bigint.
BigId = BigInteger().with_variant(Integer(), "sqlite")
Json = JSON().with_variant(JSONB(), "postgresql")


class UTCDateTime(TypeDecorator):
    """Timezone-aware UTC datetimes on both SQLite (which stores naive) and PostgreSQL."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; use adapter.clock.now()")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names for Alembic."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: Json, list[Any]: Json}


class TenantScoped:
    """Mixin for every table that holds one installation's data."""

    @declared_attr
    def installation_id(cls):
        return mapped_column(
            String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False
        )


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state) -> None:
    """Add `installation_id = <scope>` to every ORM SELECT, UPDATE and DELETE on tenant tables."""
    scope = state.session.info.get(SCOPE_KEY)
    if scope is None:
        raise TenantViolation(
            "Database session has no installation scope; open it with Database.session(installation_id) "
            "or Database.system_session()."
        )
    if scope == SYSTEM or not (state.is_select or state.is_update or state.is_delete):
        return
    from adapter.models import Installation

    state.statement = state.statement.options(
        with_loader_criteria(TenantScoped, lambda cls: cls.installation_id == scope, include_aliases=True),
        with_loader_criteria(Installation, lambda cls: cls.id == scope, include_aliases=True),
    )


@event.listens_for(Session, "before_flush")
def _stamp_installation(session: Session, flush_context, instances) -> None:
    """New tenant rows take the session's installation; rows of another installation are refused."""
    scope = session.info.get(SCOPE_KEY)
    if scope is None:
        raise TenantViolation("Refusing to write through a session with no installation scope.")
    if scope == SYSTEM:
        return
    for obj in list(session.new) + list(session.dirty):
        if not isinstance(obj, TenantScoped):
            continue
        if obj.installation_id is None:
            obj.installation_id = scope
        elif obj.installation_id != scope:
            raise TenantViolation(
                f"Refusing to write a {type(obj).__name__} of installation {obj.installation_id!r} "
                f"through a session scoped to {scope!r}."
            )


def installation_column() -> Column:
    """The installation_id column of a tenant table, as migrations create it."""
    return Column("installation_id", String(64), ForeignKey("installations.id", ondelete="CASCADE"), nullable=False)


def insert_unless_exists(session: Session, model: type, values: dict, unique: list[str]) -> int | None:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL; the new row's id, or None if it existed."""
    scope = session.info.get(SCOPE_KEY)
    if scope not in (SYSTEM, None) and values.get("installation_id") != scope:
        raise TenantViolation(f"Refusing to insert a {model.__name__} of another installation through {scope!r}.")
    statement = insert_unless_exists_statement(session.get_bind().dialect.name, model.__table__, tuple(unique))
    return session.execute(statement, values).scalar()


@functools.lru_cache(maxsize=256)
def insert_unless_exists_statement(dialect: str, table, unique: tuple[str, ...]):
    """The INSERT … ON CONFLICT DO NOTHING RETURNING id for `table`, to execute with a row's values."""
    # Built once per shape and bound at execution: building it with .values() per row cost more than the round trip.
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id)


class Database:
    """One engine and session factory per app; sessions are always scoped."""

    def __init__(self, url: str, *, echo: bool = False):
        self.url = url
        if url.startswith("sqlite"):
            self.engine = create_engine(
                url, echo=echo, connect_args={"timeout": 30, "check_same_thread": False}
            )
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            # Enough kept connections for the web process's threads (8 by default): overflow ones are opened and closed per use.
            self.engine = create_engine(url, echo=echo, pool_size=10, max_overflow=10,
                                        json_serializer=_json_without_nul)
            event.listen(self.engine, "connect", _postgres_drops_nul)
            event.listen(self.engine, "checkout", _ping_if_idle)
            event.listen(self.engine, "checkin", _mark_idle)
        self._factory = sessionmaker(self.engine, expire_on_commit=False)

    def _open(self, scope: str, immediate: bool) -> Session:
        session = self._factory(info={SCOPE_KEY: scope})
        if immediate and self.url.startswith("sqlite"):
            # Take SQLite's write lock up front: a transaction that reads and then writes could
            # otherwise fail at its first write when another writer committed in between.
            session.connection(execution_options={IMMEDIATE: True})
        return session

    def session(self, installation_id: str, *, immediate: bool = False) -> Session:
        """A session that can only see and write rows of `installation_id` (`immediate` when it will write)."""
        if not installation_id or installation_id == SYSTEM:
            raise TenantViolation("An installation id is required to open a tenant session.")
        return self._open(installation_id, immediate)

    def system_session(self, *, immediate: bool = False) -> Session:
        """A session across installations, for sweeps, the CLI and intake only."""
        return self._open(SYSTEM, immediate)

    @contextmanager
    def tenant(self, installation_id: str, *, immediate: bool = False) -> Iterator[Session]:
        """Context-managed tenant session that commits on success and rolls back on error."""
        with self.session(installation_id, immediate=immediate) as session:
            yield from _committing(session)

    @contextmanager
    def system(self, *, immediate: bool = False) -> Iterator[Session]:
        """Context-managed system session that commits on success and rolls back on error."""
        with self.system_session(immediate=immediate) as session:
            yield from _committing(session)

    @contextmanager
    def single_statements(self) -> Iterator[Connection]:
        """A connection whose statements each commit by themselves, for one self-contained write (a webhook receipt).

        On PostgreSQL that saves the BEGIN and COMMIT round trips; SQLite keeps its short IMMEDIATE transaction
        (switching pysqlite to autocommit and back would undo the transaction handling set up in `_sqlite_pragmas`).
        """
        with self.engine.connect() as connection:
            sqlite = connection.dialect.name == "sqlite"
            connection.execution_options(**({IMMEDIATE: True} if sqlite else {"isolation_level": "AUTOCOMMIT"}))
            yield connection
            connection.commit()

    def ping(self) -> None:
        """Run a trivial query; raises when the database is unreachable."""
        with self.engine.connect() as connection:
            connection.execute(text("SELECT 1"))

    def dispose(self) -> None:
        """Close pooled connections (after fork, at shutdown, in tests)."""
        self.engine.dispose()


def serialise(session: Session, *names: str) -> None:
    """Make transactions that check a limit and then record against it run one at a time per name.

    PostgreSQL: a transaction-scoped advisory lock per name, taken in sorted order (so two transactions never wait
    on each other crosswise) and released at commit or rollback; statements after it see what the previous holder
    committed. SQLite: the session must be IMMEDIATE, which already holds the database's one write lock.
    """
    if session.get_bind().dialect.name != "postgresql":
        if not session.connection().get_execution_options().get(IMMEDIATE):
            raise RuntimeError("serialise() on SQLite needs a session opened with immediate=True")
        return
    for name in sorted(set(names)):
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": advisory_key(name)})


def advisory_key(name: str) -> int:
    """A signed 64-bit PostgreSQL advisory lock key for `name`."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


def _committing(session: Session) -> Iterator[Session]:
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise


IDLE_PING_SECONDS = 30


def _ping_if_idle(dbapi_connection, connection_record, connection_proxy) -> None:
    # SQLAlchemy's pool_pre_ping costs a round trip on every checkout, a third of a webhook's. A connection used
    # within the last IDLE_PING_SECONDS is trusted; if the server went away meanwhile, the first statement's
    # disconnect error makes SQLAlchemy drop every pooled connection, so only requests in flight see it.
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < IDLE_PING_SECONDS:
        return
    try:
        dbapi_connection.execute("SELECT 1")
        dbapi_connection.rollback()
    except Exception as exc:
        raise DisconnectionError("stale pooled connection") from exc


def _mark_idle(dbapi_connection, connection_record) -> None:
    connection_record.info["idle_since"] = time.monotonic()


class _NulFreeStrDumper(StrDumperUnknown):
    def dump(self, obj: str):
        return super().dump(obj.replace("\x00", "") if "\x00" in obj else obj)


def _postgres_drops_nul(dbapi_connection, connection_record) -> None:
    # PostgreSQL text cannot hold NUL, and vendor text (a pasted binary, an odd e-mail) sometimes carries one:
    # dropping it here, where every write passes, beats failing the job. Our own API refuses NUL with a 400 first.
    dbapi_connection.adapters.register_dumper(str, _NulFreeStrDumper)


def _json_without_nul(value) -> str:
    dumped = json.dumps(value)
    return json.dumps(without_nul(value)) if "\\u0000" in dumped else dumped  # jsonb refuses the \u0000 escape


def _sqlite_pragmas(dbapi_connection, connection_record) -> None:
    # WAL lets the web process read while the worker writes; busy_timeout waits out short locks.
    # isolation_level=None hands transaction control to SQLAlchemy's "begin" hook below.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(connection) -> None:
    # Deferred by default, so WAL readers never wait for a writer; IMMEDIATE for sessions that
    # said they will write (it waits up to busy_timeout instead of failing at the first write).
    immediate = connection.get_execution_options().get(IMMEDIATE)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def init_app(app, url: str) -> Database:
    """Create the app's Database and close each request's session when the request ends."""
    database = Database(url)
    app.extensions["valuedesk.db"] = database

    @app.teardown_request
    def _close_request_session(exc) -> None:
        session = g.pop("_vd_session", None)
        if session is not None:
            session.close()

    return database


def get_db() -> Database:
    """The current app's Database."""
    return current_app.extensions["valuedesk.db"]


def reads_only(view):
    """Mark a POST view whose request session only reads; it writes, if at all, in its own short transaction.

    On SQLite a write session holds the database's single write lock from its first statement, so a
    slow read in one would stall every webhook and reply behind it.
    """
    view.valuedesk_reads_only = True
    return view


def release_request_session() -> None:
    """End the request session's reads and return its connection before the view writes in its own transaction.

    A request that kept its connection while waiting for a second one could exhaust the pool under load,
    and on SQLite a read left open would sit behind the write lock it is waiting for.
    """
    session = g.get("_vd_session")
    if session is not None:
        session.rollback()


def request_session(installation_id: str) -> Session:
    """The request's tenant session, opened on first use and closed at teardown."""
    session = g.get("_vd_session")
    if session is None:
        view = current_app.view_functions.get(request.endpoint)
        writes = request.method not in ("GET", "HEAD", "OPTIONS") and not getattr(view, "valuedesk_reads_only", False)
        session = get_db().session(installation_id, immediate=writes)
        g._vd_session = session
    elif session.info.get(SCOPE_KEY) != installation_id:
        raise TenantViolation("This request is already bound to another installation.")
    return session
