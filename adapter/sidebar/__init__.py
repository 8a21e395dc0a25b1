"""The agent sidebar: pages under /sidebar (one entry per host) and the JSON API under /api."""

from adapter.sidebar import api  # noqa: F401  (registers its routes)
from adapter.sidebar import assets  # noqa: F401  (registers its routes)
from adapter.sidebar import freshdesk_api  # noqa: F401  (registers its routes)
from adapter.sidebar import views  # noqa: F401  (registers its routes)
from adapter.sidebar.blueprint import PANEL_SECTIONS
from adapter.sidebar.blueprint import SECTION_SCRIPTS
from adapter.sidebar.blueprint import api_bp
from adapter.sidebar.blueprint import bp

__all__ = ["PANEL_SECTIONS", "SECTION_SCRIPTS", "api_bp", "bp"]
