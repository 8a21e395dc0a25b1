"""Benchmark: promise detection precision/recall, due-date accuracy, and detection speed.

Data (../shared/data, see MANIFEST.md; skipped when absent):
  our hand labels of 370 TWCS agent tweets (bench/labels; texts read from the shared data),
  MRDA dialogue acts (`cc` commit vs the rest), email intents (requests as hard negatives),
  SynTime tweets (DATE/TIME values vs the tweet's creation date), and the ctparse corpus.
Run: .venv/bin/python bench/commitments.py
"""

from __future__ import annotations

import csv
import io
import json
import re
import time
from datetime import UTC
from datetime import datetime

from _common import ROOT
from _common import dataset
from _common import percentile
from _common import ratio
from _common import read_csv
from _common import read_lines
from _common import table

from adapter.commitments.detect import TIME_PATTERNS
from adapter.commitments.detect import detect
from adapter.commitments.detect import is_promise
from adapter.commitments.detect import normalise
from adapter.commitments.detect import resolve_expression
from adapter.commitments.schedule import Schedule

REFERENCE = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CALENDAR = Schedule.calendar("UTC")


def prf(truth: list[int], guess: list[int]) -> tuple[float, float, float, int]:
    tp = sum(1 for t, g in zip(truth, guess, strict=True) if t and g)
    fp = sum(1 for t, g in zip(truth, guess, strict=True) if not t and g)
    fn = sum(1 for t, g in zip(truth, guess, strict=True) if t and not g)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), tp + fn


def twcs_texts() -> dict[tuple[str, str], str]:
    texts = {}
    for source, parts in (("head", ("twcs_head_sample", "twcs.csv")), ("random", ("twcs_random_sample", "twcs_small.csv"))):
        path = dataset(*parts)
        if path is None:
            return {}
        raw = path.read_bytes().decode("utf-8").replace("\r\n", "\n").replace("\r", " ")
        for row in csv.DictReader(io.StringIO(raw, newline="")):
            texts[(source, row["tweet_id"])] = row["text"]
    return texts


def agent_replies() -> list[list]:
    texts = twcs_texts()
    if not texts:
        return []
    labels = []
    for name, split in (("twcs_agent_promises.csv", None), ("twcs_agent_promises_fresh.csv", "fresh")):
        for row in read_csv(ROOT / "bench" / "labels" / name):
            labels.append({**row, "split": split or row["source"]})
    rows = []
    for title, split in (("read while tuning: head sample", "head"), ("read while tuning: random sample", "random"),
                         ("fresh (random, labelled after tuning)", "fresh"), ("all", None)):
        chosen = [r for r in labels if split is None or r["split"] == split]
        truth = [int(r["promise"]) for r in chosen]
        guess = [int(detect(texts[(r["source"], r["tweet_id"])], REFERENCE, CALENDAR).promise) for r in chosen]
        p, r, f, positives = prf(truth, guess)
        rows.append([title, len(chosen), positives, p, r, f, ratio(p, 0.90), ratio(r, 0.85)])
    return rows


def mrda() -> list[list]:
    rows = []
    for split in ("val", "test"):
        path = dataset("mrda_dialog_acts", f"{split}_set.txt")
        if path is None:
            return rows
        lines = [line.split("|") for line in read_lines(path) if line.strip()]
        truth = [int(parts[4] == "cc") for parts in lines]
        guess = [int(is_promise(parts[1])) for parts in lines]
        p, r, f, positives = prf(truth, guess)
        rows.append([f"MRDA {split}: cc commit vs the rest", len(lines), positives, p, r, f])
    return rows


def email_requests() -> list[list]:
    path = dataset("email_intent_parakweet", "test_qualifiedBatch-fixed.txt")
    if path is None:
        return []
    lines = [line.split("\t", 1) for line in read_lines(path, errors="replace") if "\t" in line]
    rows = []
    for label, name in (("Yes", "requests/proposals ('Yes')"), ("No", "other sentences ('No')")):
        chosen = [text for lab, text in lines if lab == label]
        flagged = sum(is_promise(text) for text in chosen)
        rows.append([name, len(chosen), flagged, flagged / len(chosen)])
    return rows


def gold_day(value: str) -> str | None:
    match = re.match(r"^(\d{4}-\d{2}-\d{2})", value)
    return match.group(1) if match else None


