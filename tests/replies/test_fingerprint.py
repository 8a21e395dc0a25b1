"""Fingerprints (keyed word ids), MinHash band keys, and the exact copy test for each kind of edit."""

import numpy as np
import pytest

from adapter.replies import fingerprint
from adapter.replies.normalize import sentence_words

KEY = fingerprint.words_key("test-secret")
ANSWER = ("Thanks for flagging this. Our team is aware that large exports can time out and a fix ships next week. "
          "Until then, exporting one month at a time works reliably and keeps every invoice intact.")
SHORT = "Please DM us your confirmation number and we will take a look."  # 11 words


def ids(text, key=KEY, names=()):
    return fingerprint.word_ids(sentence_words(text, names), key)


def words(text, names=()):
    return fingerprint.Words.of(ids(text, names=names))


def copies(a, b, threshold=0.8):
    return fingerprint.similarity(words(a), words(b), threshold) is not None


def test_word_ids_are_keyed_deterministic_and_keep_sentences():
    first = ids(ANSWER)
    assert np.array_equal(first, ids(ANSWER)) and first.dtype == np.uint32
    assert not np.array_equal(first, ids(ANSWER, key=fingerprint.words_key("another-secret")))
    assert np.array_equal(fingerprint.from_bytes(fingerprint.to_bytes(first)), first)
    assert fingerprint.word_count(first) == 35 and len(fingerprint.sentences_of(first)) == 3
    assert fingerprint.SENTENCE_BREAK not in {fingerprint.word_id(w, KEY) for w in ("a", "the", "refund")}


def test_band_keys_are_per_installation():
    keys = fingerprint.keys_of(ids(ANSWER), "inst-a", KEY)
    assert len(keys) == fingerprint.BANDS == len(set(keys))
    assert all(-(2**63) <= key < 2**63 for key in keys)
    assert not set(keys) & set(fingerprint.keys_of(ids(ANSWER), "inst-b", KEY))
    edited = fingerprint.keys_of(ids(ANSWER.replace("reliably", "fine")), "inst-a", KEY)
    assert 0 < len(set(keys) & set(edited)) < fingerprint.BANDS  # one word changed: many bands still agree


def test_content_words_count_twice_in_the_retrieval_set():
    stops = fingerprint.stop_ids(KEY)
    weighted = fingerprint.weighted_words(ids("we found the bag"), stops)
    assert len(weighted) == 4 + 2  # "found" and "bag" twice; "we" and "the" once


@pytest.mark.parametrize("edited", [
    ANSWER.replace("reliably", "fine"),  # one substituted
    ANSWER.replace("large", "big").replace("reliably", "fine").replace("intact", "safe"),  # three substituted
    ANSWER.replace("exports can", "exports sometimes can").replace("one month", "just one month"),  # inserted
    ANSWER.replace("Until then, ", "").replace(" and keeps every invoice intact", ""),  # deleted (7 words of 35)
    "Hi Dana, " + ANSWER + "\n\nBest,\nSam",  # greeting and sign-off
    ANSWER.split(". ", 1)[1] + " Thanks for flagging this.",  # sentences reordered
])
def test_edits_a_person_makes_to_a_template_are_copies(edited):
    assert copies(ANSWER, edited)


@pytest.mark.parametrize("edited", [
    SHORT.replace("DM", "email").replace("confirmation", "booking").replace("look", "peek"),
    SHORT.replace("and we", "so that we").replace("number", "number today please"),
])
def test_a_short_reply_may_differ_by_four_words(edited):
    assert copies(SHORT, edited)


def test_same_topic_written_differently_is_not_a_copy():
    assert not copies(SHORT, "Could you send us a DM with your booking details? We'd like to check on this.")
    assert not copies(ANSWER, "We know about the export timeouts. Engineers expect to fix them soon; smaller "
                              "exports, such as a month at a time, work in the meantime.")


def test_a_template_with_a_paragraph_written_in_is_not_a_copy():
    personal = ("I checked your account: the March charge was taken twice because the card retried after a "
                "timeout, so I have refunded the duplicate today and you will see it in three days. " + SHORT)
    assert not copies(SHORT, personal)


def test_allowed_edits_grow_with_length_and_the_threshold():
    assert [fingerprint.allowed_edits(n, 0.8) for n in (8, 20, 40, 100)] == [4, 4, 8, 20]
    assert fingerprint.allowed_edits(40, 0.9) == 4 and fingerprint.allowed_edits(40, 1.0) == 0
    assert copies(ANSWER, ANSWER.replace("reliably", "fine"), threshold=0.95)
    assert not copies(ANSWER, ANSWER.replace("reliably", "fine"), threshold=1.0)


def test_similarity_is_the_share_of_words_kept():
    score = fingerprint.similarity(words(ANSWER), words(ANSWER.replace("reliably", "fine")), 0.8)
    assert score == pytest.approx(1 - 1 / 35)
    assert fingerprint.edits(words(ANSWER), words(SHORT), limit=3) == 4  # capped just past the limit
