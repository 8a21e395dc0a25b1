"""Merge the labellers' CSV files into bench/labels/{signals,promises}.csv and fix the train/test split (deterministic).

The split was drawn once, before any analysis code was changed, and is committed with the labels; this script
documents how. bench/labels/corrections.csv then applies the final brief's rulings and the adjudication of the
test part's disagreements with a second, independent labelling. Signals: a quarter of each source goes to the test part. Promises: the test part holds every
promise with a resolvable due time, 40 of the promises with a vague time, a quarter of the other promises and
enough non-promises to make 400, because promises that name a time are rare in real replies (21 of 1,816).

Run: .venv/bin/python bench/labels/assemble.py /work/labelling
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEED = 20261126
SIGNAL_FIELDS = ["id", "source", "drawn", "split", "labels", "hard"]
PROMISE_FIELDS = ["id", "source", "drawn", "split", "sent_at", "timezone", "promise", "conditional", "vague",
                  "due_date", "due_time", "due_text", "phrasing", "hard"]
TEST_SIZE = 400
VAGUE_IN_TEST = 40


def read(folder: Path, name: str) -> list[dict]:
    """Labels joined with the sampled items' metadata, in batch order."""
    items = {}
    for path in sorted(folder.glob(f"{name}_*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            item = json.loads(line)
            items[item["id"]] = item
    rows = []
    for path in sorted((folder / "out").glob(f"{name}_*.csv")):
        with open(path, encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                item = items[row["id"]]
                # A labeller's note quotes the text, which stays in the licensed data: keep only that it was hard.
                rows.append({**row, "hard": "1" if row.get("note", "").strip() else "0",
                             "source": item["source"], "drawn": item["drawn"],
                             "sent_at": item.get("sent_at", ""), "timezone": item.get("timezone", "")})
    return rows


def split_signals(rows: list[dict], rng: random.Random) -> None:
    by_source = defaultdict(list)
    for row in rows:
        by_source[row["source"]].append(row)
    for source in sorted(by_source):
        group = by_source[source]
        test = set(id(r) for r in rng.sample(group, round(len(group) / 4)))
        for row in group:
            row["split"] = "test" if id(row) in test else "train"


def split_promises(rows: list[dict], rng: random.Random) -> None:
    dated = [r for r in rows if r["promise"] == "1" and r["due_date"]]
    vague = [r for r in rows if r["promise"] == "1" and not r["due_date"] and r["vague"] == "1"]
    plain = [r for r in rows if r["promise"] == "1" and not r["due_date"] and r["vague"] != "1"]
    others = [r for r in rows if r["promise"] != "1"]
    test = dated + rng.sample(vague, VAGUE_IN_TEST) + rng.sample(plain, round(len(plain) / 4))
    test += rng.sample(others, TEST_SIZE - len(test))
    chosen = set(id(r) for r in test)
    for row in rows:
        row["split"] = "test" if id(row) in chosen else "train"


def correct(rows: list[dict], name: str) -> int:
    """Apply bench/labels/corrections.csv: the final brief's rulings and the test part's adjudications."""
    by_id = {row["id"]: row for row in rows}
    applied = 0
    with open(HERE / "corrections.csv", encoding="utf-8", newline="") as handle:
        for fix in csv.DictReader(handle):
            if fix["set"] != name:
                continue
            row = by_id[fix["id"]]
            row[fix["field"]] = fix["value"]
            if fix["field"] == "promise" and fix["value"] == "0":
                row.update(conditional="0", vague="0", due_date="", due_time="", due_text="", phrasing="information")
            applied += 1
    return applied


def write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(sorted(rows, key=lambda r: (r["split"], r["id"])))


def main(folder: Path) -> None:
    signals, promises = read(folder, "signals"), read(folder, "promises")
    split_signals(signals, random.Random(SEED))
    split_promises(promises, random.Random(SEED + 1))
    # Corrections come after the split, so the split is the one drawn from the first labels.
    fixed = correct(signals, "signals") + correct(promises, "promises")
    write(HERE / "signals.csv", SIGNAL_FIELDS, signals)
    write(HERE / "promises.csv", PROMISE_FIELDS, promises)
    for name, rows in (("signals", signals), ("promises", promises)):
        test = [r for r in rows if r["split"] == "test"]
        print(f"{name}: {len(rows)} labelled, {len(test)} in the test part")
    print(f"{fixed} corrections applied")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/labelling"))
