"""Load: 1000 concurrent loopback connections echoing through start_server /
open_connection, on every loop flavour.

All 1000 connections are held open at the same time (the server handlers
wait until every client has had its echo), then closed.  Afterwards:

* every client got its own line back;
* no file descriptor is left open: /proc/self/fd is counted before the
  loop is created and after it is closed (a warm-up loop runs first, so
  that one-time, process-wide descriptors, such as libuv's signal pipe,
  already exist);
* no ResourceWarning was emitted (recorded explicitly, because on 3.6
  pytest cannot see warnings raised in __del__);
* the loop's exception handler was never called (no "Task exception was
  never retrieved", no "Unhandled exception in client_connected_cb").

This module makes its own loops instead of using the ``loop`` fixture:
the descriptor count has to be taken with no loop open.
"""

import asyncio
import gc
import os
import socket
import warnings

import pytest

from trollius_streams import compat, coroutine, open_connection, start_server

try:
    import resource
except ImportError:  # not on Windows
    resource = None

try:
    import uvloop
except ImportError:
    uvloop = None

HAS_UNIX = hasattr(socket, 'AF_UNIX')
if HAS_UNIX:
    from trollius_streams import open_unix_connection, start_unix_server

N = 1000
FD_DIR = '/proc/self/fd' if os.path.isdir('/proc/self/fd') else '/dev/fd'

LOOP_KINDS = ['asyncio'] + (['uvloop'] if uvloop is not None else [])
FAMILIES = ['tcp', pytest.param('unix', marks=pytest.mark.skipif(
    not HAS_UNIX, reason='no AF_UNIX'))]


def new_loop(kind):
    if kind == 'uvloop':
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def count_fds():
    return len(os.listdir(FD_DIR))


@pytest.fixture
def enough_fds():
    """Raise the open-file soft limit for 2*N sockets (restored after)."""
    if resource is None:
        pytest.skip('no resource module')
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    need = 2 * N + 256
    if soft != resource.RLIM_INFINITY and soft < need:
        if hard != resource.RLIM_INFINITY and hard < need:
            pytest.skip('hard open-file limit %d < %d' % (hard, need))
        resource.setrlimit(resource.RLIMIT_NOFILE, (need, hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


@coroutine
def echo_many(loop, family, sock_dir, n):
    """Serve ``n`` clients at once; return (replies, most held at once)."""
    everyone_echoed = compat.create_future(loop)
    state = {'open': 0, 'most': 0, 'echoed': 0}

    @coroutine
    def handler(reader, writer):
        state['open'] += 1
        state['most'] = max(state['most'], state['open'])
        try:
            line = yield from reader.readline()
            writer.write(line)
            yield from writer.drain()
            # Hold the connection until all n clients are connected.
            yield from everyone_echoed
        finally:
            state['open'] -= 1
            writer.close()

    if family == 'tcp':
        server = yield from start_server(handler, '127.0.0.1', 0, loop=loop,
                                         backlog=n + 24)
        address = server.sockets[0].getsockname()[:2]
    else:
        address = os.path.join(sock_dir, 'load')
        server = yield from start_unix_server(handler, address, loop=loop,
                                              backlog=n + 24)

    @coroutine
    def client(i):
        if family == 'tcp':
            reader, writer = yield from open_connection(*address, loop=loop)
        else:
            reader, writer = yield from open_unix_connection(address,
                                                             loop=loop)
        try:
            writer.write(b'hello %d\n' % i)
            reply = yield from reader.readline()
            state['echoed'] += 1
            if state['echoed'] == n:
                everyone_echoed.set_result(None)
            # The server closes once everyone is served: EOF, no hang.
            rest = yield from reader.read()
        finally:
            writer.close()
        return reply, rest

    try:
        tasks = [compat.ensure_future(client(i), loop=loop) for i in range(n)]
        results = yield from asyncio.gather(*tasks)
    finally:
        server.close()
        if not everyone_echoed.done():
            everyone_echoed.set_result(None)
    yield from server.wait_closed()
    return results, state['most'], state['open']


def run_on_fresh_loop(kind, coro_func):
    """Run ``coro_func(loop)`` on a new loop, then close the loop.

    Returns (result, exception-handler contexts).
    """
    errors = []
    loop = new_loop(kind)
    loop.set_exception_handler(lambda _, ctx: errors.append(ctx))
    try:
        result = loop.run_until_complete(
            asyncio.wait_for(compat.as_coroutine(coro_func(loop)), 120))
        # Let the closed transports finish closing.
        for _ in range(5):
            loop.run_until_complete(asyncio.sleep(0))
        pending = compat.all_tasks(loop)
        assert not pending, pending
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()
    return result, errors


@pytest.mark.parametrize('family', FAMILIES)
@pytest.mark.parametrize('kind', LOOP_KINDS)
def test_1000_concurrent_echo_connections(kind, family, enough_fds, sock_dir):
    """FN-1..FN-4, PR-2, PR-3, PR-6, HD-9, HD-10: 1000 connections held at
    once through start_server/open_connection, each echoing one line; all
    complete, and afterwards no descriptor is left open, no
    ResourceWarning, and the loop reported no error."""
    # Warm-up: process-wide one-time descriptors are created now.
    run_on_fresh_loop(kind, lambda loop: echo_many(loop, family, sock_dir, 2))
    gc.collect()
    before = count_fds()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', ResourceWarning)
        (results, most, still_open), errors = run_on_fresh_loop(
            kind, lambda loop: echo_many(loop, family, sock_dir, N))
        gc.collect()
    after = count_fds()
    assert results == [(b'hello %d\n' % i, b'')
                                    for i in range(N)]
    assert most == N, 'only %d connections were open at once' % most
    assert still_open == 0
    assert errors == []
    leaked = [w for w in caught if issubclass(w.category, ResourceWarning)]
    assert leaked == [], [str(w.message) for w in leaked[:5]]
    assert after == before, 'descriptors: %d before, %d after' % (before,
                                                                   after)
