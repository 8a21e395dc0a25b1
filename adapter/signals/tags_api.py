"""Admin API for learning from the helpdesk's tags: the tags the backfill found, their mapping to types, the bootstrap."""

from __future__ import annotations

import marshmallow as ma
from flask import g
from flask_smorest import Blueprint

from adapter.errors import ApiError
from adapter.sidebar.auth import admin_required
from adapter.sidebar.auth import agent_db
from adapter.signals import history
from adapter.signals import service
from adapter.signals import taxonomy

bp = Blueprint("signal_tags", __name__, url_prefix="/api",
               description="Signals: map the helpdesk's tags to signal types and learn from the tagged history.")


class TagOut(ma.Schema):
    tag = ma.fields.String()
    tickets = ma.fields.Integer(metadata={"description": "Tickets of the history read so far that carry the tag"})
    type_key = ma.fields.String(allow_none=True, metadata={"description": "The signal type the tag probably means"})
    reason = ma.fields.String(metadata={"description": "name, text, or why no type is suggested"})
    mapped = ma.fields.String(allow_none=True, metadata={"description": "The type the admin confirmed, if any"})


class TagMappingIn(ma.Schema):
    mapping = ma.fields.Dict(keys=ma.fields.String(validate=ma.validate.Length(min=1, max=200)),
                             values=ma.fields.String(allow_none=True, validate=ma.validate.Length(min=1, max=40)),
                             required=True, metadata={"description": "tag -> signal type key, or null to unmap"})


class BootstrapOut(ma.Schema):
    examples = ma.fields.Integer()
    positives = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Integer())


def _offered_tags(session) -> list[dict]:
    types = taxonomy.ensure_types(session)
    return [s.as_dict() for s in history.offered(session, g.installation, service.current_model(session),
                                                 [t.tag for t in types])]


@bp.route("/admin/signals/tags", methods=["GET"])
@bp.response(200, TagOut(many=True))
@admin_required
def list_tags():
    """The helpdesk tags the backfill found, with the signal type each probably means and the confirmed mapping."""
    return _offered_tags(agent_db())


@bp.route("/admin/signals/tags", methods=["PATCH"])
@bp.arguments(TagMappingIn)
@bp.response(200, TagOut(many=True))
@admin_required
def map_tags(data):
    """Confirm which signal type a helpdesk tag means (null unmaps); an unknown tag or type changes nothing."""
    session = agent_db()
    history.update_mapping(session, g.installation, data["mapping"], [t.key for t in taxonomy.ensure_types(session)])
    session.commit()
    return _offered_tags(session)


@bp.route("/admin/signals/bootstrap", methods=["POST"])
@bp.response(201, BootstrapOut)
@admin_required
def bootstrap():
    """Train the installation's model from its mapped tag history and its agents' decisions."""
    session = agent_db()
    if not history.mapping_of(g.installation):
        raise ApiError(400, "no_mapping", "Map at least one helpdesk tag to a signal type first.")
    trained = service.retrain(session, g.installation)
    if trained is None:
        raise ApiError(400, "not_enough_data", "Not enough tagged tickets or decisions to learn from yet.")
    session.commit()
    return {"examples": trained.examples, "positives": trained.positives}
