"""Fault injection over real sockets (TCP and UNIX), on every loop flavour.

What each loop gives (observed on CPython 3.6 / 3.12 / 3.13 with the stdlib
selector loop and with uvloop 0.14 / 0.23; the tests below pin it down):

* Peer reset while a read call waits (TCP: SO_LINGER 0 then close; UNIX:
  the peer closes with bytes it never read, which resets the connection):
  readline(), readexactly(n) and read(-1) all raise ConnectionResetError
  (errno ECONNRESET) on both loops and both families, never hang; the bytes
  received before the reset stay in the reader's buffer (RD-3) and every
  later read call raises the same exception object (RD-8a).
* Clean peer close (FIN) while a read call waits: readline() returns the
  partial line, readexactly(n) raises IncompleteReadError with the partial
  bytes, read(-1) returns everything.
* Peer gone while the writer is paused: every pending drain() Future
  completes with the connection error (ConnectionResetError on both loops),
  and later drain() calls raise at once.
* write()+drain() against a reset peer ends with ConnectionResetError or
  BrokenPipeError (both OSError), bounded at 1000 iterations: observed at
  the first iteration on the stdlib loop and uvloop 0.23 (the first send
  fails), and once the transport pauses on uvloop 0.14, which sends only
  when the loop runs (so with a 16 KiB high-water mark, ~16 writes of
  1 KiB).
"""

import asyncio
import os
import socket
import struct

import pytest

from trollius_streams import (IncompleteReadError, compat, coroutine,
                              open_connection, start_server)

HAS_UNIX = hasattr(socket, 'AF_UNIX')
if HAS_UNIX:
    from trollius_streams import open_unix_connection, start_unix_server

needs_unix = pytest.mark.skipif(not HAS_UNIX, reason='no AF_UNIX')
FAMILIES = ['tcp', pytest.param('unix', marks=needs_unix)]

# Every error a write to a dead peer may give on Linux/macOS.
DEAD_PEER_ERRORS = (ConnectionResetError, BrokenPipeError)


class RawListener(object):
    """A plain blocking listening socket playing the misbehaving peer."""

    def __init__(self, family, sock_dir):
        self.family = family
        if family == 'tcp':
            self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            self.sock.bind(('127.0.0.1', 0))
            self.address = self.sock.getsockname()
        else:
            self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            self.address = os.path.join(sock_dir, 'raw')
            self.sock.bind(self.address)
        self.sock.listen(8)
        self.peers = []

    @coroutine
    def connect(self, loop, **kwds):
        """open_connection to this listener; returns (reader, writer, peer)."""
        if self.family == 'tcp':
            reader, writer = yield from open_connection(
                self.address[0], self.address[1], loop=loop, **kwds)
        else:
            reader, writer = yield from open_unix_connection(
                self.address, loop=loop, **kwds)
        # The connection is complete, so it waits in the backlog already.
        peer, _ = self.sock.accept()
        self.peers.append(peer)
        return reader, writer, peer

    def close(self):
        for peer in self.peers:
            peer.close()
        self.sock.close()


@pytest.fixture
def listener_factory(sock_dir):
    made = []

    def make(family):
        lst = RawListener(family, sock_dir)
        made.append(lst)
        return lst
    yield make
    for lst in made:
        lst.close()


def reset(peer, family):
    """Make the peer vanish with a reset.

    TCP: SO_LINGER with a zero timeout turns close() into an RST.  UNIX: a
    socket closed with unread bytes in its receive queue resets its peer
    (the callers make sure such bytes are there).
    """
    if family == 'tcp':
        peer.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                        struct.pack('ii', 1, 0))
    peer.close()


def buffered(reader, loop, n):
    """A Future set once the reader holds at least ``n`` bytes.

    Wraps the instance's feed_data (the protocol calls it through the
    instance), so no wall-clock wait is needed.
    """
    fut = compat.create_future(loop)
    original = reader.feed_data

    def feed_data(data):
        original(data)
        if len(reader._buffer) >= n and not fut.done():
            fut.set_result(None)
    reader.feed_data = feed_data
    if len(reader._buffer) >= n:
        fut.set_result(None)
    return fut


READ_CALLS = {
    'readline': lambda r: r.readline(),
    'readexactly': lambda r: r.readexactly(10),
    'read-all': lambda r: r.read(),
}


