"""StreamWriter and drain() (contract sections 7, 6.2 and 9; HD-5, HD-6,
Q-2, Q-8, Q-9).

Unit tests use a fake transport and drive pause_writing/resume_writing by
hand; the tests at the end force real pauses over TCP and UNIX sockets with
a small write-buffer high-water mark and a peer that does not read.
"""

import asyncio
import inspect
import os
import socket

import pytest

import trollius_streams
from helpers import FakeTransport, hold
from trollius_streams import (StreamReader, StreamReaderProtocol,
                              StreamWriter, compat, coroutine)

#: The literal of contract Q-2 (``x is ()`` is a SyntaxWarning from 3.8 on).
EMPTY = ()

HAS_UNIX = hasattr(socket, 'AF_UNIX')
FAMILIES = ['tcp'] + (['unix'] if HAS_UNIX else [])


def fake_transport():
    """A FakeTransport whose methods return markers, so that a test sees
    the writer pass the transport's results through (WR-3), and whose write
    buffer never empties: drain() never looks at its size (DR-4)."""
    return FakeTransport(markers=True, write_buffer_size=10 ** 6)


class LegacyTransport(object):
    """A transport without is_closing(), optionally with ``_closing``."""

    def __init__(self, closing=None):
        if closing is not None:
            self._closing = closing

    def get_extra_info(self, name, default=None):
        return default

    def close(self):
        self._closing = True


def make(loop, transport=None, reader=True):
    """Return (transport, protocol, reader, writer), connection made."""
    transport = transport if transport is not None else fake_transport()
    rd = StreamReader(loop=loop)
    proto = StreamReaderProtocol(rd, loop=loop)
    proto.connection_made(transport)
    w = hold(StreamWriter(transport, proto, rd if reader else None, loop))
    return transport, proto, rd, w


def one_iteration(loop):
    loop.run_until_complete(asyncio.sleep(0))


def is_future(obj):
    return compat.isfuture(obj) and isinstance(obj, asyncio.Future)


def future_loop(fut):
    get_loop = getattr(fut, 'get_loop', None)
    return get_loop() if get_loop is not None else fut._loop


# --- WR-1, WR-2, 8a ----------------------------------------------------------


def test_constructor_signature():
    """WR-1: StreamWriter(transport, protocol, reader, loop): all four
    positional-or-keyword and required."""
    params = list(inspect.signature(StreamWriter).parameters.values())
    assert [p.name for p in params] == [
        'transport', 'protocol', 'reader', 'loop']
    for p in params:
        assert p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
        assert p.default is inspect.Parameter.empty
    with pytest.raises(TypeError):
        StreamWriter(fake_transport(), None, None)
    assert StreamWriter is trollius_streams.StreamWriter


def test_keyword_construction_and_internals(loop):
    """WR-1, 8a: keyword construction; _transport, _protocol, _reader and
    _loop hold the arguments."""
    tr = fake_transport()
    rd = StreamReader(loop=loop)
    proto = StreamReaderProtocol(rd, loop=loop)
    w = hold(StreamWriter(loop=loop, reader=rd, protocol=proto, transport=tr))
    assert w._transport is tr
    assert w._protocol is proto
    assert w._reader is rd
    assert w._loop is loop
    assert 'StreamWriter' in repr(w)
    assert 'StreamWriter' in repr(hold(StreamWriter(tr, proto, None, loop)))


def test_transport_attribute_read_only(loop):
    """WR-2: ``transport`` returns the wrapped transport and is read-only."""
    tr, proto, rd, w = make(loop)
    assert w.transport is tr
    with pytest.raises(AttributeError):
        w.transport = fake_transport()
    assert w.transport is tr


@pytest.mark.parametrize('call, expected', [
    (lambda w: w.write(b'data'), ('write', b'data')),
    (lambda w: w.write(bytearray(b'ba')), ('write', bytearray(b'ba'))),
    (lambda w: w.writelines([b'a', b'b']), ('writelines', [b'a', b'b'])),
    (lambda w: w.write_eof(), ('write_eof',)),
    (lambda w: w.can_write_eof(), ('can_write_eof',)),
    (lambda w: w.close(), ('close',)),
    (lambda w: w.get_extra_info('peername'),
     ('get_extra_info', 'peername', None)),
    (lambda w: w.get_extra_info('socket', 'dflt'),
     ('get_extra_info', 'socket', 'dflt')),
    (lambda w: w.get_extra_info(name='x', default=3),
     ('get_extra_info', 'x', 3)),
], ids=['write', 'write-bytearray', 'writelines', 'write_eof',
        'can_write_eof', 'close', 'get_extra_info', 'get_extra_info-default',
        'get_extra_info-keywords'])
