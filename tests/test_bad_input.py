"""Wrong types and values at every public entry point.

Table-driven: each row is one call with a bad argument, the exception type
it must raise and a regular expression its message must match.  For the
StreamReader rows the reader's whole state (buffer, EOF flag, stored
exception, transport, paused flag, waiter) is compared before and after:
a rejected call changes nothing, also while another read call is waiting.

The integrity checks of contract HB-5 (feed_data after feed_eof, set_transport
twice, pause_writing twice, resume_writing while not paused) are explicit
``raise AssertionError(...)`` statements, so they hold under ``python -O``
too: tox's ``optimized`` env runs this whole suite with ``python -O`` and
``sys.flags.optimize`` set; the tests are the same in both modes.

The table doubles as user documentation (README: "What bad input gives").
"""

import asyncio
import socket

import pytest

from helpers import FakeTransport, closed_port
from trollius_streams import (IncompleteReadError, StreamReader,
                              StreamReaderProtocol, StreamWriter, compat,
                              coroutine, open_connection, start_server)

HAS_UNIX = hasattr(socket, 'AF_UNIX')
if HAS_UNIX:
    from trollius_streams import open_unix_connection, start_unix_server


def state(reader):
    """Everything a rejected call must leave as it was."""
    return (bytes(reader._buffer), reader._eof, reader._exception,
            reader._transport, reader._paused, reader._waiter,
            reader._limit, reader.at_eof())


# --- StreamReader methods ----------------------------------------------------
#
# (id, call on a reader, exception type, message regex).  ``call`` returns
# a coroutine object for the coroutine methods (run on the loop), or
# performs the call itself for the plain methods.

ANY_INT_MSG = r'^%s\(\) argument must be an int, not %s$'

READER_CALLS = [
    ('feed_data-str', lambda r: r.feed_data('abc'), TypeError,
     r"^feed_data\(\) argument must be a bytes-like object, not str$"),
    ('feed_data-empty-str', lambda r: r.feed_data(''), TypeError,
     r"^feed_data\(\) argument must be a bytes-like object, not str$"),
    ('feed_data-None', lambda r: r.feed_data(None), TypeError,
     r"^feed_data\(\) argument must be a bytes-like object, not NoneType$"),
    ('feed_data-int', lambda r: r.feed_data(3), TypeError,
     r"^feed_data\(\) argument must be a bytes-like object, not int$"),
    ('feed_data-list', lambda r: r.feed_data([1, 2]), TypeError,
     r"^feed_data\(\) argument must be a bytes-like object, not list$"),
    ('read-None', lambda r: r.read(None), TypeError,
     ANY_INT_MSG % ('read', 'NoneType')),
    ('read-str', lambda r: r.read('1'), TypeError,
     ANY_INT_MSG % ('read', 'str')),
    ('read-float', lambda r: r.read(1.5), TypeError,
     ANY_INT_MSG % ('read', 'float')),
    ('read-bool', lambda r: r.read(True), TypeError,
     ANY_INT_MSG % ('read', 'bool')),
    ('readexactly-str', lambda r: r.readexactly('3'), TypeError,
     ANY_INT_MSG % ('readexactly', 'str')),
    ('readexactly-None', lambda r: r.readexactly(None), TypeError,
     ANY_INT_MSG % ('readexactly', 'NoneType')),
    ('readexactly-float', lambda r: r.readexactly(2.0), TypeError,
     ANY_INT_MSG % ('readexactly', 'float')),
    ('readexactly-missing', lambda r: r.readexactly(), TypeError,
     r"readexactly\(\) missing 1 required positional argument: 'n'"),
    ('readline-arg', lambda r: r.readline(5), TypeError,
     r"readline\(\) takes 1 positional argument but 2 were given"),
    ('set_transport-twice', lambda r: r.set_transport(FakeTransport()),
     AssertionError, r'^Transport already set$'),
]


def make_reader(loop, setup):
    """A reader with a transport and data, idle or with a waiting call."""
    reader = StreamReader(limit=8, loop=loop)
    reader.set_transport(FakeTransport())
    task = None
    if setup == 'idle':
        reader.feed_data(b'abc\nde')
    else:
        reader.feed_data(b'ab')
        task = compat.ensure_future(reader.readline(), loop=loop)
        loop.run_until_complete(asyncio.sleep(0))
        assert reader._waiter is not None
    return reader, task


@pytest.mark.parametrize('setup', ['idle', 'waiting'])
@pytest.mark.parametrize('call, exc_type, message',
                         [row[1:] for row in READER_CALLS],
                         ids=[row[0] for row in READER_CALLS])
