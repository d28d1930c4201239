"""StreamReader construction and state (contract section 4.1).

The constructor's ``limit`` and ``loop``, exception() and set_exception(),
set_transport(), feed_eof(), feed_data() and at_eof(). Every test drives
the reader by feed_data()/feed_eof()/set_exception(): no sockets. Read
calls run either as tasks on the ``loop`` fixture (stepped with ``step``
from helpers.py) or, where the exact moment matters, driven by hand with
``send(None)``.
"""

import asyncio
import os
import subprocess
import sys

import pytest

import trollius_streams
from helpers import DATA, FakeTransport, start, step
from trollius_streams import LineTooLongError, StreamReader, coroutine

@pytest.mark.rule('RD-1')
def test_initial_state(loop):
    """RD-1, 8a: empty buffer, no EOF, no exception, no transport, not
    paused, no suspended call; _loop and _limit hold the resolved values."""
    r = StreamReader(loop=loop)
    assert r._loop is loop
    assert r._limit == 65536
    assert r._buffer == b''
    assert not r.at_eof()
    assert r.exception() is None
    assert r._transport is None
    assert r._paused is False
    assert r._waiter is None


@pytest.mark.parametrize('limit', [None, 1, 7, 2 ** 20],
                         ids=['None', '1', '7', '1MiB'])
@pytest.mark.rule('RD-1', 'HB-4')
def test_limit_values(loop, limit):
    """RD-1, HB-4, 8a: limit=None means 65536 (no crash later); positive
    integers are kept as _limit."""
    r = StreamReader(limit=limit, loop=loop)
    assert r._limit == (65536 if limit is None else limit)


@pytest.mark.rule('HB-4')
def test_limit_none_works(loop, run):
    """HB-4: an explicit limit=None survives readline and the pause check
    (3.4.0 crashed there with TypeError)."""
    r = StreamReader(limit=None, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'x' * 131072)
    assert t.names() == []
    r.feed_data(b'\n')
    assert t.names() == ['pause_reading']
    with pytest.raises(LineTooLongError):
        run(r.readline())


@pytest.mark.parametrize('limit', [0, -1, -65536], ids=['0', '-1', '-65536'])
@pytest.mark.rule('RD-1', 'HD-7')
def test_limit_not_positive(loop, limit):
    """RD-1, HD-7: a limit <= 0 raises ValueError('Limit cannot be <= 0')."""
    with pytest.raises(ValueError) as info:
        StreamReader(limit=limit, loop=loop)
    assert str(info.value) == 'Limit cannot be <= 0'


@pytest.mark.parametrize('limit', ['x', b'10', [10], object()],
                         ids=['str', 'bytes', 'list', 'object'])
@pytest.mark.rule('RD-1')
def test_limit_not_a_number(loop, limit):
    """RD-1: a limit that is not a number raises TypeError."""
    with pytest.raises(TypeError):
        StreamReader(limit=limit, loop=loop)


@pytest.mark.rule('RD-1', 'CO-5')
def test_loop_from_set_event_loop(loop):
    """RD-1, CO-5 (port of test_ctor_global_loop): without loop=, the
    constructor takes the loop set with set_event_loop()."""
    asyncio.set_event_loop(loop)
    try:
        r = StreamReader()
    finally:
        asyncio.set_event_loop(None)
    assert r._loop is loop


@pytest.mark.rule('RD-1', 'CO-5')
def test_loop_running(loop, run):
    """RD-1, CO-5: inside a running loop the constructor takes that loop,
    even when no loop is set."""
    @coroutine
    def make():
        return StreamReader()

    assert run(make())._loop is loop


@pytest.mark.rule('RD-1', 'CO-5')
def test_loop_none_set(loop):
    """RD-1, CO-5: the loop is resolved in the constructor, so with no loop
    set and none running the constructor itself raises RuntimeError."""
    asyncio.set_event_loop(None)
    with pytest.raises(RuntimeError):
        StreamReader()