def test_delegation(loop, call, expected):
    """WR-3: each call delegates to the transport with the same arguments
    and returns whatever the transport returns; nothing is buffered."""
    tr, proto, rd, w = make(loop)
    del tr.calls[:]  # connection_made asked for 'sslcontext'
    result = call(w)
    assert tr.calls == [expected]
    assert result == ('ret', expected[0])


def test_delegation_errors_propagate(loop):
    """WR-3: errors from the transport propagate unchanged."""
    class Boom(Exception):
        pass

    class Failing(FakeTransport):
        def write(self, data):
            raise Boom(data)

        def write_eof(self):
            raise NotImplementedError

    tr, proto, rd, w = make(loop, Failing(markers=True))
    with pytest.raises(Boom):
        w.write(b'x')
    with pytest.raises(NotImplementedError):
        w.write_eof()


# --- DR-1, DR-5, Q-2 ---------------------------------------------------------


def test_drain_is_not_a_coroutine(loop):
    """DR-1: drain() is a plain method, not a coroutine function, and its
    call runs at once (returns a value, not a coroutine object)."""
    assert not asyncio.iscoroutinefunction(StreamWriter.drain)
    assert not inspect.iscoroutinefunction(StreamWriter.drain)
    assert not inspect.isgeneratorfunction(StreamWriter.drain)
    tr, proto, rd, w = make(loop)
    result = w.drain()
    assert not inspect.isgenerator(result)
    assert not compat.iscoroutine(result)


def test_drain_returns_literal_empty_tuple(loop):
    """DR-5, Q-2, DR-2(5): with nothing to wait for, drain() returns the
    literal (): identical to (), == (), length 0, falsy."""
    tr, proto, rd, w = make(loop)
    result = w.drain()
    assert result is EMPTY
    assert type(result) is tuple
    assert result == ()
    assert len(result) == 0
    assert not result
    assert w.drain() is EMPTY  # again: no state change


def test_yield_from_empty_drain_continues(loop, run):
    """DR-5, Q-2: ``yield from w.drain()`` continues at once with None when
    nothing is waited for (no loop iteration is spent)."""
    tr, proto, rd, w = make(loop)
    marks = []

    def other():
        marks.append('other')

    @coroutine
    def main():
        loop.call_soon(other)
        w.write(b'x')
        result = yield from w.drain()
        marks.append(('drained', result))

    run(main())
    assert marks[0] == ('drained', None)


def test_awaitable_adapter_in_async_def(loop, run):
    """Q-2, M-24: ``await ()`` is a TypeError, and
    ``await compat.awaitable(w.drain())`` works from async def, both when
    drain() returns () and when it returns a Future."""
    tr, proto, rd, w = make(loop)

    async def bare():
        await w.drain()

    async def adapted():
        first = await compat.awaitable(w.drain())
        proto.pause_writing()
        loop.call_soon(proto.resume_writing)
        second = await compat.awaitable(w.drain())
        return first, second

    with pytest.raises(TypeError):
        run(bare())
    assert run(adapted()) == (None, None)


# --- DR-2: checks and their order --------------------------------------------


def test_reader_exception_raised_synchronously(loop):
    """DR-2(1): a stored reader exception is raised at once by drain() (the
    same object), before the connection-lost check."""
    tr, proto, rd, w = make(loop)
    exc = ValueError('reader broke')
    rd.set_exception(exc)
    with pytest.raises(ValueError) as info:
        w.drain()
    assert info.value is exc
    proto.connection_lost(None)
    with pytest.raises(ValueError) as info:
        w.drain()
    assert info.value is exc


