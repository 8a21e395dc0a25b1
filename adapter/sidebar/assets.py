"""Sidebar scripts and styles under content-hashed names: compressed once, then cached by browsers for a year.

A file's name carries the first 12 hex digits of its SHA-256, so a changed file has a new name and an old name never
needs revalidating. Compressed forms (brotli, gzip) are made on first request and kept per process; an edited file
(in development) is noticed by its size and modification time.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import re
import threading
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import brotli
from flask import Response
from flask import abort
from flask import request
from flask import url_for

from adapter.sidebar.blueprint import bp

STATIC = Path(__file__).parent / "static"
IMMUTABLE = "public, max-age=31536000, immutable"
_HASHED = re.compile(r"(?P<stem>[\w./-]+)\.(?P<digest>[0-9a-f]{12})\.(?P<ext>js|css)")
# Best first; the client's Accept-Encoding decides which it gets.
ENCODINGS = ("br", "gzip")


@dataclass
class Asset:
    """One static file: its bytes, its digest, and compressed forms made when first asked for."""

    path: str  # relative to STATIC, e.g. "sections/signals.js"
    raw: bytes
    version: tuple[int, int]  # size and modification time when read
    digest: str = ""
    encoded: dict[str, bytes] = field(default_factory=dict)

    def __post_init__(self):
        self.digest = hashlib.sha256(self.raw).hexdigest()[:12]

    @property
    def name(self) -> str:
        """The hashed name: sidebar.js becomes sidebar.<digest>.js."""
        stem, _, ext = self.path.rpartition(".")
        return f"{stem}.{self.digest}.{ext}"

    def body(self, encoding: str | None) -> bytes:
        """The bytes to send for a content encoding (None: as they are)."""
        if encoding is None:
            return self.raw
        if encoding not in self.encoded:
            self.encoded[encoding] = (brotli.compress(self.raw, quality=11) if encoding == "br"
                                      else gzip.compress(self.raw, compresslevel=9, mtime=0))
        return self.encoded[encoding]


_assets: dict[str, Asset] = {}
_lock = threading.Lock()


def load(path: str) -> Asset | None:
    """The current version of a static file, or None when there is no such file under STATIC."""
    target = (STATIC / path).resolve()
    if not target.is_relative_to(STATIC.resolve()) or not target.is_file():
        return None
    stat = target.stat()
    version = (stat.st_size, stat.st_mtime_ns)
    with _lock:
        known = _assets.get(path)
        if known is None or known.version != version:
            known = _assets[path] = Asset(path=path, raw=target.read_bytes(), version=version)
        return known


def asset_url(path: str) -> str:
    """The hashed URL of a sidebar script or stylesheet (for templates)."""
    found = load(path)
    if found is None:
        raise FileNotFoundError(f"No sidebar asset {path!r}")
    return url_for("sidebar.asset", name=found.name)


bp.add_app_template_global(asset_url, "sidebar_asset")


def _encoding() -> str | None:
    accepted = request.accept_encodings
    return next((encoding for encoding in ENCODINGS if accepted.quality(encoding) > 0), None)


@bp.get("/assets/<path:name>")
def asset(name: str):
    """A hashed script or stylesheet, compressed as the client accepts, cacheable for a year.

    A name whose digest is not the current one (a page rendered before a deploy) gets the current file, not cached.
    """
    match = _HASHED.fullmatch(name)
    found = load(f"{match['stem']}.{match['ext']}") if match and ".." not in name else None
    if found is None:
        abort(404)
    encoding = _encoding()
    response = Response(found.body(encoding), mimetype=mimetypes.guess_type(found.path)[0])
    if encoding:
        response.headers["Content-Encoding"] = encoding
    response.headers["Vary"] = "Accept-Encoding"
    response.headers["Cache-Control"] = IMMUTABLE if match["digest"] == found.digest else "no-cache"
    response.set_etag(f"{found.digest}-{encoding or 'identity'}")
    return response.make_conditional(request)
