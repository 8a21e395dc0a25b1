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
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path

from _common import DATA
from _common import ROOT
from _common import table
from _reply_edits import EDITS
from _reply_latency import latency
from _reply_latency import progress
from _reply_latency import throwaway_app

from adapter.replies import copies
from adapter.replies import fingerprint
from adapter.replies import service

sys.path.insert(0, str(ROOT / "scripts"))
sys.path.insert(0, str(ROOT / "bench" / "labels"))

SEED = 20261127
PLANTED_PER_EDIT = 300
TARGET_RECALL = 0.95
TARGET_PRECISION = 0.95
TARGET_FALSE_WARNINGS = 0.01
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
        MISSED.extend(latency(all_replies, [int(s) for s in args.sizes.split(",")]))
    if MISSED:
        print("\nTargets missed:\n  " + "\n  ".join(MISSED))
        sys.exit(1)
    print("\nEvery target met.")
