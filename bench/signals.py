"""Benchmark: signal classification quality against published numbers, and scoring speed.

Datasets (from ../shared/data, see its MANIFEST.md; skipped when absent):
  NLBSE'24 issue reports (train/test split given), Maalej et al. 2016 app reviews (binary per class,
  5-fold CV on balanced sets like the paper), CLAP (5-fold CV). Only training folds are used to fit.
Run: make bench, or .venv/bin/python bench/signals.py
"""

from __future__ import annotations

import random
import re
import time
from collections import Counter

from _common import dataset
from _common import percentile
from _common import ratio
from _common import read_csv
from _common import table
from sklearn.metrics import precision_recall_fscore_support
from sklearn.model_selection import StratifiedKFold

from adapter.signals import rules
from adapter.signals.classify import classify
from adapter.signals.model import Example
from adapter.signals.model import train

SETFIT = {"bug": (0.8464, 0.8400, 0.8426), "feature": (0.8448, 0.8700, 0.8558), "question": (0.8001, 0.7700, 0.7827)}
NLBSE_TO_OURS = {"bug": "bug", "feature": "feature_request", "question": "docs_gap"}


def clean_issue(title: str, body: str) -> str:
    body = re.sub(r"```.*?```", " ", body, flags=re.S)
    body = re.sub(r"<!--.*?-->", " ", body, flags=re.S)
    body = re.sub(r"https?://\S+", " ", body)
    return f"{title}\n{body}"[:4000]


def predict_one_of(model, texts: list[str], labels: list[str]) -> list[str]:
    return [max(labels, key=lambda k: scores.get(k, 0.0)) for scores in model.predict(texts)]


def nlbse() -> None:
    train_path, test_path = dataset("nlbse2024_issues", "issues_train.csv"), dataset("nlbse2024_issues", "issues_test.csv")
    if not (train_path and test_path):
        return
    train_rows, test_rows = read_csv(train_path), read_csv(test_path)
    started = time.perf_counter()
    model = train([Example(clean_issue(r["title"], r["body"]), frozenset({r["label"]})) for r in train_rows])
    fit_seconds = time.perf_counter() - started
    labels = sorted(SETFIT)
    predicted = predict_one_of(model, [clean_issue(r["title"], r["body"]) for r in test_rows], labels)
    truth = [r["label"] for r in test_rows]
    p, r, f, _ = precision_recall_fscore_support(truth, predicted, labels=labels, zero_division=0)
    rows = [[label, p[i], r[i], f[i], SETFIT[label][2], ratio(f[i], SETFIT[label][2])] for i, label in enumerate(labels)]
    macro = sum(f) / len(f)
    rows.append(["macro", sum(p) / 3, sum(r) / 3, macro, 0.8270, ratio(macro, 0.8270)])
    per_repo = []
    for repo in sorted({row["repo"] for row in test_rows}):
        idx = [i for i, row in enumerate(test_rows) if row["repo"] == repo]
        rp = precision_recall_fscore_support([truth[i] for i in idx], [predicted[i] for i in idx], labels=labels,
                                             average="macro", zero_division=0)[2]
        per_repo.append(rp)
    table(f"NLBSE'24 issues, test split (n={len(test_rows)}; TF-IDF + LR trained on train split in {fit_seconds:.1f}s)",
          ["class", "P", "R", "F1", "SetFit F1", "F1 ratio"], rows)
    print(f"  cross-repo mean macro F1: {sum(per_repo) / len(per_repo):.3f} (SetFit 'overall' 0.827)")

    ruleset = rules.default_rules()
    zero = []
    for row in test_rows:
        found = {s.type_key for s in classify(clean_issue(row["title"], row["body"]), ruleset)}
        zero.append(next((k for k, ours in NLBSE_TO_OURS.items() if ours in found), "none"))
    zp, zr, zf, _ = precision_recall_fscore_support(truth, zero, labels=labels, zero_division=0)
    table("NLBSE'24, built-in rules only (no training; question ~ docs_gap)", ["class", "P", "R", "F1"],
          [[label, zp[i], zr[i], zf[i]] for i, label in enumerate(labels)])


