"""What the customer asked, and whether a draft touches it."""

from adapter.replies.asks import asks_in
from adapter.replies.asks import stem
from adapter.replies.asks import untouched

EXPORT = ('Hi, every time I try to export our 2025 invoices to CSV the page spins for about a minute and then '
          'shows "Export failed (504)". This is the third week in a row.')


def labels(message, draft):
    return [ask.label for ask in untouched(asks_in(message), draft)]


def test_finds_questions_codes_and_references():
    message = EXPORT + " How do I get the next page from the API? Also order #45123 was charged twice. Error 0x80070005 too."
    found = asks_in(message)
    assert [(a.kind, a.label) for a in found] == [
        ("code", "error 504"),
        ("question", "\u201cHow do I get the next page from the API?\u201d"),
        ("reference", "order 45123"),
        ("code", "error 0x80070005"),
    ]


def test_a_question_with_a_number_is_one_ask():
    [ask] = asks_in("Why was order #55512 charged twice?")
    assert ask.kind == "question" and "55512" in ask.ids


def test_questions_without_a_question_mark():
    assert asks_in("how do i change the logo on invoices")[0].kind == "question"
    assert asks_in("Thanks, that worked perfectly.") == []
    assert asks_in("Can you help?") == []  # nothing specific to miss


def test_generic_reply_misses_everything():
    draft = "Thanks for reaching out! Refunds are available within 30 days of purchase."
    assert labels(EXPORT + " How do I get the next page from the API?", draft) == [
        "error 504", "\u201cHow do I get the next page from the API?\u201d"]


def test_on_topic_replies_touch_the_asks():
    assert labels(EXPORT, "Large exports time out right now; exporting one month at a time works.") == []
    assert labels(EXPORT, "About the 504: we're on it.") == []
    assert labels("Why was order #55512 charged twice?", "I refunded the duplicate charge.") == []
    assert labels("Where is booking ABC123?", "Booking abc123 is confirmed for Friday.") == []


def test_customer_name_is_not_a_topic():
    asks = asks_in("Dana here. Where is my refund?", ("Dana Whitfield",))
    assert untouched(asks, "Hi Dana, thanks for writing!") == asks


def test_stem():
    assert stem("exports") == stem("exporting") == stem("export")
    assert stem("invoices") == stem("invoice")
    assert stem("class") == "class"
