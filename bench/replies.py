"""Benchmark: near-copy detection quality on real airline agent replies, and check latency at scale.

Data (../shared/data, see MANIFEST.md; skipped when absent): the 52,609 agent replies in
twcs_airlines_asapp/airlines_raw.csv (threads act as tickets, their order as time).

Part 1 compares the LSH candidates and the signature estimates with an exact Jaccard scan at the
same threshold, prints the share of replies that would be flagged `repeated`, and spot-checks.
Part 2 stores 10k, 100k and 1M replies (real ones with random edits) in SQLite and in a throwaway
PostgreSQL, times `adapter.replies.service.check` through the real database, and sets it beside an
exact in-memory scan. Run: .venv/bin/python bench/replies.py [--sizes 10000,100000,1000000]
"""

from __future__ import annotations

import argparse
import random
import re
import resource
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import numpy as np
from _common import ROOT
from _common import dataset
from _common import percentile
from _common import ratio
from _common import read_csv
from _common import table
from scipy import sparse

from adapter.replies import fingerprint
from adapter.replies import service
from adapter.replies.normalize import jaccard
from adapter.replies.normalize import shingles
from adapter.replies.normalize import tokens

sys.path.insert(0, str(ROOT / "scripts"))

THRESHOLD = 0.8
MIN_MATCHES = 5
QUERIES = 3000
CHECKS = 200
SEED = 20261123
REP = re.compile(r"<rep__(.*?)__rep>", re.DOTALL)


def airline_replies() -> list[tuple[str, str]]:
    """(thread id, reply text) for every agent turn, threads in file order."""
    path = dataset("twcs_airlines_asapp", "airlines_raw.csv")
    if path is None:
        return []
    replies = []
    for row in read_csv(path):
        for turn in REP.findall(row["context"]):
            text = turn.replace("__cust__", "").replace("__company__", "").strip()
            if text:
                replies.append((row["first_tweet_id"], text))
    return replies


# Part 1: quality against an exact scan


def shingle_matrix(sets: list[set[str]]) -> sparse.csr_matrix:
    vocabulary: dict[str, int] = {}
    rows, cols = [], []
    for row, items in enumerate(sets):
        for item in items:
            rows.append(row)
            cols.append(vocabulary.setdefault(item, len(vocabulary)))
    return sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=(len(sets), len(vocabulary)))


def quality(replies: list[tuple[str, str]]) -> None:
    started = time.perf_counter()
    prepared = [service.prepare(text) for _, text in replies]
    keep = [i for i, p in enumerate(prepared) if len(p.pairs) >= 2]
    sets = [prepared[i].pairs for i in keep]
    signatures = np.vstack([prepared[i].signature for i in keep])
    keys = [fingerprint.band_keys(sig) for sig in signatures]
    prepare_ms = (time.perf_counter() - started) * 1000 / len(replies)
    buckets: dict[int, list[int]] = defaultdict(list)
    for index, row in enumerate(keys):
        for key in row:
            buckets[key].append(index)

    matrix = shingle_matrix(sets)
    sizes = np.asarray(matrix.sum(axis=1)).ravel()
    rng = random.Random(SEED)
    queries = rng.sample(range(len(sets)), min(QUERIES, len(sets)))
    truth = candidates = estimated = found_raw = found_est = est_true = 0
    for start in range(0, len(queries), 500):
        chunk = queries[start:start + 500]
        inter = (matrix[chunk] @ matrix.T).tocsr()
        for row, query in enumerate(chunk):
            cols = inter.indices[inter.indptr[row]:inter.indptr[row + 1]]
            vals = inter.data[inter.indptr[row]:inter.indptr[row + 1]]
            exact = vals / (sizes[query] + sizes[cols] - vals)
            true_set = {int(c) for c, j in zip(cols, exact, strict=True) if j >= THRESHOLD and c != query}
            cand = {i for key in keys[query] for i in buckets[key]} - {query}
            scores = fingerprint.estimated_similarities(signatures[query], signatures[list(cand)]) if cand else []
            est_set = {i for i, s in zip(cand, scores, strict=True) if s >= THRESHOLD}
            truth += len(true_set)
            candidates += len(cand)
            estimated += len(est_set)
            found_raw += len(true_set & cand)
            found_est += len(true_set & est_set)
            est_true += len(est_set & true_set)
    table(f"Near-copies of {len(queries)} random replies among {len(sets):,} real airline replies "
          f"(word-pair Jaccard >= {THRESHOLD}); target recall >= 0.95",
          ["stage", "pairs found", "true pairs", "recall", "precision"],
          [["LSH candidates (21 bands x 6 rows)", candidates, truth, found_raw / truth if truth else None,
            found_raw / candidates if candidates else None],
           ["after the signature estimate >= 0.8", estimated, truth, found_est / truth if truth else None,
            est_true / estimated if estimated else None]])
    print(f"  normalising and fingerprinting: {prepare_ms:.3f} ms per reply")
    flagged_share(replies, keep, prepared, keys)


