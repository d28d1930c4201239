"""When the library closes a server connection for you (contract PR-3, PR-5).

3.4 closed every connection when the peer sent EOF, so 3.4-era handlers
return without ``writer.close()``.  These tests run such servers over real
TCP and UNIX sockets, on every loop, and count the sockets the process still
holds afterwards, with the cycle collector disabled and watched, so that
only reference counting and the library's own closes can free anything:

* a coroutine handler that reads a line, writes it back and returns;
* a plain callback that starts its own Task and keeps ``(reader, writer)``
  in a dict until that task is done.

Both must leave no server-side socket behind, and ``server.close(); yield
from server.wait_closed()`` must return (3.12.1+ waits there for every
client connection).  Half-close keeps working while a handler runs, and a
close never loses bytes already written.
"""

import asyncio
import contextlib
import gc
import importlib.util
import os
import socket
import warnings

import pytest

from trollius_streams import compat, coroutine

HAS_UNIX = hasattr(socket, 'AF_UNIX')
FAMILIES = ['tcp'] + (['unix'] if HAS_UNIX else [])
CLIENTS = 50


def open_sockets():
    """The number of socket file descriptors this process holds."""
    count = 0
    for name in os.listdir('/proc/self/fd'):
        try:
            if os.readlink('/proc/self/fd/' + name).startswith('socket:'):
                count += 1
        except OSError:  # the fd listing itself, closed meanwhile
            pass
    return count


needs_proc = pytest.mark.skipif(not os.path.isdir('/proc/self/fd'),
                                reason='counts sockets through /proc')


@contextlib.contextmanager
def no_cycle_collection():
    """Disable the cycle collector; fail if a collection runs anyway."""
    runs = []

    def callback(phase, info):
        if phase == 'start':
            runs.append(info)

    was_enabled = gc.isenabled()
    gc.disable()
    gc.callbacks.append(callback)
    try:
        yield
    finally:
        gc.callbacks.remove(callback)
        if was_enabled:
            gc.enable()
    assert runs == [], 'a cycle collection ran: %r' % (runs,)


@coroutine
def settle_until(loop, condition, limit=500):
    """Run loop iterations (sleeping 10 ms each) until condition() holds."""
    for _ in range(limit):
        if condition():
            return True
        yield from asyncio.sleep(0.01)
    return condition()


