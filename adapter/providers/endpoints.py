"""Where each vendor lives: its real origins, or the local fakes configured by VALUEDESK_VENDOR_URLS for tests.

An override replaces every origin of that vendor (Atlassian's auth.atlassian.com and api.atlassian.com alike), so
one fake server plays the whole vendor. Only an overridden origin may be on loopback (see `egress`).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from adapter.providers import egress

_overrides: dict[str, str] = {}


def configure(overrides: dict[str, str]) -> None:
    """Use these origins (vendor name -> scheme://host:port) instead of the real ones; an empty dict restores them."""
    _overrides.clear()
    _overrides.update({name: url.rstrip("/") for name, url in overrides.items()})
    egress.allow({(urlsplit(url).hostname, urlsplit(url).port or (443 if url.startswith("https") else 80))
                  for url in _overrides.values()})


def origin(vendor: str, default: str) -> str:
    """The origin to use for `vendor` where it normally lives at `default`."""
    return _overrides.get(vendor, default.rstrip("/"))


def overridden(vendor: str) -> bool:
    """True when the vendor is played by a configured fake."""
    return vendor in _overrides


def parse(value: str) -> dict[str, str]:
    """`name=http://host:port,name2=...` -> {name: origin}.

    :raise ValueError: naming the entry that is not `name=http(s)://host[:port]`.
    """
    found: dict[str, str] = {}
    for entry in filter(None, (part.strip() for part in value.split(","))):
        name, _, url = entry.partition("=")
        parts = urlsplit(url.strip())
        if not name.strip() or parts.scheme not in ("http", "https") or not parts.hostname or parts.path.strip("/"):
            raise ValueError(f"{entry!r} is not vendor=http(s)://host[:port]")
        found[name.strip()] = f"{parts.scheme}://{parts.netloc}"
    return found