def flagged_share(replies, keep, prepared, keys) -> None:
    """Replay the replies in order; flag those with >= MIN_MATCHES near-copies on earlier threads."""
    seen: dict[int, list[int]] = defaultdict(list)
    threads = [replies[i][0] for i in keep]
    signatures = np.vstack([prepared[i].signature for i in keep])
    flagged, checked, examples = 0, 0, []
    for index, original in enumerate(keep):
        if len(prepared[original].words) >= service.MIN_WORDS:
            checked += 1
            cand = {c for key in keys[index] for c in seen[key][-service.CANDIDATES_PER_BAND:]}
            if cand:
                order = sorted(cand)
                scores = fingerprint.estimated_similarities(signatures[index], signatures[order])
                near = [c for c, s in zip(order, scores, strict=True) if s >= THRESHOLD and threads[c] != threads[index]]
                if len({threads[c] for c in near}) >= MIN_MATCHES:
                    flagged += 1
                    if len(examples) < 400:
                        examples.append((original, keep[near[0]]))
        for key in keys[index]:
            seen[key].append(index)
    table("Replies that would get a 'repeated' warning (replayed in order; >= 8 words)",
          ["replies checked", "flagged", "share"], [[checked, flagged, flagged / checked if checked else None]])
    print("\n  Spot check (flagged reply | one earlier near-copy | exact Jaccard):")
    for original, match in random.Random(SEED).sample(examples, min(6, len(examples))):
        exact = jaccard(prepared[original].pairs, prepared[match].pairs)
        print(f"  - {replies[original][1][:110]!r}\n    {replies[match][1][:110]!r}  J={exact:.2f}")


# Part 2: latency through the real database


def synthetic(replies: list[tuple[str, str]], count: int, rng: random.Random) -> list[tuple[str, list[str]]]:
    """`count` replies: real ones with a few words swapped, as (text, words)."""
    bases = [(text, tokens(text)) for _, text in replies]
    bases = [(t, w) for t, w in bases if len(w) >= 4]
    vocabulary = [w for _, words in bases[:5000] for w in words]
    made = []
    for _ in range(count):
        text, words = bases[rng.randrange(len(bases))]
        words = list(words)
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            words[rng.randrange(len(words))] = rng.choice(vocabulary)
        made.append((text, words))
    return made


def corpus(replies, count: int, rng: random.Random) -> dict:
    started = time.perf_counter()
    made = synthetic(replies, count, rng)
    signatures = np.empty((count, fingerprint.NUM_PERM), dtype=np.uint32)
    for index, (_, words) in enumerate(made):
        signatures[index] = fingerprint.signature(shingles(words))
        if index and index % 50_000 == 0:
            print(f"    fingerprinted {index:,}/{count:,}", flush=True)
    keys = np.array([fingerprint.band_keys(sig) for sig in signatures], dtype=np.int64)
    now = datetime.now(UTC)
    ages = [timedelta(minutes=rng.randrange(25 * 24 * 60)) for _ in range(count)]
    print(f"  built {count:,} synthetic replies in {time.perf_counter() - started:.0f} s", flush=True)
    return {"texts": [t for t, _ in made], "words": [w for _, w in made], "signatures": signatures, "keys": keys,
            "created": [now - age for age in ages], "tickets": [f"t{rng.randrange(max(count // 3, 1))}" for _ in made],
            "agents": [f"agent-{rng.randrange(20)}" for _ in made]}


def load(engine, installation_id: str, data: dict, start: int, stop: int) -> None:
    """Bulk-load rows [start, stop) of the corpus: COPY on PostgreSQL, executemany on SQLite."""
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Bulk loads are faster without the band index; it is rebuilt (as the migration defines it) below.
        cursor.execute("DROP INDEX IF EXISTS ix_reply_bands_key")
        if engine.dialect.name == "postgresql":
            with cursor.copy("COPY reply_fingerprints (id, installation_id, ticket_id, comment_id, agent_id, "
                             "created_at, words, signature, text) FROM STDIN") as copy:
                for i in range(start, stop):
                    copy.write_row((i + 1, installation_id, data["tickets"][i], f"c{i}", data["agents"][i],
                                    data["created"][i], len(data["words"][i]), fingerprint.to_bytes(data["signatures"][i]),
                                    data["texts"][i]))
            with cursor.copy("COPY reply_bands (fingerprint_id, band, key, installation_id) FROM STDIN") as copy:
                for i in range(start, stop):
                    for band, key in enumerate(data["keys"][i]):
                        copy.write_row((i + 1, band, int(key), installation_id))
        else:
            cursor.execute("PRAGMA synchronous=OFF")  # a benchmark load; the service keeps its own settings
            cursor.execute("PRAGMA cache_size=-1000000")
            cursor.executemany(
                "INSERT INTO reply_fingerprints (id, installation_id, ticket_id, comment_id, agent_id, created_at, "
                "words, signature, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((i + 1, installation_id, data["tickets"][i], f"c{i}", data["agents"][i],
                  data["created"][i].strftime("%Y-%m-%d %H:%M:%S.%f"), len(data["words"][i]),
                  fingerprint.to_bytes(data["signatures"][i]), data["texts"][i]) for i in range(start, stop)))
            cursor.executemany(
                "INSERT INTO reply_bands (fingerprint_id, band, key, installation_id) VALUES (?, ?, ?, ?)",
                ((i + 1, band, int(key), installation_id) for i in range(start, stop)
                 for band, key in enumerate(data["keys"][i])))
        cursor.execute("CREATE INDEX ix_reply_bands_key ON reply_bands (installation_id, key, fingerprint_id)")
        raw.commit()
    finally:
        raw.close()


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def drafts(replies, rng: random.Random) -> list[str]:
    chosen = rng.sample(replies, CHECKS)
    return [text if n % 2 else text + " We appreciate your patience while we look into this." for n, (_, text)
            in enumerate(chosen)]