def _load_bench():
    # The server patterns and start() are bench/lifecycle.py's, which
    # measures the same thing.
    path = os.path.join(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))), 'bench', 'lifecycle.py')
    spec = importlib.util.spec_from_file_location('bench_lifecycle', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _load_bench()
PATTERNS = {'coroutine-handler': BENCH.coroutine_pattern,
            'plain-callback': BENCH.callback_pattern}
start = BENCH.start


@needs_proc
@pytest.mark.parametrize('pattern', sorted(PATTERNS))
@pytest.mark.parametrize('family', FAMILIES)
def test_finished_connections_are_freed_pr_3(loop, run, family, pattern,
                                             sock_dir):
    """PR-3: 50 clients each exchange a line and close; afterwards the
    server holds no connection socket (counted in /proc, no cycle
    collection), and wait_closed() returns.  The plain-callback pattern
    frees each connection when its writer is dropped, with one
    ``ResourceWarning: unclosed <StreamWriter ...>`` per connection."""
    handler, clients = PATTERNS[pattern]()
    counts = {}

    @coroutine
    def client(connect, i):
        reader, writer = yield from connect()
        line = ('line %d\n' % i).encode()
        writer.write(line)
        yield from writer.drain()
        reply = yield from reader.readline()
        writer.close()
        return reply == line

    @coroutine
    def main():
        counts['before'] = open_sockets()
        server, connect = yield from start(family, handler, loop, sock_dir)
        listening = open_sockets() - counts['before']
        try:
            replies = []
            for i in range(CLIENTS):
                ok = yield from client(connect, i)
                replies.append(ok)
            assert all(replies)
            expected = counts['before'] + listening
            settled = yield from settle_until(
                loop, lambda: open_sockets() <= expected)
            counts['after'] = open_sockets() - expected
            assert settled, ('%d connection sockets still open'
                             % counts['after'])
        finally:
            server.close()
            yield from asyncio.wait_for(
                compat.as_coroutine(server.wait_closed()), 10)
        counts['closed'] = open_sockets() - counts['before']

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always', ResourceWarning)
        with no_cycle_collection():
            run(main())
    unclosed = [str(w.message) for w in caught
                if issubclass(w.category, ResourceWarning)]
    others = [w for w in caught
              if not issubclass(w.category, ResourceWarning)]
    assert others == []
    assert counts['after'] == 0
    assert counts['closed'] == 0
    if pattern == 'plain-callback':
        assert clients == {}
        assert len(unclosed) == CLIENTS
        assert all(m.startswith('unclosed <StreamWriter') for m in unclosed)
    else:
        assert unclosed == []


@pytest.mark.parametrize('family', FAMILIES)
def test_half_close_still_works_while_handler_runs_pr_5(loop, run, family,
                                                        sock_dir):
    """PR-5, PR-3: the client sends a request and write_eof(); the handler,
    still running, reads to EOF and only then writes its reply (the server
    does not close at EOF while the handler runs); the handler returns
    without closing and the library closes the connection, so the client
    reads the whole reply and then EOF."""
    reply = b'R' * 300000   # more than a socket buffer: still being sent

    @coroutine
    def handler(reader, writer):
        request = yield from reader.read()
        yield from asyncio.sleep(0.01)
        writer.write(reply + request)

    @coroutine
    def main():
        server, connect = yield from start(family, handler, loop, sock_dir)
        try:
            reader, writer = yield from connect()
            writer.write(b'request')
            writer.write_eof()
            data = yield from asyncio.wait_for(
                compat.as_coroutine(reader.read()), 10)
            writer.close()
        finally:
            server.close()
            yield from server.wait_closed()
        return data

    assert run(main()) == reply + b'request'


@pytest.mark.parametrize('family', FAMILIES)
def test_handler_done_before_eof_closes_at_eof_pr_3(loop, run, family,
                                                    sock_dir):
    """PR-3: a handler that returns before the peer's EOF leaves the
    connection open (the client can still write, and gets no EOF); when the
    client sends EOF, the library closes the connection (the client reads
    EOF) without losing the greeting."""
    done = []

    @coroutine
    def handler(reader, writer):
        writer.write(b'hello\n')
        done.append(True)
        return
        yield  # pragma: no cover

    @coroutine
    def main():
        server, connect = yield from start(family, handler, loop, sock_dir)
        try:
            reader, writer = yield from connect()
            greeting = yield from reader.readline()
            yield from asyncio.sleep(0.05)
            assert done == [True]
            # Still open: nothing more arrives, no EOF.
            assert not reader.at_eof()
            writer.write(b'more data the server never reads\n')
            yield from writer.drain()
            yield from asyncio.sleep(0.05)
            assert not reader.at_eof()
            writer.write_eof()
            rest = yield from asyncio.wait_for(
                compat.as_coroutine(reader.read()), 10)
            writer.close()
        finally:
            server.close()
            yield from server.wait_closed()
        return greeting, rest

    assert run(main()) == (b'hello\n', b'')


@pytest.mark.parametrize('family', FAMILIES)
def test_wait_closed_returns_with_idle_client_gone_pr_3(loop, run, family,
                                                        sock_dir):
    """PR-3: a client that connects, sends nothing and closes: the handler
    (waiting in readline) gets EOF and returns, the library closes the
    connection, and server.close(); wait_closed() returns."""
    @coroutine
    def handler(reader, writer):
        yield from reader.readline()

    @coroutine
    def main():
        server, connect = yield from start(family, handler, loop, sock_dir)
        reader, writer = yield from connect()
        yield from asyncio.sleep(0.01)
        writer.close()
        server.close()
        yield from asyncio.wait_for(
            compat.as_coroutine(server.wait_closed()), 10)
        return True

    assert run(main()) is True
