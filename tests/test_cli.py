"""The valuedesk command: migrate, installations CRUD, demo-data, and serve/worker refusing an unmigrated database."""

import os
import subprocess
import sys

from adapter.credentials import CredentialStore
from adapter.models import Installation
from adapter.models import PlaygroundTicket
from adapter.models import WebhookReceipt


def test_installations_add_list_show_disable_enable(runner, db):
    result = runner.invoke(args=["installations", "add", "--kind", "zendesk", "--account", "https://acme.zendesk.com",
                                 "--name", "Acme Support", "--timezone", "Europe/Berlin"])
    assert result.exit_code == 0, result.output
    installation_id = result.output.split()[2]
    assert installation_id.startswith("zd-acme-")

    listed = runner.invoke(args=["installations", "list"])
    assert f"{installation_id}\tzendesk\tacme\tAcme Support\tactive" in listed.output

    with db.tenant(installation_id) as session:
        CredentialStore(session, installation_id).set("api_token", "super-secret-token")
    shown = runner.invoke(args=["installations", "show", installation_id])
    assert "timezone:       Europe/Berlin" in shown.output
    assert "credentials:    api_token" in shown.output
    assert "super-secret-token" not in shown.output
    assert f"https://valuedesk.test/webhooks/zendesk/{installation_id}" in shown.output

    assert runner.invoke(args=["installations", "disable", installation_id]).exit_code == 0
    with db.system() as session:
        assert session.get(Installation, installation_id).is_active is False
    assert "disabled" in runner.invoke(args=["installations", "list"]).output
    assert runner.invoke(args=["installations", "enable", installation_id]).exit_code == 0
    with db.system() as session:
        assert session.get(Installation, installation_id).is_active is True


def test_uninstall_forgets_keys_keeps_data_and_enable_takes_it_back(runner, db, frozen_clock):
    from adapter import lifecycle

    installation_id = runner.invoke(args=["installations", "add", "--kind", "zendesk", "--account", "acme"]
                                    ).output.split()[2]
    with db.tenant(installation_id) as session:
        CredentialStore(session, installation_id).set("api_token", "super-secret-token")
    refused = runner.invoke(args=["installations", "uninstall", installation_id], input="n\n")
    assert refused.exit_code == 1  # aborted: nothing changed
    with db.system() as session:
        assert session.get(Installation, installation_id).is_active
    done = runner.invoke(args=["installations", "uninstall", installation_id, "--yes"])
    assert done.exit_code == 0 and "credential api_token deleted" in done.output, done.output
    shown = runner.invoke(args=["installations", "show", installation_id]).output
    assert "uninstalled (data deleted on 2026-12-18)" in shown and "credentials:    none" in shown
    assert runner.invoke(args=["installations", "enable", installation_id]).exit_code == 0
    frozen_clock.advance(days=31)
    with db.system() as session:  # enabled again: the purge leaves it alone
        assert lifecycle.purge_uninstalled(session, 30) == []
        assert session.get(Installation, installation_id).is_active


def test_add_refuses_bad_input_with_a_message(runner):
    result = runner.invoke(args=["installations", "add", "--kind", "zendesk", "--account", "acme", "--timezone", "Nowhere/Else"])
    assert result.exit_code != 0
    assert "not a known timezone" in result.output
    runner.invoke(args=["installations", "add", "--kind", "zendesk", "--account", "acme"])
    again = runner.invoke(args=["installations", "add", "--kind", "zendesk", "--account", "acme"])
    assert again.exit_code != 0 and "already installed" in again.output


def test_show_unknown_installation(runner):
    result = runner.invoke(args=["installations", "show", "nope"])
    assert result.exit_code != 0
    assert "No installation 'nope'" in result.output


def test_migrate_is_idempotent(runner):
    assert "up to date" in runner.invoke(args=["migrate"]).output


def test_demo_data_seeds_once_and_processes_events(runner, db):
    first = runner.invoke(args=["demo-data"])
    assert first.exit_code == 0, first.output
    assert "Playground ready" in first.output
    with db.tenant("playground") as session:
        tickets = session.query(PlaygroundTicket).count()
        assert tickets >= 7
        assert {r.status for r in session.query(WebhookReceipt)} == {"done"}
    second = runner.invoke(args=["demo-data"])
    assert "already has its sample tickets" in second.output
    with db.tenant("playground") as session:
        assert session.query(PlaygroundTicket).count() == tickets


