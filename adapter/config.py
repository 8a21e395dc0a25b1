"""Settings from VALUEDESK_* environment variables and an optional .env file; no secret has a default."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from dataclasses import field
from dataclasses import fields
from pathlib import Path

from dotenv import dotenv_values
from limits import parse_many

from adapter.errors import ConfigError

ENVIRONMENTS = ("production", "development", "test")
MIN_SECRET_LENGTH = 32
SECRET_HINT = (
    "Generate one with: python3 -c 'import secrets; print(secrets.token_urlsafe(48))' "
    "and set it in the environment or in .env (make run does this for you)."
)


@dataclass(frozen=True)
class Settings:
    """Everything the service reads from its environment, validated once at start-up."""

    secret_key: str
    env: str = "production"
    data_dir: Path = Path("instance")
    database_url: str = ""
    redis_url: str | None = None
    public_url: str = "http://127.0.0.1:8000"
    admin_token: str | None = None
    playground: bool = True
    webhook_max_bytes: int = 1_000_000
    header_timeout: int = 10  # seconds a client has from a request's first byte to the end of its headers
    body_timeout: int = 10  # seconds a client has from the end of the headers to the end of the body
    receipt_sweep_after_seconds: int = 300
    receipt_retention_days: int = 30
    jobs_immediate: bool = False
    log_level: str = "INFO"
    proxy_hops: int = 0  # reverse proxies in front of the service whose X-Forwarded-* headers are trusted
    api_rate_limit: str = "300 per minute"  # per sidebar session (or client address without one)
    login_rate_limit: str = "10 per minute"  # console sign-in attempts per client address
    webhook_rate_limit: str = "3000 per minute"  # deliveries per installation and provider
    # The operator's OAuth clients (a hosted service's global client, or a self-hoster's own), per vendor.
    zendesk_client_id: str | None = None
    zendesk_client_secret: str | None = None
    # The Marketplace app: its id and the RSA public key Zendesk signs its sidebar tokens with (a PEM, or its file).
    zendesk_app_id: str | None = None
    zendesk_app_public_key: str | None = None
    jira_client_id: str | None = None
    jira_client_secret: str | None = None
    linear_client_id: str | None = None
    linear_client_secret: str | None = None
    vendor_urls: dict = field(default_factory=dict)  # vendor -> origin of a local fake (tests only)
    uninstalled_retention_days: int = 30  # an uninstalled account's data is kept this long for a reinstall

    def oauth_client(self, vendor: str) -> tuple[str, str] | None:
        """The (client id, client secret) the operator registered with `vendor`, or None when not configured."""
        client_id = getattr(self, f"{vendor}_client_id", None)
        secret = getattr(self, f"{vendor}_client_secret", None)
        return (client_id, secret) if client_id and secret else None

    @property
    def huey_sqlite_path(self) -> Path:
        """Where the SQLite job queue lives when Redis is not configured."""
        return self.data_dir / "huey.db"

    @property
    def is_sqlite(self) -> bool:
        """True when the main database is SQLite."""
        return self.database_url.startswith("sqlite")


# env var -> (Settings field, parser)
def _text(name: str, value: str) -> str:
    return value.strip()


def _flag(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    raise ConfigError(f"{name} must be true or false, got {value!r}.")


def _positive_int(name: str, value: str) -> int:
    try:
        number = int(value.strip().replace("_", ""))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}.") from None
    if number <= 0:
        raise ConfigError(f"{name} must be greater than zero, got {number}.")
    return number


def _count(name: str, value: str) -> int:
    try:
        number = int(value.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, got {value!r}.") from None
    if number < 0:
        raise ConfigError(f"{name} cannot be negative, got {number}.")
    return number


def _rate(name: str, value: str) -> str:
    try:
        parse_many(value.strip())
    except ValueError:
        raise ConfigError(f"{name} must be a rate like '300 per minute' or '10/second', got {value!r}.") from None
    return value.strip()


def _vendor_urls(name: str, value: str) -> dict:
    from adapter.providers.endpoints import parse

    try:
        return parse(value)
    except ValueError as exc:
        raise ConfigError(f"{name}: {exc}.") from None


def _digits(name: str, value: str) -> str:
    if not value.strip().isdigit():
        raise ConfigError(f"{name} must be a number (the app id Zendesk shows for the app), got {value!r}.")
    return value.strip()


def _public_key(name: str, value: str) -> str:
    text = value.strip().replace("\\n", "\n")
    if not text.startswith("-----BEGIN"):
        try:
            text = Path(text).expanduser().read_text().strip()
        except OSError:
            raise ConfigError(f"{name} must be a PEM public key or the path of a file holding one; "
                              f"{value[:60]!r} is neither.") from None
    if "BEGIN PUBLIC KEY" not in text:
        raise ConfigError(f"{name} does not hold a PEM public key (-----BEGIN PUBLIC KEY-----).")
    return text


def _path(name: str, value: str) -> Path:
    return Path(value.strip()).expanduser()


VARIABLES: dict[str, tuple[str, object]] = {
    "VALUEDESK_SECRET_KEY": ("secret_key", _text),
    "VALUEDESK_ENV": ("env", _text),
    "VALUEDESK_DATA_DIR": ("data_dir", _path),
    "DATABASE_URL": ("database_url", _text),
    "REDIS_URL": ("redis_url", _text),
    "VALUEDESK_PUBLIC_URL": ("public_url", _text),
    "VALUEDESK_ADMIN_TOKEN": ("admin_token", _text),
    "VALUEDESK_PLAYGROUND": ("playground", _flag),
    "VALUEDESK_WEBHOOK_MAX_BYTES": ("webhook_max_bytes", _positive_int),
    "VALUEDESK_WEBHOOK_BODY_TIMEOUT": ("body_timeout", _positive_int),  # its earlier name, when only webhooks had one
    "VALUEDESK_HEADER_TIMEOUT": ("header_timeout", _positive_int),
    "VALUEDESK_BODY_TIMEOUT": ("body_timeout", _positive_int),
    "VALUEDESK_RECEIPT_SWEEP_AFTER_SECONDS": ("receipt_sweep_after_seconds", _positive_int),
    "VALUEDESK_RECEIPT_RETENTION_DAYS": ("receipt_retention_days", _positive_int),
    "VALUEDESK_UNINSTALLED_RETENTION_DAYS": ("uninstalled_retention_days", _positive_int),
    "VALUEDESK_ZENDESK_CLIENT_ID": ("zendesk_client_id", _text),
    "VALUEDESK_ZENDESK_CLIENT_SECRET": ("zendesk_client_secret", _text),
    "VALUEDESK_ZENDESK_APP_ID": ("zendesk_app_id", _digits),
    "VALUEDESK_ZENDESK_APP_PUBLIC_KEY": ("zendesk_app_public_key", _public_key),
    "VALUEDESK_JIRA_CLIENT_ID": ("jira_client_id", _text),
    "VALUEDESK_JIRA_CLIENT_SECRET": ("jira_client_secret", _text),
    "VALUEDESK_LINEAR_CLIENT_ID": ("linear_client_id", _text),
    "VALUEDESK_LINEAR_CLIENT_SECRET": ("linear_client_secret", _text),
    "VALUEDESK_VENDOR_URLS": ("vendor_urls", _vendor_urls),
    "VALUEDESK_JOBS_IMMEDIATE": ("jobs_immediate", _flag),
    "VALUEDESK_LOG_LEVEL": ("log_level", _text),
    "VALUEDESK_PROXY_HOPS": ("proxy_hops", _count),
    "VALUEDESK_API_RATE_LIMIT": ("api_rate_limit", _rate),
    "VALUEDESK_LOGIN_RATE_LIMIT": ("login_rate_limit", _rate),
    "VALUEDESK_WEBHOOK_RATE_LIMIT": ("webhook_rate_limit", _rate),
}


def is_configured(variable: str, dotenv_path: str | os.PathLike = ".env") -> bool:
    """True when `variable` is set in the environment or in the .env file."""
    if os.environ.get(variable):
        return True
    return Path(dotenv_path).is_file() and bool(dotenv_values(dotenv_path).get(variable))


def load_settings(
    overrides: Mapping[str, object] | None = None,
    *,
    environ: Mapping[str, str] | None = None,
    dotenv_path: str | os.PathLike | None = ".env",
) -> Settings:
    """Build Settings from .env, then the environment, then explicit overrides (keyed by variable name).

    :raise ConfigError: naming the variable that is missing or malformed.
    """
    raw: dict[str, object] = {}
    if dotenv_path is not None and Path(dotenv_path).is_file():
        raw.update({k: v for k, v in dotenv_values(dotenv_path).items() if v is not None})
    raw.update(os.environ if environ is None else environ)
    raw.update(overrides or {})

    values: dict[str, object] = {}
    for variable, (field_name, parse) in VARIABLES.items():
        if variable not in raw or raw[variable] is None:
            continue
        value = raw[variable]
        values[field_name] = parse(variable, value) if isinstance(value, str) else value
    unknown = sorted(
        k for k in (overrides or {}) if k not in VARIABLES
    )
    if unknown:
        raise ConfigError(f"Unknown setting(s): {', '.join(unknown)}.")
    return _validated(values)


def _validated(values: dict[str, object]) -> Settings:
    secret = values.get("secret_key") or ""
    if not secret:
        raise ConfigError(f"VALUEDESK_SECRET_KEY is not set. {SECRET_HINT}")
    if len(str(secret)) < MIN_SECRET_LENGTH:
        raise ConfigError(
            f"VALUEDESK_SECRET_KEY is too short ({len(str(secret))} characters); "
            f"use at least {MIN_SECRET_LENGTH}. {SECRET_HINT}"
        )
    env = values.get("env", "production")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"VALUEDESK_ENV must be one of {', '.join(ENVIRONMENTS)}, got {env!r}.")

    values.setdefault("playground", env != "production")
    data_dir = Path(values.get("data_dir") or "instance")
    values["data_dir"] = data_dir
    values["database_url"] = normalise_database_url(
        str(values.get("database_url") or f"sqlite:///{(data_dir / 'valuedesk.db').as_posix()}")
    )
    if not values.get("redis_url"):
        values["redis_url"] = None
    elif not str(values["redis_url"]).startswith(("redis://", "rediss://", "unix://")):
        raise ConfigError(f"REDIS_URL must start with redis://, rediss:// or unix://, got {values['redis_url']!r}.")
    if not values.get("admin_token"):
        values["admin_token"] = None
    elif len(str(values["admin_token"])) < 24:
        raise ConfigError("VALUEDESK_ADMIN_TOKEN must be at least 24 characters long.")
    public_url = str(values.get("public_url") or Settings.public_url).rstrip("/")
    if not public_url.startswith(("http://", "https://")):
        raise ConfigError(f"VALUEDESK_PUBLIC_URL must start with http:// or https://, got {public_url!r}.")
    values["public_url"] = public_url
    if str(values.get("log_level", "INFO")).upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ConfigError(f"VALUEDESK_LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, got {values['log_level']!r}.")
    values["log_level"] = str(values.get("log_level", "INFO")).upper()
    known = {f.name for f in fields(Settings)}
    return Settings(**{k: v for k, v in values.items() if k in known})


def normalise_database_url(url: str) -> str:
    """Accept the URL forms hosts hand out and pick the psycopg 3 driver for PostgreSQL.

    :raise ConfigError: for anything but SQLite or PostgreSQL.
    """
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    if not url.startswith(("sqlite://", "postgresql+psycopg://")):
        raise ConfigError(f"DATABASE_URL must be a sqlite:/// or postgresql:// URL, got {url.split(':', 1)[0]}://…")
    return url
