"""The stream functions (contract section 3): unit tests with a recording fake
loop first, then real sockets over TCP, UNIX and TLS on every loop flavour.

TLS material: tests/certs/localhost.pem and tests/certs/localhost.key are a
self-signed certificate and its key, made once, offline, with

    openssl req -x509 -newkey rsa:2048 -nodes -days 36500 \\
        -subj /CN=localhost \\
        -addext subjectAltName=DNS:localhost,IP:127.0.0.1 \\
        -keyout localhost.key -out localhost.pem

(see tests/certs/README.txt).  The client trusts the certificate itself.
"""

import asyncio
import os
import socket
import ssl

import pytest

from helpers import (FakeTransport, client_context, closed_port, hold,
                     server_context)
import trollius_streams
from trollius_streams import (StreamReader, StreamReaderProtocol,
                              StreamWriter, compat, coroutine,
                              open_connection, start_server)

HAS_UNIX = hasattr(socket, 'AF_UNIX')
if HAS_UNIX:
    from trollius_streams import open_unix_connection, start_unix_server


needs_unix = pytest.mark.skipif(not HAS_UNIX, reason='no AF_UNIX')

KINDS = [
    'tcp',
    pytest.param('unix', marks=needs_unix),
    'tls',
]


# --- A recording fake loop (unit tests, no I/O) ----------------------------


class RecordingLoop(asyncio.AbstractEventLoop):
    """Records the arguments of create_* calls; never forwards to a loop.

    Its methods are ``async def`` like the real ones on 3.7+ and uvloop.
    An AbstractEventLoop, so that ``loop=`` accepts it (CO-7).
    """

    def __init__(self, error=None):
        self.calls = []
        self.error = error
        self.server = object()
        self.factory = None

    def get_debug(self):
        return False

    def is_closed(self):
        return False

    def _connect(self, name, factory, args, kwds):
        self.calls.append((name, args, kwds))
        if self.error is not None:
            raise self.error
        protocol = factory()
        transport = FakeTransport()
        protocol.connection_made(transport)
        return transport, protocol

    def _serve(self, name, factory, args, kwds):
        self.calls.append((name, args, kwds))
        if self.error is not None:
            raise self.error
        self.factory = factory
        return self.server

    async def create_connection(self, protocol_factory, host=None, port=None,
                                **kwds):
        return self._connect('create_connection', protocol_factory,
                             (host, port), kwds)

    async def create_unix_connection(self, protocol_factory, path=None,
                                     **kwds):
        return self._connect('create_unix_connection', protocol_factory,
                             (path,), kwds)

    async def create_server(self, protocol_factory, host=None, port=None,
                            **kwds):
        return self._serve('create_server', protocol_factory, (host, port),
                           kwds)

    async def create_unix_server(self, protocol_factory, path=None, **kwds):
        return self._serve('create_unix_server', protocol_factory, (path,),
                           kwds)


def drive(coro):
    """Run a coroutine object that never suspends; return its result."""
    try:
        coro.send(None)
    except StopIteration as exc:
        return exc.value
    coro.close()
    raise AssertionError('the coroutine suspended')


def _open_fake(fake, unix, **kwargs):
    """Open over the fake loop; the writer is held until teardown."""
    if unix:
        pair = drive(open_unix_connection('/some/path', loop=fake, **kwargs))
    else:
        pair = drive(open_connection('example.org', 80, loop=fake, **kwargs))
    hold(pair[1])
    return pair


def _serve_fake(fake, unix, cb, **kwargs):
    if unix:
        return drive(start_unix_server(cb, '/some/path', loop=fake, **kwargs))
    return drive(start_server(cb, 'example.org', 80, loop=fake, **kwargs))


UNIX_FLAVOURS = [pytest.param(False, id='inet'),
                 pytest.param(True, id='unix', marks=needs_unix)]


