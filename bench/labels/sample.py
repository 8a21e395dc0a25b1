"""Draw the labelling samples for the signal and promise benchmarks from ../shared/data (deterministic).

Writes JSON lines with the texts to an output folder outside the repository (the data's licences
forbid committing them); only ids and labels are committed, in bench/labels/*.csv. The two reserved
TWCS samples (twcs_head_sample, twcs_random_sample) are never read here.

Run: .venv/bin/python bench/labels/sample.py /tmp/valuedesk-labelling
"""

from __future__ import annotations

import csv
import hashlib
import json
import random
import re
import sys
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _common import DATA  # noqa: E402

SEED = 20261126
TURN = re.compile(r"<(cust|rep)__(.*?)__\1>", re.S)

# Broad cues used only to enrich the samples so that rare types have enough examples to measure;
# they are not the product's rules and labels never depend on them.
SIGNAL_CUES = re.compile(
    r"\b(cancel\w*|switch\w*|leav(e|ing)|never (again|fly|use|buy|order)|done with|last time|lost a customer|"
    r"won't be (flying|using|buying|ordering)|avoid|other airlines?|better than|unlike|instead|moving to|"
    r"how (do|can|to|long|much)|where (is|do|can|are)|what (is|are|time)|policy|is there|can i|do you|"
    r"why (can't|don't|doesn't|isn't)|please add|wish|would be (nice|great|good)|option to|no way to|"
    r"on hold|hold for|transferred|hard to|confusing|slow|takes forever|keeps|error|crash\w*|broken|bug|"
    r"charged|refund|thank|love|amazing|awesome|great job|best)\b|@\w+.*@\w+", re.I)
PROMISE_CUES = re.compile(
    r"\b(will|'ll|shall|going to|let me|let us|allow me|follow(ing)? up|get back|update|be in touch|hear back|"
    r"reach out|contact|look into|check(ing)?|escalat\w*|expect)\b", re.I)
TIME_CUES = re.compile(
    r"\b(today|tonight|tomorrow|tmrw|monday|tuesday|wednesday|thursday|friday|saturday|sunday|morning|"
    r"afternoon|evening|week|weekend|month|hours?|hrs?|days?|minutes?|mins?|business|eod|end of|"
    r"\d{1,2}(:\d{2})?\s*(am|pm)|jan\w*|feb\w*|mar(ch)?|apr\w*|may|june?|july?|aug\w*|sep\w*|oct\w*|nov\w*|dec\w*)\b",
    re.I)

# A narrower cue for the rare replies that promise something by a named time (about 300 in the corpus),
# drawn whole as a ninth batch so that the test part can hold enough of them.
_PROMISE_WORDS = (r"(will|'ll|going to|expect|hear back|should (hear|receive|get)|be in touch|get back|follow up|"
                  r"update|contact|reach out|let me|let us|be sending|be reaching|be contacting|be calling|allow)")
_NAMED_TIME = (r"(today|tonight|tomorrow|tmrw|monday|tuesday|wednesday|thursday|friday|this (morning|afternoon|evening|"
               r"week)|next week|end of (the )?(day|week)|eod|within \w+(-\w+)? (hours?|hrs?|days?|business days?|weeks?)|"
               r"in (the next )?\w+(-\w+)? (minutes|mins|hours?|hrs?|days?|business days?|weeks?)|\d{1,2}(:\d\d)? ?(am|pm)|"
               r"by (the )?\w+ \d{1,2}(st|nd|rd|th)?)")
DATED_CUES = re.compile(rf"\b{_PROMISE_WORDS}\b[^.!?]{{0,100}}\b{_NAMED_TIME}\b|\b{_NAMED_TIME}\b[^.!?]{{0,60}}\b"
                        rf"{_PROMISE_WORDS}\b", re.I)


