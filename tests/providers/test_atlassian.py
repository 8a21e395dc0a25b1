"""Atlassian's 3LO surface: which resources are Jira sites, webhook registration answers, expiry dates, bearer JWTs."""

from datetime import UTC
from datetime import datetime

import jwt
import pytest

from adapter.errors import Rejected
from adapter.errors import SignatureError
from adapter.providers import atlassian
from adapter.providers import jira
from tests.conftest import load_fixture

GATEWAY = "https://api.atlassian.com"
CLOUD = "1324a887-45db-1bf4-1e99-ef0ff456d421"
SECRET = "atlassian-client-secret-" + "5f3a" * 10


def test_only_jira_resources_are_sites_and_webhook_scope_is_read_per_site(no_network):
    no_network.add("GET", f"{GATEWAY}/oauth/token/accessible-resources",
                   json=load_fixture("jira", "api/accessible_resources__two_sites"))
    sites = atlassian.jira_sites(lambda: "at-1")
    assert [(s.name, s.url) for s in sites] == [("acme", "https://acme.atlassian.net"),
                                                ("acme-labs", "https://acme-labs.atlassian.net")]
    assert all(s.can_manage_webhooks for s in sites)
    assert no_network.calls[0].request.headers["Authorization"] == "Bearer at-1"


def test_registration_returns_the_id_or_says_why_jira_refused(no_network):
    api = atlassian.SiteApi(CLOUD, lambda: "at-1")
    url = f"{GATEWAY}/ex/jira/{CLOUD}/rest/api/3/webhook"
    no_network.add("POST", url, json=load_fixture("jira", "api/webhook_registered"))
    assert api.register_webhook("https://valuedesk.test/webhooks/jira/zd-1/s3cret", "SUP") == 1000
    no_network.replace("POST", url, json=load_fixture("jira", "api/webhook_refused"))
    with pytest.raises(Rejected, match="watchCount is unsupported"):
        api.register_webhook("https://valuedesk.test/webhooks/jira/zd-1/s3cret", "SUP")


@pytest.mark.parametrize("value, expected", [
    ("2027-01-20T04:29:00.000+0000", datetime(2027, 1, 20, 4, 29, tzinfo=UTC)),
    ("2027-01-20T06:29:00.000+0200", datetime(2027, 1, 20, 4, 29, tzinfo=UTC)),
    (1800000000000, datetime(2027, 1, 15, 8, 0, tzinfo=UTC)),
    ("next month", None), (None, None), ("", None),
])
def test_expiry_dates_in_either_of_jiras_forms(value, expected):
    assert atlassian.expiry(value) == expected


def test_a_bearer_token_must_be_signed_with_the_client_secret_when_present():
    atlassian.verify_bearer("", SECRET)  # none sent: the path secret alone decides
    atlassian.verify_bearer(f"Bearer {jwt.encode({'iss': 'x'}, SECRET, algorithm='HS256')}", SECRET)
    for token in (jwt.encode({"iss": "x"}, "another-secret-" + "0" * 32, algorithm="HS256"), "not-a-jwt",
                  jwt.encode({"exp": 1}, SECRET, algorithm="HS256")):
        with pytest.raises(SignatureError):
            atlassian.verify_bearer(f"Bearer {token}", SECRET)


def test_a_dynamic_delivery_needs_the_path_secret():
    jira.verify_dynamic({}, "s3cret-path", "s3cret-path", SECRET)
    for sent, stored in (("wrong", "s3cret-path"), ("s3cret-path", ""), ("", "")):
        with pytest.raises(SignatureError):
            jira.verify_dynamic({}, sent, stored, SECRET)


def test_the_jira_app_asks_atlassian_for_offline_access_without_pkce():
    assert jira.APP.pkce is False and jira.APP.revoke_url is None and jira.APP.json_body
    assert "offline_access" in jira.APP.scopes and "manage:jira-webhook" in jira.APP.scopes
    assert jira.APP.authorize_url("") == "https://auth.atlassian.com/authorize"
    assert jira.APP.token_url("") == "https://auth.atlassian.com/oauth/token"
