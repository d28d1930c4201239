"""The fixtures of early pytest-asyncio, registered by ``--trollius-legacy``
only when pytest-asyncio is not installed."""

__all__ = ['event_loop', 'unused_tcp_port', 'unused_tcp_port_factory']

import socket

import pytest


@pytest.fixture
def event_loop(trollius_loop):
    """The test's event loop: the loop that runs its generator test
    (trollius_streams.testing's ``trollius_loop``), set as current loop."""
    return trollius_loop


def _free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


@pytest.fixture
def unused_tcp_port():
    """A TCP port on 127.0.0.1 that was free when the test started."""
    return _free_port()


@pytest.fixture
def unused_tcp_port_factory():
    """A function returning a different free TCP port on each call."""
    given = set()

    def factory():
        port = _free_port()
        while port in given:
            port = _free_port()
        given.add(port)
        return port
    return factory
