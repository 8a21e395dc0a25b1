"""The Zendesk app zip holds what Zendesk requires, with manifest fields in the documented schema."""

import json
import re
import struct
import zipfile

import pytest

from adapter.errors import ApiError
from adapter.sidebar.packaging import build_zendesk_app

# Fields and types of the ZAF v2 manifest (zendesk/zcli types.ts; app_scaffolds basic manifest).
MANIFEST_SCHEMA = {
    "name": str, "author": dict, "defaultLocale": str, "private": bool, "location": dict,
    "version": str, "frameworkVersion": str, "signedUrls": bool, "domainWhitelist": list, "parameters": list,
}
REQUIRED_FILES = {"manifest.json", "translations/en.json", "requirements.json", "assets/logo.png",
                  "assets/logo-small.png"}


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    path = build_zendesk_app("https://valuedesk.example.com", tmp_path_factory.mktemp("dist"))
    with zipfile.ZipFile(path) as archive:
        yield path, {name: archive.read(name) for name in archive.namelist()}


def test_zip_contains_the_required_files(package):
    path, files = package
    assert path.name == "valuedesk-zendesk-1.0.0.zip"
    assert set(files) >= REQUIRED_FILES


def test_manifest_matches_the_documented_fields(package):
    manifest = json.loads(package[1]["manifest.json"])
    assert set(manifest) == set(MANIFEST_SCHEMA)
    for field, kind in MANIFEST_SCHEMA.items():
        assert isinstance(manifest[field], kind), field
    assert manifest["frameworkVersion"] == "2.0"
    assert set(manifest["author"]) == {"name", "email", "url"}
    sidebar = manifest["location"]["support"]["ticket_sidebar"]
    assert sidebar == {"url": "https://valuedesk.example.com/sidebar/zendesk", "flexible": True}
    assert manifest["signedUrls"] is True
    assert manifest["domainWhitelist"] == ["valuedesk.example.com"]
    # Only a self-hosted service needs it; a Marketplace install is recognised from its signed sidebar load.
    assert manifest["parameters"] == [{"name": "installation_token", "type": "text", "secure": True,
                                       "required": False, "scopes": ["header"]}]


# What Zendesk's validator (zendesk/zendesk_apps_support, Package#validate; zcli apps:validate runs it) warns about,
# restated here: a secure parameter without scopes or with a default, a token- or key-named text parameter that is
# not secure, and in every .json, .js and .html file the words it takes for secrets (matched case-sensitively) or a
# token, password or secret followed by what looks like a value on the same line.
SECURE_SCOPES = {"header", "body", "url", "jwt_secret_key", "jwt_claim", "basic_auth_username", "basic_auth_password"}
SECRET_WORDS = ("password", "secret", "secretToken", "secret_token", "auth_key", "authKey", "auth_pass", "authPass",
                "auth_user", "AuthUser", "api_key")
SECRET_SHAPES = (re.compile(r"[tT][oO][kK][eE][nN] ?[:\"=-].*.[0-9a-zA-Z+_.-]{4,}"),
                 re.compile(r"[pP][aA][sS][sS][wW][oO][rR][dD].*.[0-9a-zA-Z+_.-]{4,}"),
                 re.compile(r"^[sS][eE][cC][rR][eE][tT] ?[:\"=-]", re.MULTILINE))


def zendesk_validator_warnings(files: dict[str, bytes]) -> list[str]:
    warnings = []
    for parameter in json.loads(files["manifest.json"])["parameters"]:
        name = parameter["name"]
        if parameter.get("secure") and not parameter.get("scopes"):
            warnings.append(f"secure parameter {name} has no scopes")
        if set(parameter.get("scopes") or ()) - SECURE_SCOPES:
            warnings.append(f"parameter {name} has an unknown scope")
        if parameter.get("secure") and "default" in parameter:
            warnings.append(f"secure parameter {name} has a default")
        if re.search("token|key|pwd|password", name, re.I) and parameter["type"] == "text" and not parameter.get("secure"):
            warnings.append(f"{name} looks like a credential but is not secure")
    for path, data in files.items():
        if not re.search(r"(html?|xml|js|json?)$", path):
            continue
        text = data.decode()
        warnings += [f"{path} contains {word!r}" for word in SECRET_WORDS if word in text]
        warnings += [f"{path} looks like it holds a credential" for shape in SECRET_SHAPES if shape.search(text)]
    return warnings


def test_zendesks_validator_would_warn_about_nothing(package):
    assert zendesk_validator_warnings(package[1]) == []
    assert requirements_errors(package[1]["requirements.json"]) == []


