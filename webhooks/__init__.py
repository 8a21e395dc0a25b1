"""Blueprint for vendor webhooks: POST /webhooks/<provider>/<installation>."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")

from webhooks import views  # noqa: E402,F401  (routes attach to bp)
