"""The JSON API: OpenAPI from marshmallow schemas, and one error shape {"error": {code, message}}."""

from __future__ import annotations

import logging

import marshmallow as ma
from flask import Flask
from flask import g
from flask import jsonify
from flask import render_template
from flask import request
from flask_smorest import Api
from werkzeug.exceptions import HTTPException
from werkzeug.exceptions import InternalServerError
from werkzeug.routing import BaseConverter
from werkzeug.routing import IntegerConverter

from adapter import logs
from adapter.errors import ApiError
from adapter.errors import Conflict
from adapter.errors import DomainError
from adapter.errors import InvalidInput
from adapter.errors import Missing
from adapter.errors import PolicyRefused
from adapter.errors import ProviderError
from adapter.errors import TenantViolation
from adapter.security import JsonTooDeep
from adapter.security import loads_bounded

log = logging.getLogger("valuedesk.api")

JSON_PREFIXES = ("/api/", "/webhooks/", "/healthz", "/openapi.json", "/playground/api/", "/admin/api/")

# Messages a person can act on, for the statuses werkzeug raises by itself.
FRIENDLY = {
    400: "The request could not be understood.",
    404: "Nothing here. Check the address.",
    405: "This address does not accept that method.",
    413: "The request body is larger than this service accepts.",
    415: "Send the body as JSON (Content-Type: application/json).",
    429: "Too many requests; slow down and try again shortly.",
}


class IdConverter(IntegerConverter):
    """`<int:…>` in our routes: a database id, 1 to 2**63 - 1; anything larger is a 404, not a database overflow."""

    def __init__(self, url_map, **kwargs):
        super().__init__(url_map, min=1, max=MAX_ID, **kwargs)


MAX_ID = 2**63 - 1
PUBLIC_ID_PATTERN = "[A-Za-z0-9_-]{1,32}"


class PublicIdConverter(BaseConverter):
    """`<ref:…>` in our routes: a random public id (a money action's), never a database sequence number."""

    regex = PUBLIC_ID_PATTERN


class ErrorDetail(ma.Schema):
    code = ma.fields.String(metadata={"description": "Stable machine-readable error code"})
    message = ma.fields.String(metadata={"description": "What went wrong, for a person"})
    fields = ma.fields.Dict(metadata={"description": "Per-field validation messages"})


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetail)


def wants_json() -> bool:
    """True for API, webhook and health routes, or when the client prefers JSON."""
    if request.path.startswith(JSON_PREFIXES):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json"


DOMAIN_STATUS = {InvalidInput: 400, Missing: 404, Conflict: 409, PolicyRefused: 403}


def domain_status(error: DomainError) -> int:
    """The HTTP status of a domain refusal: its nearest kind's, else 400."""
    return next((DOMAIN_STATUS[kind] for kind in type(error).__mro__ if kind in DOMAIN_STATUS), 400)


def error_response(status: int, code: str, message: str, fields: dict | None = None, headers: dict | None = None):
    """A JSON or HTML error response, whichever the client expects."""
    if wants_json():
        body = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        response = jsonify(body)
    else:
        response = render_template("error.html", status=status, code=code, message=message, fields=fields)
        response = Flask.response_class(response, mimetype="text/html")
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _flatten(messages) -> dict:
    """Turn webargs' {"json": {"field": ["msg"]}} into {"field": "msg"}."""
    flat: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key in ("json", "query", "form", "headers", "view_args") and not prefix:
                    walk("", inner)
                else:
                    walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
            flat[prefix or "_body"] = " ".join(value)
        else:
            flat[prefix or "_body"] = str(value)

    walk("", messages)
    return flat


class ValuedeskApi(Api):
    """flask-smorest Api with our error shape."""

    ERROR_SCHEMA = ErrorSchema

    def handle_http_exception(self, error: HTTPException):
        """Render werkzeug/webargs errors as {"error": {...}}."""
        data = getattr(error, "data", None) or {}
        fields = None
        custom = error.description if error.description != type(error).description else None
        message = data.get("message") or custom or FRIENDLY.get(error.code) or error.description
        code = (error.name or "error").lower().replace(" ", "_")
        if "messages" in data or "errors" in data:
            fields = _flatten(data.get("errors") or data.get("messages"))
            message = "Some fields are invalid: " + "; ".join(f"{k}: {v}" for k, v in fields.items())
            code = "invalid_input"
        if error.code == 429:  # flask-limiter puts the limit itself ("3 per 1 minute") in the description
            message = f"{FRIENDLY[429]} (limit: {error.description})"
        if error.code == 500:
            message = f"Something went wrong on our side (request {g.get('request_id', '-')}); it has been logged."
        return error_response(error.code or 500, code, message, fields, data.get("headers"))


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def refuse_unsafe_input():
    """Refuse, before any parser or schema walks it, JSON nested too deep and text carrying NUL.

    PostgreSQL cannot store NUL in text, so no input may carry one (SQLite could; both refuse alike). Invalid JSON
    is left to the route, which names what it expected.
    """
    if request.path.startswith("/webhooks/"):
        return None  # stored as bytes; the view answers for its own body
    values = [*request.args.values(), *request.form.values()]
    if request.is_json:
        try:
            values.append(loads_bounded(request.get_data(cache=True)))
        except JsonTooDeep as exc:
            return error_response(400, "json_too_deep", str(exc))
        except ValueError:
            pass
    if any(_has_nul(value) for value in values):
        return error_response(400, "invalid_text", "Text may not contain NUL characters (\\u0000).")
    return None


def init_app(app: Flask) -> ValuedeskApi:
    """Create the Api and register the error handlers for our own exceptions."""
    app.config.setdefault("API_TITLE", "Valuedesk")
    app.config.setdefault("API_VERSION", "1")
    app.config.setdefault("OPENAPI_VERSION", "3.0.3")
    app.config.setdefault("OPENAPI_URL_PREFIX", "/")
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    app.url_map.converters["int"] = IdConverter  # before any blueprint adds its routes
    app.before_request(refuse_unsafe_input)
    app.url_map.converters["ref"] = PublicIdConverter
    api = ValuedeskApi(app)
    api.register_converter(IdConverter, lambda _: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.register_converter(PublicIdConverter, lambda _: {"type": "string", "pattern": f"^{PUBLIC_ID_PATTERN}$"})
    app.extensions["valuedesk.api"] = api

    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.fields, headers=error.headers)

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError):
        return error_response(domain_status(error), error.code, error.message, error.fields)

    @app.errorhandler(ProviderError)
    def _provider_error(error: ProviderError):
        log.warning("api.provider_error", extra={"fields": {"provider": error.provider, "error": type(error).__name__}})
        headers = {"Retry-After": str(int(error.retry_after))} if error.retry_after else None
        return error_response(error.status, error.code, error.message, headers=headers)

    @app.errorhandler(TenantViolation)
    def _tenant_violation(error: TenantViolation):
        log.error("api.tenant_violation", extra={"fields": {"route": logs.route()}})
        return error_response(404, "not_found", "Nothing here. Check the address.")

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        if isinstance(error, HTTPException):
            return api.handle_http_exception(error)
        log.exception("api.unhandled", extra={"fields": {"route": logs.route()}})
        return api.handle_http_exception(InternalServerError())

    return api