# What the validator checks in requirements.json (zendesk_apps_support, Validations::Requirements and AppRequirement),
# restated: known resource types only, no key given twice, at most 5000 requirements, a webhook has name, status,
# endpoint, http_method and request_format, every other requirement a title; HTTP and URL targets are refused.
REQUIREMENT_TYPES = {"automations", "channel_integrations", "custom_objects", "macros", "targets", "views",
                     "ticket_fields", "triggers", "user_fields", "organization_fields", "webhooks", "custom_objects_v2"}
WEBHOOK_KEYS = ("name", "status", "endpoint", "http_method", "request_format")


def _no_duplicate_keys(pairs):
    keys = [key for key, _ in pairs]
    duplicated = sorted({key for key in keys if keys.count(key) > 1})
    if duplicated:
        raise ValueError(f"duplicate keys {duplicated}")
    return dict(pairs)


def requirements_errors(data: bytes) -> list[str]:
    try:
        requirements = json.loads(data, object_pairs_hook=_no_duplicate_keys)
    except ValueError as exc:
        return [f"requirements.json: {exc}"]
    errors = [f"unknown requirement type {kind}" for kind in sorted(set(requirements) - REQUIREMENT_TYPES)]
    if sum(len(group) for group in requirements.values()) > 5000:
        errors.append("more than 5000 requirements")
    for identifier, webhook in requirements.get("webhooks", {}).items():
        errors += [f"webhook {identifier} has no {key}" for key in WEBHOOK_KEYS if key not in webhook]
    for kind, group in requirements.items():
        if kind in ("channel_integrations", "custom_objects", "webhooks", "custom_objects_v2"):
            continue
        errors += [f"{kind} {identifier} has no title" for identifier, spec in group.items() if "title" not in spec]
    errors += [f"target {identifier} is an HTTP or URL target" for identifier, spec in
               requirements.get("targets", {}).items() if spec.get("type") in ("http_target", "url_target_v2")]
    return errors


def test_the_requirements_check_catches_what_the_validator_refuses():
    bad = (b'{"webhooks": {"hook": {"name": "x", "endpoint": "https://e"}}, "triggers": {"t": {"actions": []}},'
           b' "tickets": {}}')
    assert requirements_errors(bad) == ["unknown requirement type tickets", "webhook hook has no status",
                                        "webhook hook has no http_method", "webhook hook has no request_format",
                                        "triggers t has no title"]
    assert requirements_errors(b'{"triggers": {"t": {"title": "a"}, "t": {"title": "b"}}}') == [
        "requirements.json: duplicate keys ['t']"]


def test_requirements_declare_the_webhook_and_the_triggers_that_call_it(package):
    from adapter.providers import zendesk

    requirements = json.loads(package[1]["requirements.json"])
    (identifier, webhook), = requirements["webhooks"].items()
    # One endpoint for every account; a trigger-connected (not event-subscribed) JSON POST, as the parsers expect.
    assert webhook["endpoint"] == "https://valuedesk.example.com/webhooks/zendesk"
    assert webhook["subscriptions"] == ["conditional_ticket_events"]
    assert (webhook["http_method"], webhook["request_format"], webhook["status"]) == ("POST", "json", "active")
    declared = {spec["title"]: spec for spec in requirements["triggers"].values()}
    made_by_connect = {spec["title"]: spec for spec in zendesk.trigger_specs("WEBHOOK").values()}
    assert declared.keys() == made_by_connect.keys()
    for title, spec in declared.items():
        (action,) = spec["actions"]
        assert action["field"] == "notification_webhook" and action["value"][0] == identifier
        assert action["value"][1] == made_by_connect[title]["actions"][0]["value"][1]  # the same ids-only body
        assert spec["conditions"] == made_by_connect[title]["conditions"]


def test_the_validator_check_catches_what_zendesk_warned_about():
    manifest = {"parameters": [{"name": "installation_token", "type": "text", "secure": True, "required": True}]}
    translations = {"app": {"parameters": {"installation_token": {"label": "Installation token",
                                                                  "helpText": "Kept secret by Zendesk."}}}}
    assert zendesk_validator_warnings({"manifest.json": json.dumps(manifest, indent=2).encode(),
                                       "translations/en.json": json.dumps(translations, indent=2).encode()}) == [
        "secure parameter installation_token has no scopes", "translations/en.json contains 'secret'"]


def test_every_parameter_has_a_translated_label(package):
    manifest = json.loads(package[1]["manifest.json"])
    translations = json.loads(package[1]["translations/en.json"])["app"]
    assert translations["name"] == manifest["name"]
    for parameter in manifest["parameters"]:
        assert translations["parameters"][parameter["name"]]["label"]


@pytest.mark.parametrize("name, size", [("assets/logo.png", 320), ("assets/logo-small.png", 128)])
def test_logos_are_real_pngs_of_the_required_size(package, name, size):
    data = package[1][name]
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (size, size)


