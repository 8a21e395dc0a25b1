"""Shared fixtures: a migrated database per test (SQLite copy or PostgreSQL truncate), the app, and no network."""

from __future__ import annotations

import json
import os
import shutil
import time
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import pytest
import responses
from sqlalchemy import create_engine
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from adapter import clock
from adapter import create_app
from adapter import migrations
from adapter.credentials import CredentialStore
from adapter.db import Base
from adapter.db import get_db
from adapter.installations import PLAYGROUND_ID
from adapter.installations import create_installation
from adapter.providers import playground as playground_provider

FIXTURES = Path(__file__).parent / "fixtures"
SECRET_KEY = "test-secret-key-that-is-long-enough-0123456789"
POSTGRES_URL = os.environ.get("VALUEDESK_TEST_DATABASE_URL")
REDIS_URL = os.environ.get("VALUEDESK_TEST_REDIS_URL")
# Every test runs at this instant (a Wednesday morning) unless the fixed-instant job picks another one.
TEST_NOW = datetime.fromisoformat(os.environ.get("VALUEDESK_TEST_NOW") or "2026-11-18T10:00:00+00:00")
if TEST_NOW.tzinfo is None:
    raise pytest.UsageError("VALUEDESK_TEST_NOW needs a UTC offset, e.g. 2026-11-26T15:59:00+00:00")


def pytest_report_header(config):
    return (f"database: {'PostgreSQL ' + POSTGRES_URL if POSTGRES_URL else 'SQLite'}; redis: {REDIS_URL or 'none'}; "
            f"clock: {TEST_NOW.isoformat()}")


class FrozenClock:
    """The wall clock during a test: it stands at one instant and moves only when the test moves it."""

    def __init__(self, at: datetime):
        self.at = at

    def __call__(self) -> datetime:
        return self.at

    def set(self, at: datetime) -> datetime:
        """Stand at `at` (an aware datetime)."""
        self.at = at
        return at

    def advance(self, **delta) -> datetime:
        """Move forward by timedelta(**delta)."""
        self.at += timedelta(**delta)
        return self.at


@pytest.fixture(autouse=True)
def frozen_clock():
    """No test reads the real time: the service's clock stands at TEST_NOW (VALUEDESK_TEST_NOW) until moved.

    Its own patch, so a test's `monkeypatch.undo()` cannot let the real time back in.
    """
    frozen = FrozenClock(TEST_NOW)
    clock.use_offset_file(None)  # an earlier test's playground must not leave its fast clock running
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(clock, "wall", frozen)
        yield frozen
    clock.use_offset_file(None)


def load_fixture(provider: str, name: str) -> dict:
    """A JSON fixture from tests/fixtures/<provider>/<name>.json."""
    return json.loads((FIXTURES / provider / f"{name}.json").read_text())


def fixture_bytes(provider: str, name: str) -> bytes:
    """The raw bytes of a fixture file."""
    return (FIXTURES / provider / f"{name}.json").read_bytes()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "valuedesk.db"
    engine = create_engine(f"sqlite:///{path}")
    migrations.upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_migrated():
    """Migrate the PostgreSQL test database once per session."""
    if not POSTGRES_URL:
        return None
    engine = create_engine(POSTGRES_URL)
    migrations.upgrade(engine)
    engine.dispose()
    return POSTGRES_URL


def _truncate_postgres(url: str) -> None:
    engine = create_engine(url)
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    try:
        with engine.begin() as connection:
            # A test that leaves a transaction open would block TRUNCATE forever; fail it by name instead.
            connection.execute(text("SET LOCAL lock_timeout = '15s'"))
            connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    except OperationalError as exc:
        pytest.fail(f"A database session was left open by this test (TRUNCATE waited on its locks): {exc}")
    finally:
        engine.dispose()


@pytest.fixture
def database_url(tmp_path, sqlite_template, postgres_migrated) -> str:
    """A migrated, empty database for this test."""
    if postgres_migrated:
        yield postgres_migrated
        _truncate_postgres(postgres_migrated)
        return
    path = tmp_path / "valuedesk.db"
    shutil.copyfile(sqlite_template, path)
    yield f"sqlite:///{path}"


