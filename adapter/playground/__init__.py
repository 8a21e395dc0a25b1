"""The playground: a small helpdesk with sample tickets and the Valuedesk sidebar beside each ticket."""

from flask import Blueprint
from flask_smorest import Blueprint as ApiBlueprint

bp = Blueprint(
    "playground",
    __name__,
    url_prefix="/playground",
    template_folder="templates",
    static_folder="static",
    static_url_path="/static",
)
api_bp = ApiBlueprint(
    "playground_api", __name__, url_prefix="/playground/api", description="The playground helpdesk (sample data)."
)

from adapter.playground import views  # noqa: E402,F401
