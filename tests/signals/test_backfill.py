"""Backfill: suggestions (not signals) for recent customer messages, with a progress bar, resumable."""

from datetime import UTC
from datetime import datetime
from datetime import timedelta

import pytest
from sqlalchemy import select

from adapter.errors import InvalidInput
from adapter.errors import Unavailable
from adapter.installations import PLAYGROUND_ID
from adapter.models import BackfillRun
from adapter.models import Signal
from adapter.models import Suggestion
from adapter.providers import playground
from adapter.signals import backfill


@pytest.fixture
def history(runner, db, monkeypatch):
    # The seeded tickets' events are not processed, so every suggestion comes from the backfill.
    from adapter import intake

    monkeypatch.setattr(intake, "enqueue_processing", lambda receipt_id: True)
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.scalars(select(Suggestion)).all() == []


def test_parse_since():
    now = datetime(2026, 11, 23, tzinfo=UTC)
    assert backfill.parse_since("90d", now) == now - timedelta(days=90)
    assert backfill.parse_since("2w", now) == now - timedelta(weeks=2)
    assert backfill.parse_since("2026-01-31", now) == datetime(2026, 1, 31, tzinfo=UTC)
    with pytest.raises(InvalidInput):
        backfill.parse_since("last year", now)


def test_backfill_creates_suggestions_only_and_reports_progress(runner, db, history):
    result = runner.invoke(args=["signals", "backfill", "--installation", PLAYGROUND_ID, "--since", "30d"])
    assert result.exit_code == 0, result.output
    assert "Done: 7 tickets read" in result.output
    with db.tenant(PLAYGROUND_ID) as session:
        assert session.scalar(select(Suggestion.id).where(Suggestion.ticket_id == "1"))
        assert session.scalars(select(Signal).where(Signal.source != "agent")).all() == []
        assert not session.scalars(select(Signal).where(Signal.ticket_id.in_([str(n) for n in range(1, 8)]))).all()
        assert session.scalars(select(BackfillRun.status)).all() == ["done"]
    again = runner.invoke(args=["signals", "backfill", "--installation", PLAYGROUND_ID, "--since", "30d"])
    assert "0 new suggestions" in again.output


def test_interrupted_backfill_resumes_where_it_stopped(runner, db, history, monkeypatch):
    # Tickets are read oldest-updated first (5, 2, 4, …); reading ticket 4 fails once.
    real = playground.Client.list_comments
    calls = []

    def flaky(self, ticket_id):
        calls.append(ticket_id)
        if ticket_id == "4" and calls.count("4") == 1:
            raise Unavailable("playground is down", provider="playground")
        return real(self, ticket_id)

    monkeypatch.setattr(playground.Client, "list_comments", flaky)
    first = runner.invoke(args=["signals", "backfill", "--installation", PLAYGROUND_ID, "--since", "30d"])
    assert first.exit_code != 0 and "Stopped at ticket 2" in first.output and "again to resume" in first.output
    second = runner.invoke(args=["signals", "backfill", "--installation", PLAYGROUND_ID, "--since", "30d"])
    assert second.exit_code == 0, second.output
    assert "Resuming: 2 tickets done before, 5 to go." in second.output
    assert calls.count("1") == 1 and calls.count("4") == 2  # done tickets were not read again


def test_backfill_refuses_bad_input(runner):
    assert "--since must look like" in runner.invoke(args=["signals", "backfill", "--installation", PLAYGROUND_ID,
                                                           "--since", "soon"]).output
    assert "No installation" in runner.invoke(args=["signals", "backfill", "--installation", "nope"]).output
