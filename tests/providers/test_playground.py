"""The playground provider: every fixture parses to its domain event; the client implements the Helpdesk protocol."""

import pytest

from adapter.errors import NotFound
from adapter.errors import UnsupportedEvent
from adapter.events import CommentAdded
from adapter.events import TicketAssigned
from adapter.events import TicketCreated
from adapter.events import TicketStatusChanged
from adapter.models import PlaygroundTicket
from adapter.providers import playground
from tests.conftest import load_fixture


def test_comment_created():
    event = playground.parse_event("i", load_fixture("playground", "comment_created"))
    assert event == CommentAdded("i", "1", "11", "customer", True)


def test_comment_created_agent_reply():
    event = playground.parse_event("i", load_fixture("playground", "comment_created__agent_reply"))
    assert event == CommentAdded("i", "1", "12", "agent", True, author_id="agent-sam")


def test_ticket_created():
    assert playground.parse_event("i", load_fixture("playground", "ticket_created")) == TicketCreated("i", "1")


def test_ticket_status_changed():
    event = playground.parse_event("i", load_fixture("playground", "ticket_status_changed"))
    assert event == TicketStatusChanged("i", "1", "solved", "open")


def test_ticket_assigned():
    event = playground.parse_event("i", load_fixture("playground", "ticket_assigned"))
    assert event == TicketAssigned("i", "1", "agent-priya", "Priya Natarajan")


def test_ticket_viewed():
    assert playground.parse_event("i", load_fixture("playground", "ticket_viewed")) is None


def test_ticket_merged():
    with pytest.raises(UnsupportedEvent):
        playground.parse_event("i", load_fixture("playground", "ticket_merged"))


def test_client_tags_notes_and_comments(db, make_installation):
    inst = make_installation(account="acme")
    with db.tenant(inst.id) as session:
        ticket = PlaygroundTicket(subject="S", requester_name="R", requester_email="r@x.example", tags=["vip"])
        session.add(ticket)
        session.flush()
        client = playground.Client(session, inst.id, "https://vd.test")
        client.add_tags(str(ticket.id), ["vd_bug", "vip"])
        client.remove_tags(str(ticket.id), ["vip"])
        client.add_private_note(str(ticket.id), "Refunded $12.00")
        fetched = client.get_ticket(str(ticket.id))
        assert fetched.tags == ("vd_bug",)
        assert fetched.url == f"https://vd.test/playground/tickets/{ticket.id}"
        [note] = client.list_comments(str(ticket.id))
        assert (note.public, note.author_role, note.body) == (False, "system", "Refunded $12.00")
        with pytest.raises(NotFound):
            client.get_ticket("999999")
        with pytest.raises(NotFound):
            client.get_ticket("not-a-number")
