"""drain() on a closing transport never reports success after the
connection was lost (contract DR-2 step 3, Q-8).

The pattern that needs it, from a real 3.4-era library: a
StreamReaderProtocol subclass completes its own "closed" future in
connection_lost(), and a writer task completes the same future when
``yield from writer.drain()`` succeeds.  If drain() succeeded after
connection_lost(), the future would be completed twice (InvalidStateError).
"""

import asyncio
import sys

import pytest

import trollius_streams
from helpers import client_context, hold, server_context
from trollius_streams import (StreamReader, StreamReaderProtocol,
                              StreamWriter, compat, coroutine)



class ClosingTransport(object):
    """A transport that reports closing and has nothing to flush."""

    def __init__(self):
        self.closing = True
        self.written = []

    def is_closing(self):
        return self.closing

    def close(self):
        self.closing = True

    def write(self, data):
        self.written.append(data)

    def get_extra_info(self, name, default=None):
        return default


class ClosedFutureProtocol(StreamReaderProtocol):
    """Completes its own ``closed`` future in connection_lost()."""

    def __init__(self, reader, cb=None, loop=None):
        super().__init__(reader, cb, loop=loop)
        self.closed = compat.create_future(self._loop)

    def connection_lost(self, exc):
        super().connection_lost(exc)
        self.closed.set_result('connection_lost')


def test_fake_lost_in_next_iteration_dr_2(loop, run, loop_errors):
    """DR-2(3), Q-8: drain() on a closing transport, connection_lost()
    delivered in the next loop iteration (after the Future settles, before
    the waiting task resumes): the caller gets ConnectionResetError
    ('Connection lost') and the protocol's own future is completed once,
    by connection_lost."""
    reader = StreamReader(loop=loop)
    proto = ClosedFutureProtocol(reader, loop=loop)
    tr = ClosingTransport()
    proto.connection_made(tr)
    writer = hold(StreamWriter(tr, proto, reader, loop))

    @coroutine
    def writer_task():
        writer.write(b'x')
        fut = writer.drain()
        assert compat.isfuture(fut)
        # Delivered in the next iteration, as a transport's close does.
        loop.call_soon(proto.connection_lost, None)
        try:
            yield from fut
        except ConnectionResetError as exc:
            return 'raised', str(exc)
        proto.closed.set_result('drain succeeded')
        return 'succeeded', None

    assert run(writer_task()) == ('raised', 'Connection lost')
    assert proto.closed.result() == 'connection_lost'
    assert loop_errors == []


def test_fake_result_and_exception_agree_dr_2(loop):
    """DR-2(3): once connection_lost() has run, the settled Future's
    result() raises and exception() returns the same ConnectionResetError;
    before, it is a success (result None)."""
    reader = StreamReader(loop=loop)
    proto = StreamReaderProtocol(reader, loop=loop)
    tr = ClosingTransport()
    proto.connection_made(tr)
    writer = hold(StreamWriter(tr, proto, reader, loop))
    fut = writer.drain()
    loop.run_until_complete(asyncio.sleep(0))
    assert fut.done()
    assert fut.exception() is None and fut.result() is None
    proto.connection_lost(None)
    exc = fut.exception()
    assert isinstance(exc, ConnectionResetError)
    assert str(exc) == 'Connection lost'
    with pytest.raises(ConnectionResetError) as info:
        fut.result()
    assert info.value is exc


def test_fake_closing_and_paused_clean_close_dr_2(loop):
    """DR-2(3), Q-9: a drain() made while the transport is closing and
    paused waits like a paused drain, but a clean connection_lost() makes
    it raise ConnectionResetError (a caller never resumes with success
    after connection_lost); a drain() made while only paused still
    succeeds on the same clean close (Q-9)."""
    reader = StreamReader(loop=loop)
    proto = StreamReaderProtocol(reader, loop=loop)
    tr = ClosingTransport()
    tr.closing = False
    proto.connection_made(tr)
    writer = hold(StreamWriter(tr, proto, reader, loop))
    proto.pause_writing()
    paused_only = writer.drain()
    tr.closing = True
    fut = writer.drain()
    loop.run_until_complete(asyncio.sleep(0))
    assert not fut.done()
    proto.connection_lost(None)
    assert paused_only.result() is None
    with pytest.raises(ConnectionResetError):
        fut.result()


@pytest.mark.parametrize('how', ['close', 'abort'])
@pytest.mark.parametrize('tls', [False, True], ids=['tcp', 'tls'])
def test_real_peer_closes_during_write_drain_loop_dr_2(loop, run, tls, how):
    """DR-2(3), Q-8, HD-6: a server writer task loops write()+drain()
    while the client reads a little and closes (cleanly, or with a reset:
    abort); the loop ends with a
    connection error, never with a drain success after connection_lost()
    (the protocol subclass's own future is completed once, by
    connection_lost), on TCP and TLS, on every loop."""
    if (tls and how == 'close' and sys.version_info < (3, 11) and
            type(loop).__module__.startswith('asyncio')):
        pytest.skip('the stdlib SSL transport before 3.11 does not report a '
                    'clean TLS close by a peer that stopped reading (3.6 '
                    'waits to flush, 3.7-3.10 drop the writes); the abort '
                    'case runs instead')
    outcome = {}
    chunk = b'x' * 65536

    @coroutine
    def write_loop(reader, writer, proto):
        try:
            for _ in range(10000):
                writer.write(chunk)
                # DR-2(3) is about a drain() made while the transport is
                # closing (a drain made while only paused succeeds on a
                # clean close, Q-9).
                step_3 = writer.transport.is_closing()
                yield from writer.drain()
                if proto.closed.done():
                    outcome['success after connection_lost'] = step_3
                    if step_3:
                        return
            outcome['never failed'] = True
        except (ConnectionError, OSError) as exc:
            outcome['error'] = type(exc)
        finally:
            writer.close()

    protocols = []

    def factory():
        reader = StreamReader(loop=loop)
        proto = ClosedFutureProtocol(
            reader, lambda r, w: write_loop(r, w, proto), loop=loop)
        protocols.append(proto)
        return proto

    @coroutine
    def main():
        kw = {'ssl': server_context()} if tls else {}
        server = yield from compat.as_coroutine(
            loop.create_server(factory, '127.0.0.1', 0, **kw))
        try:
            port = server.sockets[0].getsockname()[1]
            ckw = ({'ssl': client_context(), 'server_hostname': 'localhost'}
                   if tls else {})
            reader, writer = yield from trollius_streams.open_connection(
                '127.0.0.1', port, loop=loop, **ckw)
            yield from reader.readexactly(100000)
            if how == 'close':
                writer.close()
            else:
                writer.transport.abort()
            proto = protocols[0]
            yield from asyncio.wait_for(proto.closed, 10)
            for _ in range(1000):   # the write loop ends soon after
                if outcome:
                    break
                yield from asyncio.sleep(0.01)
        finally:
            server.close()
            yield from compat.as_coroutine(server.wait_closed())

    run(main())
    assert outcome.get('success after connection_lost') is not True
    assert 'never failed' not in outcome
    assert issubclass(outcome['error'], (ConnectionError, OSError))
    assert protocols[0].closed.result() == 'connection_lost'
