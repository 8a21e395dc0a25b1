"""Benchmark: copy-paste warnings against ground truth the check did not define, and check latency at scale.

Data (../shared/data, see MANIFEST.md; skipped when absent): every agent reply of twcs_airlines_asapp and
ibm_twitter_docpred (about 53,700; threads act as tickets). The reserved TWCS samples are never read.
Threads are split once into a held-out `test` third and a `dev` rest (bench/labels/reply_pairs.py).

Quality (`--part test` is the headline; `dev` is for development): all replies are stored in a throwaway
SQLite database through the service; then, for replies of the part,
- planted edits (bench/_reply_edits.py) are checked as drafts on a new ticket: found when the original (or a
  stored reply identical to it after masking) is listed;
- the hand-labelled same-topic pairs of bench/labels/reply_pairs.csv give the precision of listed pairs;
- false warnings: for each pair labelled "not copy", its second reply is sent on five other tickets and the
  first is checked: a `repeated` warning is false.
Latency: 10k, 100k and 1M replies (real ones with random edits) in SQLite and in a throwaway PostgreSQL,
`adapter.replies.service.check` timed through the real database beside an exact in-memory scan.

Run: .venv/bin/python bench/replies.py [--part test|dev] [--sizes 10000,100000,1000000] [--skip-quality]
Exits non-zero when a target is missed.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from contextlib import contextmanager
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

import numpy as np
from _common import DATA
from _common import ROOT
from _common import percentile
from _common import ratio
from _common import table
from _reply_edits import EDITS

from adapter.replies import copies
from adapter.replies import fingerprint
from adapter.replies import service
from adapter.replies.normalize import sentence_words

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench" / "labels"))

SEED = 20261127
PLANTED_PER_EDIT = 300
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.95
TARGET_FALSE_WARNINGS = 0.01
BUDGET_MS = 50.0
CHECKS = 200
LENGTHS = ((8, 14), (15, 24), (25, 10_000))
MISSED: list[str] = []


def missed(what: str) -> None:
    MISSED.append(what)


def agent_replies() -> list[dict]:
    """Every agent reply of the two corpora: id, thread, text."""
    from reply_pairs import thread
    from sample import airline_turns
    from sample import ibm_turns

    # The airline data hides @handles as __cust__ / __company__; put handles back, as the helpdesk would send them.
    return [{**t, "thread": thread(t["id"]), "text": t["text"].replace("__cust__", "@customer").replace(
        "__company__", "@company")} for t in airline_turns() + ibm_turns() if t["role"] == "rep"]


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


# Quality


def store_all(session, replies: list[dict]) -> dict[str, int]:
    """Fingerprint every reply as sent on its thread; reply id -> fingerprint id (replies under 8 words are not kept)."""
    stored = {}
    started = time.perf_counter()
    for number, reply in enumerate(replies, 1):
        new_id = copies.record_reply(session, ticket_id=reply["thread"], comment_id=reply["id"], agent_id="agent",
                                     text=reply["text"])
        if new_id is not None:
            stored[reply["id"]] = new_id
        if number % 5000 == 0 or number == len(replies):
            progress(number, len(replies), started, "replies stored")
    return stored


def check(session, installation, draft: str, *, customer=None, agent=None, ticket="bench-draft"):
    return service.check(session, installation, ticket_id=ticket, agent_id="bench-agent", draft=draft,
                         customer_name=customer, agent_name=agent)


def planted(session, installation, replies, stored, part: str) -> None:
    """Recall per planted edit type, by length of the original."""
    from sqlalchemy import select

    from adapter.models import ReplyFingerprint

    rng = random.Random(SEED)
    signatures = dict(session.execute(select(ReplyFingerprint.id, ReplyFingerprint.signature)).all())
    same = defaultdict(set)  # originals identical after masking count as the original
    for fid, blob in signatures.items():
        same[blob].add(fid)
    vocabulary = sorted({w.strip(",.!?") for r in replies for w in r["text"].split() if w.isalpha() and len(w) > 2})
    originals = [r for r in replies if r["id"] in stored and r["part"] == part]
    rows, misses = [], []
    for name, edit in EDITS.items():
        found = total = 0
        by_length = defaultdict(lambda: [0, 0])
        for reply in rng.sample(originals, len(originals)):
            if total == PLANTED_PER_EDIT:
                break
            draft = edit(reply["text"], rng, vocabulary)
            if draft is None or len(copies.prepare(draft.text, (draft.customer, draft.agent)).words) < copies.MIN_WORDS:
                continue
            result = check(session, installation, draft.text, customer=draft.customer, agent=draft.agent)
            original = stored[reply["id"]]
            hit = any(m.fingerprint_id in same[signatures[original]] for m in result.matches)
            words = fingerprint.word_count(fingerprint.from_bytes(signatures[original]))
            band = next(b for b in LENGTHS if b[0] <= words <= b[1])
            by_length[band][0] += hit
            by_length[band][1] += 1
            found, total = found + hit, total + 1
            if not hit and len(misses) < 60:
                misses.append((name, reply["text"], draft.text))
        recall = found / total if total else None
        if recall is None or recall < TARGET_RECALL:
            missed(f"recall {recall} < {TARGET_RECALL} for '{name}'")
        rows.append([name, total, found, recall] + [
            f"{by_length[b][0] / by_length[b][1]:.3f} ({by_length[b][1]})" if by_length[b][1] else "n/a"
            for b in LENGTHS])
    table(f"Recall on planted edits of real replies ({part} part), {PLANTED_PER_EDIT} drafts per edit; "
          f"target >= {TARGET_RECALL}", ["edit", "drafts", "found", "recall", "8-14 words", "15-24 words",
                                         "25+ words"], rows)
    if misses:
        print(f"\n  {len(misses)} misses kept; first few (edit | original | draft):")
        for name, original, draft in misses[:8]:
            print(f"  - [{name}] {original[:120]!r}\n      {draft[:140]!r}")


def labelled_pairs(part: str) -> list[dict]:
    with open(ROOT / "bench" / "labels" / "reply_pairs.csv", encoding="utf-8", newline="") as handle:
        return [row for row in csv.DictReader(handle) if row["split"] == part]


def pairs(session, installation, replies, stored, part: str) -> None:
    """Precision and recall of listed pairs on the hand-labelled same-topic pairs."""
    texts = {r["id"]: r["text"] for r in replies}
    rows = []
    listed_total = listed_copies = 0
    errors = []
    for drawn in ("same_doc", "neighbour", "all"):
        listed = listed_copy = labelled_copy = copy_listed = count = 0
        for pair in labelled_pairs(part):
            if drawn != "all" and pair["drawn"] != drawn:
                continue
            result = check(session, installation, texts[pair["id_a"]], ticket=f"pair-{pair['id_a']}")
            is_listed = stored.get(pair["id_b"]) in {m.fingerprint_id for m in result.matches}
            is_copy = pair["copy"] == "1"
            count += 1
            listed += is_listed
            listed_copy += is_listed and is_copy
            labelled_copy += is_copy
            copy_listed += is_copy and is_listed
            if drawn == "all" and is_listed != is_copy:
                errors.append((pair, is_listed))
        rows.append([drawn, count, labelled_copy, listed, listed_copy, listed_copy / listed if listed else None,
                     copy_listed / labelled_copy if labelled_copy else None])
        if drawn == "all":
            listed_total, listed_copies = listed, listed_copy
    table(f"Hand-labelled same-topic pairs ({part} part): is the second reply listed when the first is checked? "
          f"Target precision >= {TARGET_PRECISION}",
          ["pairs", "count", "labelled copy", "listed", "listed and copy", "precision", "recall"], rows)
    precision = listed_copies / listed_total if listed_total else None
    if precision is None or precision < TARGET_PRECISION:
        missed(f"listed-pair precision {precision} < {TARGET_PRECISION}")
    for pair, is_listed in errors:
        print(f"  {'listed, labelled not copy' if is_listed else 'copy, not listed'}: {pair['id_a']} | {pair['id_b']}")


def false_warnings(database, part: str, replies) -> None:
    """Each pair labelled "not copy": its second reply sent on five other tickets, then the first checked."""
    from adapter.installations import create_installation
    from adapter.models import Installation

    texts = {r["id"]: r["text"] for r in replies}
    with database.system() as session:
        installation_id = create_installation(session, kind="playground", account="bench-distinct").id
    warned = total = 0
    yesterday = datetime.now(UTC) - timedelta(days=1)
    for pair in labelled_pairs(part):
        if pair["copy"] != "0":
            continue
        with database.tenant(installation_id) as session:
            installation = session.get(Installation, installation_id)
            for n in range(service.settings_of(installation).min_matches):
                copies.record_reply(session, ticket_id=f"sent-{n}", comment_id=f"{pair['id_b']}-{n}", agent_id="a",
                                    text=texts[pair["id_b"]], created_at=yesterday)
            result = check(session, installation, texts[pair["id_a"]])
            warned += any(w.kind == "repeated" for w in result.warnings)
            total += 1
            copies.forget_before(session, datetime.now(UTC))
    rate = warned / total if total else None
    table(f"False 'repeated' warnings on distinct same-topic replies ({part} part; the other reply sent 5 times); "
          f"target <= {TARGET_FALSE_WARNINGS:.0%}", ["pairs labelled not copy", "warned", "rate"], [[total, warned, rate]])
    if rate is None or rate > TARGET_FALSE_WARNINGS:
        missed(f"false-warning rate {rate} > {TARGET_FALSE_WARNINGS}")


def quality(replies: list[dict], part: str) -> None:
    from reply_pairs import part as part_of

    from adapter.models import Installation

    for reply in replies:
        reply["part"] = part_of(reply["id"])
    with tempfile.TemporaryDirectory(prefix="valuedesk-bench-") as folder, \
            throwaway_app(f"sqlite:///{Path(folder) / 'quality.db'}", folder) as (database, installation_id):
        with database.tenant(installation_id) as session:
            stored = store_all(session, replies)
        print(f"  stored {len(stored):,} of {len(replies):,} replies (the rest are under {copies.MIN_WORDS} words)")
        with database.tenant(installation_id) as session:
            installation = session.get(Installation, installation_id)
            planted(session, installation, replies, stored, part)
            pairs(session, installation, replies, stored, part)
        false_warnings(database, part, replies)


# Latency


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


def latency(replies: list[dict], sizes: list[int]) -> None:
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
                    missed(f"{name} p95 {p95:.1f} ms >= {BUDGET_MS} ms at {size:,}")
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


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("test", "dev"), default="test", help="held-out test part, or dev")
    parser.add_argument("--sizes", default="10000,100000,1000000", help="stored replies to time (comma-separated)")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-latency", action="store_true")
    args = parser.parse_args()
    print("Copy-paste warnings benchmark (our code: adapter.replies)")
    if not (DATA / "twcs_airlines_asapp" / "airlines_raw.csv").exists():
        print(f"  (skipped: {DATA} has no twcs_airlines_asapp)")
        sys.exit(0)
    all_replies = agent_replies()
    print(f"  {len(all_replies):,} agent replies in the airline and IBM threads")
    if not args.skip_quality:
        quality(all_replies, args.part)
    if not args.skip_latency:
        latency(all_replies, [int(s) for s in args.sizes.split(",")])
    if MISSED:
        print("\nTargets missed:\n  " + "\n  ".join(MISSED))
        sys.exit(1)
    print("\nEvery target met.")
