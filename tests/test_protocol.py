"""StreamReaderProtocol (contract sections 5, 6.2 protocol side and 9;
HD-4, HD-9, HD-10).

Unit tests drive the protocol by hand with a fake transport that records
calls; the tests at the end use real TCP and UNIX sockets.
"""

import asyncio
import gc
import os
import socket
import sys
import weakref

import pytest

import trollius_streams
from helpers import FakeTransport, hold
from trollius_streams import (StreamReader, StreamReaderProtocol,
                              StreamWriter, compat, coroutine)

HAS_UNIX = hasattr(socket, 'AF_UNIX')
FAMILIES = ['tcp'] + (['unix'] if HAS_UNIX else [])


def make_protocol(loop, cb=None, limit=None, hold_writer=True):
    """Return (reader, protocol); the writer ``cb`` gets is held until
    teardown (a dropped writer would close its fake transport)."""
    reader = StreamReader(limit=limit, loop=loop)
    if cb is not None and hold_writer:
        inner = cb

        def cb(r, w):
            hold(w)
            return inner(r, w)
    return reader, StreamReaderProtocol(reader, cb, loop=loop)


def settle(loop, n=3):
    """Run ``n`` loop iterations (no wall-clock waiting)."""
    for _ in range(n):
        loop.run_until_complete(asyncio.sleep(0))


# --- PR-1: construction -----------------------------------------------------


def test_is_protocol_subclass(loop):
    """PR-1: StreamReaderProtocol subclasses asyncio.Protocol; 8a: _loop and
    _stream_reader keep their 3.4 meaning."""
    reader, proto = make_protocol(loop)
    assert issubclass(StreamReaderProtocol, asyncio.Protocol)
    assert isinstance(proto, asyncio.Protocol)
    assert proto._loop is loop
    assert proto._stream_reader is reader
    assert StreamReaderProtocol is trollius_streams.StreamReaderProtocol


def test_loop_resolved_in_constructor_running_loop(loop, run):
    """PR-1, CO-5: loop=None inside a running loop resolves to that loop in
    the constructor."""
    reader = StreamReader(loop=loop)

    @coroutine
    def make():
        return StreamReaderProtocol(reader)
        yield  # pragma: no cover

    proto = run(make())
    assert proto._loop is loop


def test_loop_resolved_in_constructor_set_loop(loop):
    """PR-1, CO-5: loop=None outside a running loop uses the loop set with
    set_event_loop, resolved at construction time."""
    reader = StreamReader(loop=loop)
    asyncio.set_event_loop(loop)
    try:
        proto = StreamReaderProtocol(reader)
    finally:
        asyncio.set_event_loop(None)
    assert proto._loop is loop


def test_loop_resolution_fails_without_loop(loop):
    """PR-1, CO-5: with no loop set and none running, the constructor raises
    RuntimeError (it does not defer the lookup)."""
    reader = StreamReader(loop=loop)
    with pytest.raises(RuntimeError):
        StreamReaderProtocol(reader)


def test_callback_must_be_callable(loop):
    """PR-1: a non-callable client_connected_cb is rejected (TypeError)."""
    reader = StreamReader(loop=loop)
    with pytest.raises(TypeError):
        StreamReaderProtocol(reader, 'not callable', loop=loop)


# --- PR-2: connection_made --------------------------------------------------


def test_connection_made_sets_transport_no_callback(loop):
    """PR-2(1): connection_made calls reader.set_transport(transport); with
    no callback nothing else happens (no writer)."""
    reader, proto = make_protocol(loop)
    tr = FakeTransport()
    proto.connection_made(tr)
    assert reader._transport is tr
    assert proto._stream_writer is None
    assert proto._task is None
    # A second transport would be a programming error (RD-4).
    with pytest.raises(AssertionError):
        reader.set_transport(FakeTransport())