@pytest.mark.parametrize('call', sorted(READ_CALLS))
@pytest.mark.parametrize('family', FAMILIES)
def test_peer_reset_during_read(loop, run, listener_factory, family, call):
    """RD-3, RD-8a, RD-8d, PR-6, DR-2: a peer reset while readline() /
    readexactly(n) / read(-1) waits with partial data buffered raises
    ConnectionResetError in the waiting call (no hang); the partial bytes
    stay buffered, later calls and drain() raise the same exception."""
    lst = listener_factory(family)

    @coroutine
    def main():
        reader, writer, peer = yield from lst.connect(loop)
        try:
            got_part = buffered(reader, loop, 4)
            task = compat.ensure_future(READ_CALLS[call](reader), loop=loop)
            writer.write(b'never read by the peer')  # UNIX reset needs it
            peer.sendall(b'part')
            yield from got_part
            assert not task.done()
            lst.peers.remove(peer)
            reset(peer, family)
            yield from asyncio.wait([task])
            exc = task.exception()
            assert type(exc) is ConnectionResetError, exc
            assert bytes(reader._buffer) == b'part'
            assert reader.exception() is exc
            with pytest.raises(ConnectionResetError) as info:
                yield from reader.read(1)
            assert info.value is exc
            with pytest.raises(ConnectionResetError):
                writer.drain()
        finally:
            writer.close()
    run(main())


@pytest.mark.parametrize('call, expected', [
    ('readline', b'part'),
    ('readexactly', IncompleteReadError(b'part', 10)),
    ('read-all', b'part'),
], ids=['readline', 'readexactly', 'read-all'])
@pytest.mark.parametrize('family', FAMILIES)
def test_peer_clean_close_during_read(loop, run, listener_factory, family,
                                      call, expected):
    """RD-9, RD-10, RD-11, PR-6: a clean close (FIN, nothing unread) while
    a call waits: readline() returns the partial line, readexactly(10)
    raises IncompleteReadError(b'part', 10), read(-1) returns b'part'."""
    lst = listener_factory(family)

    @coroutine
    def main():
        reader, writer, peer = yield from lst.connect(loop)
        try:
            got_part = buffered(reader, loop, 4)
            task = compat.ensure_future(READ_CALLS[call](reader), loop=loop)
            peer.sendall(b'part')
            yield from got_part
            assert not task.done()
            lst.peers.remove(peer)
            peer.close()
            yield from asyncio.wait([task])
            if isinstance(expected, IncompleteReadError):
                exc = task.exception()
                assert type(exc) is IncompleteReadError
                assert (exc.partial, exc.expected) == (b'part', 10)
            else:
                assert task.result() == expected
            assert reader.at_eof()
            assert reader.exception() is None
            assert (yield from reader.read()) == b''
        finally:
            writer.close()
    run(main())


def fill_until_paused(writer, chunk, max_writes=1000):
    """Write ``chunk`` until drain() must wait; return the first Future.

    A plain function: as a ``coroutine`` it would wait for that Future
    (CO-4).
    The peer never reads, so the kernel buffers fill up, the transport
    buffers the rest and calls pause_writing past its high-water mark.
    """
    for _ in range(max_writes):
        writer.write(chunk)
        fut = writer.drain()
        if fut != ():
            return fut
    raise AssertionError('the transport never paused writing')