@pytest.mark.parametrize('unix', UNIX_FLAVOURS)
@pytest.mark.rule('FN-1', 'FN-3')
def test_open_connection_forwards_kwds_not_loop_limit(unix):
    """FN-1, FN-3: create_(unix_)connection gets the factory, the address
    and kwds unchanged, never loop or limit; the result is (reader, writer)
    wired to the same protocol, transport and loop."""
    fake = RecordingLoop()
    ssl_marker = object()
    result = _open_fake(fake, unix, limit=123, ssl=ssl_marker,
                        server_hostname='h', family=socket.AF_INET, flags=7)
    assert type(result) is tuple and len(result) == 2
    reader, writer = result
    [(name, args, kwds)] = fake.calls
    if unix:
        assert (name, args) == ('create_unix_connection', ('/some/path',))
    else:
        assert (name, args) == ('create_connection', ('example.org', 80))
    assert kwds == {'ssl': ssl_marker, 'server_hostname': 'h',
                    'family': socket.AF_INET, 'flags': 7}
    assert kwds['ssl'] is ssl_marker
    assert isinstance(reader, StreamReader)
    assert isinstance(writer, StreamWriter)
    assert reader._limit == 123
    assert reader._loop is fake
    assert isinstance(writer.transport, FakeTransport)
    assert reader._transport is writer.transport
    protocol = writer._protocol
    assert isinstance(protocol, StreamReaderProtocol)
    assert protocol._stream_reader is reader
    assert protocol._loop is fake
    assert writer._reader is reader
    assert writer._loop is fake


@pytest.mark.parametrize('unix', UNIX_FLAVOURS)
@pytest.mark.rule('FN-2', 'FN-4')
def test_start_server_returns_result_and_factory(unix):
    """FN-2, FN-4: create_(unix_)server gets kwds unchanged (no loop, no
    limit) and its result comes back unchanged; each factory call makes a
    new reader with the limit and a protocol with the callback."""
    fake = RecordingLoop()

    def cb(reader, writer):
        pass

    server = _serve_fake(fake, unix, cb, limit=77, backlog=5,
                         reuse_address=True)
    assert server is fake.server
    [(name, args, kwds)] = fake.calls
    if unix:
        assert (name, args) == ('create_unix_server', ('/some/path',))
    else:
        assert (name, args) == ('create_server', ('example.org', 80))
    assert kwds == {'backlog': 5, 'reuse_address': True}
    p1 = fake.factory()
    p2 = fake.factory()
    assert isinstance(p1, StreamReaderProtocol)
    assert p1 is not p2
    assert p1._stream_reader is not p2._stream_reader
    for p in (p1, p2):
        assert p._stream_reader._limit == 77
        assert p._stream_reader._loop is fake
        assert p._loop is fake
        assert p._client_connected_cb is cb


@pytest.mark.parametrize('unix', UNIX_FLAVOURS)
@pytest.mark.rule('FN-5')
def test_limit_none_means_default(unix):
    """FN-5: limit=None (explicit or left out) means 65536 in all four
    functions."""
    for kwargs in ({}, {'limit': None}):
        fake = RecordingLoop()
        reader, _ = _open_fake(fake, unix, **kwargs)
        assert reader._limit == 65536
        assert 'limit' not in fake.calls[0][2]
        fake = RecordingLoop()
        _serve_fake(fake, unix, lambda r, w: None, **kwargs)
        assert fake.factory()._stream_reader._limit == 65536
        assert 'limit' not in fake.calls[0][2]


@pytest.mark.parametrize('unix', UNIX_FLAVOURS)
@pytest.mark.rule('FN-1', 'FN-2')
def test_errors_propagate_unchanged_fake(unix):
    """FN-1..FN-4: an error raised by the loop's create_* method propagates
    as the very same object."""
    for error in (ConnectionRefusedError(111, 'refused'),
                  socket.gaierror(-2, 'Name or service not known'),
                  ssl.SSLError(1, 'bad handshake'), OSError(5, 'io')):
        fake = RecordingLoop(error=error)
        with pytest.raises(type(error)) as info:
            _open_fake(fake, unix)
        assert info.value is error
        with pytest.raises(type(error)) as info:
            _serve_fake(fake, unix, lambda r, w: None)
        assert info.value is error