def test_callback_called_at_once_with_reader_and_writer(loop):
    """PR-2(2): the callback is called right away inside connection_made,
    before any data_received, with (reader, StreamWriter(transport, protocol,
    reader, loop))."""
    events = []

    def cb(r, w):
        events.append(('cb', r, w, bytes(r._buffer)))

    reader, proto = make_protocol(loop, cb)
    tr = FakeTransport()
    proto.connection_made(tr)
    assert len(events) == 1
    _, r, w, buffered = events[0]
    assert buffered == b''
    proto.data_received(b'data')
    assert len(events) == 1
    assert r is reader
    assert isinstance(w, StreamWriter)
    assert w.transport is tr
    assert w._transport is tr
    assert w._protocol is proto
    assert w._reader is reader
    assert w._loop is loop
    assert proto._stream_writer is w
    assert proto._task is None  # a plain return value is not scheduled
    assert reader._buffer == b'data'


def test_plain_callback_exception_propagates(loop):
    """PR-2: an exception raised by a plain callback propagates out of
    connection_made; the transport is not closed by the protocol."""
    class Boom(Exception):
        pass

    def cb(r, w):
        raise Boom('handler')

    reader, proto = make_protocol(loop, cb)
    tr = FakeTransport()
    with pytest.raises(Boom):
        proto.connection_made(tr)
    assert not tr.closed()
    assert reader._transport is tr


@pytest.mark.parametrize('value', [None, 42, 'text', b'bytes', (), [1]],
                         ids=['None', 'int', 'str', 'bytes', 'tuple', 'list'])
def test_plain_return_values_ignored(loop, value):
    """PR-2: every return value that is not a coroutine object is ignored."""
    reader, proto = make_protocol(loop, lambda r, w: value)
    proto.connection_made(FakeTransport())
    assert proto._task is None
    assert not compat.all_tasks(loop)


def test_future_returned_by_plain_callback_ignored(loop):
    """PR-2: a Future returned by a plain callback is not scheduled or
    awaited; neither its result nor its exception reaches the protocol."""
    fut = compat.create_future(loop)
    tr = FakeTransport()
    reader, proto = make_protocol(loop, lambda r, w: fut)
    proto.connection_made(tr)
    assert proto._task is None
    assert not compat.all_tasks(loop)
    fut.set_exception(ValueError('ignored'))
    fut.exception()  # retrieved: no "never retrieved" log
    settle(loop)
    assert not tr.closed()


def _gen_handler(log):
    def handler(r, w):  # undecorated generator function
        data = yield from r.readexactly(3)
        log.append(data)
        w.write(data.upper())
    return handler


def _decorated_handler(log):
    @coroutine
    def handler(r, w):
        data = yield from r.readexactly(3)
        log.append(data)
        w.write(data.upper())
    return handler


def _native_handler(log):
    async def handler(r, w):
        data = await r.readexactly(3)
        log.append(data)
        w.write(data.upper())
    return handler


def _plain_returning_gen_handler(log):
    # A plain function that returns a generator object (3.4 checked the
    # returned object, not the function).
    inner = _gen_handler(log)

    def handler(r, w):
        return inner(r, w)
    return handler


@pytest.mark.parametrize('make_handler', [
    _gen_handler, _decorated_handler, _native_handler,
    _plain_returning_gen_handler,
], ids=['undecorated-generator', 'coroutine-decorated', 'async-def',
        'plain-returning-generator'])
def test_coroutine_callback_runs_as_task(loop, make_handler):
    """PR-2: a coroutine object returned by the callback (undecorated
    generator, @coroutine, async def; also on 3.12+) is scheduled as a Task
    on the protocol's loop; PR-3: the protocol keeps it until it ends."""
    log = []
    reader, proto = make_protocol(loop, make_handler(log))
    tr = FakeTransport()
    proto.connection_made(tr)
    task = proto._task
    assert task is not None
    assert isinstance(task, asyncio.Task)
    assert compat.all_tasks(loop) == {task}
    settle(loop)
    assert not task.done()  # waiting for data
    proto.data_received(b'abc')
    loop.run_until_complete(task)
    assert log == [b'abc']
    assert ('write', b'ABC') in tr.calls
    assert proto._task is None
    assert not tr.closed()  # PR-3: a normal return leaves the connection


@pytest.mark.skipif(sys.version_info >= (3, 8),
                    reason='asyncio.coroutine warns on 3.8-3.10, gone on '
                           '3.11+')