def app_config(database_url: str, data_dir: Path, **overrides) -> dict:
    """Settings for a test app, keyed by environment variable name."""
    return {
        "VALUEDESK_SECRET_KEY": SECRET_KEY,
        "VALUEDESK_ENV": "test",
        "DATABASE_URL": database_url,
        "VALUEDESK_DATA_DIR": str(data_dir),
        "VALUEDESK_JOBS_IMMEDIATE": "true",
        "VALUEDESK_PLAYGROUND": "true",
        "VALUEDESK_PUBLIC_URL": "https://valuedesk.test",
        "VALUEDESK_LOG_LEVEL": "INFO",
        **overrides,
    }


@pytest.fixture
def make_app(database_url, tmp_path):
    """Build extra apps with different settings; their connection pools are closed after the test."""
    made = []

    def make(db_url: str | None = None, **overrides):
        application = create_app(app_config(db_url or database_url, tmp_path, **overrides))
        made.append(application)
        return application

    yield make
    for application in made:
        application.extensions["valuedesk.db"].dispose()


@pytest.fixture
def app(make_app):
    """The app on this test's database, with jobs run immediately."""
    return make_app()


@pytest.fixture
def client(app):
    return app.test_client()


class CliRunner:
    """Invoke the `valuedesk` command group against the test app."""

    def __init__(self, app):
        self._runner = app.test_cli_runner()

    def invoke(self, args, **kwargs):
        from adapter.cli import main

        return self._runner.invoke(main, args=args, **kwargs)


@pytest.fixture
def runner(app):
    return CliRunner(app)


@pytest.fixture
def db(app):
    """The app's Database, inside an app context."""
    with app.app_context():
        yield get_db()


@pytest.fixture(autouse=True)
def forget_helpdesk_answers():
    """The sidebar's short cache of what helpdesks said about agents starts empty in every test."""
    from adapter.sidebar.auth import agent_cache

    agent_cache.clear()
    yield
    agent_cache.clear()


@pytest.fixture(autouse=True)
def no_network():
    """Every outbound HTTP call must be mocked; an unmocked one fails the test."""
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


@pytest.fixture
def make_installation(db):
    """Create an installation with a webhook secret: make_installation(kind, account, **fields)."""

    def make(kind: str = "playground", account: str | None = None, secrets: dict | None = None, **fields):
        with db.system() as session:
            installation = create_installation(
                session, kind=kind, account=account or f"acct{time.monotonic_ns()}", **fields
            )
            store = CredentialStore(session, installation.id)
            defaults = {playground_provider.SECRET_CREDENTIAL: "whsec-test-secret"}
            for name, value in (defaults if secrets is None else secrets).items():
                store.set(name, value)
            return installation

    return make


@pytest.fixture
def playground(runner):
    """The playground installation with its sample tickets, processed."""
    assert runner.invoke(args=["demo-data"]).exit_code == 0


@pytest.fixture
def sam(app):
    """A sidebar session for Sam Rivera, an agent of the playground."""
    from tests.support import bearer

    return bearer(app, PLAYGROUND_ID)


@pytest.fixture
def priya(app):
    """A sidebar session for Priya Natarajan, the playground's admin."""
    from tests.support import bearer

    return bearer(app, PLAYGROUND_ID, agent_id="agent-priya", name="Priya Natarajan", role="admin")



@pytest.fixture
def json_log():
    """What the service's JSON log handler writes during the test (every logger, at the configured levels)."""
    import io
    import logging

    from adapter import logs

    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.setFormatter(logs.JsonFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield buffer
    finally:
        root.removeHandler(handler)


@pytest.fixture
def authorization_server(no_network):
    """A vendor's OAuth authorization server on loopback (tests/fakes): point VALUEDESK_VENDOR_URLS at `.url`."""
    from adapter.providers import endpoints
    from tests.fakes.authorization_server import FakeAuthorizationServer

    server = FakeAuthorizationServer().start()
    no_network.add_passthru(server.url)
    yield server
    server.stop()
    endpoints.configure({})
