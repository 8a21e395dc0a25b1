"""Benchmark: promise detection precision/recall per class of phrasing, due-time accuracy, and detection speed.

Data (../shared/data, see MANIFEST.md; skipped when absent):
  bench/labels/promises.csv: 1,816 real agent replies (twcs_airlines_asapp, ibm_twitter_docpred) labelled by
    hand, texts read from the shared data by id; the test part (400) is the headline, the train part (1,416)
    is what the detector was developed and tuned on;
  MRDA dialogue acts (`cc` commit vs the rest), email intents (requests as hard negatives),
  SynTime tweets and the ctparse corpus (due-time resolution against their gold dates).
The two reserved TWCS samples are never read.
Run: .venv/bin/python bench/commitments.py [--split test|train] [--errors]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from collections import defaultdict
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from zoneinfo import ZoneInfo

from _common import DATA
from _common import ROOT
from _common import dataset
from _common import percentile
from _common import read_csv
from _common import read_lines
from _common import table

from adapter.commitments.detect import detect
from adapter.commitments.detect import is_promise
from adapter.commitments.due import resolve
from adapter.commitments.model import clear_caches
from adapter.commitments.schedule import Schedule

CALENDAR = Schedule.calendar("UTC")
POSITIVE_CLASSES = ("first_person", "let_me", "checking", "company_or_team", "passive_or_hear_back", "channel")

# Recorded measurements on the test part, each the first of its kind (they cannot be re-run honestly).
FIRST_LOOKS = [
    # (what, precision, recall, due time right on resolvable, on vague, detection p95 ms)
    ("rules before issue 22 (measured when the labels were fixed)", 0.67, 0.40, "2/19", None, None),
    ("issue 22 detector, first look (headline; p95 4.85 ms at load 5.3)", 0.882, 0.833, "15/19", "28/35", 4.85),
]


def prf(truth: list[int], guess: list[int]) -> tuple[float, float, float, int]:
    tp = sum(1 for t, g in zip(truth, guess, strict=True) if t and g)
    fp = sum(1 for t, g in zip(truth, guess, strict=True) if not t and g)
    fn = sum(1 for t, g in zip(truth, guess, strict=True) if t and not g)
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0), tp + fn


def labelled_replies(split: str) -> list[dict]:
    """The promise labels of one split with their texts, read from the shared data by id."""
    if dataset("twcs_airlines_asapp", "airlines_raw.csv") is None or dataset("ibm_twitter_docpred", "dev.json") is None:
        return []
    sys.path.insert(0, str(ROOT / "bench" / "labels"))
    from sample import airline_turns  # bench/labels/sample.py: how ids map to texts
    from sample import ibm_turns

    turns = {turn["id"]: turn for turn in airline_turns() + ibm_turns()}
    rows = read_csv(ROOT / "bench" / "labels" / "promises.csv")
    return [{**row, "text": turns[row["id"]]["text"]} for row in rows if row["split"] == split]


def run(rows: list[dict]) -> list[tuple[dict, object]]:
    """Each labelled reply with what the detector finds, due times resolved as the labels were (calendar days)."""
    results = []
    for row in rows:
        sent_at = datetime.fromisoformat(row["sent_at"])
        results.append((row, detect(row["text"], sent_at, Schedule.calendar(row["timezone"]))))
    return results


def due_right(row: dict, found) -> bool:
    """Same local date as the label, and within an hour where the label gives a time of day."""
    if not found.promise or found.due_at is None or not found.timed:
        return False
    local = found.due_at.astimezone(ZoneInfo(row["timezone"]))
    if local.date().isoformat() != row["due_date"]:
        return False
    if not row["due_time"]:
        return True
    hour, minute = map(int, row["due_time"].split(":"))
    gold = local.replace(hour=hour, minute=minute, second=0)
    return abs(local - gold) <= timedelta(hours=1)


def detection_rows(results: list[tuple[dict, object]], title: str) -> list[list]:
    truth = [int(row["promise"]) for row, _ in results]
    guess = [int(found.promise) for _, found in results]
    p, r, f, positives = prf(truth, guess)
    dated = [(row, found) for row, found in results if row["promise"] == "1" and row["due_date"]]
    vague = [(row, found) for row, found in results if row["promise"] == "1" and row["vague"] == "1"]
    dated_right = sum(due_right(row, found) for row, found in dated)
    vague_right = sum(bool(found.promise and found.vague) for _, found in vague)
    named = len(dated) + len(vague)
    return [[title, len(results), positives, p, r, f, f"{dated_right}/{len(dated)}", f"{vague_right}/{len(vague)}",
             (dated_right + vague_right) / named if named else None]]


def class_rows(results: list[tuple[dict, object]]) -> list[list]:
    """Recall per class of promise phrasing; false alarms per class of non-promise."""
    by_class = defaultdict(list)
    for row, found in results:
        by_class[(row["promise"], row["phrasing"])].append(found.promise)
    rows = []
    for (promise, phrasing), guesses in sorted(by_class.items(), key=lambda item: (item[0][0] != "1", item[0][1])):
        if promise == "1":
            rows.append([f"promise: {phrasing}", len(guesses), sum(guesses), sum(guesses) / len(guesses), None])
        else:
            rows.append([f"not a promise: {phrasing}", len(guesses), sum(guesses), None, sum(guesses) / len(guesses)])
    return rows


def flag_rows(results: list[tuple[dict, object]]) -> list[list]:
    """Conditional and vague flags on the promises found that are labelled promises."""
    found = [(row, hit) for row, hit in results if row["promise"] == "1" and hit.promise]
    rows = []
    for flag in ("conditional", "vague"):
        truth = [int(row[flag]) for row, _ in found]
        guess = [int(getattr(hit, flag)) for _, hit in found]
        p, r, f, positives = prf(truth, guess)
        agree = sum(t == g for t, g in zip(truth, guess, strict=True))
        rows.append([flag, len(found), positives, p, r, agree / len(found) if found else None])
    return rows


def print_errors(results: list[tuple[dict, object]]) -> None:
    for row, found in results:
        wrong_promise = int(row["promise"]) != int(found.promise)
        wrong_due = row["promise"] == "1" and row["due_date"] and not due_right(row, found)
        wrong_flags = row["promise"] == "1" and found.promise and (
            int(row["conditional"]) != found.conditional or int(row["vague"]) != found.vague)
        if not (wrong_promise or wrong_due or wrong_flags):
            continue
        kind = "FN" if wrong_promise and row["promise"] == "1" else "FP" if wrong_promise else "DUE" if wrong_due else "FLAG"
        print(f"\n{kind} [{row['phrasing']} c={row['conditional']} v={row['vague']} due={row['due_date']} "
              f"{row['due_time']} {row['due_text']!r}] {row['id']} sent {row['sent_at']}")
        print(f"   text: {row['text']}")
        if found.promise:
            print(f"   found: {found.sentence!r} p={found.confidence} c={int(found.conditional)} v={int(found.vague)} "
                  f"due={found.due_at.astimezone(ZoneInfo(row['timezone'])):%a %Y-%m-%d %H:%M} ({found.due_text!r}) "
                  f"reasons={list(found.reasons)}")


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
    ours = [resolve(text, reference, CALENDAR).at for text, reference, _ in cases]
    theirs = [dateparser_day(text, reference) for text, reference, _ in cases]
    resolved = [answer for answer in ours if answer is not None]
    correct = sum(1 for answer, case in zip(ours, cases, strict=True) if answer and answer.date().isoformat() == case[2])
    baseline = sum(1 for answer, case in zip(theirs, cases, strict=True) if answer == case[2])
    total = len(cases) or 1
    return [name, len(cases), len(resolved), correct / len(resolved) if resolved else 0.0, correct / total,
            baseline / total, correct / baseline if baseline else None]


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


def speed(texts: list[str]) -> list[list]:
    """Detection time per reply on real agent replies (the model loads before timing starts)."""
    if not texts:
        return []
    reference = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
    for text in texts[:100]:
        detect(text, reference, CALENDAR)
    clear_caches()  # every reply is timed as if seen for the first time
    timings, cpu = [], []
    for text in texts:
        started, started_cpu = time.perf_counter(), time.process_time()
        detect(text, reference, Schedule(timezone="Europe/London"))
        timings.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return [[len(texts), percentile(timings, 50), percentile(timings, 95), percentile(timings, 99),
             percentile(cpu, 95), percentile(timings, 95) / 5.0, load]]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("test", "train"), default="test")
    parser.add_argument("--errors", action="store_true",
                        help="print each wrong reply (on the test part: every later number is 'after reading the test errors')")
    args = parser.parse_args()
    print(f"Follow-up commitments benchmark (adapter.commitments.detect); data: {DATA}")
    results = run(labelled_replies(args.split))
    headers = ["detector", "replies", "promises", "P", "R", "F1", "due right: resolvable", "due right: vague",
               "due right: all named"]
    recorded = [[what, "400", "72", p, r, 2 * p * r / (p + r), dated, vague, None] for what, p, r, dated, vague, _ in FIRST_LOOKS]
    table(f"Promise detection on the {args.split} part of bench/labels/promises.csv; targets P 0.90, R 0.85, due 0.90",
          headers, (recorded if args.split == "test" else []) + (detection_rows(results, "current") if results else []))
    table("Per class of phrasing (labels): recall for promises, false alarms for the rest",
          ["class", "n", "called a promise", "recall", "false alarm rate"], class_rows(results))
    table("Flags on the promises found (labelled promises only)",
          ["flag", "promises found", "flagged in labels", "P", "R", "agreement"], flag_rows(results))
    if args.errors:
        print_errors(results)
    table("MRDA meeting dialogue acts (spoken; 'cc' commits are mostly 'I'll do X')",
          ["set", "n", "commits", "P", "R", "F1"], mrda())
    table("Email intent sentences (test file) as hard negatives: how many we wrongly call a promise",
          ["class", "n", "flagged", "rate"], email_requests())
    table("Due dates: resolved date vs gold (calendar days, relative to each text's date)",
          ["set", "gold", "resolved", "ours: on resolved", "ours: on all", "dateparser alone: on all", "ours / dateparser"],
          syntime() + ctparse())
    airline = [row["text"] for row in labelled_replies("train")][:2000]
    table("Detection speed on one reply (agent replies of the train part); budget p95 < 5 ms",
          ["replies", "p50 ms", "p95 ms", "p99 ms", "CPU p95 ms", "p95 / budget", "load average"], speed(airline))


if __name__ == "__main__":
    main()