@pytest.mark.parametrize('unix', UNIX_FLAVOURS)
@pytest.mark.parametrize('cb, limit, error', [
    (42, None, TypeError),
    (None, None, TypeError),
    (lambda r, w: None, 0, ValueError),
    (lambda r, w: None, -1, ValueError),
    (lambda r, w: None, '10', TypeError),
], ids=['cb-int', 'cb-None', 'limit-0', 'limit-negative', 'limit-str'])
@pytest.mark.rule('FN-2')
def test_start_server_checks_arguments_when_run(unix, cb, limit, error):
    """FN-2, FN-4, CO-1, RD-1: a callback that is not callable and a bad
    limit raise when the coroutine runs (never at call time), before the
    loop's create_*server is called."""
    fake = RecordingLoop()
    if unix:
        coro = start_unix_server(cb, '/p', loop=fake, limit=limit)
    else:
        coro = start_server(cb, 'h', 1, loop=fake, limit=limit)
    with pytest.raises(error):
        drive(coro)
    assert fake.calls == []


@pytest.mark.parametrize('unix', UNIX_FLAVOURS)
@pytest.mark.parametrize('limit, error', [(0, ValueError), ('x', TypeError)],
                         ids=['limit-0', 'limit-str'])
@pytest.mark.rule('FN-1')
def test_open_connection_checks_limit_when_run(unix, limit, error):
    """FN-1, FN-3, RD-1: a bad limit raises when the coroutine runs,
    before any connection is attempted."""
    fake = RecordingLoop()
    if unix:
        coro = open_unix_connection('/p', loop=fake, limit=limit)
    else:
        coro = open_connection('h', 1, loop=fake, limit=limit)
    with pytest.raises(error):
        drive(coro)
    assert fake.calls == []


# --- Real sockets ----------------------------------------------------------


class Endpoint(object):
    """Start a server and connect clients over TCP, UNIX or TLS."""

    def __init__(self, kind, loop, tmpdir, closing):
        self.kind = kind
        self.loop = loop
        self.closing = closing
        self.path = os.path.join(tmpdir, 's.sock')
        self.server = None
        self.address = None

    @coroutine
    def serve(self, cb, **kwargs):
        loop = self.loop
        if self.kind == 'unix':
            server = yield from start_unix_server(cb, self.path, loop=loop,
                                                  **kwargs)
        else:
            if self.kind == 'tls':
                kwargs['ssl'] = server_context()
            server = yield from start_server(cb, '127.0.0.1', 0, loop=loop,
                                             **kwargs)
            self.address = server.sockets[0].getsockname()[:2]
        self.server = server
        self.closing(server)
        return server

    @coroutine
    def connect(self, **kwargs):
        loop = self.loop
        if self.kind == 'unix':
            reader, writer = yield from open_unix_connection(
                self.path, loop=loop, **kwargs)
        else:
            if self.kind == 'tls':
                kwargs['ssl'] = client_context()
                kwargs['server_hostname'] = 'localhost'
            host, port = self.address
            reader, writer = yield from open_connection(host, port, loop=loop,
                                                        **kwargs)
        self.closing(writer)
        return reader, writer

    @coroutine
    def close(self):
        server, self.server = self.server, None
        if server is not None:
            server.close()
            yield from server.wait_closed()


@pytest.fixture
def endpoint(request, loop, sock_dir, closing):
    return Endpoint(request.param, loop, sock_dir, closing)


def with_kinds(kinds=KINDS):
    return pytest.mark.parametrize('endpoint', kinds, indirect=True)


@coroutine
def _close_writer(writer):
    # Close and let the connection finish closing (connection_lost).
    protocol = writer._protocol
    writer.close()
    while not protocol._connection_lost:
        yield from asyncio.sleep(0)


@with_kinds()
@pytest.mark.rule('FN-1', 'FN-2', 'FN-3', 'FN-4')
def test_echo_roundtrip(loop, run, endpoint):
    """FN-1..FN-4: a decorated-generator handler echoes lines over TCP,
    UNIX and TLS (ssl= and server_hostname= pass through as kwds); each
    accepted connection gets a new reader with the given limit; the server
    is what the loop's create_*server returned (close, wait_closed,
    sockets)."""
    readers = []

    @coroutine
    def handler(reader, writer):
        readers.append(reader)
        while True:
            line = yield from reader.readline()
            if not line:
                break
            writer.write(b'echo:' + line)
            yield from writer.drain()
        writer.close()

    @coroutine
    def main():
        server = yield from endpoint.serve(handler, limit=1234)
        assert server.sockets
        assert callable(server.close)
        clients = []
        for i in range(2):
            reader, writer = yield from endpoint.connect(limit=99)
            assert reader._limit == 99
            assert reader._loop is loop
            clients.append((reader, writer))
            writer.write(b'hello %d\n' % i)
            line = yield from reader.readline()
            assert line == b'echo:hello %d\n' % i
        assert len(readers) == 2
        assert readers[0] is not readers[1]
        for r in readers:
            assert isinstance(r, StreamReader)
            assert r._limit == 1234
            assert r._loop is loop
        for reader, writer in clients:
            writer.write(b'bye\n')
            assert (yield from reader.readline()) == b'echo:bye\n'
            yield from _close_writer(writer)
        yield from endpoint.close()

    run(main())


