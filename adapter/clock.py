"""The one source of "now", so tests and the playground's fast clock can move time."""

from __future__ import annotations

from datetime import UTC
from datetime import datetime


def now() -> datetime:
    """The current moment as an aware UTC datetime."""
    return datetime.now(UTC)