@pytest.mark.rule('RD-2', 'RD-3')
def test_exception(loop):
    """RD-2, RD-3: exception() is None, then the stored object; a later
    set_exception replaces it; buffer and EOF flag are untouched."""
    r = StreamReader(loop=loop)
    assert r.exception() is None
    r.feed_data(b'abc')
    e1, e2 = ValueError('one'), OSError('two')
    r.set_exception(e1)
    assert r.exception() is e1
    r.set_exception(e2)
    assert r.exception() is e2
    assert r._buffer == b'abc'
    assert not r.at_eof()
    r.feed_eof()
    r.set_exception(e1)
    assert r._buffer == b'abc' and r._eof
    assert r.exception() is e1


@pytest.mark.rule('RD-3', 'RD-8a')
def test_set_exception_later_calls(loop, run):
    """RD-3, RD-8a: after set_exception every later read call raises the
    replacing exception object itself."""
    r = StreamReader(loop=loop)
    e1, e2 = ValueError('one'), ValueError('two')
    r.set_exception(e1)
    r.set_exception(e2)
    for _ in range(2):
        with pytest.raises(ValueError) as info:
            run(r.readline())
        assert info.value is e2


@pytest.mark.rule('RD-3', 'RD-8d')
def test_set_exception_wakes_waiter(loop):
    """RD-3, RD-8d (port of test_exception_waiter): a suspended readline
    raises the exception set by another task; the setter is a plain
    function decorated with coroutine (CO-4)."""
    r = StreamReader(loop=loop)
    exc = ValueError('boom')

    @coroutine
    def set_err():
        r.set_exception(exc)

    t1 = asyncio.Task(r.readline(), loop=loop)
    t2 = asyncio.Task(set_err(), loop=loop)
    loop.run_until_complete(asyncio.gather(t1, t2, return_exceptions=True))
    assert t2.result() is None
    with pytest.raises(ValueError) as info:
        t1.result()
    assert info.value is exc
    assert r._waiter is None


