"""The console's blueprint, apart from its views so the views can import it without a circle."""

from flask import Blueprint

bp = Blueprint("console", __name__, url_prefix="/admin", template_folder="templates")