@pytest.mark.rule('FN-2')
def test_server_is_loop_server(loop, run, closing):
    """FN-2: start_server returns the loop's Server object unchanged (same
    type as loop.create_server gives; close/wait_closed/sockets work)."""
    @coroutine
    def main():
        reference = yield from loop.create_server(asyncio.Protocol,
                                                  '127.0.0.1', 0)
        closing(reference)
        server = yield from start_server(lambda r, w: None, '127.0.0.1', 0,
                                         loop=loop)
        closing(server)
        assert type(server) is type(reference)
        assert server.sockets[0].getsockname()[0] == '127.0.0.1'
        for s in (reference, server):
            s.close()
            yield from s.wait_closed()

    run(main())


@pytest.mark.rule('FN-5')
def test_limit_none_real_socket(loop, run, closing):
    """FN-5: limit=None gives 65536 for both the client and the accepted
    connection's reader."""
    accepted = []

    def handler(reader, writer):
        accepted.append(reader)
        writer.close()

    @coroutine
    def main():
        server = yield from start_server(handler, '127.0.0.1', 0, loop=loop,
                                         limit=None)
        closing(server)
        port = server.sockets[0].getsockname()[1]
        reader, writer = yield from open_connection('127.0.0.1', port,
                                                    loop=loop, limit=None)
        closing(writer)
        assert reader._limit == 65536
        assert (yield from reader.read()) == b''
        assert [r._limit for r in accepted] == [65536]
        yield from _close_writer(writer)
        server.close()
        yield from server.wait_closed()

    run(main())


@pytest.mark.rule('FN-1')
def test_connection_refused_propagates(loop, run):
    """FN-1: ConnectionRefusedError from create_connection (closed port)
    propagates unchanged."""
    with closed_port() as port:
        with pytest.raises(ConnectionRefusedError):
            run(open_connection('127.0.0.1', port, loop=loop))


@needs_unix
@pytest.mark.rule('FN-3')
def test_missing_unix_path_propagates(loop, run, sock_dir):
    """FN-3: the OSError of create_unix_connection for a missing socket
    file propagates unchanged."""
    path = os.path.join(sock_dir, 'missing.sock')
    with pytest.raises(OSError) as info:
        run(open_unix_connection(path, loop=loop))
    assert isinstance(info.value, (FileNotFoundError, ConnectionRefusedError))


@pytest.mark.rule('FN-1')
def test_tls_wrong_hostname_propagates(loop, run, loop_errors, closing):
    """FN-1: a certificate error (ssl.SSLError / CertificateError) from the
    TLS handshake propagates out of open_connection."""
    @coroutine
    def main():
        server = yield from start_server(lambda r, w: w.close(), '127.0.0.1',
                                         0, loop=loop, ssl=server_context())
        closing(server)
        port = server.sockets[0].getsockname()[1]
        try:
            with pytest.raises((ssl.SSLError, ssl.CertificateError)):
                yield from open_connection('127.0.0.1', port, loop=loop,
                                           ssl=client_context(),
                                           server_hostname='not-localhost')
        finally:
            server.close()
            yield from server.wait_closed()

    run(main())
    # The server sees the client abort the handshake and may report it
    # through the loop's exception handler: only SSL/OS errors are allowed.
    for _ in range(3):
        loop.run_until_complete(asyncio.sleep(0))
    for ctx in loop_errors:
        exc = ctx.get('exception')
        assert exc is None or isinstance(
            exc, (ssl.SSLError, ssl.CertificateError, OSError)), ctx
    del loop_errors[:]


# --- Client callbacks of every kind -------------------------------------


@coroutine
def _decorated_handler(reader, writer):
    line = yield from reader.readline()
    writer.write(b'decorated:' + line)
    yield from writer.drain()
    writer.close()