def test_reader_none_skips_reader_check(loop):
    """WR-1, DR-2(1): with reader=None drain() skips the reader check."""
    tr, proto, rd, w = make(loop, reader=False)
    rd.set_exception(ValueError('not consulted'))
    assert w.drain() is EMPTY
    proto.pause_writing()
    fut = w.drain()
    assert is_future(fut)
    proto.resume_writing()
    assert fut.result() is None


def test_reader_duck_typed(loop):
    """WR-1: no type check on reader; any object with exception() works."""
    class Duck(object):
        exc = None

        def exception(self):
            return self.exc

    tr = fake_transport()
    proto = StreamReaderProtocol(StreamReader(loop=loop), loop=loop)
    proto.connection_made(tr)
    duck = Duck()
    w = hold(StreamWriter(tr, proto, duck, loop))
    assert w.drain() is EMPTY
    duck.exc = KeyError('duck')
    with pytest.raises(KeyError):
        w.drain()


def test_connection_lost_raises_connection_reset(loop):
    """DR-2(2), FC-W3: after connection_lost (no reader exception) drain()
    raises ConnectionResetError('Connection lost') at once, even while the
    transport reports closing or the protocol is paused."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    tr.closing = True
    proto.connection_lost(None)
    with pytest.raises(ConnectionResetError) as info:
        w.drain()
    assert str(info.value) == 'Connection lost'
    # With reader=None the error comes from the protocol record alone.
    w2 = StreamWriter(tr, proto, None, loop)
    with pytest.raises(ConnectionResetError):
        w2.drain()


def test_paused_returns_new_future_each_call(loop):
    """DR-2(4), DR-3, HD-5: while paused every drain() returns a new
    pending Future on the writer's loop; resume_writing completes them all
    with None; afterwards drain() returns () again."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    futs = [w.drain() for _ in range(3)]
    assert all(is_future(f) for f in futs)
    assert len({id(f) for f in futs}) == 3
    assert all(future_loop(f) is loop for f in futs)
    assert not any(f.done() for f in futs)
    proto.resume_writing()
    assert [f.result() for f in futs] == [None, None, None]
    assert w.drain() is EMPTY


def test_cancelling_one_drain_leaves_others(loop, run):
    """DR-3, HD-5: several tasks wait in drain() while paused; cancelling
    one does not affect the others or the writer's state."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    results = []

    @coroutine
    def waiter(i):
        results.append((i, (yield from w.drain())))

    @coroutine
    def main():
        tasks = [loop.create_task(waiter(i)) for i in range(3)]
        yield from asyncio.sleep(0)
        tasks[1].cancel()
        yield from asyncio.sleep(0)
        assert tasks[1].cancelled()
        assert not tasks[0].done() and not tasks[2].done()
        assert proto._paused
        assert is_future(w.drain())
        proto.resume_writing()
        yield from asyncio.wait([tasks[0], tasks[2]])

    run(main())
    assert sorted(results) == [(0, None), (2, None)]


def test_drain_future_completes_on_resume_not_on_empty_buffer(loop):
    """DR-4: the Future completes when the transport calls resume_writing
    (low-water mark), whatever its buffer still holds."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    fut = w.drain()
    assert tr.get_write_buffer_size() > 0
    proto.resume_writing()
    assert fut.done() and fut.result() is None


def test_paused_drain_connection_lost_clean_succeeds(loop, run):
    """Q-9, FC-W3: a task waiting in a paused drain() gets None when the
    connection closes cleanly."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()

    @coroutine
    def main():
        fut = w.drain()
        loop.call_soon(proto.connection_lost, None)
        return (yield from fut)

    assert run(main()) is None


def test_paused_drain_connection_lost_error(loop, run):
    """Q-9, FC-W3: a task waiting in a paused drain() gets the exception
    passed to connection_lost(exc)."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    exc = ConnectionResetError('reset by peer')

    @coroutine
    def main():
        fut = w.drain()
        loop.call_soon(proto.connection_lost, exc)
        yield from fut

    with pytest.raises(ConnectionResetError) as info:
        run(main())
    assert info.value is exc


# --- DR-2 step 3, Q-8, HD-6: closing transport -------------------------------


