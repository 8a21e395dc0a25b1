"""MinHash signatures and LSH band keys."""

import numpy as np

from adapter.replies import fingerprint
from adapter.replies.normalize import jaccard
from adapter.replies.normalize import shingles

BASE = ["thanks", "for", "flagging", "this", "our", "team", "is", "aware", "that", "large", "exports", "can", "time", "out", "and", "a", "fix", "ships", "next", "week", "until", "then", "exporting", "one", "month", "at", "a", "time", "works", "reliably", "and", "keeps", "every", "invoice", "intact"]


def test_signatures_are_deterministic_and_round_trip():
    sig = fingerprint.signature(shingles(BASE))
    assert sig.dtype == np.uint32 and sig.shape == (fingerprint.NUM_PERM,)
    assert np.array_equal(sig, fingerprint.signature(shingles(BASE)))
    assert np.array_equal(fingerprint.from_bytes(fingerprint.to_bytes(sig)), sig)
    assert len(fingerprint.to_bytes(sig)) == 4 * fingerprint.NUM_PERM


def test_estimate_tracks_exact_jaccard():
    edited = BASE[:-4] + ["and", "nothing", "goes", "missing"]
    different = ["please", "send", "us", "a", "screenshot", "of", "the", "billing", "page", "and", "the", "browser", "you", "are", "using", "today"]
    for other in (BASE, edited, different):
        exact = jaccard(shingles(BASE), shingles(other))
        estimate = fingerprint.estimated_similarity(fingerprint.signature(shingles(BASE)),
                                                    fingerprint.signature(shingles(other)))
        assert abs(exact - estimate) < 0.12, (exact, estimate)


def test_band_keys():
    sig = fingerprint.signature(shingles(BASE))
    keys = fingerprint.band_keys(sig)
    assert len(keys) == fingerprint.BANDS == len(set(keys))
    assert all(-(2**63) <= key < 2**63 for key in keys)
    edited = BASE[:-1] + ["intact!"]  # one word changed: most bands still agree
    shared = set(keys) & set(fingerprint.band_keys(fingerprint.signature(shingles(edited))))
    assert 0 < len(shared) < fingerprint.BANDS


def test_estimated_similarities_against_many():
    sig = fingerprint.signature(shingles(BASE))
    stored = np.vstack([sig, fingerprint.signature({"x y"})])
    assert list(fingerprint.estimated_similarities(sig, stored)) == [1.0, 0.0]
    assert fingerprint.estimated_similarities(sig, np.zeros((0, fingerprint.NUM_PERM))).size == 0