def test_service_url_must_be_https(tmp_path):
    with pytest.raises(ApiError, match="https://"):
        build_zendesk_app("http://valuedesk.example.com", tmp_path)


# Freshdesk (FDK platform 3.0)

from adapter.sidebar.packaging import build_freshdesk_app  # noqa: E402


@pytest.fixture(scope="module")
def fdk(tmp_path_factory):
    path = build_freshdesk_app("https://valuedesk.example.com", tmp_path_factory.mktemp("fdk"))
    with zipfile.ZipFile(path) as archive:
        yield {name: archive.read(name) for name in archive.namelist()}


def test_fdk_layout(fdk):
    required = {"manifest.json", "config/iparams.json", "config/requests.json", "app/index.html",
                "app/styles/images/icon.svg", "server/server.js"}
    assert set(fdk) >= required
    manifest = json.loads(fdk["manifest.json"])
    assert manifest["platform-version"] == "3.0"
    assert "name" not in manifest  # Platform 3.0 refuses it; the listing names the app
    # What Freshworks accepts for submission now (freshworks-developers/marketplace docs/engine-matrix.md).
    assert manifest["engines"] == {"node": "24.11.0", "fdk": "10.0.1"}
    sidebar = manifest["modules"]["support_ticket"]["location"]["ticket_sidebar"]
    assert f"app/{sidebar['url']}" in fdk and f"app/{sidebar['icon']}" in fdk


def test_engines_are_the_ones_freshworks_accepts_for_submission(fdk):
    # Freshworks' engine matrix: FDK 10.x with Node 24.11.x to publish; FDK 9 / Node 18 development-only since
    # 31 May 2026.
    engines = json.loads(fdk["manifest.json"])["engines"]
    assert set(engines) == {"node", "fdk"}
    node, fdk_version = (tuple(int(part) for part in engines[name].split(".")) for name in ("node", "fdk"))
    assert node[:2] == (24, 11) and fdk_version[0] == 10


def test_every_event_has_test_data_in_its_modules_folder(fdk):
    # FDK 10 skeletons keep simulator payloads per module: server/test_data/<module>/<event>.json.
    manifest = json.loads(fdk["manifest.json"])
    for module, spec in manifest["modules"].items():
        for event in spec.get("events", {}):
            data = json.loads(fdk[f"server/test_data/{module}/{event}.json"])
            assert data["event"] == event
    assert not [name for name in fdk if re.fullmatch(r"server/test_data/[^/]+\.json", name)]  # nothing left flat


def test_server_js_passes_fdk_10s_lint_rules(fdk):
    server = fdk["server/server.js"].decode()
    body = server.split("exports = {", 1)[1]
    assert "function " not in server.split("exports = {", 1)[0]  # helpers come after the exports
    handlers = re.findall(r"(\w+): (async )?function \((\w*)\) \{(.*?)\n  \},", body, re.S)
    assert len(handlers) == 6
    for name, is_async, parameter, code in handlers:
        assert bool(is_async) == ("await " in code), name  # async exactly where something is awaited
        assert not parameter or re.search(rf"\b{parameter}\b", code), name  # no unused parameter


def test_every_template_the_app_uses_is_declared(fdk):
    import re

    manifest = json.loads(fdk["manifest.json"])
    declared = set(json.loads(fdk["config/requests.json"]))
    assert declared == set(manifest["modules"]["common"]["requests"])
    code = b"\n".join(data for name, data in fdk.items() if name.endswith(".js")).decode()
    used = set(re.findall(r'invokeTemplate\("(\w+)"', code)) | set(re.findall(r'(valuedesk[A-Z]\w+)', code))
    assert used and used <= declared


def test_event_handlers_exist_in_server_js(fdk):
    manifest = json.loads(fdk["manifest.json"])
    server = fdk["server/server.js"].decode()
    handlers = [e["handler"] for e in manifest["modules"]["support_ticket"]["events"].values()]
    handlers += [e["handler"] for e in manifest["modules"]["common"]["events"].values()]
    for handler in handlers:
        assert f"{handler}: async function" in server
    assert "iparams" not in server.split("payload(")[1].split("}")[0]  # forwarded events carry no settings


