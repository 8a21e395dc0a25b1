"""A reply's fingerprint: keyed word ids in order, MinHash band keys to find candidates, and the exact copy test (pure).

The fingerprint is the reply's masked words as 32-bit ids, in order, with a 0 between sentences.
The ids are keyed hashes (the key derives from VALUEDESK_SECRET_KEY), so a database dump alone does
not spell out replies whose text the retention period has dropped.

Candidates come from MinHash (datasketch) over the reply's distinct words, where words outside a
common stop list count twice: a substituted, added or removed word changes a set of words by one
element, where it breaks two word pairs, so sets of words stay similar under the edits a person
makes to a template even in a short reply. 160 minimums are cut into 40 bands of 4; each band
hashes, with the installation, to one 64-bit key in an indexed table. A pair with weighted-word
Jaccard similarity s shares at least one band with probability 1 - (1 - s^4)^40: 0.9998 at 0.7,
0.996 at 0.6, 0.92 at 0.5, 0.65 at 0.4 (three words changed in a short reply can come this low),
0.06 at 0.2 (about what two unrelated replies share).

The few candidates are then compared exactly: word-level edit distance (substituted, inserted or
deleted words), also with the candidate's sentences put in the draft's order. Two replies are
copies when the edits are at most (1 - threshold) of the longer one's words, counting a reply as at
least MIN_SPAN words long, so at the default 0.8 a reply of up to 20 words may differ by 4 words,
one of 40 words by 8.
"""

from __future__ import annotations

import functools
import hashlib
from collections import Counter

import numpy as np
from datasketch import MinHash
from rapidfuzz.distance import Levenshtein

from adapter.replies.asks import STOPWORDS

NUM_PERM = 160
BANDS = 40
ROWS = 4
MIN_SPAN = 20  # shorter replies may differ by as many words as a 20-word one
LOWEST_THRESHOLD = 0.7  # below this the bands would miss too many pairs
SEED = 20261127
# Stored keys are only comparable within one permutation scheme; pin it.
SCHEME = "affine32"
SENTENCE_BREAK = 0
VERSION = 2  # ReplyFingerprint.version of fingerprints made here
_WEIGHT = 0x9E3779B1  # the second copy of a content word: its id times an odd constant, mod 2^32


def words_key(secret: str) -> bytes:
    """The key of the word ids, derived from the service's secret."""
    return hashlib.blake2b(secret.encode("utf-8"), digest_size=32, person=b"vd-reply-words").digest()


def word_id(word: str, key: bytes) -> int:
    """A keyed 32-bit id for a word, never SENTENCE_BREAK."""
    value = int.from_bytes(hashlib.blake2b(word.encode("utf-8"), key=key, digest_size=4).digest(), "little")
    return value or 1


@functools.lru_cache(maxsize=8)
def stop_ids(key: bytes) -> frozenset[int]:
    """The ids of the stop words under this key (they count once, other words twice)."""
    return frozenset(word_id(word, key) for word in STOPWORDS)


def word_ids(sentences: list[list[str]], key: bytes) -> np.ndarray:
    """The fingerprint: word ids in order, SENTENCE_BREAK between sentences (uint32)."""
    ids: list[int] = []
    for sentence in sentences:
        if ids:
            ids.append(SENTENCE_BREAK)
        ids.extend(word_id(word, key) for word in sentence)
    return np.asarray(ids, dtype=np.uint32)


def to_bytes(ids: np.ndarray) -> bytes:
    """The fingerprint as stored (little-endian uint32)."""
    return ids.astype("<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    """A stored fingerprint."""
    return np.frombuffer(blob, dtype="<u4")


def sentences_of(ids: np.ndarray) -> list[list[int]]:
    """The word ids sentence by sentence."""
    found: list[list[int]] = [[]]
    for value in ids.tolist():
        if value == SENTENCE_BREAK:
            found.append([])
        else:
            found[-1].append(value)
    return [sentence for sentence in found if sentence]


def word_count(ids: np.ndarray) -> int:
    """How many words a fingerprint holds."""
    return int(np.count_nonzero(ids))


# Candidate retrieval


@functools.cache
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def weighted_words(ids: np.ndarray, stops: frozenset[int]) -> set[int]:
    """The distinct words, each content word twice: the set whose MinHash finds candidates."""
    words = {int(v) for v in ids.tolist() if v != SENTENCE_BREAK}
    return words | {(w * _WEIGHT) & 0xFFFFFFFF for w in words if w not in stops}


def signature(elements: set[int]) -> np.ndarray:
    """The MinHash of a set of 32-bit values (uint32[NUM_PERM])."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME,
                      hashfunc=_same)
    if elements:
        minhash.update_batch(sorted(elements))
    return minhash.hashvalues.astype(np.uint32)


def _same(value: int) -> int:
    return value


def band_keys(values: np.ndarray, installation_id: str) -> list[int]:
    """One signed 64-bit key per band; band number and installation are part of the key, so one index serves all."""
    scope = installation_id.encode("utf-8")
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8, key=scope[:64]).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def keys_of(ids: np.ndarray, installation_id: str, key: bytes) -> list[int]:
    """The band keys of a fingerprint."""
    return band_keys(signature(weighted_words(ids, stop_ids(key))), installation_id)


# The exact test


def allowed_edits(longer: int, threshold: float) -> int:
    """How many words two replies may differ by when the longer has `longer` words."""
    return int((1.0 - threshold) * max(longer, MIN_SPAN) + 1e-9)


class Words:
    """A fingerprint ready to compare: all words in order, sentence by sentence, and (when needed) as a bag."""

    def __init__(self, ids: np.ndarray):
        self.sentences = sentences_of(ids)
        self.words = [word for sentence in self.sentences for word in sentence]

    @classmethod
    def of(cls, ids: np.ndarray) -> Words:
        """Unpack a fingerprint."""
        return cls(ids)

    @functools.cached_property
    def bag(self) -> Counter:
        """How often each word occurs."""
        return Counter(self.words)


def _in_order_of(draft: Words, other: Words) -> list[int]:
    """`other`'s words with its sentences put in the order of the draft's sentences they best match."""
    unused = list(range(len(other.sentences)))
    ordered: list[int] = []
    for sentence in draft.sentences:
        if not unused:
            break
        best = min(unused, key=lambda i: Levenshtein.normalized_distance(sentence, other.sentences[i]))
        unused.remove(best)
        ordered.extend(other.sentences[best])
    for index in unused:
        ordered.extend(other.sentences[index])
    return ordered


def edits(draft: Words, other: Words, limit: int) -> int:
    """Word edits between two replies, sentences in either order; anything over `limit` is reported as limit + 1."""
    distance = Levenshtein.distance(draft.words, other.words, score_cutoff=limit)
    if distance <= limit or len(draft.sentences) < 2 or len(other.sentences) < 2:
        return min(distance, limit + 1)
    # Every word the two do not share costs at least one edit in any order: most pairs stop here.
    if max(len(draft.words), len(other.words)) - sum((draft.bag & other.bag).values()) > limit:
        return limit + 1
    return min(Levenshtein.distance(draft.words, _in_order_of(draft, other), score_cutoff=limit), limit + 1)


def similarity(draft: Words, other: Words, threshold: float) -> float | None:
    """1 - edits / longer length when the two are copies at `threshold`, else None."""
    longer = max(len(draft.words), len(other.words))
    if not longer:
        return None
    limit = allowed_edits(longer, threshold)
    distance = edits(draft, other, limit)
    return 1.0 - distance / longer if distance <= limit else None
