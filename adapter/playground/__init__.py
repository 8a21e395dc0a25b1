"""The playground: a small helpdesk with sample tickets and the Valuedesk sidebar beside each ticket."""

from adapter.playground import views  # noqa: F401  (registers its routes)
from adapter.playground.blueprint import api_bp
from adapter.playground.blueprint import bp

__all__ = ["api_bp", "bp"]
