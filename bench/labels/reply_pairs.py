"""Draw pairs of distinct real agent replies on one topic, to be labelled copy / not copy by hand (deterministic).

Two kinds of pair, both from ../shared/data and never from the two reserved TWCS samples:
- `same_doc`: two IBM replies (different conversations) that point the customer to the same help document;
- `neighbour`: an airline reply and one of its ten nearest airline replies from another thread by TF-IDF cosine
  over words outside a stop list, at a random rank, so that both copies and same-topic rewrites are common.
Only replies of 8 or more words (after the check's masking, the length below which it never warns) are drawn.
The pair's part (`test` or `dev`) follows its first reply's thread, as in bench/replies.py.

Writes JSON lines with both texts to an output folder outside the repository (the data's licences forbid
committing them); only ids and labels are committed, in bench/labels/reply_pairs.csv.

Run: .venv/bin/python bench/labels/reply_pairs.py /tmp/valuedesk-reply-pairs
"""

from __future__ import annotations

import hashlib
import json
import random
import sys
from collections import defaultdict
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))

from sample import airline_turns  # noqa: E402
from sample import ibm_turns  # noqa: E402

from adapter.replies.asks import STOPWORDS  # noqa: E402
from adapter.replies.normalize import tokens  # noqa: E402

SEED = 20261127
SAME_DOC = {"test": 70, "dev": 30}
NEIGHBOURS = {"test": 130, "dev": 70}
NEAREST = 10


def thread(reply_id: str) -> str:
    """The conversation a reply belongs to: its id without the turn number."""
    return reply_id.rsplit(":", 1)[0]


def part(reply_id: str) -> str:
    """`test` for a third of the threads (held out until the first measurement), `dev` for the rest."""
    return "test" if hashlib.blake2b(thread(reply_id).encode(), digest_size=8).digest()[0] % 3 == 0 else "dev"


def agent_replies() -> list[dict]:
    """Every agent reply of the airline and IBM threads with 8 or more words after masking."""
    turns = [t for t in airline_turns() + ibm_turns() if t["role"] == "rep"]
    return [t for t in turns if len(tokens(t["text"])) >= 8]


def same_doc_pairs(rng: random.Random, replies: list[dict]) -> list[dict]:
    by_doc = defaultdict(list)
    for reply in replies:
        if reply.get("doc_id"):
            by_doc[reply["doc_id"]].append(reply)
    pool = {"test": [], "dev": []}
    for doc, group in sorted(by_doc.items()):
        for i, a in enumerate(group):
            for b in group[i + 1:]:
                if thread(a["id"]) != thread(b["id"]) and a["text"] != b["text"]:
                    pool[part(a["id"])].append((doc, a, b))
    pairs = []
    for name, count in SAME_DOC.items():
        for doc, a, b in rng.sample(pool[name], min(count, len(pool[name]))):
            pairs.append({"id_a": a["id"], "id_b": b["id"], "source": "ibm_twitter_docpred", "drawn": "same_doc",
                          "split": name, "text_a": a["text"], "text_b": b["text"], "doc_id": doc})
    return pairs


def neighbour_pairs(rng: random.Random, replies: list[dict]) -> list[dict]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    airline = [r for r in replies if r["source"] == "twcs_airlines_asapp"]
    vectors = TfidfVectorizer(stop_words=sorted(STOPWORDS), token_pattern=r"[a-z][a-z']+", sublinear_tf=True,
                              min_df=2).fit_transform([r["text"].lower() for r in airline])
    pairs = []
    for name, count in NEIGHBOURS.items():
        anchors = rng.sample([i for i, r in enumerate(airline) if part(r["id"]) == name], count * 2)
        for anchor in anchors:
            if sum(p["split"] == name for p in pairs) == count:
                break
            scores = (vectors[anchor] @ vectors.T).toarray().ravel()
            order = [int(i) for i in scores.argsort()[::-1]
                     if thread(airline[i]["id"]) != thread(airline[anchor]["id"])
                     and airline[i]["text"] != airline[anchor]["text"]][:NEAREST]
            if not order or scores[order[0]] <= 0:
                continue
            other = airline[rng.choice(order)]
            pairs.append({"id_a": airline[anchor]["id"], "id_b": other["id"], "source": "twcs_airlines_asapp",
                          "drawn": "neighbour", "split": name, "text_a": airline[anchor]["text"],
                          "text_b": other["text"]})
    return pairs


def main(out: Path) -> None:
    rng = random.Random(SEED)
    replies = agent_replies()
    pairs = same_doc_pairs(rng, replies) + neighbour_pairs(rng, replies)
    rng.shuffle(pairs)
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "reply_pairs.jsonl", "w", encoding="utf-8") as handle:
        for number, pair in enumerate(pairs, 1):
            handle.write(json.dumps({"n": number, **pair}, ensure_ascii=False) + "\n")
    print(f"{len(pairs)} pairs in {out / 'reply_pairs.jsonl'}")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "/tmp/valuedesk-reply-pairs"))
