"""Latency half of bench/replies.py: a million stored replies in SQLite and PostgreSQL, timed beside an exact scan."""

from __future__ import annotations

import random
import tempfile
import time
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import numpy as np
from _common import percentile
from _common import ratio
from _common import table
from _reply_edits import EDITS

from adapter.replies import copies
from adapter.replies import fingerprint
from adapter.replies import service
from adapter.replies.normalize import sentence_words

SEED = 20261127
BUDGET_MS = 50.0
CHECKS = 200


BENCH_INSTALLATION = "pg-bench-000000"  # one id everywhere, so band keys are computed once for every database


@contextmanager
def throwaway_app(url: str, folder: str):
    """An app on `url`, migrated, with one installation; yields (database, installation id)."""
    from adapter import create_app
    from adapter import migrations
    from adapter.db import get_db
    from adapter.installations import create_installation

    app = create_app({"DATABASE_URL": url, "VALUEDESK_SECRET_KEY": "bench-" + "x" * 40, "VALUEDESK_ENV": "test",
                      "VALUEDESK_DATA_DIR": folder, "VALUEDESK_PLAYGROUND": "0"})
    with app.app_context():
        database = get_db()
        migrations.upgrade(database.engine)
        with database.system() as session:
            installation_id = create_installation(session, kind="playground", account="bench",
                                                  installation_id=BENCH_INSTALLATION).id
        yield database, installation_id
        database.dispose()


def progress(done: int, total: int, started: float, what: str) -> None:
    """One progress line: a bar, the count, the rate and the time left."""
    share = done / total
    elapsed = time.perf_counter() - started
    left = elapsed / share - elapsed if share else 0
    bar = "#" * int(share * 30)
    print(f"\r  [{bar:<30}] {done:>9,}/{total:,} {what} ({done / max(elapsed, 1e-9):,.0f}/s, {left:,.0f} s left)",
          end="\n" if done == total else "", flush=True)


def synthetic(replies: list[dict], count: int, rng: random.Random, key: bytes) -> dict:
    """`count` stored replies: real ones with up to three words swapped, as fingerprints and band keys."""
    bases = [sentence_words(r["text"]) for r in replies]
    bases = [s for s in bases if sum(map(len, s)) >= copies.MIN_WORDS]
    vocabulary = [w for s in bases[:5000] for sentence in s for w in sentence]
    ids = []
    keys = np.empty((count, fingerprint.BANDS), dtype=np.int64)
    started = time.perf_counter()
    for index in range(count):
        sentences = [list(s) for s in bases[rng.randrange(len(bases))]]
        for _ in range(rng.choice((0, 0, 1, 2, 3))):
            sentence = rng.choice(sentences)
            sentence[rng.randrange(len(sentence))] = rng.choice(vocabulary)
        ids.append(fingerprint.word_ids(sentences, key))
        if (index + 1) % 20_000 == 0 or index + 1 == count:
            progress(index + 1, count, started, "replies fingerprinted")
    return {"ids": ids, "tickets": [f"t{rng.randrange(max(count // 3, 1))}" for _ in range(count)],
            "agents": [f"agent-{rng.randrange(20)}" for _ in range(count)],
            "ages": [rng.randrange(25 * 24 * 60) for _ in range(count)], "keys": keys}


def band_keys_for(data: dict, installation_id: str, key: bytes) -> None:
    started = time.perf_counter()
    count = len(data["ids"])
    for index in range(count):
        data["keys"][index] = fingerprint.keys_of(data["ids"][index], installation_id, key)
        if (index + 1) % 20_000 == 0 or index + 1 == count:
            progress(index + 1, count, started, "replies' band keys")