@pytest.mark.parametrize('family', FAMILIES)
def test_peer_gone_while_paused_fails_every_drain(loop, run, listener_factory,
                                                   family):
    """FC-W3, DR-2, DR-3, PR-6: with the writer paused, several drain()
    Futures wait; the peer resets; every one of them completes with the
    connection error, and a later drain() raises at once."""
    lst = listener_factory(family)

    @coroutine
    def main():
        reader, writer, peer = yield from lst.connect(loop)
        try:
            writer.transport.set_write_buffer_limits(high=64 * 1024)
            first = fill_until_paused(writer, b'x' * 65536)
            futures = [first] + [writer.drain() for _ in range(3)]
            assert all(compat.isfuture(f) for f in futures)
            assert len(set(map(id, futures))) == 4
            assert not any(f.done() for f in futures)
            lst.peers.remove(peer)
            reset(peer, family)   # it has megabytes unread: a reset
            results = yield from asyncio.gather(*futures,
                                                return_exceptions=True)
            for result in results:
                assert isinstance(result, DEAD_PEER_ERRORS), results
            with pytest.raises(DEAD_PEER_ERRORS):
                writer.drain()
            assert isinstance(reader.exception(), DEAD_PEER_ERRORS)
        finally:
            writer.close()
    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_write_drain_loop_against_dead_peer_ends(loop, run, listener_factory,
                                                 family):
    """DR-2 steps 1-3, HD-6, Q-8: a write()+drain() loop against a peer
    that reset ends with ConnectionResetError or BrokenPipeError instead
    of spinning (bounded at 1000 iterations; it ends after a few)."""
    lst = listener_factory(family)

    @coroutine
    def main():
        reader, writer, peer = yield from lst.connect(loop)
        try:
            writer.write(b'unread')
            got = buffered(reader, loop, 2)
            peer.sendall(b'hi')
            yield from got   # the peer has 'unread' in its queue by now
            # uvloop 0.14 sends only when the loop runs, so there the loop
            # ends when the transport pauses: after ~16 KiB of 1 KiB writes.
            writer.transport.set_write_buffer_limits(high=16 * 1024)
            lst.peers.remove(peer)
            reset(peer, family)
            error = None
            for i in range(1000):
                try:
                    writer.write(b'y' * 1024)
                    yield from writer.drain()
                except DEAD_PEER_ERRORS as exc:
                    error = exc
                    break
            assert error is not None, 'write()/drain() never failed'
            assert i < 1000
            with pytest.raises(DEAD_PEER_ERRORS):
                writer.drain()
            return i
        finally:
            writer.close()
    iterations = run(main())
    assert 0 <= iterations < 1000


@pytest.fixture
def server_factory(loop, sock_dir):
    """start_server / start_unix_server on loopback; closes the servers."""
    servers = []

    @coroutine
    def start(family, handler, **kwds):
        if family == 'tcp':
            server = yield from start_server(handler, '127.0.0.1', 0,
                                             loop=loop, **kwds)
            address = server.sockets[0].getsockname()[:2]
        else:
            address = os.path.join(sock_dir, 'srv%d' % len(servers))
            server = yield from start_unix_server(handler, address,
                                                  loop=loop, **kwds)
        servers.append(server)
        return server, address

    yield start
    for server in servers:
        server.close()
    for server in servers:
        # Bounded: from 3.12.1 wait_closed() also waits for the accepted
        # connections, which a failed test may have left open.
        loop.run_until_complete(asyncio.wait_for(server.wait_closed(), 10))


@coroutine
def connect(family, address, loop):
    if family == 'tcp':
        return (yield from open_connection(address[0], address[1],
                                           loop=loop))
    return (yield from open_unix_connection(address, loop=loop))


