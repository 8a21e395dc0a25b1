"""Outbound connections only to public addresses: a vendor client never reaches loopback, private or link-local hosts.

The check runs where the socket is opened, on the addresses the name resolved to, and the connection goes to an
address that passed it, so a name that resolves differently a moment later (DNS rebinding) gains nothing. A refusal
looks to the caller exactly like a closed port.
"""

from __future__ import annotations

import ipaddress
import socket

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection
from urllib3.connection import HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool
from urllib3.connectionpool import HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError
from urllib3.exceptions import NameResolutionError
from urllib3.exceptions import NewConnectionError
from urllib3.util.connection import create_connection


class NotPublic(OSError):
    """A host name resolved to an address no vendor lives at."""


# (host, port) pairs a configured local fake listens on (VALUEDESK_VENDOR_URLS): the only inward exceptions.
_allowed: set[tuple[str, int]] = set()


def allow(host_ports: set[tuple[str, int]]) -> None:
    """Let connections reach exactly these (host, port) pairs even when they are not public; replaces the last set."""
    _allowed.clear()
    _allowed.update(host_ports)


def is_public(address: str) -> bool:
    """True for a globally routable unicast address (not loopback, private, link-local, shared, reserved or multicast)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def public_addresses(host: str, port: int) -> list[str]:
    """Every address `host` resolves to, when all of them are public.

    :raise NotPublic: when any is not (a name that also points inward is not trusted with the others).
    :raise socket.gaierror: when the name does not resolve.
    """
    found = list(dict.fromkeys(info[4][0] for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)))
    if not found or not all(is_public(address) for address in found):
        raise NotPublic(f"{host} does not resolve to a public address")
    return found


class _PublicOnly:
    """urllib3 connection mixin: resolve, check, then connect to a checked address (TLS still verifies the name)."""

    def _new_conn(self) -> socket.socket:
        if (self._dns_host, self.port) in _allowed:
            return create_connection((self._dns_host, self.port), self.timeout, source_address=self.source_address,
                                     socket_options=self.socket_options)
        try:
            addresses = public_addresses(self._dns_host, self.port)
        except socket.gaierror as exc:
            raise NameResolutionError(self.host, self, exc) from exc
        except NotPublic as exc:
            raise NewConnectionError(self, f"Failed to establish a new connection: {exc}") from None
        failure: Exception | None = None
        for address in addresses:
            try:
                return create_connection((address, self.port), self.timeout, source_address=self.source_address,
                                         socket_options=self.socket_options)
            except TimeoutError as exc:
                failure = ConnectTimeoutError(self, f"Connection to {self.host} timed out.")
                failure.__cause__ = exc
            except OSError as exc:
                failure = NewConnectionError(self, f"Failed to establish a new connection: {exc}")
        raise failure


class PublicHTTPConnection(_PublicOnly, HTTPConnection):
    pass


class PublicHTTPSConnection(_PublicOnly, HTTPSConnection):
    pass


class PublicHTTPConnectionPool(HTTPConnectionPool):
    ConnectionCls = PublicHTTPConnection


class PublicHTTPSConnectionPool(HTTPSConnectionPool):
    ConnectionCls = PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """A requests transport adapter whose direct connections go to public addresses only.

    Through an outbound proxy (HTTPS_PROXY) the proxy opens the vendor connection, and its own rules apply.
    """

    def init_poolmanager(self, *args, **kwargs) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": PublicHTTPConnectionPool,
                                                   "https": PublicHTTPSConnectionPool}


def mount(session, **adapter_options) -> None:
    """Send every request of `session` through a PublicOnlyAdapter."""
    adapter = PublicOnlyAdapter(**adapter_options)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
