"""The admin console at /admin: team-level pages for an installation's admins (never per-agent numbers)."""

from adapter.console import billing  # noqa: F401  (registers its routes)
from adapter.console import connections  # noqa: F401  (registers its routes)
from adapter.console import overview  # noqa: F401  (registers its routes)
from adapter.console import settings  # noqa: F401  (registers its routes)
from adapter.console import trackers  # noqa: F401  (registers its routes)
from adapter.console import views  # noqa: F401  (registers its routes)
from adapter.console.blueprint import bp

__all__ = ["bp"]
