"""The default signal model that ships with the package: built from the team's own written examples.

The examples live in `adapter/signals/default/*.tsv` (labels, text; written and labelled by the team, so
they may ship). `python -m adapter.signals.shipped` rebuilds `default/model.npz` from them; the build is
deterministic, so the same examples give the same file. Loading reads plain arrays (no pickle, no network).
"""

from __future__ import annotations

import functools
import io
import sys
from importlib import resources
from pathlib import Path

import numpy as np

from adapter.signals.model import Example
from adapter.signals.model import TfidfBackend
from adapter.signals.model import TrainedModel

CODES = {"B": "bug", "F": "feature_request", "U": "ux_friction", "D": "docs_gap", "C": "churn_risk",
         "P": "praise", "K": "competitor"}
MODEL_FILE = "model.npz"


def _folder():
    return resources.files("adapter.signals") / "default"


def parse_examples(text: str, source: str = "") -> list[Example]:
    """Examples from one TSV file: `codes<TAB>text` per line (codes like B+P, N for none); # starts a comment."""
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        codes, _, message = line.partition("\t")
        labels = set()
        for code in codes.strip().split("+"):
            if code == "N":
                continue
            if code not in CODES:
                raise ValueError(f"{source}:{number}: unknown label code {code!r}")
            labels.add(CODES[code])
        if not message.strip():
            raise ValueError(f"{source}:{number}: no text")
        found.append(Example(text=message.strip(), labels=frozenset(labels)))
    return found


def examples() -> list[Example]:
    """Every written example shipped with the package, in file order."""
    found = []
    for item in sorted(_folder().iterdir(), key=lambda p: p.name):
        if item.name.endswith(".tsv"):
            found += parse_examples(item.read_text(encoding="utf-8"), item.name)
    return found


def build(found: list[Example] | None = None) -> TrainedModel:
    """Train the default model on the shipped examples (deterministic)."""
    found = examples() if found is None else found
    types = sorted(CODES.values())
    backend = TfidfBackend().fit([e.text for e in found], [e.labels for e in found], types)
    positives = {t: sum(t in e.labels for e in found) for t in types}
    return TrainedModel(backend=backend, types=list(backend.types), examples=len(found), positives=positives)


def to_bytes(model: TrainedModel) -> bytes:
    """The model as an .npz file's bytes."""
    buffer = io.BytesIO()
    np.savez_compressed(buffer, examples=np.array([model.examples]),
                        positives=np.array([f"{k}={v}" for k, v in sorted(model.positives.items())]),
                        **model.backend.to_arrays())
    return buffer.getvalue()


def from_bytes(blob: bytes) -> TrainedModel:
    """A model from the bytes `to_bytes` wrote."""
    with np.load(io.BytesIO(blob), allow_pickle=False) as arrays:
        backend = TfidfBackend.from_arrays(arrays)
        positives = {k: int(v) for k, v in (str(item).split("=") for item in arrays["positives"])}
        return TrainedModel(backend=backend, types=list(backend.types), examples=int(arrays["examples"][0]),
                            positives=positives)


@functools.lru_cache(maxsize=1)
def default_model() -> TrainedModel:
    """The model shipped in the package, loaded once per process."""
    return from_bytes((_folder() / MODEL_FILE).read_bytes())


def main(out: str | None = None) -> None:
    """Rebuild the shipped model file from the shipped examples."""
    model = build()
    path = Path(out) if out else Path(str(_folder() / MODEL_FILE))
    path.write_bytes(to_bytes(model))
    counts = ", ".join(f"{k} {v}" for k, v in sorted(model.positives.items()))
    print(f"Built the default signal model from {model.examples} examples ({counts}) -> {path}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)
