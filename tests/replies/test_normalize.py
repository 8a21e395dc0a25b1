"""Normalisation: what two copies of one answer have in common once names, ids and pleasantries are gone."""

import pytest

from adapter.replies.normalize import sentence_words
from adapter.replies.normalize import shingles
from adapter.replies.normalize import tokens


@pytest.mark.parametrize("text, expected", [
    ("Hi Dana, your refund is on its way.", "your refund is on its way"),
    ("Hello there! Your refund is on its way.", "your refund is on its way"),
    ("Hi Dana, thanks for reaching out! Your refund is on its way.", "your refund is on its way"),
    ("Dear Mr Lee: your refund is on its way.", "your refund is on its way"),
    ("Your refund is on its way.\n\nThanks,\nSam", "your refund is on its way"),
    ("Your refund is on its way.\n\nBest regards,\nSam Rivera\nSupport team", "your refund is on its way"),
    ("@delta_cust Your refund is on its way. ^AB", "your refund is on its way"),
    ("Your refund is on its way. -JJ", "your refund is on its way"),
    ("Your refund is on its way. *NickSuzuki", "your refund is on its way"),
    ("Your refund for order 48213 is on its way.", "your refund for order <num> is on its way"),
    ("Track it at https://t.co/abc123 or www.example.com/track", "track it at <url> or <url>"),
    ("Write to billing@example.com today", "write to <email> today"),
    ("Hi {{ticket.requester.first_name}}, ticket {{ticket.id}} is solved.", "ticket <field> is solved"),
    ("Sam checked it for Dana Whitfield.", "checked it for"),
    ("It’s fixed — thanks to Dana’s report!", "it's fixed thanks to report"),
    ("Your bag is on its way, Jamie. Thanks, Jamie!", "your bag is on its way"),
    ("Sorry, Jamie, the flight is late. Have a great flight!", "sorry the flight is late"),
    ("Good morning! Your bag is here. Hope this helps!", "your bag is here"),
    ("", ""),
])
def test_tokens(text, expected):
    assert " ".join(tokens(text, ("Dana Whitfield", "Sam Rivera"))) == expected


def test_quoted_history_is_not_part_of_the_reply():
    reply = "Your refund is on its way.\n\nOn Mon, 16 Nov 2026, Dana wrote:\n> Where is my refund?"
    assert tokens(reply) == ["your", "refund", "is", "on", "its", "way"]


def test_two_dressings_of_one_answer_are_the_same_words():
    first = "Hi Dana, sorry about that! Please DM us your order number 48213 and we'll take a look. ^AB"
    second = "Hello Marcus! Sorry about that! Please DM us your order number 99120 and we'll take a look. -JJ"
    assert tokens(first, ("Dana",)) == tokens(second, ("Marcus",))


def test_sentences_stay_apart_and_courtesies_go_wherever_they_stand():
    assert sentence_words("We found your bag. It arrives at 6pm! Have a great day.") == [
        ["we", "found", "your", "bag"], ["it", "arrives", "at", "<num>"]]
    moved = "Have a great day. It arrives at 6pm! Hi there! We found your bag."
    assert sorted(sentence_words(moved)) == sorted(sentence_words("We found your bag. It arrives at 6pm!"))


def test_thread_counters_end_a_sentence_and_are_not_words():
    assert sentence_words("Please send your booking reference 1/2 and we will look") == [
        ["please", "send", "your", "booking", "reference"], ["and", "we", "will", "look"]]


def test_a_greeting_typed_differently_is_still_a_greeting():
    assert tokens("Well hi there, we found your bag.") == ["we", "found", "your", "bag"]
    assert tokens("Hi. Yes, you can bring it.") == ["yes", "you", "can", "bring", "it"]


def test_shingles_are_word_pairs():
    assert shingles(["a", "b", "c"]) == {"a b", "b c"}
    assert shingles(["thanks"]) == {"thanks"}
    assert shingles([]) == set()