def load(engine, installation_id: str, data: dict, size: int, now: datetime) -> None:
    """Bulk-load the first `size` replies: COPY on PostgreSQL, executemany in key order on SQLite."""
    raw = engine.raw_connection()
    fingerprints = ((i + 1, installation_id, data["tickets"][i], f"c{i}", data["agents"][i],
                     now - timedelta(minutes=data["ages"][i]), fingerprint.word_count(data["ids"][i]),
                     fingerprint.to_bytes(data["ids"][i]), fingerprint.VERSION, "(bench)") for i in range(size))
    started = time.perf_counter()
    block = data["keys"][:size]
    order = np.argsort(block, axis=None, kind="stable")  # key order: appends, not random b-tree inserts

    def keys():
        """(key, fingerprint id) in key order, a million at a time."""
        for start in range(0, len(order), 1_000_000):
            chunk = order[start:start + 1_000_000]
            yield from zip(block.flat[chunk].tolist(), (chunk // fingerprint.BANDS + 1).tolist(), strict=True)
            progress(min(start + 1_000_000, len(order)), len(order), started, "band keys loaded")

    try:
        cursor = raw.cursor()
        if engine.dialect.name == "postgresql":
            cursor.execute("ALTER TABLE reply_keys DROP CONSTRAINT IF EXISTS pk_reply_keys")
            with cursor.copy("COPY reply_fingerprints (id, installation_id, ticket_id, comment_id, agent_id, "
                             "created_at, words, signature, version, text) FROM STDIN") as copy:
                for row in fingerprints:
                    copy.write_row(row)
            with cursor.copy("COPY reply_keys (key, fingerprint_id) FROM STDIN") as copy:
                for row in keys():
                    copy.write_row(row)
            cursor.execute("ALTER TABLE reply_keys ADD CONSTRAINT pk_reply_keys PRIMARY KEY (key, fingerprint_id)")
        else:
            cursor.execute("PRAGMA synchronous=OFF")  # a benchmark load; the service keeps its own settings
            cursor.execute("PRAGMA journal_mode=OFF")
            cursor.executemany(
                "INSERT INTO reply_fingerprints (id, installation_id, ticket_id, comment_id, agent_id, created_at, "
                "words, signature, version, text) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                ((*row[:5], row[5].strftime("%Y-%m-%d %H:%M:%S.%f"), *row[6:]) for row in fingerprints))
            cursor.executemany("INSERT INTO reply_keys (key, fingerprint_id) VALUES (?, ?)", keys())
        raw.commit()
    finally:
        raw.close()


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def latency_drafts(replies: list[dict], rng: random.Random) -> list[str]:
    """Real replies, half of them with a greeting and a changed word."""
    chosen = rng.sample([r["text"] for r in replies if len(r["text"].split()) >= 10], CHECKS)
    return [text if n % 2 else "Hi Dana, " + EDITS["sub 1"](text, rng, ["really"]).text for n, text in enumerate(chosen)]


def time_checks(database, installation_id: str, texts: list[str]) -> tuple[list[float], float, list[int]]:
    from adapter.models import Installation

    timings, found = [], []
    with database.tenant(installation_id) as session:
        installation = session.get(Installation, installation_id)
        for text in texts[:10]:  # warm up caches and the connection
            service.check(session, installation, ticket_id="bench", agent_id="agent-1", draft=text)
        before = rss_mb()
        for text in texts:
            started = time.perf_counter()
            result = service.check(session, installation, ticket_id="bench", agent_id="agent-1", draft=text)
            timings.append((time.perf_counter() - started) * 1000)
            found.append(len(result.matches))
    return timings, rss_mb() - before, found


def exact_scan(data: dict, size: int, texts: list[str], key: bytes) -> tuple[list[float], float, list[int]]:
    """The simple alternative: every stored reply's words in memory, each compared with the same exact test."""
    before = rss_mb()
    stored = [fingerprint.Words.of(ids) for ids in data["ids"][:size]]
    held = rss_mb() - before
    timings, found = [], []
    for text in texts[:50]:
        draft = fingerprint.Words.of(fingerprint.word_ids(sentence_words(text), key))
        started = time.perf_counter()
        found.append(sum(1 for other in stored if fingerprint.similarity(draft, other, 0.8) is not None))
        timings.append((time.perf_counter() - started) * 1000)
    return timings, held, found


@contextmanager
def databases(folder: str):
    """A factory of empty databases: SQLite files, and PostgreSQL databases in one throwaway server."""
    from servers import PostgresServer
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    with ExitStack() as stack:
        server = stack.enter_context(PostgresServer()) if PostgresServer.available() else None
        if server is None:
            print("  (PostgreSQL part skipped: install Debian's postgresql package)")

        def make(kind: str, name: str) -> str:
            if kind == "SQLite":
                return f"sqlite:///{Path(folder) / (name + '.db')}"
            admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
            admin.dispose()
            return make_url(server.url).set(database=name).render_as_string(hide_password=False)

        yield make, ["SQLite"] + (["PostgreSQL"] if server else [])


def latency(replies: list[dict], sizes: list[int]) -> list[str]:
    """Time the check at each size on each database; the targets missed."""
    misses = []
    rng = random.Random(SEED)
    key = fingerprint.words_key("bench-" + "x" * 40)
    data = synthetic(replies, max(sizes), rng, key)
    band_keys_for(data, BENCH_INSTALLATION, key)
    texts = latency_drafts(replies, rng)
    exact = {size: exact_scan(data, size, texts, key) for size in sizes if size <= 100_000}
    rows, memory_rows, agreement_rows = [], [], []
    now = datetime.now(UTC)
    with tempfile.TemporaryDirectory(prefix="valuedesk-bench-") as folder, databases(folder) as (make, kinds):
        for name in kinds:
            for size in sorted(sizes):
                with throwaway_app(make(name, f"latency_{size}"), folder) as (database, installation_id):
                    started = time.perf_counter()
                    load(database.engine, installation_id, data, size, now)
                    with database.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                        connection.exec_driver_sql("ANALYZE" if name == "SQLite" else "VACUUM ANALYZE")
                    print(f"  {name}: {size:,} replies loaded in {time.perf_counter() - started:.0f} s", flush=True)
                    timings, grew, found = time_checks(database, installation_id, texts)
                exact_timings, held, exact_found = exact.get(size, ([], 0, []))
                p95 = percentile(timings, 95)
                exact_p95 = percentile(exact_timings, 95) if exact_timings else None
                if size >= 1_000_000 and p95 >= BUDGET_MS:
                    misses.append(f"{name} p95 {p95:.1f} ms >= {BUDGET_MS} ms at {size:,}")
                rows.append([name, f"{size:,}", percentile(timings, 50), p95, p95 / BUDGET_MS,
                             percentile(exact_timings, 50) if exact_timings else None, exact_p95,
                             ratio(exact_p95, p95)])
                print(f"  {name} at {size:,}: p50 {rows[-1][2]:.1f} ms, p95 {p95:.1f} ms", flush=True)
                memory_rows.append([name, f"{size:,}", round(grew, 1), round(held, 1) if exact_timings else None])
                if exact_found:
                    same = sum(a == b for a, b in zip(found, exact_found, strict=False))
                    agreement_rows.append([name, f"{size:,}", len(exact_found), sum(exact_found),
                                           sum(found[:len(exact_found)]), same / len(exact_found)])
    table(f"Check latency through the database, {CHECKS} drafts (ms); budget p95 < {BUDGET_MS:.0f} ms at 1M",
          ["database", "stored replies", "p50", "p95", "p95 / budget", "exact scan p50", "exact scan p95",
           "exact p95 / ours"], rows)
    table("Copies found per draft: the check (bounded reads) against the exact scan of every stored reply",
          ["database", "stored replies", "drafts", "exact scan: copies", "check: copies", "drafts with the same count"],
          agreement_rows)
    table("Memory (MB): growth of this process during the checks, vs what an exact in-memory scan must hold",
          ["database", "stored replies", "RSS growth while checking", "exact scan holds"], memory_rows)
    return misses