def test_closing_returns_future_settled_after_one_iteration(loop):
    """DR-2(3), Q-8, HD-6: on a closing transport (connection_lost not yet
    delivered) drain() returns a new Future, not (), that completes with None
    after one loop iteration when the checks still pass."""
    tr, proto, rd, w = make(loop)
    tr.closing = True
    fut = w.drain()
    fut2 = w.drain()
    assert fut is not EMPTY and is_future(fut)
    assert fut is not fut2
    assert future_loop(fut) is loop
    assert not fut.done()
    one_iteration(loop)
    assert fut.result() is None
    assert fut2.result() is None


def test_closing_rechecks_connection_lost(loop):
    """DR-2(3), HD-6: connection_lost delivered before the Future settles:
    the re-run check stores ConnectionResetError('Connection lost') on the
    Future instead of raising it."""
    tr, proto, rd, w = make(loop)
    tr.closing = True
    fut = w.drain()
    proto.connection_lost(None)
    assert not fut.done()
    one_iteration(loop)
    exc = fut.exception()
    assert isinstance(exc, ConnectionResetError)
    assert str(exc) == 'Connection lost'


def test_closing_rechecks_reader_exception(loop):
    """DR-2(3): a reader exception stored before the Future settles ends up
    on the Future (check 1 runs before check 2)."""
    tr, proto, rd, w = make(loop)
    tr.closing = True
    fut = w.drain()
    exc = OSError('broken')
    proto.connection_lost(exc)
    one_iteration(loop)
    assert fut.exception() is exc


