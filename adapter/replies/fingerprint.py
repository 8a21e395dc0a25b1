"""MinHash signatures and LSH band keys for replies (pure; datasketch does the hashing).

A signature is 128 32-bit minimums (512 bytes). Its first 126 values are cut into 21 bands of 6;
each band hashes to one 64-bit key stored in an indexed table, so "replies sharing a band with this
draft" is an index lookup that several web machines share. A pair with Jaccard similarity s shares
at least one band with probability 1 - (1 - s^6)^21: 0.998 at 0.8, 0.93 at 0.7, 0.08 at 0.4. The
signatures then estimate the similarity of each candidate.
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
from datasketch import MinHash

NUM_PERM = 128
BANDS = 21
ROWS = 6
LOWEST_THRESHOLD = 0.7  # below this the bands would miss too many pairs
SEED = 20261123
# Stored signatures are only comparable within one permutation scheme; pin it.
SCHEME = "affine32"


@functools.cache
def _permutations():
    return MinHash(num_perm=NUM_PERM, seed=SEED, scheme=SCHEME).permutations


def signature(shingles: set[str]) -> np.ndarray:
    """The MinHash signature of a set of shingles (uint32[NUM_PERM])."""
    minhash = MinHash(num_perm=NUM_PERM, seed=SEED, permutations=_permutations(), scheme=SCHEME)
    if shingles:
        minhash.update_batch([s.encode("utf-8") for s in sorted(shingles)])
    return minhash.hashvalues.astype(np.uint32)


def band_keys(values: np.ndarray) -> list[int]:
    """One signed 64-bit key per band; the band number is part of the key, so one index serves all bands."""
    keys = []
    for band in range(BANDS):
        chunk = values[band * ROWS:(band + 1) * ROWS].astype("<u4").tobytes()
        digest = hashlib.blake2b(bytes([band]) + chunk, digest_size=8).digest()
        keys.append(int.from_bytes(digest, "little", signed=True))
    return keys


def to_bytes(values: np.ndarray) -> bytes:
    """The signature as stored (little-endian uint32)."""
    return values.astype("<u4").tobytes()


def from_bytes(blob: bytes) -> np.ndarray:
    """A stored signature."""
    return np.frombuffer(blob, dtype="<u4")


def estimated_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Estimated Jaccard similarity: the share of positions where the two signatures agree."""
    return float(np.count_nonzero(a == b)) / NUM_PERM


def estimated_similarities(draft: np.ndarray, stored: np.ndarray) -> np.ndarray:
    """Estimated similarity of the draft to each row of a (n, NUM_PERM) matrix of signatures."""
    if stored.size == 0:
        return np.zeros(0)
    return np.count_nonzero(stored == draft, axis=1) / NUM_PERM