def test_reader_rejects_bad_input_state_unchanged(loop, setup, call,
                                                  exc_type, message):
    """RD-1, RD-4, RD-6, RD-9, RD-11, HB-5, CO-1: each bad call raises the
    documented exception with a clear message (the coroutine methods when
    they run, not when called), and the reader's buffer and state are
    unchanged; a read call that was waiting is not disturbed."""
    reader, task = make_reader(loop, setup)
    before = state(reader)
    with pytest.raises(exc_type) as info:
        result = call(reader)
        if compat.iscoroutine(result):
            loop.run_until_complete(compat.as_coroutine(result))
    assert info.match(message)
    assert state(reader) == before
    if task is not None:
        assert not task.done()
        reader.feed_data(b'c\n')
        assert loop.run_until_complete(task) == b'abc\n'
    assert bytes(reader._buffer) == (b'abc\nde' if task is None else b'')


@pytest.mark.parametrize('call', [
    lambda r: r.feed_data(b'more'),
    lambda r: r.feed_data(b''),
    lambda r: r.feed_data(bytearray(b'x')),
], ids=['bytes', 'empty', 'bytearray'])
@pytest.mark.rule('HB-5')
def test_feed_data_after_feed_eof(loop, call):
    """RD-6, HB-5: feed_data after feed_eof raises
    AssertionError('feed_data after feed_eof'), even for b'' and even
    under python -O (an explicit raise, not an assert); nothing is added."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'data')
    reader.feed_eof()
    before = state(reader)
    with pytest.raises(AssertionError) as info:
        call(reader)
    assert str(info.value) == 'feed_data after feed_eof'
    assert state(reader) == before
    assert loop.run_until_complete(compat.as_coroutine(reader.read())) == \
        b'data'


@pytest.mark.rule('HB-5')
def test_set_transport_twice(loop):
    """RD-4, HB-5: a second set_transport raises
    AssertionError('Transport already set') under python -O too, and the
    first transport stays."""
    reader = StreamReader(loop=loop)
    first = FakeTransport()
    reader.set_transport(first)
    with pytest.raises(AssertionError) as info:
        reader.set_transport(FakeTransport())
    assert str(info.value) == 'Transport already set'
    assert reader._transport is first


@pytest.mark.rule('HB-5')
def test_pause_resume_writing_out_of_order(loop):
    """FC-W1, HB-5: pause_writing twice and resume_writing while not
    paused raise AssertionError under python -O too; the paused state and
    pending drain Futures are left as they were."""
    reader = StreamReader(loop=loop)
    protocol = StreamReaderProtocol(reader, loop=loop)
    transport = FakeTransport()
    protocol.connection_made(transport)
    writer = StreamWriter(transport, protocol, reader, loop)
    with pytest.raises(AssertionError) as info:
        protocol.resume_writing()
    assert str(info.value) == 'resume_writing() called while not paused'
    assert writer.drain() == ()
    protocol.pause_writing()
    fut = writer.drain()
    with pytest.raises(AssertionError) as info:
        protocol.pause_writing()
    assert str(info.value) == 'pause_writing() called while paused'
    assert not fut.done()
    protocol.resume_writing()
    assert fut.done() and fut.result() is None
    transport.close()  # a transport is closed when it calls connection_lost
    protocol.connection_lost(None)


# --- Constructors ------------------------------------------------------------

CONSTRUCTORS = [
    ('limit-0', lambda lp: StreamReader(limit=0, loop=lp), ValueError,
     r'^Limit cannot be <= 0$'),
    ('limit-neg', lambda lp: StreamReader(limit=-1, loop=lp), ValueError,
     r'^Limit cannot be <= 0$'),
    ('limit-str', lambda lp: StreamReader(limit='x', loop=lp), TypeError,
     r'^limit must be an int or None, not str$'),
    ('limit-float', lambda lp: StreamReader(limit=1.5, loop=lp), TypeError,
     r'^limit must be an int or None, not float$'),
    ('limit-bool', lambda lp: StreamReader(limit=True, loop=lp), TypeError,
     r'^limit must be an int or None, not bool$'),
    ('no-loop', lambda lp: StreamReader(), RuntimeError,
     r'no current event loop'),
    ('protocol-cb-int',
     lambda lp: StreamReaderProtocol(StreamReader(loop=lp), 5, loop=lp),
     TypeError, r'^client_connected_cb must be callable or None, not int$'),
    ('protocol-cb-str',
     lambda lp: StreamReaderProtocol(StreamReader(loop=lp), 'cb', loop=lp),
     TypeError, r'^client_connected_cb must be callable or None, not str$'),
    ('IncompleteReadError-one-arg', lambda lp: IncompleteReadError(b'x'),
     TypeError, r"missing 1 required positional argument: 'expected'"),
]


@pytest.mark.parametrize('make, exc_type, message',
                         [row[1:] for row in CONSTRUCTORS],
                         ids=[row[0] for row in CONSTRUCTORS])
def test_constructors_reject_bad_input(loop, make, exc_type, message):
    """RD-1, HD-7, HB-4, CO-5, PR-1, EX-2: bad limits, no loop (after
    set_event_loop(None)), a non-callable client_connected_cb and a
    missing IncompleteReadError argument raise clear exceptions."""
    with pytest.raises(exc_type) as info:
        make(loop)
    assert info.match(message)


# --- Stream functions --------------------------------------------------------


def handler(reader, writer):
    writer.close()


FUNCTIONS = [
    ('start_server-cb-None',
     lambda lp, port: start_server(None, '127.0.0.1', 0, loop=lp),
     TypeError, r'^client_connected_cb must be callable, not NoneType$'),
    ('start_server-cb-str',
     lambda lp, port: start_server('cb', '127.0.0.1', 0, loop=lp),
     TypeError, r'^client_connected_cb must be callable, not str$'),
    ('start_server-limit-0',
     lambda lp, port: start_server(handler, '127.0.0.1', 0, loop=lp,
                                   limit=0),
     ValueError, r'^Limit cannot be <= 0$'),
    ('start_server-limit-str',
     lambda lp, port: start_server(handler, '127.0.0.1', 0, loop=lp,
                                   limit='x'),
     TypeError, r'^limit must be an int or None, not str$'),
    # A bad limit is rejected before connecting: not ConnectionRefusedError.
    ('open_connection-limit-0',
     lambda lp, port: open_connection('127.0.0.1', port, loop=lp, limit=0),
     ValueError, r'^Limit cannot be <= 0$'),
    ('open_connection-limit-float',
     lambda lp, port: open_connection('127.0.0.1', port, loop=lp,
                                      limit=1.5),
     TypeError, r'^limit must be an int or None, not float$'),
]
if HAS_UNIX:
    FUNCTIONS += [
        ('start_unix_server-cb-int',
         lambda lp, port: start_unix_server(1, '/nonexistent/x', loop=lp),
         TypeError, r'^client_connected_cb must be callable, not int$'),
        ('start_unix_server-limit-neg',
         lambda lp, port: start_unix_server(handler, '/nonexistent/x',
                                            loop=lp, limit=-1),
         ValueError, r'^Limit cannot be <= 0$'),
        ('open_unix_connection-limit-0',
         lambda lp, port: open_unix_connection('/nonexistent/x', loop=lp,
                                               limit=0),
         ValueError, r'^Limit cannot be <= 0$'),
    ]


@pytest.mark.parametrize('call, exc_type, message',
                         [row[1:] for row in FUNCTIONS],
                         ids=[row[0] for row in FUNCTIONS])
def test_stream_functions_reject_bad_input(loop, run, call, exc_type,
                                           message):
    """FN-1..FN-5, RD-1, CO-1: a non-callable client_connected_cb and a bad
    limit raise when the coroutine runs (calling it does nothing), before
    any socket is bound or connected (a bound socket would need closing,
    a refused connection would raise ConnectionRefusedError instead)."""
    with closed_port() as port:
        coro = call(loop, port)
        assert compat.iscoroutine(coro)
        with pytest.raises(exc_type) as info:
            run(coro)
    assert info.match(message)


# --- StreamWriter on a real transport ----------------------------------------

WRITES = [
    ('str', 'text'),
    ('int', 5),
    ('list-of-str', ['x']),
]


def _bad_write_then_ok(loop, run, bad_write):
    """Connect, call ``bad_write(writer)``, then check that the connection
    still works and that the peer received exactly b'ok'."""
    @coroutine
    def main():
        received = compat.create_future(loop)

        @coroutine
        def server_side(reader, writer):
            try:
                received.set_result((yield from reader.read()))
            finally:
                writer.close()

        server = yield from start_server(server_side, '127.0.0.1', 0,
                                         loop=loop)
        try:
            port = server.sockets[0].getsockname()[1]
            reader, writer = yield from open_connection('127.0.0.1', port,
                                                        loop=loop)
            try:
                bad_write(writer)
                writer.write(b'ok')
                writer.write_eof()
                assert (yield from received) == b'ok'
            finally:
                writer.close()
        finally:
            server.close()
            yield from server.wait_closed()
    run(main())


@pytest.mark.parametrize('value', [row[1] for row in WRITES],
                         ids=[row[0] for row in WRITES])
def test_write_non_bytes_on_real_transport(loop, run, value):
    """WR-3: write() of a non-bytes object raises TypeError from the
    transport (stdlib: 'data argument must be a bytes-like object, not
    ...'; uvloop: 'memoryview: a bytes-like object is required, not ...');
    nothing is sent, and the connection keeps working."""
    def bad_write(writer):
        with pytest.raises(TypeError) as info:
            writer.write(value)
        assert info.match(r'bytes-like object')
        assert info.match(type(value).__name__ if
                          not isinstance(value, list) else 'list|str')
    _bad_write_then_ok(loop, run, bad_write)


def test_write_none_on_real_transport(loop, run):
    """WR-3: write(None) goes to the transport unchecked (contract: nothing is
    checked in between): the stdlib transport raises TypeError, uvloop
    ignores it.  Either way nothing is sent for it."""
    def bad_write(writer):
        try:
            writer.write(None)
        except TypeError as exc:
            assert 'bytes-like object' in str(exc)
    _bad_write_then_ok(loop, run, bad_write)
