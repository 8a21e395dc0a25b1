"""The `valuedesk` command: serve, worker, migrate, demo-data, installations and the analysis commands."""

from adapter.cli import billing  # noqa: F401  (each module adds its command group to `main`)
from adapter.cli import commitments  # noqa: F401
from adapter.cli import installations  # noqa: F401
from adapter.cli import package  # noqa: F401
from adapter.cli import replies  # noqa: F401
from adapter.cli import server  # noqa: F401
from adapter.cli import signals  # noqa: F401
from adapter.cli import trackers  # noqa: F401
from adapter.cli.base import main

__all__ = ["main"]
