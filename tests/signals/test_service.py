"""Signals through the real pipeline: customer messages become suggestions; auto-confirm; retraining."""

import pytest
from sqlalchemy import select

from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.models import PlaygroundTicket
from adapter.models import Signal
from adapter.models import SignalModel
from adapter.models import Suggestion
from adapter.signals import model as learned
from adapter.signals import service
from adapter.signals import taxonomy


@pytest.fixture
def playground(runner, db):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    return PLAYGROUND_ID


def suggestions(db, ticket_id):
    with db.tenant(PLAYGROUND_ID) as session:
        rows = session.scalars(select(Suggestion).where(Suggestion.ticket_id == str(ticket_id))).all()
        return {s.type_key: s.quote for s in rows}


def test_seeded_customer_messages_become_suggestions(db, playground):
    assert set(suggestions(db, 1)) == {"bug", "churn_risk", "competitor"}
    assert "Export failed (504)" in suggestions(db, 1)["bug"]
    assert suggestions(db, 1)["competitor"].endswith("moving to Xero.")
    assert "docs_gap" in suggestions(db, 4) and "praise" in suggestions(db, 5)
    # Agents' replies are never mined for customer signals.
    assert all("I'll check with our product team" not in q for q in suggestions(db, 2).values())


def test_agent_replies_and_private_notes_are_ignored(client, db, playground):
    before = suggestions(db, 3)
    client.post("/playground/api/tickets/3/comments", json={"author_role": "agent", "body": "This is broken, sorry!"})
    client.post("/playground/api/tickets/3/comments",
                json={"author_role": "agent", "body": "Internal: customer wants to cancel", "public": False})
    assert suggestions(db, 3) == before


def test_new_customer_message_is_suggested_once(client, db, playground):
    client.post("/playground/api/tickets/3/comments", json={"author_role": "customer", "body": "Is there a guide for exports?"})
    assert "docs_gap" in suggestions(db, 3)


def test_auto_confirm_tags_the_ticket_when_opted_in(client, db, playground):
    with db.system() as session:
        taxonomy.update_settings(session.get(Installation, PLAYGROUND_ID), auto_confirm=True, auto_confirm_threshold=0.8)
    client.post("/playground/api/tickets/6/comments",
                json={"author_role": "customer", "body": "Your app keeps crashing and the export is broken."})
    with db.tenant(PLAYGROUND_ID) as session:
        signal = session.scalars(select(Signal).where(Signal.ticket_id == "6", Signal.type_key == "bug")).one()
        assert (signal.source, signal.agent_name) == ("auto", "Valuedesk (auto-confirm)")
        assert "vd_bug" in session.get(PlaygroundTicket, 6).tags


def test_retraining_uses_decisions_and_stores_a_model(db, playground):
    from adapter.playground import helpdesk  # noqa: F401
    from adapter.providers.base import Ticket

    ticket = Ticket("1", "s", "open", "Dana", "dana@x.example", "Northwind", None, None, (), "u")
    with db.tenant(PLAYGROUND_ID) as session:
        baseline = service.decisions_since_training(session)
        assert service.due_for_training(session) == (baseline >= learned.MIN_EXAMPLES)  # the first model after ~10
        agent = service.Actor("agent-sam", "Sam Rivera")
        texts = ["The upload crashes", "Export fails again", "Error 500 on save", "Login is broken", "Totals are wrong",
                 "Please add SSO", "Could you add dark mode", "Would love an API for notes", "Add Slack alerts",
                 "Let us export to Excel"] * 3
        for n, text in enumerate(texts):
            service.add(session, ticket, "bug" if n % 10 < 5 else "feature_request", f"{text} #{n}", agent)
        assert service.decisions_since_training(session) == baseline + 30
        trained = service.retrain(session)
        assert trained is not None and {"bug", "feature_request"} <= set(trained.types)
        assert session.scalar(select(SignalModel.examples)) == baseline + 30
        assert service.decisions_since_training(session) == 0 and not service.due_for_training(session)
        blended = service.current_model(session)
        assert blended.own is not None and 0.5 < blended.weight < 1
        assert blended.predict(["the page crashes"])[0]["bug"] > 0.5