def syntime() -> list[list]:
    rows = []
    for split in ("tweets_train", "tweets_test"):
        path = dataset("tweets_timeml_syntime", f"{split}.jsonl")
        if path is None:
            return rows
        cases = []
        for line in read_lines(path):
            doc = json.loads(line)
            created = datetime.fromisoformat(doc["dct"][:10]).replace(hour=12, tzinfo=UTC)
            for timex in doc["timexes"]:
                gold = gold_day(timex["value"]) if timex["type"] in ("DATE", "TIME") else None
                if gold is not None:
                    cases.append((timex["text"], created, gold))
        future = [case for case in cases if case[2] >= case[1].date().isoformat()]
        rows.append(accuracy_row(f"SynTime {split}: all dated DATE/TIME", cases))
        rows.append(accuracy_row(f"SynTime {split}: today or later (promises)", future))
    return rows


def accuracy_row(name: str, cases: list[tuple[str, datetime, str]]) -> list:
    """Our resolution vs dateparser alone on (text, reference, gold day) cases."""
    ours = [resolve_text(text, reference) for text, reference, _ in cases]
    theirs = [dateparser_day(text, reference) for text, reference, _ in cases]
    resolved = [answer for answer in ours if answer is not None]
    correct = sum(1 for answer, case in zip(ours, cases, strict=True) if answer and answer.date().isoformat() == case[2])
    baseline = sum(1 for answer, case in zip(theirs, cases, strict=True) if answer == case[2])
    total = len(cases) or 1
    return [name, len(cases), len(resolved), correct / len(resolved) if resolved else 0.0, correct / total,
            baseline / total, ratio(correct, baseline)]


def resolve_text(text: str, reference: datetime) -> datetime | None:
    lowered = normalise(text)
    for kind, pattern in TIME_PATTERNS:
        if kind == "vague":
            continue
        match = pattern.search(lowered)
        if match:
            try:
                return resolve_expression(kind, match, reference, CALENDAR)
            except ValueError:
                return None
    return None


def dateparser_day(text: str, reference: datetime) -> str | None:
    import dateparser

    parsed = dateparser.parse(text, languages=["en"], settings={
        "RELATIVE_BASE": reference.replace(tzinfo=None), "PREFER_DATES_FROM": "future",
        "RETURN_AS_TIMEZONE_AWARE": False})
    return parsed.date().isoformat() if parsed else None


def ctparse() -> list[list]:
    path = dataset("ctparse_corpus", "ctparse_corpus.jsonl")
    if path is None:
        return []
    cases = []
    for line in read_lines(path):
        case = json.loads(line)
        match = re.match(r"Time\[\]\{(\d{4}-\d{2}-\d{2})", case["expected"])
        if not match or not re.search(r"[a-z]", case["text"].lower()) or re.search(r"[äöüß]", case["text"].lower()):
            continue
        reference = datetime.fromisoformat(case["reference_time"]).replace(tzinfo=UTC)
        cases.append((case["text"], reference, match.group(1)))
    return [accuracy_row("ctparse corpus: English Time cases", cases)]


def speed() -> list[list]:
    texts = twcs_texts()
    if not texts:
        return []
    sample = list(texts.values())[:2000]
    for text in sample[:100]:
        detect(text, REFERENCE, CALENDAR)
    timings = []
    for text in sample:
        started = time.perf_counter()
        detect(text, REFERENCE, Schedule(timezone="Europe/London"))
        timings.append((time.perf_counter() - started) * 1000)
    return [[len(sample), percentile(timings, 50), percentile(timings, 95), percentile(timings, 99),
             percentile(timings, 95) / 5.0]]


if __name__ == "__main__":
    print("Follow-up commitments benchmark (our code: adapter.commitments.detect)")
    table("Promise detection on real agent replies (our 370 hand labels of TWCS tweets); targets P 0.90, R 0.85",
          ["split", "n", "promises", "P", "R", "F1", "P/target", "R/target"], agent_replies())
    table("MRDA meeting dialogue acts (spoken; 'cc' commits are mostly 'I'll do X')",
          ["set", "n", "commits", "P", "R", "F1"], mrda())
    table("Email intent sentences as hard negatives: how many we wrongly call a promise",
          ["class", "n", "flagged", "rate"], email_requests())
    table("Due dates: resolved date vs gold (calendar days, relative to each text's date)",
          ["set", "gold", "resolved", "ours: on resolved", "ours: on all", "dateparser alone: on all", "ours / dateparser"],
          syntime() + ctparse())
    table("Detection speed on one reply (TWCS tweets); budget p95 < 5 ms",
          ["replies", "p50 ms", "p95 ms", "p99 ms", "p95 / budget"], speed())