def maalej() -> None:
    path = dataset("maalej2016_rej", "maalej2016_multilabel.csv")
    if not path:
        return
    rows = read_csv(path)
    texts = [f"{r['title']}. {r['comment']}" for r in rows]
    label_sets = [set(r["labels"].split("|")) for r in rows]
    rng = random.Random(7)
    results = []
    for label in ("Bug", "Feature", "UserExperience", "Rating"):
        positives = [i for i, labels in enumerate(label_sets) if label in labels]
        negatives = [i for i, labels in enumerate(label_sets) if label not in labels]
        chosen = positives + rng.sample(negatives, min(len(negatives), len(positives)))
        y = [int(label in label_sets[i]) for i in chosen]
        truth, guess = [], []
        for fit_idx, test_idx in StratifiedKFold(5, shuffle=True, random_state=0).split(chosen, y):
            model = train([Example(texts[chosen[i]], frozenset({label} if y[i] else set())) for i in fit_idx])
            scores = model.predict([texts[chosen[i]] for i in test_idx])
            truth += [y[i] for i in test_idx]
            guess += [int(s.get(label, 0.0) >= 0.5) for s in scores]
        p, r, f, _ = precision_recall_fscore_support(truth, guess, average="binary", zero_division=0)
        results.append([label, len(positives), p, r, f, "0.88–0.92", "0.90–0.99", ratio(p, 0.90), ratio(r, 0.945)])
    table("Maalej et al. 2016 app reviews, binary per class, balanced, 5-fold CV",
          ["class", "positives", "P", "R", "F1", "paper P", "paper R", "P ratio*", "R ratio*"], results)
    print("  * ratio to the middle of the paper's reported range (P 0.90, R 0.945); the paper also lemmatises.")

    ruleset = rules.default_rules()
    mapping = {"Bug": "bug", "Feature": "feature_request", "Rating": "praise"}
    zero_rows = []
    for label, ours in mapping.items():
        truth = [int(label in labels) for labels in label_sets]
        guess = [int(any(s.type_key == ours for s in classify(t, ruleset))) for t in texts]
        p, r, f, _ = precision_recall_fscore_support(truth, guess, average="binary", zero_division=0)
        zero_rows.append([f"{label} ~ {ours}", sum(truth), p, r, f])
    table("Maalej 2016, built-in rules only, all reviews (unbalanced)", ["class", "positives", "P", "R", "F1"], zero_rows)


def clap() -> None:
    path = dataset("clap_scalabrino2017", "CLAP.csv")
    if not path:
        return
    rows = read_csv(path)
    mapping = {"BUG": "bug", "FEATURE": "feature_request", "USABILITY": "ux_friction"}
    texts = [r["review"] for r in rows]
    y = [mapping.get(r["category"], "other") for r in rows]
    labels = ["bug", "feature_request", "ux_friction", "other"]
    predicted = [""] * len(rows)
    for fit_idx, test_idx in StratifiedKFold(5, shuffle=True, random_state=0).split(texts, y):
        model = train([Example(texts[i], frozenset({y[i]})) for i in fit_idx])
        for i, guess in zip(test_idx, predict_one_of(model, [texts[i] for i in test_idx], labels), strict=True):
            predicted[i] = guess
    p, r, f, support = precision_recall_fscore_support(y, predicted, labels=labels, zero_division=0)
    table(f"CLAP (Scalabrino et al.), 5-fold CV, n={len(rows)} (published per-class numbers not retrieved)",
          ["class", "support", "P", "R", "F1"], [[labels[i], int(support[i]), p[i], r[i], f[i]] for i in range(4)])


def speed() -> None:
    path = dataset("maalej2016_rej", "maalej2016_multilabel.csv")
    if not path:
        return
    rows = read_csv(path)
    texts = [f"{r['title']}. {r['comment']}" for r in rows]
    labels = {"Bug": "bug", "Feature": "feature_request", "Rating": "praise", "UserExperience": "ux_friction"}
    model = train([Example(t, frozenset(labels[x] for x in r["labels"].split("|"))) for t, r in zip(texts, rows, strict=True)])
    ruleset = rules.default_rules(["Xero", "QuickBooks"])
    for text in texts[:50]:
        classify(text, ruleset, model)  # warm up
    timings = {"rules": [], "rules + model": []}
    for text in texts[:1000]:
        for name, used in (("rules", None), ("rules + model", model)):
            started = time.perf_counter()
            classify(text, ruleset, used)
            timings[name].append((time.perf_counter() - started) * 1000)
    words = Counter(len(t.split()) for t in texts[:1000])
    table(f"Scoring one message (1,000 app reviews, median {sorted(words.elements())[500]} words); budget p95 < 5 ms",
          ["layers", "p50 ms", "p95 ms", "p99 ms", "p95 / budget"],
          [[name, percentile(v, 50), percentile(v, 95), percentile(v, 99), percentile(v, 95) / 5.0]
           for name, v in timings.items()])


if __name__ == "__main__":
    print("Signal classification benchmark (our code: adapter.signals.rules/model/classify)")
    nlbse()
    maalej()
    clap()
    speed()