def test_debug_mode_corowrapper_callback_runs_as_task(loop, monkeypatch):
    """PR-2: a 3.4-3.10 debug-mode CoroWrapper returned by the callback
    counts as a coroutine object and runs as a Task."""
    monkeypatch.setattr(asyncio.coroutines, '_DEBUG', True)
    log = []
    handler = asyncio.coroutine(_gen_handler(log))
    monkeypatch.undo()
    reader, proto = make_protocol(loop, handler)
    proto.connection_made(FakeTransport())
    task = proto._task
    assert task is not None
    proto.data_received(b'xyz')
    loop.run_until_complete(task)
    assert log == [b'xyz']


def test_task_created_with_create_task_so_factory_applies(loop):
    """PR-2: the callback's task is created with loop.create_task, so a task
    factory set on the loop is used."""
    made = []

    def factory(lp, coro, **kwargs):
        task = asyncio.Task(coro, loop=lp, **kwargs)
        made.append(task)
        return task

    loop.set_task_factory(factory)
    try:
        done = []

        def handler(r, w):
            done.append(True)
            yield from ()

        reader, proto = make_protocol(loop, handler)
        proto.connection_made(FakeTransport())
        assert len(made) == 1
        assert proto._task is made[0]
        loop.run_until_complete(made[0])
        assert done == [True]
    finally:
        loop.set_task_factory(None)


# --- PR-3 / HD-9: the client callback task ----------------------------------


def test_task_strong_reference_kept(loop):
    """PR-3, HD-9: the protocol holds a strong reference to the handler
    task; a task waiting on a Future only it references survives gc, and the
    reference is dropped once the task is done."""
    holder = []

    @coroutine
    def handler(r, w):
        fut = compat.create_future(loop)
        holder.append(weakref.ref(fut))
        yield from fut

    reader, proto = make_protocol(loop, handler)
    proto.connection_made(FakeTransport())
    task_ref = weakref.ref(proto._task)
    settle(loop)
    gc.collect()
    task = task_ref()
    assert task is not None and not task.done()
    assert proto._task is task
    fut = holder[0]()
    assert fut is not None
    fut.set_result(None)
    del fut
    loop.run_until_complete(task)
    assert proto._task is None


def test_task_exception_reported_and_transport_closed(loop, loop_errors):
    """PR-3, HD-9: a handler task that raises makes the protocol call
    loop.call_exception_handler with message 'Unhandled exception in
    client_connected_cb', the exception and the transport, and close the
    transport."""
    exc = ValueError('handler failed')

    @coroutine
    def handler(r, w):
        yield from r.readexactly(1)
        raise exc

    reader, proto = make_protocol(loop, handler)
    tr = FakeTransport()
    proto.connection_made(tr)
    task = proto._task
    settle(loop)
    assert not tr.closed()
    proto.data_received(b'x')
    settle(loop)
    assert task.done()
    assert tr.closed()
    assert len(loop_errors) == 1
    ctx = loop_errors[0]
    assert ctx['message'] == 'Unhandled exception in client_connected_cb'
    assert ctx['exception'] is exc
    assert ctx['transport'] is tr
    assert proto._task is None
    del loop_errors[:]


def test_task_cancelled_closes_transport(loop):
    """PR-3, HD-9: a cancelled handler task closes the transport and reports
    nothing to the loop (no error from task.exception() on a cancelled
    task)."""
    @coroutine
    def handler(r, w):
        yield from r.read()

    reader, proto = make_protocol(loop, handler)
    tr = FakeTransport()
    proto.connection_made(tr)
    task = proto._task
    settle(loop)
    task.cancel()
    settle(loop)
    assert task.cancelled()
    assert tr.closed()
    assert proto._task is None


def test_task_normal_end_leaves_connection(loop):
    """PR-3: a handler task that returns normally: nothing happens, the
    handler owns the connection (transport not closed, no loop error)."""
    @coroutine
    def handler(r, w):
        w.write(b'hi')
        return 'result'
        yield  # pragma: no cover

    reader, proto = make_protocol(loop, handler)
    tr = FakeTransport()
    proto.connection_made(tr)
    task = proto._task
    assert loop.run_until_complete(task) == 'result'
    settle(loop)
    assert not tr.closed()
    assert ('write', b'hi') in tr.calls


