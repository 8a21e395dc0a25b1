"""Valuedesk: a Flask service that adds signals, honest follow-ups, copy-paste nudges and safe refunds
to the helpdesk a support team already uses."""

from __future__ import annotations

from collections.abc import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from adapter.config import Settings
from adapter.config import load_settings


def create_app(config: Settings | Mapping[str, object] | None = None) -> Flask:
    """Build the app from the environment and .env, or only from `config` when one is given.

    :raise ConfigError: when a required setting is missing or malformed.
    """
    if isinstance(config, Settings):
        settings = config
    elif config is not None:
        settings = load_settings(config, environ={}, dotenv_path=None)
    else:
        settings = load_settings()

    app = Flask(__name__, instance_path=str(settings.data_dir.resolve()))
    app.config.update(
        SECRET_KEY=settings.secret_key,
        MAX_CONTENT_LENGTH=settings.webhook_max_bytes,
        VALUEDESK=settings,
        TESTING=settings.env == "test",
        JSON_SORT_KEYS=False,
        SESSION_COOKIE_SAMESITE="Lax",  # the console's cookie never rides along on another site's request
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
    )

    from adapter import api
    from adapter import db
    from adapter import health
    from adapter import home
    from adapter import logs
    from adapter import wiring
    from adapter.providers import endpoints
    from adapter.security import CredentialCipher

    logs.init_app(app, settings.log_level)
    db.init_app(app, settings.database_url)
    app.extensions["valuedesk.cipher"] = CredentialCipher(settings.secret_key)
    endpoints.configure(settings.vendor_urls)
    wiring.wire(app, settings)
    api.init_app(app)

    import webhooks
    from adapter import console
    from adapter import playground
    from adapter import sidebar

    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(webhooks.bp)
    app.register_blueprint(sidebar.bp)
    app.register_blueprint(console.bp)
    app.extensions["valuedesk.api"].register_blueprint(sidebar.api_bp)
    from adapter.billing import api as billing_api
    from adapter.commitments import api as commitments_api
    from adapter.replies import api as replies_api
    from adapter.signals import api as signals_api
    from adapter.signals import tags_api as signal_tags_api
    from adapter.trackers import api as trackers_api

    for blueprint in (signals_api.bp, signal_tags_api.bp, commitments_api.bp, replies_api.bp, billing_api.bp, trackers_api.bp):
        app.extensions["valuedesk.api"].register_blueprint(blueprint)
    from adapter import clock

    # The playground's fast clock lives in the data folder, so the web server and the worker agree on it.
    clock.use_offset_file(settings.data_dir / "fast-clock" if settings.playground else None)
    if settings.playground:
        app.register_blueprint(playground.bp)
        app.extensions["valuedesk.api"].register_blueprint(playground.api_bp)

    from adapter import headers
    from adapter import limits
    from adapter.sidebar import auth as sidebar_auth

    headers.init_app(app)
    limits.init_app(app, settings, exempt_blueprint=webhooks.bp.name, login_view="console.login",
                    api_blueprints=(sidebar.api_bp, signals_api.bp, commitments_api.bp, replies_api.bp, billing_api.bp,
                                    trackers_api.bp), signed_session_key=sidebar_auth.signed_session_key)
    if settings.proxy_hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=settings.proxy_hops, x_proto=settings.proxy_hops,
                                x_host=settings.proxy_hops)
    return app