def time_checks(database, installation_id: str, texts: list[str]) -> tuple[list[float], float]:
    from adapter.models import Installation

    timings = []
    with database.tenant(installation_id) as session:
        installation = session.get(Installation, installation_id)
        for text in texts[:10]:  # warm up caches and the connection
            service.check(session, installation, ticket_id="bench", agent_id="agent-1", draft=text)
        before = rss_mb()
        for text in texts:
            started = time.perf_counter()
            service.check(session, installation, ticket_id="bench", agent_id="agent-1", draft=text)
            timings.append((time.perf_counter() - started) * 1000)
    return timings, rss_mb() - before


def exact_scan(data: dict, size: int, texts: list[str]) -> tuple[list[float], float]:
    """The simple alternative: every stored reply's word pairs in memory, compared one by one."""
    before = rss_mb()
    stored = [shingles(words) for words in data["words"][:size]]
    held = rss_mb() - before
    timings = []
    for text in texts[:50]:
        pairs = service.prepare(text).pairs
        started = time.perf_counter()
        sum(1 for other in stored if jaccard(pairs, other) >= THRESHOLD)
        timings.append((time.perf_counter() - started) * 1000)
    return timings, held


def latency(replies, sizes: list[int]) -> None:
    from servers import PostgresServer

    from adapter import create_app
    from adapter import migrations
    from adapter.db import get_db
    from adapter.installations import create_installation

    rng = random.Random(SEED)
    data = corpus(replies, max(sizes), rng)
    texts = drafts(replies, rng)
    rows = []
    memory_rows = []
    exact = {size: exact_scan(data, size, texts) for size in sizes if size <= 100_000}
    with tempfile.TemporaryDirectory(prefix="valuedesk-bench-") as folder, ExitStack() as stack:
        backends = [("SQLite", f"sqlite:///{Path(folder) / 'bench.db'}")]
        if PostgresServer.available():
            backends.append(("PostgreSQL", stack.enter_context(PostgresServer()).url))
        else:
            print("  (PostgreSQL part skipped: install Debian's postgresql package)")
        for name, url in backends:
            app = create_app({"DATABASE_URL": url, "VALUEDESK_SECRET_KEY": "bench-" + "x" * 40,
                              "VALUEDESK_ENV": "test", "VALUEDESK_DATA_DIR": folder, "VALUEDESK_PLAYGROUND": "0"})
            with app.app_context():
                database = get_db()
                migrations.upgrade(database.engine)
                with database.system() as session:
                    installation_id = create_installation(session, kind="playground", account="bench").id
                loaded = 0
                for size in sorted(sizes):
                    started = time.perf_counter()
                    load(database.engine, installation_id, data, loaded, size)
                    if database.engine.dialect.name == "postgresql":
                        with database.engine.begin() as connection:
                            connection.exec_driver_sql("ANALYZE reply_fingerprints; ANALYZE reply_bands")
                    print(f"  {name}: loaded {size:,} replies ({time.perf_counter() - started:.0f} s)", flush=True)
                    loaded = size
                    timings, grew = time_checks(database, installation_id, texts)
                    exact_timings = exact.get(size, ([], 0))[0]
                    p95 = percentile(timings, 95)
                    exact_p95 = percentile(exact_timings, 95) if exact_timings else None
                    rows.append([name, f"{size:,}", percentile(timings, 50), p95, p95 / 50.0,
                                 percentile(exact_timings, 50) if exact_timings else None, exact_p95,
                                 ratio(exact_p95, p95)])
                    memory_rows.append([name, f"{size:,}", round(grew, 1),
                                        round(exact[size][1], 1) if size in exact else None])
                database.dispose()
    table(f"Check latency through the database, {CHECKS} drafts (ms); budget p95 < 50 ms at 1M",
          ["database", "stored replies", "p50", "p95", "p95 / budget", "exact scan p50", "exact scan p95",
           "exact p95 / ours"], rows)
    table("Memory (MB): growth of this process during the checks, vs what an exact in-memory scan must hold",
          ["database", "stored replies", "RSS growth while checking", "exact scan holds"], memory_rows)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stored replies to time (comma-separated)")
    parser.add_argument("--skip-quality", action="store_true")
    args = parser.parse_args()
    print("Copy-paste warnings benchmark (our code: adapter.replies)")
    replies = airline_replies()
    if replies:
        print(f"  {len(replies):,} agent replies in the airline threads")
        if not args.skip_quality:
            quality(replies)
        latency(replies, [int(s) for s in args.sizes.split(",")])
