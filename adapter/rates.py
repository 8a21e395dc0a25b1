"""Rates shown to people come with their sample, and below a minimum sample only the counts are shown."""

from __future__ import annotations

from dataclasses import dataclass

MIN_SAMPLE = 20


@dataclass(frozen=True)
class Rate:
    """`part` out of `whole`; `value` is None when `whole` is too small for a percentage to mean anything."""

    part: int
    whole: int

    @property
    def value(self) -> float | None:
        """The share, or None below MIN_SAMPLE."""
        return self.part / self.whole if self.whole >= MIN_SAMPLE else None

    def change_from(self, before: Rate) -> float | None:
        """Percentage points since `before`, or None unless both rates are shown."""
        if self.value is None or before.value is None:
            return None
        return (self.value - before.value) * 100

    def as_dict(self) -> dict:
        """JSON-ready form: the counts always, the share only when the sample allows."""
        return {"part": self.part, "n": self.whole, "value": self.value, "min_sample": MIN_SAMPLE}