def airline_turns() -> list[dict]:
    """Every turn of the airline threads, with the turn before it."""
    csv.field_size_limit(10**9)
    turns = []
    with open(DATA / "twcs_airlines_asapp" / "airlines_raw.csv", encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            previous = None
            for index, match in enumerate(TURN.finditer(row["first_utterance"] + " " + row["context"])):
                text = " ".join(match.group(2).split())
                turns.append({"id": f"a:{row['first_tweet_id']}:{index}", "role": match.group(1), "text": text,
                              "previous": previous, "source": "twcs_airlines_asapp"})
                previous = text
    return turns


def ibm_turns() -> list[dict]:
    """Every customer and agent turn of the IBM conversations, with the turn before it and its time."""
    turns = []
    for split in ("dev", "test"):
        for conversation in json.loads((DATA / "ibm_twitter_docpred" / f"{split}.json").read_text()):
            session = conversation["dialogHeader"]["sessionID"]
            previous = None
            content = list(conversation["dialogContent"])
            final = conversation.get("agentURL") or {}
            if final.get("url_utterance"):
                # The final reply has no time of its own: it came after the conversation's last message.
                last = max((t["datetime"] for t in content if t.get("datetime")), default=None)
                content.append({"agent": "agent", "message": final["url_utterance"], "datetime": last,
                                "doc_id": final.get("doc_id")})
            for index, turn in enumerate(content):
                role = "cust" if "client" in turn else "rep" if "agent" in turn else None
                text = " ".join((turn.get("message") or "").split())
                if role and text:
                    turns.append({"id": f"i:{split}:{session}:{index}", "role": role, "text": text,
                                  "previous": previous, "datetime": turn.get("datetime"),
                                  "company": conversation["dialogHeader"]["company"], "source": "ibm_twitter_docpred",
                                  **({"doc_id": turn["doc_id"]} if turn.get("doc_id") else {})})
                previous = text or previous
    return turns


def complaints() -> list[dict]:
    with open(DATA / "complaints_preotiuc2019" / "complaints-data.csv", encoding="utf-8", newline="") as handle:
        return [{"id": f"c:{row[0]}", "text": " ".join(row[1].split()), "source": "complaints_preotiuc2019"}
                for row in csv.reader(handle)]


def maalej() -> list[dict]:
    with open(DATA / "maalej2016_rej" / "maalej2016_multilabel.csv", encoding="utf-8", newline="") as handle:
        return [{"id": f"m:{index}", "text": " ".join(f"{row['title']}. {row['comment']}".split()),
                 "source": "maalej2016_rej"} for index, row in enumerate(csv.DictReader(handle))]


def clap() -> list[dict]:
    with open(DATA / "clap_scalabrino2017" / "CLAP.csv", encoding="utf-8", newline="") as handle:
        return [{"id": f"p:{row['id']}", "text": " ".join(row["review"].split()), "source": "clap_scalabrino2017"}
                for row in csv.DictReader(handle)]


def draw(rng: random.Random, items: list[dict], count: int, cue: re.Pattern | None, taken: set[str]) -> list[dict]:
    """`count` items not yet taken: half at random, half among those matching `cue` (all at random without one)."""
    pool = [item for item in items if item["id"] not in taken and len(item["text"].split()) >= 3]
    chosen = []
    if cue is not None:
        cued = [item for item in pool if cue.search(item["text"])]
        chosen = rng.sample(cued, min(count // 2, len(cued)))
        for item in chosen:
            item["drawn"] = "cued"
    ids = {item["id"] for item in chosen}
    rest = rng.sample([item for item in pool if item["id"] not in ids], count - len(chosen))
    for item in rest:
        item["drawn"] = "random"
    chosen += rest
    taken.update(item["id"] for item in chosen)
    return chosen


def sent_at(item: dict) -> tuple[str, str]:
    """The moment a reply was sent and its timezone: the data's own time, else a stable made-up one in 2017 Q4."""
    if item.get("datetime"):
        return datetime.fromisoformat(item["datetime"].replace("Z", "+00:00")).isoformat(), "UTC"
    digest = int(hashlib.sha256(item["id"].encode()).hexdigest(), 16)
    zone = ZoneInfo("America/New_York")
    local = datetime(2017, 10, 1, tzinfo=zone) + timedelta(minutes=digest % (92 * 24 * 60))
    local = local.replace(tzinfo=None).replace(tzinfo=zone)
    return local.astimezone(UTC).isoformat(), "America/New_York"


def main(out: Path) -> None:
    rng = random.Random(SEED)
    out.mkdir(parents=True, exist_ok=True)
    airlines, ibm = airline_turns(), ibm_turns()

    signals: list[dict] = []
    taken: set[str] = set()
    signals += draw(rng, [t for t in airlines if t["role"] == "cust"], 700, SIGNAL_CUES, taken)
    signals += draw(rng, [t for t in ibm if t["role"] == "cust"], 300, SIGNAL_CUES, taken)
    signals += draw(rng, complaints(), 300, SIGNAL_CUES, taken)
    signals += draw(rng, maalej(), 250, None, taken)
    signals += draw(rng, clap(), 250, None, taken)
    rng.shuffle(signals)

    promises: list[dict] = []
    taken = set()
    replies = [t for t in airlines if t["role"] == "rep"]
    promises += draw(rng, replies, 700, PROMISE_CUES, taken)
    timed = [t for t in replies if PROMISE_CUES.search(t["text"]) and TIME_CUES.search(t["text"])]
    for item in draw(rng, timed, 600, None, taken):
        item["drawn"] = "timed"
        promises.append(item)
    promises += draw(rng, [t for t in ibm if t["role"] == "rep"], 300, PROMISE_CUES, taken)
    for item in promises:
        item["sent_at"], item["timezone"] = sent_at(item)
        item["sent_local"] = datetime.fromisoformat(item["sent_at"]).astimezone(ZoneInfo(item["timezone"])).strftime(
            "%A %Y-%m-%d %H:%M")
    rng.shuffle(promises)

    # Drawn after the first eight batches were handed out, with its own seed, so they stay as they were.
    taken = {item["id"] for item in promises}
    dated = [t for t in replies + [t for t in ibm if t["role"] == "rep"]
             if t["id"] not in taken and DATED_CUES.search(t["text"])]
    for item in dated:
        item["drawn"] = "dated"
        item["sent_at"], item["timezone"] = sent_at(item)
        item["sent_local"] = datetime.fromisoformat(item["sent_at"]).astimezone(ZoneInfo(item["timezone"])).strftime(
            "%A %Y-%m-%d %H:%M")
    random.Random(SEED + 9).shuffle(dated)
    with open(out / "promises_09.jsonl", "w", encoding="utf-8") as handle:
        for item in dated:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    print(f"promises: {len(dated)} more replies that may name a time, in promises_09.jsonl")

    for name, items, size in (("signals", signals, 200), ("promises", promises, 200)):
        for number, start in enumerate(range(0, len(items), size), 1):
            with open(out / f"{name}_{number:02d}.jsonl", "w", encoding="utf-8") as handle:
                for item in items[start:start + size]:
                    handle.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(f"{name}: {len(items)} items in {(len(items) + size - 1) // size} batches under {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/valuedesk-labelling"))