def test_closing_and_paused_waits_for_resume(loop):
    """DR-2(3)+(4): closing while paused: after one iteration the Future
    keeps waiting as a paused drain does, completed by resume_writing."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    tr.closing = True
    fut = w.drain()
    one_iteration(loop)
    assert not fut.done()
    proto.resume_writing()
    assert fut.result() is None


def test_closing_and_paused_then_lost_with_error(loop):
    """DR-2(3), FC-W3: closing while paused, then connection_lost(exc): the
    Future gets exc."""
    tr, proto, rd, w = make(loop)
    proto.pause_writing()
    tr.closing = True
    fut = w.drain()
    one_iteration(loop)
    exc = BrokenPipeError('pipe')
    proto.connection_lost(exc)
    assert fut.exception() is exc


def test_closing_future_cancelled_before_settling(loop):
    """DR-3, DR-2(3): cancelling the closing-drain Future before it settles
    is harmless."""
    tr, proto, rd, w = make(loop)
    tr.closing = True
    fut = w.drain()
    fut.cancel()
    one_iteration(loop)
    assert fut.cancelled()


def test_write_drain_loop_ends_on_closing_transport(loop, run):
    """HD-6, Q-8: a write()/drain() loop on a transport that is closing ends
    once connection_lost is delivered (here one iteration after close)."""
    tr, proto, rd, w = make(loop)

    def close():
        tr.closing = True
        loop.call_soon(proto.connection_lost, BrokenPipeError('pipe'))

    @coroutine
    def main():
        for i in range(100):
            if i == 3:
                close()
            w.write(b'x')
            yield from w.drain()
        return i

    with pytest.raises(BrokenPipeError):
        run(main())


@pytest.mark.parametrize('closing, expect_future', [
    (None, False), (False, False), (True, True),
], ids=['no-attribute', 'closing-false', 'closing-true'])
def test_transport_without_is_closing_uses__closing(loop, closing,
                                                    expect_future):
    """HD-6, DR-2(3): a transport without is_closing() falls back to its
    ``_closing`` attribute, else it counts as not closing."""
    tr, proto, rd, w = make(loop, LegacyTransport(closing))
    result = w.drain()
    if expect_future:
        assert is_future(result)
        one_iteration(loop)
        assert result.result() is None
    else:
        assert result is EMPTY


@pytest.mark.rule('DR-2')
def test_legacy_transport_closing_later(loop):
    """DR-2(3): the fallback reads ``_closing`` at each drain(), not once
    when the writer is made (the probe is resolved once, its answer not)."""
    transport = LegacyTransport(False)
    tr, proto, rd, w = make(loop, transport)
    assert w.drain() is EMPTY
    transport._closing = True
    result = w.drain()
    assert is_future(result)
    one_iteration(loop)
    assert result.result() is None


def test_drain_never_reads_conn_lost(loop):
    """HD-6, DR-2(2): drain() never reads transport._conn_lost (the fake's
    property fails the test if read), in any state."""
    tr, proto, rd, w = make(loop)
    assert w.drain() is EMPTY
    proto.pause_writing()
    paused = w.drain()
    tr.closing = True
    closing = w.drain()
    one_iteration(loop)
    proto.connection_lost(None)
    with pytest.raises(ConnectionResetError):
        w.drain()
    assert paused.result() is None
    # DR-2(3): made while closing, so the clean close reads as the loss.
    with pytest.raises(ConnectionResetError):
        closing.result()


# --- WR-1: loop resolution for drain Futures ---------------------------------


def test_loop_none_uses_protocol_loop(loop):
    """WR-1: with loop=None, drain Futures are created on the protocol's
    loop."""
    tr, proto, rd, _ = make(loop)
    w = StreamWriter(tr, proto, rd, None)
    proto.pause_writing()
    fut = w.drain()
    assert future_loop(fut) is loop
    tr.closing = True
    fut2 = w.drain()
    assert future_loop(fut2) is loop
    proto.resume_writing()
    one_iteration(loop)
    assert fut.result() is None and fut2.result() is None


def test_loop_none_and_protocol_loop_none_uses_running_loop(loop, run):
    """WR-1, CO-5: with no writer loop and no protocol loop, drain Futures
    use the running loop."""
    tr, proto, rd, _ = make(loop)
    proto._loop = None
    w = StreamWriter(tr, proto, rd, None)
    proto.pause_writing()

    @coroutine
    def main():
        fut = w.drain()
        assert future_loop(fut) is loop
        loop.call_soon(proto.resume_writing)
        return (yield from fut)

    assert run(main()) is None


# --- Real sockets ------------------------------------------------------------


HIGH = 4096
LOW = 1024
CHUNK = 65536


class Pair(object):
    """A client (r, w) connected to a server-side (sr, sw)."""


@coroutine
def open_pair(loop, family, sock_dir, server_limit=1024):
    """Connect a client to a server whose handler does not read.

    Small kernel buffers and a small client high-water mark make writes
    pause quickly; the small server limit makes the server stop reading.
    """
    p = Pair()
    accepted = compat.create_future(loop)

    def handler(r, w):
        accepted.set_result((r, w))

    if family == 'tcp':
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        lsock.bind(('127.0.0.1', 0))
        csock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        start, connect = (trollius_streams.start_server,
                          trollius_streams.open_connection)
    else:
        lsock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        lsock.bind(os.path.join(sock_dir, 's'))
        csock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        start, connect = (trollius_streams.start_unix_server,
                          trollius_streams.open_unix_connection)
    csock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
    try:
        lsock.listen(5)
        p.server = yield from start(handler, sock=lsock, loop=loop,
                                    limit=server_limit)
    except BaseException:
        lsock.close()
        csock.close()
        raise
    try:
        csock.connect(lsock.getsockname())
        p.r, p.w = yield from connect(sock=csock, loop=loop)
    except BaseException:
        csock.close()
        p.server.close()
        raise
    p.sr, p.sw = yield from accepted
    p.w.transport.set_write_buffer_limits(high=HIGH, low=LOW)
    return p


@coroutine
def close_pair(p):
    p.w.close()
    p.sw.close()
    p.server.close()
    yield from p.server.wait_closed()


@coroutine
def write_until_paused(w, max_chunks=64):
    """Write CHUNK-sized blocks until drain() returns a Future; return
    (future, bytes written)."""
    total = 0
    for _ in range(max_chunks):
        assert w.drain() is EMPTY
        w.write(b'x' * CHUNK)
        total += CHUNK
        result = w.drain()
        if result is not EMPTY:
            return result, total
        yield from asyncio.sleep(0)
    raise AssertionError('the transport never paused writing')


@pytest.mark.parametrize('family', FAMILIES)
def test_real_drain_empty_then_future_then_resumed(loop, run, family,
                                                   sock_dir):
    """DR-5, DR-2(4), DR-4, FC-W2, PR-7, HD-5: over a real connection drain()
    returns () itself when not paused and a Future while paused; several
    concurrent drains (generator tasks and an async def using
    compat.awaitable) all complete once the peer reads; the transport buffer
    is then at or below the low-water mark; drain() is () again."""
    @coroutine
    def gen_waiter(w):
        return (yield from w.drain())

    async def native_waiter(w):
        return await compat.awaitable(w.drain())

    @coroutine
    def main():
        p = yield from open_pair(loop, family, sock_dir)
        try:
            assert p.w.drain() is EMPTY
            fut, total = yield from write_until_paused(p.w)
            assert is_future(fut) and not fut.done()
            assert p.w._protocol._paused
            tasks = [loop.create_task(gen_waiter(p.w)) for _ in range(3)]
            tasks.append(loop.create_task(native_waiter(p.w)))
            yield from asyncio.sleep(0)
            assert not any(t.done() for t in tasks)
            data = yield from p.sr.readexactly(total)
            assert len(data) == total
            assert (yield from fut) is None
            results = yield from asyncio.gather(*tasks)
            assert results == [None] * 4
            assert p.w.transport.get_write_buffer_size() <= LOW
            assert p.w.drain() is EMPTY
        finally:
            yield from close_pair(p)

    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_real_paused_drain_succeeds_on_clean_close(loop, run, family,
                                                   sock_dir):
    """Q-9, FC-W3, DR-2(2): a paused drain() completes with None when the
    connection closes cleanly (the client aborts its own transport); then
    drain() raises ConnectionResetError('Connection lost')."""
    @coroutine
    def main():
        p = yield from open_pair(loop, family, sock_dir)
        try:
            fut, _ = yield from write_until_paused(p.w)
            p.w.transport.abort()
            assert (yield from fut) is None
            with pytest.raises(ConnectionResetError) as info:
                p.w.drain()
            assert str(info.value) == 'Connection lost'
            assert (yield from p.r.read()) == b''
        finally:
            yield from close_pair(p)

    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_real_paused_drain_fails_on_reset(loop, run, family, sock_dir):
    """Q-9, FC-W3, DR-2(1): a paused drain() gets the connection error when
    the peer resets the connection (it closes with unread data); drain()
    then raises that same error from the reader."""
    @coroutine
    def main():
        p = yield from open_pair(loop, family, sock_dir)
        try:
            fut, _ = yield from write_until_paused(p.w)
            p.sw.transport.abort()
            with pytest.raises(ConnectionError) as info:
                yield from fut
            with pytest.raises(ConnectionError) as again:
                p.w.drain()
            assert again.value is info.value
            assert p.r.exception() is info.value
        finally:
            yield from close_pair(p)

    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_real_drain_after_close(loop, run, family, sock_dir):
    """Q-8, DR-2(3), HD-6: right after w.close() drain() returns a Future
    (not ()) that settles without hanging; once connection_lost is
    delivered drain() raises ConnectionResetError at once."""
    @coroutine
    def main():
        p = yield from open_pair(loop, family, sock_dir)
        try:
            p.w.close()
            fut = p.w.drain()
            assert is_future(fut)
            try:
                result = yield from fut
            except ConnectionResetError:
                pass
            else:
                assert result is None
            assert (yield from p.r.read()) == b''  # connection_lost(None)
            with pytest.raises(ConnectionResetError):
                p.w.drain()
        finally:
            yield from close_pair(p)

    run(main())


@pytest.mark.parametrize('family', FAMILIES)
def test_real_write_drain_loop_against_dead_peer_ends(loop, run, family,
                                                      sock_dir):
    """HD-6, DR-2: a write()/drain() loop against a peer that went away
    ends with a connection error instead of spinning (no transport._conn_lost
    on uvloop; the closing check yields to deliver connection_lost)."""
    @coroutine
    def main():
        p = yield from open_pair(loop, family, sock_dir,
                                 server_limit=2 ** 20)
        try:
            p.sw.close()
            assert (yield from p.r.read()) == b''  # peer's FIN seen
            with pytest.raises(ConnectionError):
                for _ in range(10000):
                    p.w.write(b'y' * 1024)
                    yield from p.w.drain()
        finally:
            yield from close_pair(p)

    run(main())