@pytest.mark.rule('RD-4')
def test_set_transport(loop):
    """RD-4, 8a: set_transport records the transport in _transport."""
    r = StreamReader(loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    assert r._transport is t
    assert t.names() == []


@pytest.mark.rule('RD-4', 'HB-5')
def test_set_transport_twice(loop):
    """RD-4, HB-5: a second set_transport raises
    AssertionError('Transport already set') and keeps the first one."""
    r = StreamReader(loop=loop)
    t1, t2 = FakeTransport(), FakeTransport()
    r.set_transport(t1)
    with pytest.raises(AssertionError) as info:
        r.set_transport(t2)
    assert str(info.value) == 'Transport already set'
    assert r._transport is t1


@pytest.mark.rule('RD-5')
def test_feed_eof_wakes_and_repeats(loop):
    """RD-5: feed_eof wakes a suspended read call (it returns the partial
    line); calling feed_eof again changes nothing."""
    r = StreamReader(loop=loop)
    r.feed_data(b'ab')
    task = start(loop, r.readline())
    assert not task.done()
    r.feed_eof()
    r.feed_eof()
    step(loop)
    assert task.result() == b'ab'
    r.feed_eof()
    assert r.at_eof()
    assert r._waiter is None


@pytest.mark.parametrize('data', [b'', b'x', bytearray(b'x'), bytearray(),
                                  memoryview(b'x')],
                         ids=['empty', 'bytes', 'bytearray',
                              'empty-bytearray', 'memoryview'])
@pytest.mark.rule('RD-6', 'HB-5')
def test_feed_data_after_eof(loop, data):
    """RD-6, HB-5: after feed_eof any feed_data, even empty, raises
    AssertionError('feed_data after feed_eof'); the buffer is unchanged."""
    r = StreamReader(loop=loop)
    r.feed_data(b'abc')
    r.feed_eof()
    with pytest.raises(AssertionError) as info:
        r.feed_data(data)
    assert str(info.value) == 'feed_data after feed_eof'
    assert r._buffer == b'abc'


@pytest.mark.rule('HB-5')
def test_integrity_checks_under_optimize():
    """HB-5, RD-4, RD-6: the AssertionErrors are raised explicitly, so they
    also fire under python -O (where assert statements vanish)."""
    code = '\n'.join([
        'import asyncio, sys',
        'from trollius_streams import StreamReader',
        'print(sys.flags.optimize)',
        'loop = asyncio.new_event_loop()',
        'r = StreamReader(loop=loop)',
        'r.set_transport(object())',
        'try:',
        '    r.set_transport(object())',
        'except AssertionError as e:',
        '    print(e)',
        'r.feed_eof()',
        'for d in (b"x", b""):',
        '    try:',
        '        r.feed_data(d)',
        '    except AssertionError as e:',
        '        print(e)',
        'print(bytes(r._buffer))',
        'loop.close()',
    ])
    root = os.path.dirname(os.path.dirname(
        os.path.abspath(trollius_streams.__file__)))
    env = dict(os.environ)
    env['PYTHONPATH'] = root + os.pathsep + env.get('PYTHONPATH', '')
    out = subprocess.check_output([sys.executable, '-O', '-W', 'error', '-c',
                                   code], env=env, cwd=root)
    assert out.decode().splitlines() == [
        '1', 'Transport already set', 'feed_data after feed_eof',
        'feed_data after feed_eof', "b''"]


@pytest.mark.rule('RD-6')
def test_feed_empty_data(loop):
    """RD-6 (port of test_feed_empty_data): empty data adds nothing and
    wakes no one."""
    r = StreamReader(loop=loop)
    r.feed_data(b'')
    assert r._buffer == b''
    task = start(loop, r.read(5))
    waiter = r._waiter
    r.feed_data(b'')
    r.feed_data(bytearray())
    step(loop)
    assert not waiter.done()
    assert not task.done()
    r.feed_data(b'z')
    step(loop)
    assert task.result() == b'z'


@pytest.mark.rule('RD-6')
def test_feed_nonempty_data(loop):
    """RD-6 (port of test_feed_nonempty_data): bytes are appended."""
    r = StreamReader(loop=loop)
    r.feed_data(DATA)
    assert r._buffer == DATA


@pytest.mark.rule('RD-6')
def test_feed_bytes_like(loop, run):
    """RD-6: bytes, bytearray and memoryview are accepted; the bytes are
    copied, so changing the caller's object later changes nothing."""
    r = StreamReader(loop=loop)
    ba = bytearray(b'12')
    r.feed_data(b'ab')
    r.feed_data(ba)
    r.feed_data(memoryview(b'xyz')[1:])
    ba[:] = b'??'
    assert r._buffer == b'ab12yz'
    r.feed_eof()
    data = run(r.read())
    assert data == b'ab12yz'
    assert type(data) is bytes


@pytest.mark.parametrize('data', ['abc', '', 5, None],
                         ids=['str', 'empty-str', 'int', 'None'])
@pytest.mark.rule('RD-6')
def test_feed_not_bytes_like(loop, data):
    """RD-6: other types are not part of the contract; the library refuses
    them with TypeError and leaves the buffer unchanged."""
    r = StreamReader(loop=loop)
    r.feed_data(b'ab')
    with pytest.raises(TypeError):
        r.feed_data(data)
    assert r._buffer == b'ab'


@pytest.mark.rule('RD-7')
def test_at_eof(loop, run):
    """RD-7 (port of test_at_eof): True exactly when feed_eof was called
    and the buffer is empty; a stored exception does not matter."""
    r = StreamReader(loop=loop)
    assert not r.at_eof()
    r.feed_data(b'some data\n')
    assert not r.at_eof()
    run(r.readline())
    assert not r.at_eof()
    r.feed_data(b'some data\n')
    r.feed_eof()
    assert not r.at_eof()
    run(r.readline())
    assert r.at_eof()
    r.set_exception(ValueError())
    assert r.at_eof()
    r2 = StreamReader(loop=loop)
    r2.set_exception(ValueError())
    assert not r2.at_eof()
    r2.feed_eof()
    assert r2.at_eof()