def test_task_failing_after_connection_lost_still_reported(loop, loop_errors):
    """PR-3, PR-6: connection_lost drops the protocol's task reference, but
    a handler that fails afterwards is still reported and its transport
    closed."""
    @coroutine
    def handler(r, w):
        data = yield from r.read()
        raise RuntimeError('after eof %r' % (data,))

    reader, proto = make_protocol(loop, handler)
    tr = FakeTransport()
    proto.connection_made(tr)
    task = proto._task
    settle(loop)
    proto.connection_lost(None)
    assert proto._task is None
    settle(loop)
    assert task.done()
    assert tr.closed()
    assert [c['message'] for c in loop_errors] == [
        'Unhandled exception in client_connected_cb']
    assert isinstance(loop_errors[0]['exception'], RuntimeError)
    del loop_errors[:]


# --- PR-4 / PR-5: data and EOF ----------------------------------------------


def test_data_received_feeds_reader(loop):
    """PR-4: data_received(data) calls reader.feed_data(data); RD-6/FC-R1
    flow control then applies through the transport."""
    reader, proto = make_protocol(loop, limit=2)
    tr = FakeTransport()
    proto.connection_made(tr)
    proto.data_received(b'ab')
    proto.data_received(bytearray(b'cd'))
    assert reader._buffer == b'abcd'
    assert ('pause_reading',) not in tr.calls
    proto.data_received(b'e')
    assert ('pause_reading',) in tr.calls


def test_eof_received_returns_true(loop):
    """PR-5, HD-4: eof_received feeds EOF to the reader and returns True
    (keep the transport open for writing)."""
    reader, proto = make_protocol(loop)
    proto.connection_made(FakeTransport())
    proto.data_received(b'tail')
    result = proto.eof_received()
    assert result is True
    assert reader._eof
    assert not reader.at_eof()
    assert loop.run_until_complete(compat.as_coroutine(reader.read())) == \
        b'tail'
    assert reader.at_eof()


def test_eof_received_returns_false_over_ssl(loop):
    """PR-5: over SSL (get_extra_info('sslcontext') is not None)
    eof_received still feeds EOF but returns False."""
    reader, proto = make_protocol(loop)
    tr = FakeTransport(extra={'sslcontext': object()})
    proto.connection_made(tr)
    result = proto.eof_received()
    assert result is False
    assert reader.at_eof()
    assert ('get_extra_info', 'sslcontext', None) in tr.calls


# --- PR-6 / HD-10: connection_lost -------------------------------------------


def test_connection_lost_clean_feeds_eof(loop):
    """PR-6(1): connection_lost(None) calls reader.feed_eof()."""
    reader, proto = make_protocol(loop)
    proto.connection_made(FakeTransport())
    proto.data_received(b'x')
    proto.connection_lost(None)
    assert reader._eof
    assert reader.exception() is None
    assert reader._buffer == b'x'


def test_connection_lost_error_sets_exception(loop):
    """PR-6(1): connection_lost(exc) calls reader.set_exception(exc); the
    buffer and EOF flag are untouched."""
    reader, proto = make_protocol(loop)
    proto.connection_made(FakeTransport())
    proto.data_received(b'x')
    exc = ConnectionResetError('peer reset')
    proto.connection_lost(exc)
    assert reader.exception() is exc
    assert not reader._eof
    assert reader._buffer == b'x'


def test_connection_lost_wakes_suspended_read(loop, run):
    """PR-6(1): a read call suspended on the reader is woken by
    connection_lost: with EOF (clean) or the exception."""
    reader, proto = make_protocol(loop)
    proto.connection_made(FakeTransport())

    @coroutine
    def main():
        task = loop.create_task(compat.as_coroutine(reader.readline()))
        yield from asyncio.sleep(0)
        proto.data_received(b'part')
        proto.connection_lost(None)
        return (yield from task)

    assert run(main()) == b'part'


