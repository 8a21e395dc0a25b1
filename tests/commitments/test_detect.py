"""Promise detection: every class of phrasing that promises, every class that does not, conditional and vague flags."""

from datetime import UTC
from datetime import datetime
from datetime import time

import pytest

from adapter.commitments.detect import Detection
from adapter.commitments.detect import detect
from adapter.commitments.detect import is_promise
from adapter.commitments.schedule import Schedule

LONDON = Schedule(timezone="Europe/London")  # Mon–Fri 09:00–17:00
WEDNESDAY = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)  # 10:00 in London (GMT)
NEXT_WORKING_DAY = datetime(2026, 11, 19, 17, 0, tzinfo=UTC)  # the default due time from WEDNESDAY


def found(reply: str) -> Detection:
    return detect(reply, WEDNESDAY, LONDON)


# (reply, the phrasing class the detector names)
PROMISES = [
    # The agent, first person, doing something on this case or getting back.
    ("I'll get back to you tomorrow with the tracking number.", "first_person"),
    ("We will refund the second charge to your card.", "first_person"),
    ("I'm going to reset the router remotely and let you know when it's done.", "first_person"),
    ("Will update you on this thread once the carrier replies.", "first_person"),
    ("We've got your screenshots and will get them to engineering today.", "first_person"),
    ("Leave it with me and I'll sort out the invoice.", "first_person"),
    # Checking, or asking someone (the first class of misses).
    ("I'll still be checking with the dev team on this one.", "checking"),
    ("I'll check with our warehouse in Leeds and report back.", "checking"),
    ("I'm checking with the payments team right now.", "checking"),
    ("We're looking into why the order was split.", "checking"),
    ("I'll ask our billing specialist about the credit.", "checking"),
    ("Let me get an expert to look at this.", "let_me"),
    ("Let me see what I can find out about the missing parcel.", "let_me"),
    ("Please give me a few minutes to check your booking.", "let_me"),
    ("Bear with me while I speak to the store.", "let_me"),
    # Information sent later through another channel.
    ("I'll DM you the details shortly.", "channel"),
    ("I'll email you the corrected statement by Friday.", "channel"),
    ("We'll text you the collection code.", "channel"),
    # Polite forms.
    ("I would like to follow up with you tomorrow.", "polite"),
    ("I'd like to call you on Thursday to talk it through.", "polite"),
    ("Rest assured I'll be in touch next week.", "polite"),
    # The company or a named team as the actor; owned by the agent who wrote it.
    ("Our team will be in touch.", "company_or_team"),
    ("The billing team will contact you about the refund.", "company_or_team"),
    ("Someone from our returns team will email you a label.", "company_or_team"),
    ("A specialist from our network team will call you tomorrow.", "company_or_team"),
    ("They will contact me and I'll update you tomorrow.", "company_or_team"),
    # Passive and "you'll hear back".
    ("You should hear back from the claims team within 10 days.", "passive_or_hear_back"),
    ("You'll be contacted by an engineer to arrange a visit.", "passive_or_hear_back"),
    ("You'll receive an email from us with the new booking.", "passive_or_hear_back"),
    ("Expect a call from our technician this afternoon.", "passive_or_hear_back"),
]

NOT_PROMISES = [
    # Requests to the customer.
    ("request", "Please DM us your confirmation number."),
    ("request", "Could you send a photo of the damaged box?"),
    ("request", "Please reach out to our bookings team on 0800 000 000."),
    # Purpose clauses.
    ("purpose", "DM us so we can look into it."),
    ("purpose", "Please send your order number so that we can check with the courier."),
    # Ability.
    ("ability", "We can check that for you at the desk."),
    ("ability", "Our store team will be able to assist you with the exchange."),
    # Offers and courtesy.
    ("offer", "Would you like me to call you tomorrow?"),
    ("offer", "We'd be happy to look into this for you."),
    ("offer", "I'd like to look into this further."),
    ("courtesy", "Happy to help!"),
    ("courtesy", "We'll see you on board next week!"),
    # Hopes.
    ("hope", "We hope to have the app back up later today."),
    ("hope", "Hopefully the parcel turns up tomorrow."),
    # Availability.
    ("availability", "We'll be here if you need anything else."),
    ("availability", "Our chat team is available until 10pm tonight."),
    # Announcements to everyone.
    ("announcement", "We will be closed on Monday for the holiday."),
    ("announcement", "We're aware of the outage and will post updates on our status page."),
    # Things already done.
    ("done", "I have forwarded your request to the team."),
    ("done", "Your refund has been processed today."),
    # Passing feedback along with nothing owed back to the customer.
    ("feedback_relay", "We'll pass your comments on to the kitchen team."),
    ("feedback_relay", "I'll share your feedback with our product managers."),
    ("feedback_relay", "I'll let the crew know they made your day."),
    ("feedback_relay", "I will send a note to our IT team about the broken link."),
    # Operational reassurance about a journey everyone on it shares.
    ("reassurance", "We'll get you on your way as soon as we can."),
    ("reassurance", "We'll have you in the air shortly."),
    # Hedged efforts.
    ("hedge", "We'll do our best to get your bags on the next flight."),
    ("hedge", "We'll try to find you an earlier slot."),
    # Standing offers, negations, facts.
    ("standing_offer", "If you run into any issues in the future, feel free to reach out and we'll gladly assist."),
    ("negation", "We won't be able to refund this booking."),
    ("information", "The refund will appear on your statement in 5-10 days."),
    ("information", "Your flight will depart from Terminal 5 tomorrow."),
    ("empty", ""),
]