def _plain_generator_handler(reader, writer):
    # No decorator: a plain generator, accepted on 3.12+ too.
    line = yield from reader.readline()
    writer.write(b'generator:' + line)
    yield from writer.drain()
    writer.close()


async def _async_handler(reader, writer):
    line = await reader.readline()
    writer.write(b'async:' + line)
    await compat.awaitable(writer.drain())
    writer.close()


def _plain_function_handler(reader, writer):
    writer.write(b'plain:hello\n')
    writer.close()


@pytest.mark.parametrize('handler, expected', [
    (_decorated_handler, b'decorated:hello\n'),
    (_plain_generator_handler, b'generator:hello\n'),
    (_async_handler, b'async:hello\n'),
    (_plain_function_handler, b'plain:hello\n'),
], ids=['decorated-generator', 'plain-generator', 'async-def',
        'plain-function'])
@pytest.mark.rule('FN-2', 'PR-2')
def test_callback_kinds(loop, run, closing, handler, expected):
    """FN-2, PR-2: the client_connected_cb may be a decorated generator, a
    plain undecorated generator function (3.12+ included), an async def or
    a plain function; each runs and answers."""
    @coroutine
    def main():
        server = yield from start_server(handler, '127.0.0.1', 0, loop=loop)
        closing(server)
        port = server.sockets[0].getsockname()[1]
        reader, writer = yield from open_connection('127.0.0.1', port,
                                                    loop=loop)
        closing(writer)
        writer.write(b'hello\n')
        assert (yield from reader.read()) == expected
        yield from _close_writer(writer)
        server.close()
        yield from server.wait_closed()

    run(main())


# --- Half-close -----------------------------------------------------------


@with_kinds(['tcp', pytest.param('unix', marks=needs_unix)])
@pytest.mark.rule('FN-1', 'PR-5')
def test_half_close(loop, run, endpoint):
    """FN-1, FN-2, PR-5 (HD-4): the client sends write_eof(); the server
    reads to EOF and still replies; the client reads the reply."""
    @coroutine
    def handler(reader, writer):
        data = yield from reader.read()
        writer.write(b'got:' + data)
        yield from writer.drain()
        writer.close()

    @coroutine
    def main():
        yield from endpoint.serve(handler)
        reader, writer = yield from endpoint.connect()
        assert writer.can_write_eof()
        writer.write(b'hel')
        writer.writelines([b'l', b'o'])
        writer.write_eof()
        assert (yield from reader.read()) == b'got:hello'
        assert reader.at_eof()
        yield from _close_writer(writer)
        yield from endpoint.close()

    run(main())


# --- Flow control over a socket ---------------------------------------------


class PauseRecorder(object):
    """Stands in for the reader's transport; records pause/resume calls."""

    def __init__(self, transport, loop):
        self.transport = transport
        self.calls = []
        self.paused = compat.create_future(loop)

    def pause_reading(self):
        self.calls.append('pause')
        self.transport.pause_reading()
        if not self.paused.done():
            self.paused.set_result(None)

    def resume_reading(self):
        self.calls.append('resume')
        self.transport.resume_reading()


