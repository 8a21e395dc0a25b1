"""Near-copies through a real database: every kind of edit is found, rewrites are not, short replies never count."""

from datetime import timedelta

import pytest
from sqlalchemy import func
from sqlalchemy import select

from adapter import clock
from adapter.models import ReplyFingerprint
from adapter.models import ReplyKey
from adapter.replies import copies
from adapter.replies import fingerprint

pytestmark = pytest.mark.dated  # the window is counted back from the frozen clock

TEMPLATE = ("We're sorry your bag didn't make it onto your flight. Our baggage team is tracing it now, and most "
            "delayed bags are delivered within a day. Please keep your receipts for essentials.")
SHORT = "Please DM us your confirmation number and we will take a look for you."

EDITED = {
    "1 substituted": TEMPLATE.replace("tracing", "tracking"),
    "3 substituted": TEMPLATE.replace("tracing", "tracking").replace("most", "many").replace("essentials", "items"),
    "3 inserted": TEMPLATE.replace("team is", "team is already").replace("within a day", "within a single day, usually"),
    "3 deleted": TEMPLATE.replace("now, and", "and").replace("Please keep your", "Keep"),
    "greeting, name and sign-off": "Hi Priya, " + TEMPLATE.replace("flight.", "flight, Priya.") + "\n\nBest,\nSam",
    "sentences reordered": ("Please keep your receipts for essentials. We're sorry your bag didn't make it onto your "
                            "flight. Our baggage team is tracing it now, and most delayed bags are delivered within a day."),
    "everything at once": ("Hey Priya! Please keep your receipts for all essentials. We're so sorry your bag didn't "
                           "make it onto your flight. Our baggage team is tracking it now, and most delayed bags are "
                           "delivered within a day. ^SR"),
    "short, 4 words changed": "Please email us your booking number and we will have a look for you.",
}
REWRITTEN = {
    TEMPLATE: "Your bag missed the connection, sorry. It's being traced and should reach you within a day; receipts "
              "for things you had to buy are worth keeping.",
    SHORT: "Could you send us a DM with your confirmation number? We'd like to look into this.",
}


def store(tenant, text, ticket, *, comment=None, days_ago=0, names=()):
    with tenant() as session:
        return copies.record_reply(session, ticket_id=ticket, comment_id=comment or f"{ticket}-{hash(text) % 10**6}",
                                   agent_id="agent-sam", text=text, names=names,
                                   created_at=clock.now() - timedelta(days=days_ago))


def listed(tenant, draft, *, names=(), threshold=0.8, window_days=30):
    with tenant() as session:
        return copies.near_copies(session, copies.prepare(draft, names), exclude_ticket="draft",
                                  since=clock.now() - timedelta(days=window_days), threshold=threshold)


@pytest.mark.parametrize("edit", sorted(EDITED))
def test_every_kind_of_edit_is_found(tenant, edit):
    original = SHORT if edit.startswith("short") else TEMPLATE
    stored = store(tenant, original, "1")
    [match] = listed(tenant, EDITED[edit], names=("Priya Natarajan", "Sam Rivera"))
    assert (match.fingerprint_id, match.ticket_id) == (stored, "1")
    assert 0.7 <= match.similarity <= 1.0


@pytest.mark.parametrize("original", [TEMPLATE, SHORT])
def test_the_same_topic_written_differently_is_not_a_copy(tenant, original):
    store(tenant, original, "1")
    assert listed(tenant, REWRITTEN[original]) == []


def test_short_replies_are_neither_stored_nor_matched(tenant):
    assert store(tenant, "Thanks so much, glad it works now!", "1") is None  # 7 words
    assert store(tenant, "@cust Hi Dana! Thanks so much, glad it works! ^AB", "2") is None
    with tenant() as session:
        assert session.scalar(select(func.count()).select_from(ReplyFingerprint)) == 0
        assert session.scalar(select(func.count()).select_from(ReplyKey)) == 0


def test_window_ticket_and_threshold(tenant):
    store(tenant, TEMPLATE, "old", days_ago=40)
    store(tenant, TEMPLATE, "draft")  # the draft's own ticket
    assert listed(tenant, TEMPLATE) == []
    store(tenant, EDITED["3 substituted"], "2")
    assert len(listed(tenant, TEMPLATE)) == 1
    assert listed(tenant, TEMPLATE, threshold=0.95) == []  # 3 edits are more than 5% of 32 words
    assert len(listed(tenant, TEMPLATE, window_days=60)) == 2


def test_reads_stay_bounded_however_often_a_reply_was_sent(tenant):
    with tenant() as session:
        prepared = copies.prepare(TEMPLATE)
        for n in range(copies.PER_KEY + 10):
            copies.record_reply(session, ticket_id=str(n), comment_id=f"c{n}", agent_id="a", text=TEMPLATE,
                                prepared=prepared)
        assert len(copies.candidates(session, prepared)) == copies.PER_KEY  # the newest per band key
    assert len(listed(tenant, EDITED["1 substituted"])) == copies.PER_KEY


def test_one_installation_never_meets_anothers_replies(db, tenant, make_installation):
    other = make_installation().id
    with db.tenant(other) as session:
        copies.record_reply(session, ticket_id="1", comment_id="c1", agent_id="a", text=TEMPLATE)
        other_keys = set(session.scalars(select(ReplyKey.key)))
    store(tenant, SHORT, "1")
    with tenant() as session:
        own_keys = set(copies.prepare(TEMPLATE).keys(tenant.id))
        assert not own_keys & other_keys  # the installation is part of every key
        assert copies.candidates(session, copies.prepare(TEMPLATE)) == []
    assert listed(tenant, TEMPLATE) == []


def test_forgetting_a_reply_removes_its_keys(tenant):
    store(tenant, TEMPLATE, "1", days_ago=10)
    store(tenant, SHORT, "2", days_ago=1)
    with tenant() as session:
        assert copies.forget_before(session, clock.now() - timedelta(days=5)) == 1
        assert session.scalar(select(func.count()).select_from(ReplyKey)) == fingerprint.BANDS
    assert listed(tenant, TEMPLATE) == [] and len(listed(tenant, SHORT)) == 1


def test_replies_stored_before_0010_are_refingerprinted_from_their_text(tenant):
    kept = store(tenant, TEMPLATE, "1")
    gone = store(tenant, SHORT, "2")
    with tenant() as session:  # as revision 0010 leaves them: an old signature, no keys, text or not
        session.execute(ReplyKey.__table__.delete())
        session.execute(ReplyFingerprint.__table__.update().values(version=None, signature=b"\x00" * 512))
        session.execute(ReplyFingerprint.__table__.update().where(ReplyFingerprint.id == gone).values(text=None))
    assert listed(tenant, TEMPLATE) == []  # not matched yet, and no error
    with tenant() as session:
        assert copies.refingerprint(session) == {"refingerprinted": 1, "removed": 1}
        assert copies.refingerprint(session) == {"refingerprinted": 0, "removed": 0}
    assert [m.fingerprint_id for m in listed(tenant, EDITED["3 substituted"])] == [kept]
