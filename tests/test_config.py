"""Settings: required secret, validation messages, URL normalisation, .env loading."""

from pathlib import Path

import pytest

from adapter import create_app
from adapter.config import load_settings
from adapter.config import normalise_database_url
from adapter.errors import ConfigError

SECRET = "x" * 40


def test_missing_secret_names_the_variable():
    with pytest.raises(ConfigError, match="VALUEDESK_SECRET_KEY is not set"):
        load_settings({}, environ={}, dotenv_path=None)


def test_short_secret_is_refused():
    with pytest.raises(ConfigError, match="too short"):
        load_settings({"VALUEDESK_SECRET_KEY": "short"}, environ={}, dotenv_path=None)


def test_create_app_refuses_to_start_without_secret():
    with pytest.raises(ConfigError, match="VALUEDESK_SECRET_KEY"):
        create_app({"DATABASE_URL": "sqlite://"})


def test_defaults_are_safe_and_embedded():
    settings = load_settings({"VALUEDESK_SECRET_KEY": SECRET}, environ={}, dotenv_path=None)
    assert settings.env == "production"
    assert settings.playground is False  # production does not expose the demo by default
    assert settings.database_url == "sqlite:///instance/valuedesk.db"
    assert settings.redis_url is None
    assert settings.huey_sqlite_path == Path("instance/huey.db")
    assert settings.admin_token is None


def test_development_enables_playground_and_data_dir_moves_files():
    settings = load_settings(
        {"VALUEDESK_SECRET_KEY": SECRET, "VALUEDESK_ENV": "development", "VALUEDESK_DATA_DIR": "/srv/vd"},
        environ={}, dotenv_path=None,
    )
    assert settings.playground is True
    assert settings.database_url == "sqlite:////srv/vd/valuedesk.db"
    assert settings.huey_sqlite_path == Path("/srv/vd/huey.db")


@pytest.mark.parametrize(
    "variable, value, message",
    [
        ("VALUEDESK_ENV", "staging", "VALUEDESK_ENV must be one of"),
        ("VALUEDESK_WEBHOOK_MAX_BYTES", "lots", "must be a whole number"),
        ("VALUEDESK_WEBHOOK_MAX_BYTES", "0", "greater than zero"),
        ("VALUEDESK_PLAYGROUND", "maybe", "must be true or false"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must start with"),
        ("DATABASE_URL", "mysql://db/x", "DATABASE_URL must be"),
        ("VALUEDESK_PUBLIC_URL", "example.com", "VALUEDESK_PUBLIC_URL must start with"),
        ("VALUEDESK_ADMIN_TOKEN", "short", "at least 24"),
        ("VALUEDESK_LOG_LEVEL", "LOUD", "VALUEDESK_LOG_LEVEL"),
        ("VALUEDESK_ZENDESK_APP_ID", "valuedesk", "VALUEDESK_ZENDESK_APP_ID must be a number"),
        ("VALUEDESK_ZENDESK_APP_PUBLIC_KEY", "/nowhere/key.pem", "PEM public key or the path"),
        ("VALUEDESK_ZENDESK_APP_PUBLIC_KEY", "-----BEGIN RSA PRIVATE KEY-----", "does not hold a PEM public key"),
    ],
)
def test_invalid_values_name_the_variable(variable, value, message):
    with pytest.raises(ConfigError, match=message):
        load_settings({"VALUEDESK_SECRET_KEY": SECRET, variable: value}, environ={}, dotenv_path=None)


def test_unknown_override_is_refused():
    with pytest.raises(ConfigError, match="Unknown setting"):
        load_settings({"VALUEDESK_SECRET_KEY": SECRET, "VALUEDESK_TYPO": "1"}, environ={}, dotenv_path=None)


@pytest.mark.parametrize(
    "given, expected",
    [
        ("postgres://u:p@h:5432/d", "postgresql+psycopg://u:p@h:5432/d"),
        ("postgresql://u@h/d", "postgresql+psycopg://u@h/d"),
        ("postgresql+psycopg://u@h/d", "postgresql+psycopg://u@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_database_urls_are_normalised(given, expected):
    assert normalise_database_url(given) == expected


def test_dotenv_is_read_and_environment_wins(tmp_path):
    dotenv = tmp_path / ".env"
    dotenv.write_text(f"VALUEDESK_SECRET_KEY={SECRET}\nVALUEDESK_ENV=development\nREDIS_URL=redis://from-dotenv:6379/0\n")
    settings = load_settings(environ={"REDIS_URL": "redis://from-env:6379/0"}, dotenv_path=dotenv)
    assert settings.secret_key == SECRET
    assert settings.env == "development"
    assert settings.redis_url == "redis://from-env:6379/0"


def test_the_zendesk_app_key_is_read_as_text_or_from_its_file(tmp_path):
    pem = "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqh\n-----END PUBLIC KEY-----"
    (tmp_path / "zendesk.pem").write_text(pem + "\n")
    for given in (pem, pem.replace("\n", "\\n"), str(tmp_path / "zendesk.pem")):
        settings = load_settings({"VALUEDESK_SECRET_KEY": SECRET, "VALUEDESK_ZENDESK_APP_PUBLIC_KEY": given,
                                  "VALUEDESK_ZENDESK_APP_ID": " 225 "}, environ={}, dotenv_path=None)
        assert settings.zendesk_app_public_key == pem and settings.zendesk_app_id == "225"