@pytest.mark.parametrize('clean', [True, False], ids=['clean', 'error'])
def test_connection_lost_drops_references(loop, loop_errors, clean):
    """PR-6, HD-10: after connection_lost the protocol drops its reader,
    writer and task references; 8a: _stream_reader is None from then on.
    The reader can then be garbage collected once the user drops it."""
    @coroutine
    def handler(r, w):
        yield from r.read()

    exc = None if clean else OSError('gone')
    reader, proto = make_protocol(loop, handler, hold_writer=False)
    tr = FakeTransport()
    proto.connection_made(tr)
    task = proto._task
    assert proto._stream_reader is reader
    assert proto._stream_writer is not None
    tr.closing = True  # a transport is closed when it calls connection_lost
    proto.connection_lost(exc)
    assert proto._stream_reader is None
    assert proto._stream_writer is None
    assert proto._task is None
    loop.run_until_complete(asyncio.wait([task]))
    assert task.exception() is exc
    if exc is not None:
        # PR-3: the handler re-raised the connection error.
        assert [c['exception'] for c in loop_errors] == [exc]
        del loop_errors[:]
        exc.__traceback__ = None  # its frames reference the reader
    del task
    ref = weakref.ref(reader)
    del reader
    gc.collect()
    assert ref() is None


def test_late_callbacks_ignored_after_connection_lost(loop):
    """HD-10, PR-6: data_received/eof_received after connection_lost are
    ignored safely (no exception, the old reader is not touched)."""
    reader, proto = make_protocol(loop)
    proto.connection_made(FakeTransport())
    proto.connection_lost(None)
    proto.data_received(b'late data')  # reader is at EOF: would raise
    proto.eof_received()
    proto.connection_lost(OSError('again'))  # not stored on the old reader
    assert reader.exception() is None
    assert reader._buffer == b''
    assert reader.at_eof()


# --- PR-7, FC-W1..FC-W3: write-side flow control -----------------------------


def test_pause_resume_alternation(loop):
    """FC-W1, PR-7: pause_writing marks paused, resume_writing not paused;
    a repeat of either is an AssertionError (raised explicitly)."""
    reader, proto = make_protocol(loop)
    proto.connection_made(FakeTransport())
    assert proto._paused is False
    with pytest.raises(AssertionError):
        proto.resume_writing()
    proto.pause_writing()
    assert proto._paused is True
    with pytest.raises(AssertionError):
        proto.pause_writing()
    assert proto._paused is True
    proto.resume_writing()
    assert proto._paused is False
    with pytest.raises(AssertionError):
        proto.resume_writing()


def _writer(loop, proto, reader):
    tr = FakeTransport()
    proto.connection_made(tr)
    return hold(StreamWriter(tr, proto, reader, loop))


def test_resume_completes_every_pending_drain(loop):
    """FC-W2, HD-5, PR-7: resume_writing completes every pending drain
    Future with None and skips cancelled ones."""
    reader, proto = make_protocol(loop)
    w = _writer(loop, proto, reader)
    proto.pause_writing()
    futs = [w.drain() for _ in range(4)]
    assert len(set(map(id, futs))) == 4
    futs[1].cancel()
    assert not any(f.done() for f in futs if f is not futs[1])
    proto.resume_writing()
    assert [f.result() for f in futs if f is not futs[1]] == [None] * 3
    assert futs[1].cancelled()
    assert proto._drain_waiters == []


def test_connection_lost_clean_completes_drains_with_none(loop):
    """FC-W3, Q-9: connection_lost(None) completes every pending drain
    Future with None (a paused drain succeeds on a clean close) and marks
    the protocol lost."""
    reader, proto = make_protocol(loop)
    w = _writer(loop, proto, reader)
    proto.pause_writing()
    futs = [w.drain(), w.drain()]
    cancelled = w.drain()
    cancelled.cancel()
    proto.connection_lost(None)
    assert [f.result() for f in futs] == [None, None]
    assert proto._connection_lost is True
    with pytest.raises(ConnectionResetError):
        w.drain()


def test_connection_lost_error_fails_drains(loop):
    """FC-W3, Q-9: connection_lost(exc) gives every pending drain Future
    that exception object."""
    reader, proto = make_protocol(loop)
    w = _writer(loop, proto, reader)
    proto.pause_writing()
    futs = [w.drain(), w.drain()]
    exc = BrokenPipeError('gone')
    proto.connection_lost(exc)
    assert [f.exception() for f in futs] == [exc, exc]