@pytest.mark.parametrize("reply, phrasing", PROMISES)
def test_promises_in_every_phrasing_class(reply, phrasing):
    result = found(reply)
    assert result.promise is True, reply
    assert result.phrasing == phrasing, result
    assert result.sentence == reply
    assert result.reasons and 0.5 <= result.confidence <= 1.0


@pytest.mark.parametrize("kind, reply", NOT_PROMISES)
def test_not_promises(kind, reply):
    result = found(reply)
    assert result.promise is False, (kind, result)
    assert result.due_at is None


# (reply, conditional?): a promise is conditional when it waits for the customer to act first.
@pytest.mark.parametrize("reply, conditional", [
    ("DM us your confirmation number and we'll look into it.", True),
    ("Please DM us your booking reference. We'll take a look.", True),
    ("Once you send the screenshot, I'll escalate it to engineering.", True),
    ("What's your order number, I'll check where it is?", True),
    ("If you'd like, I'll call you tomorrow to go through it.", True),
    ("Send me your postcode and our engineers will book a visit.", True),
    ("You can file an appeal here and we'll take a closer look.", True),
    ("If it changes, I'll let you know straight away.", False),
    ("Thanks for your patience! I'll circle back tomorrow with the details.", False),
    ("I've checked with the warehouse. I'll update you as soon as it leaves.", False),
])
def test_conditional_promises_wait_for_the_customer(reply, conditional):
    result = found(reply)
    assert (result.promise, result.conditional) == (True, conditional), result


@pytest.mark.parametrize("reply, words", [
    ("I'll follow up shortly.", "shortly"),
    ("We'll get back to you as soon as possible.", "as soon as possible"),
    ("I'll get back to you in a few days.", "in a few days"),
    ("One moment while I pull up your booking.", "One moment"),
    ("We'll let you know once the engineers have finished.", "once the engineers have finished"),
])
def test_vague_times_keep_the_default_due_time_and_say_so(reply, words):
    result = found(reply)
    assert (result.promise, result.vague, result.timed) == (True, True, False), result
    assert result.due_text == words
    assert result.due_at == NEXT_WORKING_DAY


def test_a_promise_without_a_time_is_neither_vague_nor_timed():
    result = found("We'll keep you posted.")
    assert (result.promise, result.vague, result.timed, result.due_text) == (True, False, False, None)
    assert result.due_at == NEXT_WORKING_DAY
    assert detect("We'll keep you posted.", WEDNESDAY, LONDON, default_days=3).due_at == datetime(2026, 11, 23, 17,
                                                                                                   tzinfo=UTC)


def test_a_named_time_beats_a_vague_one_and_sets_timed():
    result = found("We'll get back to you shortly, within 2 hours at the latest.")
    assert (result.vague, result.timed, result.due_text) == (False, True, "within 2 hours")
    assert result.due_at == datetime(2026, 11, 18, 12, 0, tzinfo=UTC)


def test_the_sentence_shown_is_the_one_that_promises():
    reply = "Sorry for the wait, Sam. I've checked your account.\nI'll call you back by 3pm. Have a good day!"
    result = found(reply)
    assert result.sentence == "I'll call you back by 3pm."
    assert result.due_at == datetime(2026, 11, 18, 15, 0, tzinfo=UTC)


def test_a_promise_that_says_when_wins_over_one_that_does_not():
    result = found("I'll check with the warehouse. I'll get back to you by Friday.")
    assert result.sentence == "I'll get back to you by Friday."
    assert result.due_at == datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def test_the_time_may_follow_in_the_next_sentence():
    result = found("I'll check with the warehouse. You'll have an answer by Friday.")
    assert result.due_at == datetime(2026, 11, 20, 17, 0, tzinfo=UTC)


def test_a_time_in_another_clause_is_not_the_due_time():
    result = found("We're sorry for the wait this evening, our courier will have the parcel to you as fast as he can.")
    assert (result.promise, result.vague, result.due_text) == (True, True, "as fast as")


def test_quoted_history_is_not_the_agent_promising_again():
    reply = "Thanks, that's all sorted now.\n\nOn Mon, 16 Nov 2026, Sam wrote:\n> I'll get back to you tomorrow."
    assert found(reply).promise is False


def test_handles_links_and_sign_offs_do_not_change_the_answer():
    plain = found("Please email us and we will take a look.")
    tweet = found("@someone Please email us at https://example.com/help and we will take a look. ^JR")
    assert (plain.promise, plain.conditional) == (tweet.promise, tweet.conditional) == (True, True)


def test_is_promise_scores_one_sentence():
    assert is_promise("I'll call you back in ten minutes.")
    assert not is_promise("We'll pass this on to the team.")


def test_timezone_and_custom_hours():
    new_york = Schedule(timezone="America/New_York", days=frozenset({0, 1, 2, 3, 4}), opens=time(8), closes=time(18))
    # Wed 10:00 UTC is 05:00 in New York: "end of day" is 18:00 EST = 23:00 UTC the same day.
    assert detect("I'll get back to you by end of day.", WEDNESDAY, new_york).due_at == datetime(2026, 11, 18, 23,
                                                                                                  tzinfo=UTC)
