"""The sidebar's blueprints and panel parts, apart from the views so they can import them without a circle."""

from flask import Blueprint
from flask_smorest import Blueprint as ApiBlueprint

bp = Blueprint(
    "sidebar",
    __name__,
    url_prefix="/sidebar",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
# Partial templates rendered inside the panel, in order; each feature adds its own.
PANEL_SECTIONS: tuple[str, ...] = ("sidebar/sections/signals.html", "sidebar/sections/commitments.html",
                                   "sidebar/sections/billing.html")
# Scripts of those sections, loaded after the core.
SECTION_SCRIPTS: tuple[str, ...] = ("sections/signals.js", "sections/commitments.js", "sections/replies.js",
                                   "sections/billing.js")

api_bp = ApiBlueprint("api", __name__, url_prefix="/api", description="Sidebar API for agents (bearer session).")