def test_stale_waiters_pruned(loop):
    """DR-3, FC-W2: many drains cancelled while paused do not pile up; the
    live ones are still completed by resume_writing."""
    reader, proto = make_protocol(loop)
    w = _writer(loop, proto, reader)
    proto.pause_writing()
    live = []
    for i in range(100):
        fut = w.drain()
        if i % 10 == 0:
            live.append(fut)
        else:
            fut.cancel()
    assert len(proto._drain_waiters) < 40
    proto.resume_writing()
    assert all(f.result() is None for f in live)


# --- Real sockets ------------------------------------------------------------


@coroutine
def start(family, handler, loop, sock_dir, **kwds):
    """Start a server; return (server, connect) where connect() opens a
    client connection to it."""
    if family == 'tcp':
        server = yield from trollius_streams.start_server(
            handler, '127.0.0.1', 0, loop=loop, **kwds)
        port = server.sockets[0].getsockname()[1]

        def connect(**kw):
            return trollius_streams.open_connection(
                '127.0.0.1', port, loop=loop, **kw)
    else:
        path = os.path.join(sock_dir, 's')
        server = yield from trollius_streams.start_unix_server(
            handler, path, loop=loop, **kwds)

        def connect(**kw):
            return trollius_streams.open_unix_connection(path, loop=loop, **kw)
    return server, connect


@coroutine
def stop(server):
    server.close()
    yield from server.wait_closed()


@pytest.mark.parametrize('family', FAMILIES)
def test_half_close_reply_after_write_eof(loop, run, family, sock_dir):
    """HD-4, PR-5: the server handler reads to EOF after the client's
    write_eof() and then writes a reply; the client receives it."""
    results = []

    @coroutine
    def handler(r, w):
        data = yield from r.read()
        results.append(data)
        w.write(b'got:' + data)
        yield from w.drain()
        w.close()

    @coroutine
    def main():
        server, connect = yield from start(family, handler, loop, sock_dir)
        try:
            r, w = yield from connect()
            try:
                assert w.can_write_eof()
                w.write(b'hello')
                w.write_eof()
                reply = yield from r.read()
            finally:
                w.close()
        finally:
            yield from stop(server)
        return reply

    assert run(main()) == b'got:hello'
    assert results == [b'hello']


@pytest.mark.parametrize('family', FAMILIES)
def test_failing_handler_reported_and_client_sees_eof(
        loop, loop_errors, run, family, sock_dir):
    """HD-9, PR-3: a server handler that raises is reported to the loop's
    exception handler and its connection is closed, so the client reads EOF
    instead of hanging."""
    @coroutine
    def handler(r, w):
        yield from r.readexactly(2)
        raise ValueError('bad request')

    @coroutine
    def main():
        server, connect = yield from start(family, handler, loop, sock_dir)
        try:
            r, w = yield from connect()
            try:
                w.write(b'go')
                data = yield from r.read()
            finally:
                w.close()
        finally:
            yield from stop(server)
        return data

    assert run(main()) == b''
    assert [c['message'] for c in loop_errors] == [
        'Unhandled exception in client_connected_cb']
    assert isinstance(loop_errors[0]['exception'], ValueError)
    del loop_errors[:]


@pytest.mark.parametrize('family', FAMILIES)
def test_plain_callback_owns_connection(loop, run, family, sock_dir):
    """PR-2, PR-3: a plain callback is called once per connection with a
    reader/writer pair; it returns nothing, nothing is scheduled, and the
    connection stays usable by other code."""
    pairs = []
    connected = compat.create_future(loop)

    def handler(r, w):
        pairs.append((r, w))
        connected.set_result(None)

    @coroutine
    def main():
        server, connect = yield from start(family, handler, loop, sock_dir)
        try:
            r, w = yield from connect()
            try:
                yield from connected
                sr, sw = pairs[0]
                assert isinstance(sr, StreamReader)
                assert isinstance(sw, StreamWriter)
                w.write(b'ping\n')
                line = yield from sr.readline()
                sw.write(line.upper())
                sw.close()
                data = yield from r.read()
            finally:
                w.close()
        finally:
            yield from stop(server)
        return data

    assert run(main()) == b'PING\n'
    assert len(pairs) == 1