@pytest.mark.parametrize('family', FAMILIES)
def test_half_close_client_to_server(loop, run, server_factory, family):
    """PR-5, HD-4, WR-3: the client sends write_eof(); the server reads to
    EOF and then still writes its reply, which the client receives."""
    done = compat.create_future(loop)

    @coroutine
    def handler(reader, writer):
        try:
            data = yield from reader.read()
            assert reader.at_eof()
            writer.write(b'got:' + data)
            yield from writer.drain()
        finally:
            writer.close()
            done.set_result(None)

    @coroutine
    def main():
        server, address = yield from server_factory(family, handler)
        reader, writer = yield from connect(family, address, loop)
        try:
            assert writer.can_write_eof()
            writer.write(b'hello')
            writer.write_eof()
            assert (yield from reader.read()) == b'got:hello'
            assert reader.at_eof()
            yield from done
        finally:
            writer.close()
    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_half_close_server_to_client(loop, run, server_factory, family):
    """PR-5, HD-4, WR-3: the server sends write_eof(); the client reads to
    EOF, then writes back and half-closes; the server still receives it."""
    received = compat.create_future(loop)

    @coroutine
    def handler(reader, writer):
        try:
            writer.write(b'hello')
            writer.write_eof()
            data = yield from reader.read()
            received.set_result(data)
        finally:
            writer.close()

    @coroutine
    def main():
        server, address = yield from server_factory(family, handler)
        reader, writer = yield from connect(family, address, loop)
        try:
            assert (yield from reader.read()) == b'hello'
            assert reader.at_eof()
            writer.write(b'reply')
            yield from writer.drain()
            writer.write_eof()
            assert (yield from received) == b'reply'
            assert (yield from reader.read()) == b''
        finally:
            writer.close()
    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_server_closed_while_clients_connected(loop, run, server_factory,
                                               family):
    """FN-2, FN-4: after server.close(), new connections are refused but
    the connected clients keep working; once they close, wait_closed()
    returns (no hang)."""
    finished = []

    @coroutine
    def echo(reader, writer):
        try:
            while True:
                line = yield from reader.readline()
                if not line:
                    break
                writer.write(line)
                yield from writer.drain()
        finally:
            writer.close()
            finished.append(1)

    @coroutine
    def main():
        server, address = yield from server_factory(family, echo)
        clients = []
        try:
            for i in range(3):
                clients.append((yield from connect(family, address, loop)))
            for i, (reader, writer) in enumerate(clients):
                writer.write(b'before %d\n' % i)
                assert (yield from reader.readline()) == b'before %d\n' % i
            server.close()
            with pytest.raises(OSError) as info:
                r, w = yield from connect(family, address, loop)
                w.close()
            # TCP: refused; UNIX: refused, or no such file where close()
            # removes the socket file (3.13+).
            assert isinstance(info.value, (ConnectionRefusedError,
                                           FileNotFoundError))
            for i, (reader, writer) in enumerate(clients):
                writer.write(b'after %d\n' % i)
                assert (yield from reader.readline()) == b'after %d\n' % i
            for reader, writer in clients:
                writer.write_eof()
                assert (yield from reader.read()) == b''
            yield from server.wait_closed()
            assert len(finished) == 3
        finally:
            for reader, writer in clients:
                writer.close()
    run(main())


class TaskRecorder(object):
    """A task factory that records the tasks the protocol creates (PR-2
    says the client callback's task goes through loop.create_task)."""

    def __init__(self):
        self.tasks = []

    def __call__(self, loop, coro, **kwargs):
        task = asyncio.Task(coro, loop=loop, **kwargs)
        self.tasks.append(task)
        return task


@pytest.mark.parametrize('family', FAMILIES)
def test_client_task_exception_closes_transport(loop, run, loop_errors,
                                                server_factory, family):
    """PR-3, HD-9: a client_connected_cb task that raises is reported to
    the exception handler as 'Unhandled exception in client_connected_cb'
    with the exception and transport, and its connection is closed, so
    the client sees EOF instead of hanging."""
    boom = ValueError('handler failed')

    @coroutine
    def handler(reader, writer):
        yield from reader.readline()
        raise boom

    @coroutine
    def main():
        server, address = yield from server_factory(family, handler)
        reader, writer = yield from connect(family, address, loop)
        try:
            writer.write(b'line\n')
            assert (yield from reader.read()) == b''
            assert reader.at_eof()
        finally:
            writer.close()
    run(main())
    errors = [ctx for ctx in loop_errors
              if ctx.get('message') == 'Unhandled exception in '
                                       'client_connected_cb']
    assert len(errors) == 1, loop_errors
    assert errors[0]['exception'] is boom
    assert errors[0]['transport'] is not None
    assert len(loop_errors) == 1, loop_errors
    del loop_errors[:]


@pytest.mark.parametrize('family', FAMILIES)
def test_client_task_cancelled_closes_transport(loop, run, server_factory,
                                                family):
    """PR-3, PR-2, HD-9, CO-2(5): cancelling the client_connected_cb task
    while it waits in a read call closes its connection (the client sees
    EOF) and reports nothing to the exception handler."""
    started = compat.create_future(loop)

    @coroutine
    def handler(reader, writer):
        started.set_result(None)
        yield from reader.read()   # waits until cancelled

    recorder = TaskRecorder()

    @coroutine
    def main():
        server, address = yield from server_factory(family, handler)
        loop.set_task_factory(recorder)
        try:
            reader, writer = yield from connect(family, address, loop)
            yield from started
        finally:
            loop.set_task_factory(None)
        try:
            # (The stdlib loop also makes a task per accepted connection;
            # that one has finished by now.)
            waiting = [t for t in recorder.tasks if not t.done()]
            assert len(waiting) == 1, recorder.tasks
            task = waiting[0]
            task.cancel()
            assert (yield from reader.read()) == b''
            assert task.cancelled()
        finally:
            writer.close()
    run(main())
