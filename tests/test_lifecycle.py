"""Uninstall stops an account and forgets its secrets; its data waits for a reinstall, then goes for good."""

from sqlalchemy import func
from sqlalchemy import select

from adapter import lifecycle
from adapter.credentials import CredentialStore
from adapter.db import Base
from adapter.models import Installation
from adapter.models import Signal
from tests.console.support import signed_in


def _rows(db, installation_id: str, but: tuple[str, ...] = ()) -> int:
    """Rows the installation owns in every tenant table (but those named)."""
    total = 0
    with db.system() as session:
        for table in Base.metadata.sorted_tables:
            if "installation_id" in table.c and table.name not in but:
                total += session.scalar(select(func.count()).select_from(table)
                                        .where(table.c.installation_id == installation_id))
    return total


def test_uninstall_purges_credentials_disables_and_keeps_data(app, db, playground, make_installation, frozen_clock):
    other = make_installation("zendesk", "neighbour")
    with app.app_context(), db.system() as session:
        installation = session.get(Installation, "playground")
        CredentialStore(session, "playground").set("stripe_api_key", "sk_test_x")
        done = lifecycle.uninstall(session, installation)
    assert "credential stripe_api_key deleted" in done
    with app.app_context(), db.system() as session:
        installation = session.get(Installation, "playground")
        assert not installation.is_active and installation.uninstalled_at == frozen_clock()
        assert CredentialStore(session, "playground").names() == []
        assert CredentialStore(session, other.id).names() != []  # the neighbour keeps its secrets
        assert session.scalar(select(func.count()).select_from(Signal)
                              .where(Signal.installation_id == "playground")) > 0
        assert lifecycle.uninstall(session, installation) == []  # twice changes nothing more


def test_data_is_deleted_only_after_the_retention_period(app, db, playground, make_installation, frozen_clock):
    other = make_installation("zendesk", "neighbour")
    with app.app_context(), db.system() as session:
        lifecycle.uninstall(session, session.get(Installation, "playground"))
    kept_by_neighbour = _rows(db, other.id)
    frozen_clock.advance(days=29)
    with db.system() as session:
        assert lifecycle.purge_uninstalled(session, 30) == []
    assert _rows(db, "playground") > 0
    frozen_clock.advance(days=1)
    with db.system() as session:
        assert lifecycle.purge_uninstalled(session, 30) == ["playground"]
    assert _rows(db, "playground") == 0 and _rows(db, other.id) == kept_by_neighbour
    with db.system() as session:
        assert session.get(Installation, "playground") is None and session.get(Installation, other.id) is not None


def test_reinstall_within_the_period_brings_the_data_back(app, db, playground, frozen_clock):
    before = _rows(db, "playground", but=("credentials",))
    with app.app_context(), db.system() as session:
        lifecycle.uninstall(session, session.get(Installation, "playground"))
    frozen_clock.advance(days=10)
    with db.system() as session:
        lifecycle.reinstall(session, session.get(Installation, "playground"))
    frozen_clock.advance(days=30)
    with db.system() as session:
        assert lifecycle.purge_uninstalled(session, 30) == []
        assert session.get(Installation, "playground").is_active
    assert _rows(db, "playground", but=("credentials",)) == before  # only the secrets went


def test_the_console_states_the_datas_fate(app, playground):
    console, _ = signed_in(app)
    page = console.get("/admin/connections").data
    assert b"kept for <b>30 days</b>" in page and b"deleted for good" in page


# Zendesk sends a Support app no uninstall event: the daily check asks whether the app installation is still there.

def test_a_zendesk_account_whose_app_was_removed_is_uninstalled_by_the_daily_check(app, authorization_server,
                                                                                 make_app, make_installation):
    from adapter import clock
    from adapter import jobs
    from adapter import oauth
    from adapter.providers import zendesk
    from tests.fakes.zendesk import WEBHOOK_ID
    from tests.fakes.zendesk import play_zendesk
    from tests.fakes.zendesk import zendesk_settings

    server = play_zendesk(authorization_server)
    service = make_app(**zendesk_settings(server))
    present = {"82": True, "91": True}
    for number in present:
        server.route("GET", f"/api/v2/apps/installations/{number}.json",
                     lambda request, n=number: (200, {"id": int(n), "app_id": 225, "enabled": True}) if present[n]
                     else (404, {"error": "RecordNotFound", "description": "Not found"}))
    accounts = {name: make_installation("zendesk", name, secrets={}).id for name in ("acme", "globex")}
    with service.app_context(), service.extensions["valuedesk.db"].system() as session:
        for account, number in (("acme", "82"), ("globex", "91")):
            installation = session.get(Installation, accounts[account])
            grant = oauth.Tokens.from_grant(server._issue("read write"), clock.now())  # as a finished consent stores it
            CredentialStore(session, installation.id).set(zendesk.OAUTH_APP.credential, grant.dumps())
            installation.settings = {"zendesk": {"webhook_id": WEBHOOK_ID, "connected_by": "oauth",
                                                 "app_installation_id": number}}
    with service.app_context():
        jobs.check_zendesk_apps()
    present["82"] = False  # the admin removed the app from acme
    with service.app_context():
        jobs.check_zendesk_apps()
    with service.app_context(), service.extensions["valuedesk.db"].system() as session:
        acme, globex = (session.get(Installation, accounts[name]) for name in ("acme", "globex"))
        assert acme.uninstalled_at is not None and not acme.is_active
        assert CredentialStore(session, acme.id).names() == []
        assert globex.is_active and CredentialStore(session, globex.id).names() == [zendesk.OAUTH_APP.credential]
    assert len(server.revoked) == 1  # acme's grant, revoked on the way out
