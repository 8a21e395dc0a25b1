"""The playground's blueprints, apart from its views so they can import them without a circle."""

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