def test_serve_and_worker_refuse_an_unmigrated_database(tmp_path):
    env = {"VALUEDESK_SECRET_KEY": "s" * 40, "DATABASE_URL": f"sqlite:///{tmp_path}/empty.db",
           "VALUEDESK_DATA_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}
    for command in ("serve", "worker"):
        result = subprocess.run([sys.executable, "-m", "adapter.cli", command], env=env, cwd=tmp_path,
                                capture_output=True, text=True, timeout=60)
        assert result.returncode != 0
        assert "is not migrated" in result.stderr and "valuedesk migrate" in result.stderr


def test_missing_secret_stops_the_cli_with_its_name(tmp_path):
    result = subprocess.run([sys.executable, "-m", "adapter.cli", "migrate"], env={"PATH": "/usr/bin:/bin"},
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "VALUEDESK_SECRET_KEY is not set" in result.stderr
    assert "Traceback" not in result.stderr


def test_connect_zendesk_prints_what_it_did(runner, no_network):
    from tests.test_connections import register_zendesk

    register_zendesk(no_network)
    result = runner.invoke(args=["installations", "connect", "zendesk", "--subdomain", "acme",
                                 "--email", "priya@acme.example", "--token", "api-token"])
    assert result.exit_code == 0, result.output
    assert "Connected acme.zendesk.com as installation zd-acme-" in result.output
    assert "created  webhook 01GSAK5KXNEV4JHCB0AKTE0BX4" in result.output
    assert "Installation token" in result.output
    assert "api-token" not in result.output


def test_connect_zendesk_explains_refusals(runner, no_network):
    from tests.support import zendesk_api

    zendesk_api(no_network, "GET", "users/me.json", "error_unauthorized", status=401)
    result = runner.invoke(args=["installations", "connect", "zendesk", "--subdomain", "acme",
                                 "--email", "x@acme.example", "--token", "bad"])
    assert result.exit_code != 0
    assert "Zendesk said no" in result.output


def test_package_zendesk_needs_no_configuration(tmp_path):
    env = {"PATH": "/usr/bin:/bin"}
    result = subprocess.run([sys.executable, "-m", "adapter.cli", "package", "zendesk", "--url",
                             "https://vd.example.com", "-o", str(tmp_path)], env=env, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "valuedesk-zendesk-1.0.0.zip").exists()


def test_connect_freshdesk_prints_settings_and_rules(runner, no_network):
    from tests.support import freshdesk_api

    freshdesk_api(no_network, "GET", "agents/me", "agents_me")
    result = runner.invoke(args=["installations", "connect", "freshdesk", "--domain", "acme", "--api-key", "api-key-123"])
    assert result.exit_code == 0, result.output
    assert "Installation token:" in result.output and "Webhook secret:" in result.output
    assert "Rule 2: Valuedesk: ticket updated" in result.output
    assert "api-key-123" not in result.output


def test_signals_classify_and_train_commands(tmp_path):
    import json

    env = {"PATH": "/usr/bin:/bin"}
    lines = '{"id": 1, "text": "It crashes with error 500"}\n{"id": 2, "text": "Hello"}\nbroken\n'
    result = subprocess.run([sys.executable, "-m", "adapter.cli", "signals", "classify"], input=lines, env=env,
                            cwd=tmp_path, capture_output=True, text=True, timeout=60)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1  # one bad line
    assert out[0]["labels"] == ["bug"] and set(out[0]["scores"]) >= {"bug", "praise", "competitor"}
    assert out[1]["labels"] == [] and "error" in out[2]
    from tests.conftest import FIXTURES

    trained = subprocess.run([sys.executable, "-m", "adapter.cli", "signals", "train", "--data",
                              str(FIXTURES / "signals" / "training.jsonl"), "-o", str(tmp_path / "m.pkl")],
                             env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert trained.returncode == 0 and "Trained on 36 examples" in trained.stdout
    too_little = tmp_path / "few.jsonl"
    too_little.write_text('{"text": "a", "labels": ["bug"]}\n')
    refused = subprocess.run([sys.executable, "-m", "adapter.cli", "signals", "train", "--data", str(too_little)],
                             env=env, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0 and "Not enough data" in refused.stderr


def test_commitments_detect_uses_calendar_days_without_an_installation(tmp_path):
    import json

    lines = "\n".join([
        json.dumps({"id": "a", "text": "I'll get back to you tomorrow.", "sent_at": "2026-11-20T10:00:00Z"}),
        json.dumps({"id": "b", "text": "Please DM us.", "sent_at": "2026-11-20T10:00:00Z", "timezone": "Asia/Tokyo"}),
        json.dumps({"id": "c", "text": "We'll update you by end of day.", "sent_at": "2026-11-20T10:00:00",
                    "timezone": "America/New_York"}),
        json.dumps({"id": "d", "text": "Soon", "sent_at": "yesterday"}),
        json.dumps({"id": "e", "text": "Hi", "sent_at": "2026-11-20T10:00:00Z", "timezone": "Mars/Olympus"}),
    ]) + "\n"
    result = subprocess.run([sys.executable, "-m", "adapter.cli", "commitments", "detect"], input=lines,
                            env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    out = {row["id"]: row for row in map(json.loads, result.stdout.splitlines())}
    assert result.returncode == 1  # two bad lines, reported and skipped
    # Friday: calendar days make "tomorrow" Saturday, ending at 23:59:59.
    assert out["a"] == {"id": "a", "promise": True, "conditional": False, "vague": False, "timed": True,
                        "due_text": "tomorrow", "due_at": "2026-11-21T23:59:59+00:00",
                        "sentence": "I'll get back to you tomorrow.", "phrasing": "first_person"}
    assert out["b"]["promise"] is False and out["b"]["due_at"] is None
    assert out["c"]["due_at"] == "2026-11-21T04:59:59+00:00"  # 23:59:59 in New York
    assert "sent_at must be an ISO time" in out["d"]["error"]
    assert "unknown timezone" in out["e"]["error"]


def test_commitments_detect_with_an_installation_uses_its_business_hours(runner, make_installation):
    import json

    installation_id = make_installation(timezone="Europe/London").id
    line = json.dumps({"id": 1, "text": "I'll get back to you tomorrow.", "sent_at": "2026-11-20T10:00:00Z"})
    result = runner.invoke(args=["commitments", "detect", "--installation", installation_id], input=line + "\n")
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["due_at"] == "2026-11-23T17:00:00+00:00"  # Monday, closing time
    unknown = runner.invoke(args=["commitments", "detect", "--installation", "nope"], input=line + "\n")
    assert unknown.exit_code != 0 and "No installation 'nope'" in unknown.output


def test_replies_check_compares_each_line_with_the_ones_before(tmp_path):
    import json

    answer = ("Thanks for flagging this. Our team is aware that large exports can time out and a fix ships next "
              "week. Until then, exporting one month at a time works reliably.")
    lines = [json.dumps({"id": n, "text": f"Hi customer{n}, " + answer, "agent": "sam"}) for n in range(1, 4)]
    lines += [json.dumps({"id": "q", "text": "Refunds take 5-10 days to arrive on your card, we appreciate your patience.",
                          "customer_message": "Why was order #55512 charged twice?"}), "{", json.dumps({"text": "no id"})]
    result = subprocess.run([sys.executable, "-m", "adapter.cli", "replies", "check", "--min-matches", "2"],
                            input="\n".join(lines) + "\n", env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 1, result.stderr  # two bad lines, reported and skipped
    assert [row.get("similar") for row in out[:3]] == [[], [1], [2, 1]]
    assert [w["kind"] for w in out[2]["warnings"]] == ["repeated"]
    assert [w["kind"] for w in out[3]["warnings"]] == ["not_addressed"]
    assert "not JSON" in out[4]["error"] and "lacks id" in out[5]["error"]
    assert list(tmp_path.iterdir()) == []  # the temporary database is gone


def test_replies_check_sees_through_a_greeting_a_name_and_a_changed_word(tmp_path):
    import json

    answer = ("We're sorry your bag didn't make it onto your flight. Our baggage team is tracing it now, and most "
              "delayed bags are delivered within a day.")
    dressed = [("Dana", "tracing"), ("Marcus", "tracking"), ("Priya", "locating")]
    lines = [json.dumps({"id": n, "text": f"Hi {name}, " + answer.replace("tracing", word) + f" Thanks, {name}! ^SR"})
             for n, (name, word) in enumerate(dressed, 1)]
    lines.append(json.dumps({"id": "other", "text": "Your bag missed the connection, sorry. It is being traced and "
                                                    "should reach you within a day."}))
    result = subprocess.run([sys.executable, "-m", "adapter.cli", "replies", "check", "--min-matches", "2"],
                            input="\n".join(lines) + "\n", env={"PATH": "/usr/bin:/bin"}, cwd=tmp_path,
                            capture_output=True, text=True, timeout=60)
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stderr
    assert [row["similar"] for row in out] == [[], [1], [2, 1], []]
    assert [w["kind"] for w in out[2]["warnings"]] == ["repeated"] and out[3]["warnings"] == []


def test_replies_refingerprint_moves_replies_stored_before_0010(runner, db, make_installation):
    from sqlalchemy import update

    from adapter.models import ReplyFingerprint
    from adapter.replies import copies

    installation_id = make_installation().id
    with db.tenant(installation_id) as session:
        copies.record_reply(session, ticket_id="1", comment_id="c1", agent_id="a",
                            text="Our baggage team is tracing your bag now and most bags arrive within a day.")
        session.execute(update(ReplyFingerprint).values(version=None))
    result = runner.invoke(args=["replies", "refingerprint"])
    assert result.exit_code == 0 and "Re-fingerprinted 1 replies." in result.output
    assert "Re-fingerprinted 0 replies." in runner.invoke(args=["replies", "refingerprint"]).output


def test_replies_sync_macros(runner, make_installation):
    installation_id = make_installation().id
    result = runner.invoke(args=["replies", "sync-macros", "--installation", installation_id])
    assert result.exit_code == 0 and "Synced 3 macros." in result.output
    assert runner.invoke(args=["replies", "sync-macros", "--installation", "nope"]).exit_code != 0


def not_serving(monkeypatch, seen: dict) -> None:
    """Go through `serve` up to the server, recording the public URL the served app would read instead of serving."""
    from adapter import server
    from adapter.cli import server as serve_command

    monkeypatch.setattr(serve_command, "create_app", lambda: seen.setdefault("url", os.environ.get("VALUEDESK_PUBLIC_URL")))
    monkeypatch.setattr(server, "create", lambda app, **options: None)
    monkeypatch.setattr(server, "run", lambda httpd, on_exit=None: None)


def test_serve_on_another_port_hands_out_links_to_that_port(runner, monkeypatch, tmp_path):
    seen = {}
    monkeypatch.chdir(tmp_path)  # no .env here
    monkeypatch.setenv("VALUEDESK_PUBLIC_URL", "-")  # recorded, so whatever the command sets is undone afterwards
    monkeypatch.delenv("VALUEDESK_PUBLIC_URL")
    not_serving(monkeypatch, seen)
    assert runner.invoke(args=["serve", "--port", "8101"]).exit_code == 0
    assert seen["url"] == "http://127.0.0.1:8101"


def test_serve_keeps_a_public_url_that_was_set(runner, monkeypatch, tmp_path):
    seen = {}
    monkeypatch.chdir(tmp_path)
    (tmp_path / ".env").write_text("VALUEDESK_PUBLIC_URL=https://support-tools.example\n")
    monkeypatch.setenv("VALUEDESK_PUBLIC_URL", "-")  # recorded, so whatever the command sets is undone afterwards
    monkeypatch.delenv("VALUEDESK_PUBLIC_URL")
    not_serving(monkeypatch, seen)
    assert runner.invoke(args=["serve", "--port", "8101"]).exit_code == 0
    assert seen["url"] == "https://support-tools.example"  # the .env file's, not the port's
