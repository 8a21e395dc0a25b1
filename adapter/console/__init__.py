"""The admin console at /admin: team-level pages for an installation's admins (never per-agent numbers)."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/admin", template_folder="templates")

from adapter.console import billing  # noqa: E402,F401
from adapter.console import overview  # noqa: E402,F401
from adapter.console import settings  # noqa: E402,F401
from adapter.console import trackers  # noqa: E402,F401
from adapter.console import views  # noqa: E402,F401
