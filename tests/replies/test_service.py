"""Copy-paste warnings against a real database: near-copies, macros, unanswered asks, retention, tenancy."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from adapter import clock
from adapter.api import domain_status
from adapter.errors import ApiError
from adapter.errors import DomainError
from adapter.installations import PLAYGROUND_ID
from adapter.models import Installation
from adapter.models import MacroText
from adapter.models import ReplyContext
from adapter.models import ReplyFingerprint
from adapter.models import ReplyKey
from adapter.replies import service

pytestmark = pytest.mark.dated  # also run at the fixed instants of `make test` (README, Testing)

ANSWER = ("Thanks for flagging this. Our team is aware that large exports can time out and a fix ships next week. "
          "Until then, exporting one month at a time works reliably and keeps every invoice intact.")
EDITED = ANSWER.replace("keeps every invoice intact", "nothing gets lost along the way").replace(
    "a fix ships next week", "engineers expect to fix it soon")  # the same topic, 11 of 37 words rewritten
TWO_WORDS_CHANGED = ANSWER.replace("reliably", "fine").replace("large", "big")
REFUND_MACRO = ("Thanks for reaching out! Refunds are available within 30 days of purchase. You can request one "
                "from Settings > Billing > Request refund, and it usually arrives within 5-10 business days. Let us "
                "know if there is anything else we can help with.")


def store(tenant, text, tickets, *, agent="agent-sam", days_ago=0):
    with tenant() as session:
        for n in tickets:
            service.record_reply(session, ticket_id=str(n), comment_id=f"c-{n}-{hash(text) % 10_000}",
                                 agent_id=agent, text=text, created_at=clock.now() - timedelta(days=days_ago))


def check(tenant, draft, ticket="999", agent="agent-sam", **kwargs):
    with tenant() as session:
        installation = session.get(Installation, tenant.id)
        return service.check(session, installation, ticket_id=ticket, agent_id=agent, draft=draft, **kwargs)


def kinds(result):
    return [w.kind for w in result.warnings]


def test_repeated_needs_enough_near_copies_on_other_tickets(tenant):
    store(tenant, ANSWER, range(1, 5))
    assert kinds(check(tenant, ANSWER)) == []  # four earlier copies: under the default of five
    store(tenant, ANSWER.replace("Thanks", "Hi Lee, thanks"), [5])
    result = check(tenant, "Hello Ana! " + ANSWER)
    assert kinds(result) == ["repeated"]
    assert "5 replies" in result.warnings[0].title
    assert len(result.warnings[0].examples) == 2  # the agent's own, at most two


def test_copies_on_the_same_ticket_and_old_ones_do_not_count(tenant):
    store(tenant, ANSWER, [999, 999])
    store(tenant, ANSWER, range(1, 6), days_ago=31)
    assert kinds(check(tenant, ANSWER, ticket="999")) == []


def test_threshold(tenant):
    store(tenant, EDITED, range(1, 6))
    assert kinds(check(tenant, ANSWER)) == []  # related, but far more than a few words apart
    store(tenant, TWO_WORDS_CHANGED, range(11, 16))
    assert kinds(check(tenant, ANSWER)) == ["repeated"]
    with tenant() as session:
        service.update_settings(session.get(Installation, tenant.id), threshold=0.95)
    assert kinds(check(tenant, ANSWER)) == []  # two edits are more than 5% of 35 words
    assert kinds(check(tenant, TWO_WORDS_CHANGED)) == ["repeated"]


def test_examples_are_never_other_agents_texts(tenant):
    store(tenant, ANSWER, range(1, 6), agent="agent-alex")
    result = check(tenant, ANSWER, agent="agent-sam")
    assert kinds(result) == ["repeated"] and result.warnings[0].examples == ()


def test_short_replies_are_meant_to_repeat(tenant):
    store(tenant, "Thanks so much, glad it works!", range(1, 20))
    assert check(tenant, "Thanks so much, glad it works!").warnings == []


def test_unedited_macro_but_not_a_personalised_one(tenant):
    with tenant() as session:
        assert service.sync_macros(session, session.get(Installation, tenant.id)) == 3
    store(tenant, REFUND_MACRO, range(1, 8))
    unchanged = check(tenant, "Hi Dana,\n\n" + REFUND_MACRO + "\n\nBest,\nSam", customer_name="Dana Whitfield",
                      agent_name="Sam Rivera")
    assert kinds(unchanged) == ["unedited_macro"]  # not also "repeated": one clear nudge
    assert "Refund policy" in unchanged.warnings[0].title
    personalised = ("Hi Dana, I checked your account: the March charge of $49 was taken twice because the card "
                    "retried after a timeout, so I've refunded the duplicate today. " + REFUND_MACRO)
    assert check(tenant, personalised, customer_name="Dana Whitfield").warnings == []


def test_not_addressed_uses_the_latest_customer_message(tenant):
    with tenant() as session:
        service.record_customer_message(session, "999", "Why was order #55512 charged twice?", "Elena Petrova")
    missed = check(tenant, "Thanks for your message, we appreciate your patience while we look at things.")
    assert kinds(missed) == ["not_addressed"]
    assert missed.warnings[0].title.startswith("Elena's message") and "55512" in missed.warnings[0].detail
    on_topic = check(tenant, "I refunded the second charge on order 55512 just now.")
    assert on_topic.warnings == []
    assert check(tenant, "Anything", customer_message="Thanks, all good now!").warnings == []


def test_newer_customer_message_replaces_older(tenant):
    with tenant() as session:
        service.record_customer_message(session, "7", "Where is booking ABC123?", "Li Wei")
        service.record_customer_message(session, "7", "Older message", "Li Wei", clock.now() - timedelta(hours=1))
        assert session.scalar(select(ReplyContext.message)) == "Where is booking ABC123?"


@pytest.mark.parametrize("draft, status", [("", 400), ("   ", 400), ("x" * (service.MAX_DRAFT_CHARS + 1), 413)])
def test_bad_drafts(tenant, draft, status):
    with pytest.raises((ApiError, DomainError)) as error:
        check(tenant, draft)
    refusal = error.value
    assert (domain_status(refusal) if isinstance(refusal, DomainError) else refusal.status) == status


def test_duplicate_deliveries_store_once(tenant):
    with tenant() as session:
        assert service.record_reply(session, ticket_id="1", comment_id="c1", agent_id="a", text=ANSWER) is not None
        assert service.record_reply(session, ticket_id="1", comment_id="c1", agent_id="a", text=ANSWER) is None
        assert service.record_reply(session, ticket_id="1", comment_id="c2", agent_id="a", text="Thanks!") is None
        assert session.scalar(select(func.count()).select_from(ReplyKey)) == 40


def test_fingerprints_are_per_installation(db, tenant, make_installation):
    other_id = make_installation().id
    with db.tenant(other_id) as session:
        for n in range(10):
            service.record_reply(session, ticket_id=str(n), comment_id=f"o{n}", agent_id="agent-sam", text=ANSWER)
    result = check(tenant, ANSWER)
    assert result.warnings == [] and result.matches == []
    with tenant() as session:
        assert session.scalar(select(func.count()).select_from(ReplyFingerprint)) == 0


def test_retention_drops_text_then_fingerprints(tenant):
    store(tenant, ANSWER, [1], days_ago=10)
    store(tenant, EDITED, [2], days_ago=100)
    with tenant() as session:
        installation = session.get(Installation, tenant.id)
        service.update_settings(installation, retention_days=7)
        assert service.purge(session, installation) == {"texts_cleared": 1, "fingerprints_removed": 1,
                                                        "contexts_removed": 0}
        [kept] = session.scalars(select(ReplyFingerprint)).all()
        assert (kept.ticket_id, kept.text) == ("1", None)  # text gone after 7 days; fingerprint kept for the window
        assert session.scalar(select(func.count()).select_from(ReplyKey)) == 40


def test_macro_sync_adds_changes_and_removes(tenant, monkeypatch):
    from adapter.providers import playground
    from adapter.providers.base import Macro

    with tenant() as session:
        installation = session.get(Installation, tenant.id)
        service.sync_macros(session, installation)
        monkeypatch.setattr(playground, "MACROS", (Macro("macro-refund-policy", "Refunds", "New text"),))
        assert service.sync_macros(session, installation) == 1
        [macro] = session.scalars(select(MacroText)).all()
        assert (macro.title, macro.body) == ("Refunds", "New text")


def test_webhook_replies_are_fingerprinted(client, db, runner):
    assert runner.invoke(args=["demo-data"]).exit_code == 0
    client.post("/playground/api/tickets/3/comments",
                json={"author_role": "agent", "body": ANSWER, "public": True, "agent_id": "agent-sam"})
    client.post("/playground/api/tickets/3/comments",
                json={"author_role": "agent", "body": "Internal: " + ANSWER, "public": False, "agent_id": "agent-sam"})
    client.post("/playground/api/tickets/3/comments",
                json={"author_role": "customer", "body": "Does the fix cover PDF exports too?", "public": True})
    with db.tenant(PLAYGROUND_ID) as session:
        texts = session.scalars(select(ReplyFingerprint.text).where(ReplyFingerprint.ticket_id == "3")).all()
        assert ANSWER in texts and not any(t.startswith("Internal") for t in texts)
        context = session.scalar(select(ReplyContext).where(ReplyContext.ticket_id == "3"))
        assert context.message == "Does the fix cover PDF exports too?"
        assert session.scalar(select(func.count()).select_from(MacroText)) == 3  # synced by demo-data