def test_the_install_page_asks_for_the_domain_and_an_administrators_key_and_checks_both(fdk):
    iparams = json.loads(fdk["config/iparams.json"])
    assert set(iparams) == {"freshdesk_domain", "freshdesk_api_key"}  # no installation id, token or webhook secret
    assert {name for name, spec in iparams.items() if spec.get("secure")} == {"freshdesk_api_key"}
    script = fdk["config/assets/iparams.js"].decode()
    for spec in iparams.values():
        assert spec["required"] is True and spec["type"] == "text"  # platform 3.0 has no domain / api_key types
        (callback,) = [listener["change"] for listener in spec["events"]]
        assert f"function {callback}(value)" in script, callback
    # The key is checked with one read before installing: through Valuedesk, which asks Freshdesk (agents/me).
    assert 'invokeTemplate("valuedeskCheckKey"' in script
    check = json.loads(fdk["config/requests.json"])["valuedeskCheckKey"]["schema"]
    assert check["path"] == "/api/freshdesk/app/check" and "iparam" not in json.dumps(check)


def test_secrets_are_secure_iparams_and_only_used_server_side(fdk):
    frontend = fdk["app/index.html"].decode() + fdk["app/scripts/hosts/freshdesk.js"].decode()
    assert "iparam" not in frontend
    assert "freshdesk_api_key" not in fdk["server/server.js"].decode()  # only templates name the key
    for spec in json.loads(fdk["config/requests.json"]).values():
        assert spec["schema"]["protocol"] == "https" and spec["schema"]["host"] == "valuedesk.example.com"


def test_set_up_events_register_update_and_remove_the_account_through_keyed_templates(fdk):
    manifest = json.loads(fdk["manifest.json"])
    assert manifest["modules"]["common"]["events"] == {
        "onAppInstall": {"handler": "onAppInstallHandler"}, "afterAppUpdate": {"handler": "afterAppUpdateHandler"},
        "onAppUninstall": {"handler": "onAppUninstallHandler"}}
    assert set(manifest["modules"]["support_ticket"]["events"]) == {"onConversationCreate", "onTicketCreate",
                                                                    "onTicketUpdate"}
    templates = json.loads(fdk["config/requests.json"])
    account = "/api/freshdesk/app/<%= iparam.freshdesk_domain %>"
    for name, path in (("valuedeskInstall", f"{account}/install"), ("valuedeskUpdate", f"{account}/update"),
                       ("valuedeskUninstall", f"{account}/uninstall"), ("valuedeskSession", f"{account}/session"),
                       ("valuedeskVerify", f"{account}/verify"),
                       ("valuedeskWebhook", "/webhooks/freshdesk/app/<%= iparam.freshdesk_domain %>")):
        schema = templates[name]["schema"]
        assert (schema["method"], schema["path"]) == ("POST", path), name
        assert schema["headers"]["X-Valuedesk-Freshdesk-Key"] == "<%= iparam.freshdesk_api_key %>", name
    server = fdk["server/server.js"].decode()
    install = server.split("onAppInstallHandler:")[1].split("\n  },")[0]
    assert 'invokeTemplate("valuedeskInstall"' in install and "renderData({ message: refusal(error) })" in install
    uninstall = server.split("onAppUninstallHandler:")[1].split("\n  },")[0]
    assert "renderData({" not in uninstall  # an admin can always remove the app


def test_index_html_loads_only_packaged_files(fdk):
    import re

    html = fdk["app/index.html"].decode()
    assert "{{{appclient}}}" in html
    for src in re.findall(r'(?:src|href)="([^"{]+)"', html):
        assert f"app/{src}" in fdk, src
    assert "app/scripts/hosts/zendesk.js" not in fdk and "app/scripts/hosts/playground.js" not in fdk


def test_the_agent_verifies_through_a_template_whose_secrets_stay_server_side(fdk):
    templates = json.loads(fdk["config/requests.json"])
    verify = templates["valuedeskVerify"]["schema"]
    assert verify["method"] == "POST" and verify["path"] == "/api/freshdesk/app/<%= iparam.freshdesk_domain %>/verify"
    # Only non-secure iparams may stand in a path or host (the FDK substitutes secure ones in headers only).
    secure = {name for name, spec in json.loads(fdk["config/iparams.json"]).items() if spec.get("secure")}
    for name, spec in templates.items():
        place = spec["schema"]["host"] + spec["schema"]["path"]
        assert not any(f"iparam.{s}" in place for s in secure), name
    shim = fdk["app/scripts/hosts/freshdesk.js"].decode()
    assert 'open("valuedeskVerify"' in shim and "localStorage" in shim and "client.db" not in shim
    assert "api_key" in shim and "console.log" not in shim


@pytest.mark.parametrize("name", ["server/server.js", "config/assets/iparams.js"])
def test_the_apps_own_javascript_parses(fdk, tmp_path, name):
    import shutil
    import subprocess

    node = shutil.which("node")
    if node is None:
        pytest.skip("install Node.js to check the FDK app's JavaScript")
    source = tmp_path / "check.js"
    source.write_bytes(fdk[name])
    checked = subprocess.run([node, "--check", str(source)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
