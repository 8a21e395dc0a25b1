"""Vendor clients connect to public addresses only: loopback, private, link-local and the like are refused before
any packet leaves, with the same error a closed port gives."""

import socket
import threading

import pytest
import requests

from adapter.errors import Unavailable
from adapter.providers import egress
from adapter.providers import stripe
from adapter.providers.base import HttpApi


@pytest.mark.parametrize("address, public", [
    ("127.0.0.1", False), ("127.8.9.10", False), ("::1", False), ("10.1.2.3", False), ("172.16.0.1", False),
    ("192.168.1.1", False), ("169.254.169.254", False), ("100.64.0.1", False), ("0.0.0.0", False),
    ("::ffff:127.0.0.1", False), ("::ffff:10.0.0.1", False), ("fe80::1%eth0", False), ("fd00::1", False),
    ("224.0.0.1", False), ("198.18.0.1", False),
    ("104.192.141.1", True), ("2606:4700::6810:84e5", True), ("::ffff:104.192.141.1", True),
])
def test_only_globally_routable_unicast_addresses_are_public(address, public):
    assert egress.is_public(address) is public


def test_a_name_that_resolves_to_loopback_is_not_public():
    with pytest.raises(egress.NotPublic):
        egress.public_addresses("localhost", 443)


@pytest.fixture
def listener():
    """A TCP server on loopback that counts the connections it accepts."""
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(0.2)
    accepted = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            accepted.append(connection.recv(4096))
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], accepted
    stop.set()
    thread.join(timeout=2)
    server.close()


def closed_port() -> int:
    with socket.create_server(("127.0.0.1", 0)) as probe:
        return probe.getsockname()[1]


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_a_vendor_client_never_connects_to_loopback_and_says_so_like_a_closed_port(no_network, listener, host):
    no_network.add_passthru("http://")  # let the real transport run
    port, accepted = listener
    api = HttpApi("jira", f"http://{host}:{port}/rest/api/3", auth=("bot@acme.example", "atl-token"),
                  connect_retries=0)
    with pytest.raises(Unavailable) as open_port:
        api.request("GET", "myself")
    with pytest.raises(Unavailable) as shut_port:
        HttpApi("jira", f"http://{host}:{closed_port()}/rest/api/3", connect_retries=0).request("GET", "myself")
    assert accepted == []  # not even a TCP connection, let alone the Basic credentials
    assert open_port.value.message == shut_port.value.message == "jira could not be reached."


def test_stripe_goes_through_the_same_guard():
    session = stripe.Client("rk_test_x", network_retries=0).stripe._requestor._client._session
    assert isinstance(session.get_adapter("https://api.stripe.com/v1/charges"), egress.PublicOnlyAdapter)


def test_zendesk_and_freshdesk_clients_use_the_guarded_session():
    from adapter.providers.freshdesk.client import Client as Freshdesk
    from adapter.providers.zendesk.client import Client as Zendesk

    for session in (Zendesk("acme", email="a@acme.example", token="t").http.session,
                    Freshdesk("127.0.0.1", "key").http.session):
        assert isinstance(session.get_adapter("https://acme.zendesk.com/"), egress.PublicOnlyAdapter)
        assert isinstance(session, requests.Session)
