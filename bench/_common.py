"""Shared bits for the benchmarks: where the data lives, tables, and percentiles."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(os.environ.get("VALUEDESK_BENCH_DATA", ROOT.parent / "shared" / "data"))
sys.path.insert(0, str(ROOT))


def dataset(*parts: str) -> Path | None:
    """A file under the shared data folder, or None (with a note) when it is absent."""
    path = DATA.joinpath(*parts)
    if not path.exists():
        print(f"  (skipped: {path} is not here)")
        return None
    return path


def read_csv(path: Path) -> list[dict]:
    """Every row of a CSV file as a dict."""
    import csv

    csv.field_size_limit(10**9)
    with open(path, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def read_lines(path: Path, errors: str = "strict") -> list[str]:
    """The lines of a text file, without their line endings."""
    with open(path, encoding="utf-8", errors=errors) as handle:
        return handle.read().splitlines()


def table(title: str, headers: list[str], rows: list[list]) -> None:
    """Print a plain-text table with a title."""
    cells = [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(h), *(len(r[i]) for r in cells)) if cells else len(h) for i, h in enumerate(headers)]
    print(f"\n{title}")
    print("  " + "  ".join(h.ljust(w) for h, w in zip(headers, widths, strict=True)))
    print("  " + "  ".join("-" * w for w in widths))
    for row in cells:
        print("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, float):
        return f"{value:.3f}"
    return str(value)


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """ours / theirs, or None when either is missing."""
    if ours is None or not theirs:
        return None
    return ours / theirs