def _pattern(size):
    chunk = bytes(range(256))
    return (chunk * (size // 256 + 1))[:size]


@with_kinds()
@pytest.mark.rule('FN-1', 'FC-R1', 'FC-R2')
def test_read_flow_control(loop, run, endpoint):
    """FN-1, FC-R1, FC-R2, FC-R3, FC-R4, RD-9: over a real socket the
    client's reader pauses the transport past 2*limit, resumes it once
    reads bring the buffer to <= limit, and read() then gets every byte up
    to EOF, in order."""
    limit = 1024
    payload = _pattern(64 * limit)

    @coroutine
    def handler(reader, writer):
        writer.write(payload)
        yield from writer.drain()
        writer.close()

    @coroutine
    def main():
        yield from endpoint.serve(handler)
        reader, writer = yield from endpoint.connect(limit=limit)
        recorder = reader._transport = PauseRecorder(reader._transport, loop)
        yield from recorder.paused
        assert reader._paused
        assert len(reader._buffer) > 2 * limit
        received = []
        while reader._paused:
            chunk = yield from reader.read(limit)
            assert chunk
            received.append(chunk)
        assert len(reader._buffer) <= limit
        assert recorder.calls[:2] == ['pause', 'resume']
        received.append((yield from reader.read()))
        assert b''.join(received) == payload
        assert reader.at_eof()
        # FC-R4: strict alternation, starting with a pause.
        calls = recorder.calls
        assert calls[::2] == ['pause'] * len(calls[::2])
        assert calls[1::2] == ['resume'] * len(calls[1::2])
        reader._transport = recorder.transport
        yield from _close_writer(writer)
        yield from endpoint.close()

    run(main())


@with_kinds()
@pytest.mark.rule('FC-R3')
def test_readexactly_beyond_twice_limit(loop, run, endpoint):
    """FC-R3, RD-11: readexactly(n) with n far above 2*limit finishes over
    a real socket (the reader resumes the transport before waiting)."""
    limit = 512
    payload = _pattern(40 * limit)

    @coroutine
    def handler(reader, writer):
        writer.write(payload)
        yield from writer.drain()
        writer.close()

    @coroutine
    def main():
        yield from endpoint.serve(handler)
        reader, writer = yield from endpoint.connect(limit=limit)
        assert (yield from reader.readexactly(len(payload))) == payload
        assert not reader._paused
        yield from _close_writer(writer)
        yield from endpoint.close()

    run(main())


@with_kinds()
@pytest.mark.rule('FN-1', 'FC-W1', 'FC-W2')
def test_write_flow_control(loop, run, endpoint):
    """FN-1, FN-2, FC-W1, FC-W2, DR-2(4): the client writes until the
    transport pauses the protocol; drain() then returns a Future that
    completes (None) once the server reads; every byte arrives."""
    chunk = b'w' * 65536
    go = compat.create_future(loop)

    @coroutine
    def handler(reader, writer):
        yield from go
        n = yield from reader.readexactly(go.result())
        writer.write(b'%d' % len(n))
        yield from writer.drain()
        writer.close()

    @coroutine
    def main():
        yield from endpoint.serve(handler)
        reader, writer = yield from endpoint.connect()
        writer.transport.set_write_buffer_limits(high=4096, low=1024)
        protocol = writer._protocol
        total = 0
        while not protocol._paused:
            assert total < 256 * 2 ** 20, 'the transport never paused'
            writer.write(chunk)
            total += len(chunk)
        waiter = writer.drain()
        assert compat.isfuture(waiter)
        assert not waiter.done()
        go.set_result(total)
        assert (yield from waiter) is None
        assert not protocol._paused
        assert writer.drain() == ()
        assert (yield from reader.read()) == b'%d' % total
        yield from _close_writer(writer)
        yield from endpoint.close()

    run(main())


# --- Tasks on 3.12+ (acceptance) -------------------------------------------


@with_kinds()
@pytest.mark.rule('CO-2')
def test_create_task_and_task_over_socket(loop, run, endpoint):
    """CO-2(4), Q-5, FN-1: loop.create_task(reader.readline()) and
    asyncio.Task(reader.readline(), loop=loop) work over a real connection,
    on 3.12+ and uvloop too."""
    @coroutine
    def handler(reader, writer):
        while True:
            line = yield from reader.readline()
            if not line:
                break
            writer.write(line)
        writer.close()

    @coroutine
    def main():
        yield from endpoint.serve(handler)
        reader, writer = yield from endpoint.connect()
        coro = reader.readline()
        assert asyncio.iscoroutine(coro)
        task = loop.create_task(coro)
        writer.write(b'one\n')
        assert (yield from task) == b'one\n'
        task = asyncio.Task(reader.readline(), loop=loop)
        writer.write(b'two\n')
        assert (yield from task) == b'two\n'
        task = compat.ensure_future(reader.readexactly(6), loop=loop)
        writer.write(b'three\n')
        assert (yield from task) == b'three\n'
        yield from _close_writer(writer)
        yield from endpoint.close()

    run(main())


@pytest.mark.rule('CO-1')
def test_function_names_are_coroutine_functions():
    """CO-1, FN-1..FN-4: the four functions are coroutine functions for
    asyncio's own check."""
    funcs = [trollius_streams.open_connection, trollius_streams.start_server]
    if HAS_UNIX:
        funcs += [trollius_streams.open_unix_connection,
                  trollius_streams.start_unix_server]
    for func in funcs:
        assert asyncio.iscoroutinefunction(func), func
