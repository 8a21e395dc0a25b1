"""The Zendesk app zip holds what Zendesk requires, with manifest fields in the documented schema."""

import json
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
REQUIRED_FILES = {"manifest.json", "translations/en.json", "assets/logo.png", "assets/logo-small.png"}


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
    assert manifest["parameters"] == [{"name": "installation_token", "type": "text", "secure": True, "required": True}]


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
