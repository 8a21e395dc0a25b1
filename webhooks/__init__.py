"""Blueprint for vendor webhooks: POST /webhooks/<provider>/<installation>."""

from flask import Blueprint

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")
bp.record_once(lambda state: keys.init_app(state.app))

from webhooks import keys  # noqa: E402
from webhooks import views  # noqa: E402,F401  (routes attach to bp)
