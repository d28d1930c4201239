"""StreamReader (SPEC section 4, 6.1, 8a and the reader defects of section 9).

Every test here is driven by feed_data()/feed_eof()/set_exception(): no
sockets.  Flow control is checked with fake transports that record the
pause_reading()/resume_reading() calls.  Read calls run either as tasks on
the ``loop`` fixture (stepped with ``step``) or, where the exact moment
matters, driven by hand with ``send(None)``.

The ``port_*`` tests restate, in our own words, the scenarios of the
upstream 3.4.1 acceptance tests named in the SPEC.
"""

import asyncio
import os
import random
import subprocess
import sys

import pytest

import trollius_streams
from trollius_streams import (IncompleteReadError, LineTooLongError,
                              StreamReader, compat, coroutine)

DATA = b'line1\nline2\nline3\n'


# --- helpers -----------------------------------------------------------------


def step(loop, n=2):
    """Let the loop run a few iterations (every ready callback runs)."""
    for _ in range(n):
        loop.run_until_complete(asyncio.sleep(0))


def finish(loop, *tasks):
    """Cancel what is still running and collect every outcome."""
    for t in tasks:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def start(loop, coro):
    """Schedule a read call as a task and let it reach its first wait."""
    task = loop.create_task(coro)
    step(loop)
    return task


def now(coro):
    """Run a read call that must finish without waiting; return its result."""
    try:
        fut = coro.send(None)
    except StopIteration as e:
        return e.value
    coro.close()
    raise AssertionError('read call suspended on %r' % (fut,))


def drive_until_wait(coro):
    """Run a read call by hand up to its first wait; return the Future."""
    fut = coro.send(None)
    assert compat.isfuture(fut), fut
    return fut


class FakeTransport(object):
    """Records read flow-control calls; strict like the 0.4.1 transport.

    A repeated pause_reading() or a resume_reading() without a pause raises
    RuntimeError, so a reader that depends on repeats being harmless (SPEC
    FC-R4, M-23) fails the test.
    """

    def __init__(self, pause_exc=None):
        self.calls = []
        self.paused = False
        self.pause_exc = pause_exc

    def pause_reading(self):
        self.calls.append('pause')
        if self.pause_exc is not None:
            raise self.pause_exc
        if self.paused:
            raise RuntimeError('Already paused')
        self.paused = True

    def resume_reading(self):
        self.calls.append('resume')
        if not self.paused:
            raise RuntimeError('Not paused')
        self.paused = False


class Producer(FakeTransport):
    """A transport that delivers its chunks only while reading is not paused.

    One chunk per loop iteration, then feed_eof().  If the reader let the
    transport stay paused while it waits, EOF would never come (SPEC HD-1).
    """

    def __init__(self, loop, reader, chunks):
        FakeTransport.__init__(self)
        self.loop = loop
        self.reader = reader
        self.chunks = list(chunks)
        self.handle = None
        self.eof_sent = False
        reader.set_transport(self)
        self._schedule()

    def _schedule(self):
        if self.handle is None and not self.eof_sent:
            self.handle = self.loop.call_soon(self._deliver)

    def _deliver(self):
        self.handle = None
        if self.paused:
            return
        if self.chunks:
            self.reader.feed_data(self.chunks.pop(0))
            if not self.paused:
                self._schedule()
        else:
            self.eof_sent = True
            self.reader.feed_eof()

    def resume_reading(self):
        FakeTransport.resume_reading(self)
        self._schedule()


def assert_alternating(calls):
    """FC-R4: pause, resume, pause, resume, ... starting with a pause."""
    expected = ['pause', 'resume'] * (len(calls) // 2 + 1)
    assert calls == expected[:len(calls)], calls


# --- 4.1 construction and state ----------------------------------------------


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
    assert t.calls == []
    r.feed_data(b'\n')
    assert t.calls == ['pause']
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
    assert t.calls == []


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


# --- 4.2 rules common to the read calls --------------------------------------

READ_CALLS = {
    'read()': lambda r: r.read(),
    'read(-1)': lambda r: r.read(-1),
    'read(3)': lambda r: r.read(3),
    'read(0)': lambda r: r.read(0),
    'readline()': lambda r: r.readline(),
    'readexactly(3)': lambda r: r.readexactly(3),
    'readexactly(0)': lambda r: r.readexactly(0),
    'readexactly(-1)': lambda r: r.readexactly(-1),
}


@pytest.mark.parametrize('eof', [False, True], ids=['open', 'eof'])
@pytest.mark.parametrize('call', sorted(READ_CALLS))
@pytest.mark.rule('RD-8a', 'Q-3')
def test_exception_comes_first(loop, run, call, eof):
    """RD-8a, Q-3, RD-9, RD-11: with an exception stored, every read call
    raises it at once, even with data buffered, at EOF, for read(0) and
    readexactly(0); the buffered data stays (hidden, not consumed)."""
    r = StreamReader(loop=loop)
    r.feed_data(b'line\n')
    if eof:
        r.feed_eof()
    exc = ValueError('stored')
    r.set_exception(exc)
    with pytest.raises(ValueError) as info:
        run(READ_CALLS[call](r))
    assert info.value is exc
    assert r._buffer == b'line\n'
    assert r._waiter is None


@pytest.mark.rule('RD-8a')
def test_port_read_exception(loop, run):
    """RD-8a (port of test_read_exception): read(2) gets b'li'; after
    set_exception the next read(2) raises although data is buffered."""
    r = StreamReader(loop=loop)
    r.feed_data(b'line\n')
    assert run(r.read(2)) == b'li'
    r.set_exception(ValueError())
    with pytest.raises(ValueError):
        run(r.read(2))


@pytest.mark.rule('RD-8a')
def test_port_readline_exception(loop, run):
    """RD-8a (port of test_readline_exception)."""
    r = StreamReader(loop=loop)
    r.feed_data(b'line\n')
    assert run(r.readline()) == b'line\n'
    r.set_exception(ValueError())
    with pytest.raises(ValueError):
        run(r.readline())
    assert r._buffer == b''


@pytest.mark.rule('RD-8a')
def test_port_readexactly_exception(loop, run):
    """RD-8a (port of test_readexactly_exception)."""
    r = StreamReader(loop=loop)
    r.feed_data(b'line\n')
    assert run(r.readexactly(2)) == b'li'
    r.set_exception(ValueError())
    with pytest.raises(ValueError):
        run(r.readexactly(2))
    assert r._buffer == b'ne\n'


FIRST_WAITERS = {
    'read()': lambda r: r.read(),
    'read(5)': lambda r: r.read(5),
    'readline()': lambda r: r.readline(),
    'readexactly(5)': lambda r: r.readexactly(5),
}

SECOND_CALLS = [
    ('read', lambda r: r.read(2)),
    ('read', lambda r: r.read()),
    ('readline', lambda r: r.readline()),
    ('readexactly', lambda r: r.readexactly(2)),
]


@pytest.mark.parametrize('second', SECOND_CALLS,
                         ids=['read(2)', 'read()', 'readline()',
                              'readexactly(2)'])
@pytest.mark.parametrize('first', sorted(FIRST_WAITERS))
@pytest.mark.rule('RD-8b')
def test_one_reader_at_a_time(loop, run, first, second):
    """RD-8b: a read call that would wait while another is suspended raises
    RuntimeError naming the method actually called (readexactly, not
    read); the suspended call is unaffected and later gets its data."""
    name, call = second
    r = StreamReader(loop=loop)
    task = start(loop, FIRST_WAITERS[first](r))
    waiter = r._waiter
    assert waiter is not None
    try:
        with pytest.raises(RuntimeError) as info:
            run(call(r))
        assert str(info.value) == (
            '%s() called while another coroutine is already waiting for '
            'incoming data' % name)
        assert r._waiter is waiter and not waiter.done()
        r.feed_data(b'12345\n')
        r.feed_eof()
        step(loop)
        assert task.done()
        assert task.result()[:2] == b'12'
    finally:
        finish(loop, task)


@pytest.mark.parametrize('second', [
    ('read', lambda r: r.read(1)),
    ('read', lambda r: r.read(2)),
    ('readexactly', lambda r: r.readexactly(2)),
    ('readexactly', lambda r: r.readexactly(1)),
], ids=['read(1)', 'read(2)', 'readexactly(2)', 'readexactly(1)'])
@pytest.mark.parametrize('first', ['read()', 'readline()', 'readexactly(5)'])
@pytest.mark.rule('RD-8b', 'Q-4')
def test_one_reader_even_if_buffer_suffices(loop, first, second):
    """RD-8b, Q-4: while a call is suspended with partial bytes buffered, a
    second call that could finish from the buffer still raises
    RuntimeError and consumes nothing (the partial bytes stay for the
    suspended call)."""
    name, call = second
    r = StreamReader(loop=loop)
    r.feed_data(b'ab')
    task = start(loop, FIRST_WAITERS[first](r))
    try:
        assert not task.done()
        with pytest.raises(RuntimeError) as info:
            now(call(r))
        assert str(info.value).startswith('%s() called while' % name)
        assert r._buffer == b'ab'
        r.feed_data(b'cde\n')
        r.feed_eof()
        step(loop)
        assert task.result() == b'abcde\n'[:len(task.result())]
        assert task.result().startswith(b'abcde')
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-8b', 'HB-2')
def test_no_reader_slips_in_before_resume(loop):
    """RD-8b, HB-2: between the wakeup by feed_data and the resumption of
    the suspended call, another read call is refused, so it cannot take
    the bytes and make the first call return b'' before EOF."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read(5))
    try:
        r.feed_data(b'abc')
        assert r._waiter is not None and r._waiter.done()
        with pytest.raises(RuntimeError):
            now(r.read(2))
        with pytest.raises(RuntimeError):
            now(r.readline())
        assert r._buffer == b'abc'
        step(loop)
        assert task.result() == b'abc'
    finally:
        finish(loop, task)


@pytest.mark.rule('HB-2', 'RD-9')
def test_read_never_empty_before_eof(loop):
    """HB-2, RD-9: if read(n) resumes and finds the buffer empty without
    EOF (here emptied behind its back), it waits again instead of
    returning b''."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read(5))
    try:
        r.feed_data(b'abc')
        r._take_all()   # another consumer empties the buffer
        step(loop)
        assert not task.done()
        assert r._waiter is not None
        r.feed_data(b'yz')
        step(loop)
        assert task.result() == b'yz'
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-8d', 'HB-1')
def test_read_n_empty_after_wakeup_with_exception(loop):
    """RD-8d, HB-1, HB-2: read(n) that resumes with nothing to return (here
    the buffer was emptied behind its back) and an exception stored raises
    it instead of waiting again."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read(5))
    try:
        exc = ValueError('late')
        r.feed_data(b'abc')
        r._take_all()   # another consumer empties the buffer
        r.set_exception(exc)
        step(loop)
        assert task.done()
        with pytest.raises(ValueError) as info:
            task.result()
        assert info.value is exc
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-8c')
def test_no_wait_when_buffer_suffices(loop):
    """RD-8c: a call that can finish from the buffer (or at EOF) completes
    without waiting and leaves _waiter None."""
    r = StreamReader(loop=loop)
    r.feed_data(b'ab\ncdefg')
    assert now(r.readline()) == b'ab\n'
    assert now(r.read(2)) == b'cd'
    assert now(r.readexactly(2)) == b'ef'
    r.feed_eof()
    assert now(r.read()) == b'g'
    assert now(r.read(3)) == b''
    assert now(r.readline()) == b''
    assert r._waiter is None


@pytest.mark.rule('RD-8c')
def test_wakeup_in_later_iteration(loop):
    """RD-8c: feed_data wakes the suspended call but it does not run inside
    feed_data; it resumes later and sees every feed_* made before that."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read())
    try:
        r.feed_data(b'a')
        assert not task.done()
        r.feed_data(b'b')
        r.feed_eof()
        assert not task.done()
        step(loop)
        assert task.result() == b'ab'
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-8c', 'RD-10')
def test_port_readline(loop, run):
    """RD-8c, RD-10 (port of test_readline): three feed_data calls made in
    one callback all count toward one suspended readline."""
    r = StreamReader(loop=loop)
    r.feed_data(b'chunk1 ')
    task = asyncio.Task(r.readline(), loop=loop)

    def cb():
        r.feed_data(b'chunk2 ')
        r.feed_data(b'chunk3 ')
        r.feed_data(b'\n chunk4')

    loop.call_soon(cb)
    assert run(task) == b'chunk1 chunk2 chunk3 \n'
    assert r._buffer == b' chunk4'


WAIT_FOR_MORE = {
    # call, bytes buffered before it, bytes fed while it waits
    'readline()': (lambda r: r.readline(), b'ab', b'c'),
    'readexactly(5)': (lambda r: r.readexactly(5), b'ab', b'c'),
    'read()': (lambda r: r.read(), b'ab', b'c'),
}


@pytest.mark.parametrize('case', sorted(WAIT_FOR_MORE))
@pytest.mark.rule('HB-1', 'RD-8d')
def test_data_then_exception(loop, case):
    """HB-1, RD-8d, RD-3: feed_data(partial) then set_exception before the
    suspended call resumes: it raises the exception instead of waiting
    again (no hang); the bytes stay in the buffer."""
    call, before, fed = WAIT_FOR_MORE[case]
    r = StreamReader(loop=loop)
    r.feed_data(before)
    task = start(loop, call(r))
    try:
        assert not task.done()
        exc = ValueError('late')
        r.feed_data(fed)
        r.set_exception(exc)
        step(loop)
        assert task.done(), 'read call hangs (HB-1)'
        with pytest.raises(ValueError) as info:
            task.result()
        assert info.value is exc
        assert r._buffer == before + fed
        assert r._waiter is None
    finally:
        finish(loop, task)


@pytest.mark.parametrize('case', sorted(WAIT_FOR_MORE))
@pytest.mark.rule('RD-8d')
def test_exception_while_waiting(loop, case):
    """RD-8d, RD-3: a suspended call raises the exception given to
    set_exception; the buffer is unchanged."""
    call, before, _ = WAIT_FOR_MORE[case]
    r = StreamReader(loop=loop)
    r.feed_data(before)
    task = start(loop, call(r))
    try:
        exc = OSError('gone')
        r.set_exception(exc)
        step(loop)
        with pytest.raises(OSError) as info:
            task.result()
        assert info.value is exc
        assert r._buffer == before
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-8d')
def test_read_n_data_then_exception(loop, run):
    """RD-8d: read(n > 0) woken by data returns it even if set_exception
    came right after; the next call raises."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read(10))
    try:
        exc = ValueError('after')
        r.feed_data(b'data')
        r.set_exception(exc)
        step(loop)
        assert task.result() == b'data'
        with pytest.raises(ValueError) as info:
            run(r.read(10))
        assert info.value is exc
    finally:
        finish(loop, task)


@pytest.mark.parametrize('call, fed, result', [
    (lambda r: r.readline(), b'c\nd', b'abc\n'),
    (lambda r: r.readexactly(3), b'cd', b'abc'),
], ids=['readline', 'readexactly'])
@pytest.mark.rule('RD-8d')
def test_complete_data_then_exception(loop, run, call, fed, result):
    """RD-8d: a call woken by data that no longer needs more returns its
    result even if set_exception came right after; the next call raises."""
    r = StreamReader(loop=loop)
    r.feed_data(b'ab')
    task = start(loop, call(r))
    try:
        exc = ValueError('after')
        r.feed_data(fed)
        r.set_exception(exc)
        step(loop)
        assert task.result() == result
        with pytest.raises(ValueError):
            run(r.read(1))
    finally:
        finish(loop, task)


# --- 4.3 read() --------------------------------------------------------------


@pytest.mark.rule('RD-9')
def test_port_read_zero(loop, run):
    """RD-9 (port of test_read_zero): read(0) returns b'' and consumes
    nothing."""
    r = StreamReader(loop=loop)
    r.feed_data(DATA)
    assert run(r.read(0)) == b''
    assert r._buffer == DATA


@pytest.mark.rule('RD-9')
def test_read_zero_does_not_wait(loop):
    """RD-9: read(0) returns b'' at once on an empty open stream."""
    r = StreamReader(loop=loop)
    assert now(r.read(0)) == b''
    assert r._waiter is None


@pytest.mark.rule('RD-9')
def test_port_read(loop, run):
    """RD-9 (port of test_read): read(30) on an empty stream waits, then
    returns what arrived."""
    r = StreamReader(loop=loop)
    task = asyncio.Task(r.read(30), loop=loop)
    loop.call_soon(r.feed_data, DATA)
    assert run(task) == DATA
    assert r._buffer == b''


@pytest.mark.rule('RD-9')
def test_port_read_line_breaks(loop, run):
    """RD-9 (port of test_read_line_breaks): read(n) ignores line ends."""
    r = StreamReader(loop=loop)
    r.feed_data(b'line1')
    r.feed_data(b'line2')
    assert run(r.read(5)) == b'line1'
    assert r._buffer == b'line2'


@pytest.mark.rule('RD-9')
def test_port_read_eof(loop, run):
    """RD-9 (port of test_read_eof): a suspended read(1024) returns b'' on
    EOF with an empty buffer."""
    r = StreamReader(loop=loop)
    task = asyncio.Task(r.read(1024), loop=loop)
    loop.call_soon(r.feed_eof)
    assert run(task) == b''
    assert r._buffer == b''
    assert r.at_eof()


@pytest.mark.rule('RD-9')
def test_port_read_until_eof(loop, run):
    """RD-9 (port of test_read_until_eof): read(-1) collects every chunk up
    to EOF; afterwards at_eof() is True."""
    r = StreamReader(loop=loop)
    task = asyncio.Task(r.read(-1), loop=loop)

    def cb():
        r.feed_data(b'chunk1\n')
        r.feed_data(b'chunk2')
        r.feed_eof()

    loop.call_soon(cb)
    assert run(task) == b'chunk1\nchunk2'
    assert r._buffer == b''
    assert r.at_eof()


@pytest.mark.rule('RD-9')
def test_read_all_over_several_wakeups(loop):
    """RD-9: read() keeps waiting across several feeds until EOF; the
    bytes stay in _buffer meanwhile (8a)."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read())
    try:
        for chunk in (b'a', b'bc', b'def'):
            r.feed_data(chunk)
            step(loop)
            assert not task.done()
        assert r._buffer == b'abcdef'
        assert r._waiter is not None
        r.feed_eof()
        step(loop)
        assert task.result() == b'abcdef'
        assert r.at_eof()
        assert r._waiter is None
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-9')
def test_read_all_empty(loop, run):
    """RD-9: read(-1) at EOF with nothing buffered returns b''."""
    r = StreamReader(loop=loop)
    r.feed_eof()
    assert run(r.read()) == b''
    assert run(r.read(-5)) == b''


@pytest.mark.rule('RD-9')
def test_read_not_bounded_by_limit(loop, run):
    """RD-9: limit bounds neither read(n) nor read(-1)."""
    r = StreamReader(limit=2, loop=loop)
    r.feed_data(b'0123456789')
    assert run(r.read(100)) == b'0123456789'
    r.feed_data(b'abcdefghij' * 10)
    r.feed_eof()
    assert run(r.read()) == b'abcdefghij' * 10


@pytest.mark.parametrize('method', ['read', 'readexactly'])
@pytest.mark.parametrize('n', [None, '3', 3.0, b'3'],
                         ids=['None', 'str', 'float', 'bytes'])
@pytest.mark.rule('RD-9', 'CO-1')
def test_size_must_be_int(loop, run, method, n):
    """RD-9 decision, CO-1: read(None), read('3'), readexactly('3') ...
    raise TypeError when run (calling the method runs none of its body);
    nothing is consumed."""
    r = StreamReader(loop=loop)
    r.feed_data(b'12345')
    coro = getattr(r, method)(n)
    assert r._buffer == b'12345'
    with pytest.raises(TypeError):
        run(coro)
    assert r._buffer == b'12345'


@pytest.mark.rule('HD-1')
def test_read_all_with_small_limit(loop, run):
    """HD-1, RD-9, FC-R3: limit 1, the peer sends b'data' and closes;
    read(-1) returns b'data' although the buffer passed 2*limit (the
    transport only delivers EOF while it is not paused)."""
    r = StreamReader(limit=1, loop=loop)
    p = Producer(loop, r, [b'data'])
    assert run(r.read(-1), timeout=5) == b'data'
    assert p.eof_sent
    assert r.at_eof()
    assert_alternating(p.calls)
    assert not p.paused and not r._paused


@pytest.mark.rule('HD-1')
def test_read_all_many_chunks(loop, run):
    """HD-1, RD-9, FC-R1, FC-R3, FC-R4: read(-1) with many chunks that
    repeatedly cross 2*limit finishes with every byte, in order; pause and
    resume alternate."""
    chunks = [bytes([65 + i % 26]) * (i % 7 + 1) for i in range(60)]
    r = StreamReader(limit=4, loop=loop)
    p = Producer(loop, r, chunks)
    assert run(r.read(), timeout=5) == b''.join(chunks)
    assert 'pause' in p.calls
    assert_alternating(p.calls)
    assert not p.paused and not r._paused


# --- 4.3 readline() ----------------------------------------------------------


@pytest.mark.rule('RD-10')
def test_port_readline_nolimit_nowait(loop, run):
    """RD-10 (port of test_readline_nolimit_nowait)."""
    r = StreamReader(loop=loop)
    r.feed_data(DATA[:6])
    r.feed_data(DATA[6:])
    assert run(r.readline()) == b'line1\n'
    assert r._buffer == b'line2\nline3\n'


@pytest.mark.rule('RD-10')
def test_port_readline_eof(loop, run):
    """RD-10 (port of test_readline_eof): at EOF without newline, the
    partial bytes come back."""
    r = StreamReader(loop=loop)
    r.feed_data(b'some data')
    r.feed_eof()
    assert run(r.readline()) == b'some data'
    assert r.at_eof()


@pytest.mark.rule('RD-10')
def test_port_readline_empty_eof(loop, run):
    """RD-10 (port of test_readline_empty_eof)."""
    r = StreamReader(loop=loop)
    r.feed_eof()
    assert run(r.readline()) == b''


@pytest.mark.rule('RD-10', 'RD-9')
def test_port_readline_read_byte_count(loop, run):
    """RD-10, RD-9 (port of test_readline_read_byte_count)."""
    r = StreamReader(loop=loop)
    r.feed_data(DATA)
    assert run(r.readline()) == b'line1\n'
    assert run(r.read(7)) == b'line2\nl'
    assert r._buffer == b'ine3\n'


@pytest.mark.rule('RD-10')
def test_readline_waits_across_feeds(loop):
    """RD-10, 8a: a suspended readline keeps the partial line in _buffer
    across wakeups and returns through the first newline only."""
    r = StreamReader(loop=loop)
    task = start(loop, r.readline())
    try:
        r.feed_data(b'ab')
        step(loop)
        assert not task.done() and r._buffer == b'ab'
        r.feed_data(b'cd')
        step(loop)
        assert not task.done() and r._buffer == b'abcd'
        r.feed_data(b'e\nf\ng')
        step(loop)
        assert task.result() == b'abcde\n'
        assert r._buffer == b'f\ng'
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-10', 'Q-1')
def test_port_readline_limit_with_existing_data(loop, run):
    """RD-10, Q-1 (port of test_readline_limit_with_existing_data): limit 3
    and b'line1\\nline2\\n' -> ValueError, buffer b'line2\\n'; limit 3 and
    b'line1li' -> ValueError, buffer b''."""
    r = StreamReader(limit=3, loop=loop)
    r.feed_data(b'li')
    r.feed_data(b'ne1\nline2\n')
    with pytest.raises(ValueError) as info:
        run(r.readline())
    assert str(info.value) == 'Line is too long'
    assert info.value.partial == b'line1\n'
    assert r._buffer == b'line2\n'

    r = StreamReader(limit=3, loop=loop)
    r.feed_data(b'li')
    r.feed_data(b'ne1')
    r.feed_data(b'li')
    with pytest.raises(ValueError) as info:
        run(r.readline())
    assert info.value.partial == b'line1li'
    assert r._buffer == b''


@pytest.mark.rule('RD-10', 'Q-1')
def test_port_readline_limit(loop, run):
    """RD-10, Q-1 (port of test_readline_limit): limit 7; the chunks arrive
    while readline waits.  b'chunk1chunk2chunk3\\n' -> ValueError, buffer
    b''; b'chunk1chunk2\\nchunk3\\n' -> ValueError, buffer b'chunk3\\n'."""
    r = StreamReader(limit=7, loop=loop)

    def cb():
        r.feed_data(b'chunk1')
        r.feed_data(b'chunk2')
        r.feed_data(b'chunk3\n')
        r.feed_eof()

    loop.call_soon(cb)
    with pytest.raises(ValueError) as info:
        run(r.readline())
    assert info.value.partial == b'chunk1chunk2chunk3\n'
    assert r._buffer == b''

    r = StreamReader(limit=7, loop=loop)

    def cb2():
        r.feed_data(b'chunk1')
        r.feed_data(b'chunk2\n')
        r.feed_data(b'chunk3\n')
        r.feed_eof()

    loop.call_soon(cb2)
    with pytest.raises(ValueError) as info:
        run(r.readline())
    assert info.value.partial == b'chunk1chunk2\n'
    assert r._buffer == b'chunk3\n'
    # The rest is a normal line.
    assert run(r.readline()) == b'chunk3\n'


@pytest.mark.rule('RD-10')
def test_readline_limit_already_buffered(loop, run):
    """RD-10: limit 7 with b'chunk1chunk2\\nchunk3\\n' buffered ->
    ValueError, buffer b'chunk3\\n'."""
    r = StreamReader(limit=7, loop=loop)
    r.feed_data(b'chunk1chunk2\nchunk3\n')
    with pytest.raises(ValueError):
        run(r.readline())
    assert r._buffer == b'chunk3\n'


@pytest.mark.parametrize('data, line', [
    (b'abc\n', b'abc\n'),
    (b'abc\nxyz', b'abc\n'),
    (b'\n', b'\n'),
], ids=['exact', 'exact-then-more', 'newline-only'])
@pytest.mark.rule('RD-10')
def test_readline_exact_limit_accepted(loop, run, data, line):
    """RD-10: a line of exactly limit bytes, counting its newline, is
    accepted."""
    r = StreamReader(limit=4, loop=loop)
    r.feed_data(data)
    assert run(r.readline()) == line


@pytest.mark.rule('RD-10')
def test_readline_limit_counts_newline(loop, run):
    """RD-10, M-5: the limit counts the newline: limit 4 and b'abcd\\n'
    raises (3.4 rule, not the modern one)."""
    r = StreamReader(limit=4, loop=loop)
    r.feed_data(b'abcd\nok\n')
    with pytest.raises(LineTooLongError) as info:
        run(r.readline())
    assert info.value.partial == b'abcd\n'
    assert run(r.readline()) == b'ok\n'


@pytest.mark.rule('RD-10')
def test_readline_limit_buffer_equal_limit_waits(loop):
    """RD-10 case (b): limit bytes without newline are not too many yet;
    the call waits, and a newline then makes it too long (case (a))."""
    r = StreamReader(limit=3, loop=loop)
    r.feed_data(b'abc')
    task = start(loop, r.readline())
    try:
        assert not task.done()
        r.feed_data(b'\nz')
        step(loop)
        with pytest.raises(LineTooLongError) as info:
            task.result()
        assert info.value.partial == b'abc\n'
        assert r._buffer == b'z'
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-10', 'Q-1')
def test_readline_too_long_while_waiting(loop, run):
    """RD-10 case (b), Q-1: a suspended readline raises once the buffer
    exceeds the limit without newline; the whole buffer goes into
    .partial; the rest of the long line is later returned as a line."""
    r = StreamReader(limit=4, loop=loop)
    r.feed_data(b'ab')
    task = start(loop, r.readline())
    try:
        r.feed_data(b'cde')
        step(loop)
        with pytest.raises(LineTooLongError) as info:
            task.result()
        assert info.value.partial == b'abcde'
        assert r._buffer == b''
        r.feed_data(b'fg\nnex\n')
        assert run(r.readline()) == b'fg\n'
        assert run(r.readline()) == b'nex\n'
    finally:
        finish(loop, task)


@pytest.mark.rule('RD-10')
def test_readline_too_long_tail_at_eof(loop, run):
    """RD-10 case (b): at EOF an unterminated tail longer than limit
    raises instead of being returned; then the reader is at EOF."""
    r = StreamReader(limit=3, loop=loop)
    r.feed_data(b'abcd')
    r.feed_eof()
    with pytest.raises(LineTooLongError) as info:
        run(r.readline())
    assert info.value.partial == b'abcd'
    assert r.at_eof()
    assert run(r.readline()) == b''


@pytest.mark.rule('Q-1')
def test_line_too_long_error(loop, run):
    """Q-1: LineTooLongError is a public ValueError subclass with message
    'Line is too long'; .partial ends with b'\\n' exactly when the line
    end was reached."""
    assert 'LineTooLongError' in trollius_streams.__all__
    assert issubclass(LineTooLongError, ValueError)
    r = StreamReader(limit=3, loop=loop)
    r.feed_data(b'12345\n')
    with pytest.raises(LineTooLongError) as info:
        run(r.readline())
    assert type(info.value) is LineTooLongError
    assert info.value.args == ('Line is too long',)
    assert info.value.partial == b'12345\n'
    r.feed_data(b'67890')
    with pytest.raises(LineTooLongError) as info:
        run(r.readline())
    assert info.value.partial == b'67890'
    assert not info.value.partial.endswith(b'\n')


# --- 4.3 readexactly() -------------------------------------------------------


@pytest.mark.rule('RD-11')
def test_port_readexactly(loop, run):
    """RD-11 (port of test_readexactly): readexactly(2*len(DATA)) waits
    across three feeds and leaves the rest buffered."""
    r = StreamReader(loop=loop)
    n = 2 * len(DATA)
    task = asyncio.Task(r.readexactly(n), loop=loop)

    def cb():
        r.feed_data(DATA)
        r.feed_data(DATA)
        r.feed_data(DATA)

    loop.call_soon(cb)
    assert run(task) == DATA + DATA
    assert r._buffer == DATA


@pytest.mark.rule('RD-11', 'Q-7')
def test_port_readexactly_zero_or_less(loop, run):
    """RD-11, Q-7, M-6 (port of test_readexactly_zero_or_less):
    readexactly(0) and readexactly(-1) return b'' and consume nothing."""
    r = StreamReader(loop=loop)
    r.feed_data(DATA)
    assert run(r.readexactly(0)) == b''
    assert r._buffer == DATA
    assert run(r.readexactly(-1)) == b''
    assert r._buffer == DATA


@pytest.mark.rule('RD-11')
def test_readexactly_zero_does_not_wait(loop):
    """RD-11: n <= 0 returns at once even on an empty open stream."""
    r = StreamReader(loop=loop)
    assert now(r.readexactly(0)) == b''
    assert now(r.readexactly(-7)) == b''


@pytest.mark.rule('RD-11')
def test_port_readexactly_eof(loop, run):
    """RD-11, EX-2 (port of test_readexactly_eof): EOF after 18 of 36
    bytes raises IncompleteReadError(partial, expected); the buffer is
    emptied and at_eof() is True."""
    r = StreamReader(loop=loop)
    n = 2 * len(DATA)
    task = asyncio.Task(r.readexactly(n), loop=loop)

    def cb():
        r.feed_data(DATA)
        r.feed_eof()

    loop.call_soon(cb)
    with pytest.raises(IncompleteReadError) as info:
        run(task)
    assert info.value.partial == DATA
    assert info.value.expected == n
    assert str(info.value) == '18 bytes read on a total of 36 expected bytes'
    assert r._buffer == b''
    assert r.at_eof()


@pytest.mark.rule('RD-11')
def test_readexactly_eof_already(loop, run):
    """RD-11: at EOF with fewer bytes, raise at once; with an empty
    buffer partial is b''."""
    r = StreamReader(loop=loop)
    r.feed_data(b'ab')
    r.feed_eof()
    with pytest.raises(IncompleteReadError) as info:
        run(r.readexactly(3))
    assert (info.value.partial, info.value.expected) == (b'ab', 3)
    with pytest.raises(IncompleteReadError) as info:
        run(r.readexactly(1))
    assert (info.value.partial, info.value.expected) == (b'', 1)


@pytest.mark.rule('RD-11')
def test_readexactly_exact(loop, run):
    """RD-11: exactly n bytes come back, the rest stays."""
    r = StreamReader(limit=2, loop=loop)
    r.feed_data(b'0123456789')
    assert run(r.readexactly(7)) == b'0123456'
    assert run(r.readexactly(3)) == b'789'
    assert r._buffer == b''


@pytest.mark.rule('RD-11', 'FC-R3')
def test_readexactly_more_than_twice_limit(loop, run):
    """RD-11, FC-R3, FC-R4: readexactly(n) with n > 2*limit finishes with a
    transport that only delivers while not paused."""
    chunks = [b'%02d' % i for i in range(40)]
    r = StreamReader(limit=3, loop=loop)
    p = Producer(loop, r, chunks)
    assert run(r.readexactly(50), timeout=5) == b''.join(chunks)[:50]
    assert 'pause' in p.calls
    assert_alternating(p.calls)


# --- 4.4 cancellation --------------------------------------------------------


@pytest.mark.rule('RD-12')
def test_port_exception_cancel(loop):
    """RD-8e, RD-12(1), RD-12(3) (port of test_exception_cancel): after a
    waiting readline is cancelled, set_exception works and _waiter is
    None."""
    r = StreamReader(loop=loop)

    @coroutine
    def read_a_line():
        yield from r.readline()

    task = asyncio.Task(read_a_line(), loop=loop)
    step(loop, 1)
    task.cancel()
    step(loop, 1)
    r.set_exception(RuntimeError('message'))
    step(loop, 1)
    assert task.cancelled()
    assert r._waiter is None


@pytest.mark.parametrize('case', sorted(WAIT_FOR_MORE))
@pytest.mark.rule('RD-12')
def test_cancel_then_feed(loop, case):
    """RD-8e, RD-12(1), RD-12(3): cancelling a suspended call raises
    CancelledError; feed_data, feed_eof and set_exception called right
    after the cancel (before the call unwinds) work normally and leave the
    cancelled wait alone."""
    call, before, fed = WAIT_FOR_MORE[case]
    r = StreamReader(loop=loop)
    r.feed_data(before)
    task = start(loop, call(r))
    waiter = r._waiter
    task.cancel()
    r.feed_data(fed)
    r.feed_eof()
    r.set_exception(ValueError())
    assert waiter.cancelled()
    step(loop)
    assert task.cancelled()
    assert r._waiter is None
    assert r._buffer == before + fed


@pytest.mark.rule('HD-2')
def test_cancelled_readline_keeps_partial_line(loop, run):
    """HD-2, RD-10, RD-12(2): buffer b'abc', cancel a waiting readline,
    feed b'def\\n': the next readline returns b'abcdef\\n'."""
    r = StreamReader(loop=loop)
    r.feed_data(b'abc')
    task = start(loop, r.readline())
    task.cancel()
    step(loop)
    assert task.cancelled()
    assert r._buffer == b'abc'
    r.feed_data(b'def\n')
    assert run(r.readline()) == b'abcdef\n'


@pytest.mark.rule('HD-2')
def test_cancel_after_more_data(loop, run):
    """HD-2, RD-12(2): bytes that arrived while the readline waited also
    stay, in order."""
    r = StreamReader(loop=loop)
    task = start(loop, r.readline())
    r.feed_data(b'a')
    step(loop)
    r.feed_data(b'b')
    step(loop)
    task.cancel()
    step(loop)
    assert task.cancelled()
    r.feed_data(b'c\n')
    assert run(r.readline()) == b'abc\n'


@pytest.mark.rule('HD-3')
def test_cancelled_readexactly_keeps_data(loop, run):
    """HD-3, RD-11, RD-12(2): buffer b'abc', cancel readexactly(6), feed
    b'def': readexactly(3) returns b'abc', then b'def'."""
    r = StreamReader(loop=loop)
    r.feed_data(b'abc')
    task = start(loop, r.readexactly(6))
    task.cancel()
    step(loop)
    assert task.cancelled()
    r.feed_data(b'def')
    assert run(r.readexactly(3)) == b'abc'
    assert run(r.readexactly(3)) == b'def'


@pytest.mark.rule('HB-3')
def test_cancelled_read_all_keeps_data(loop, run):
    """HB-3, RD-9, RD-12(2): a cancelled read(-1) loses nothing: the next
    read(-1) returns every byte received so far."""
    r = StreamReader(loop=loop)
    task = start(loop, r.read())
    r.feed_data(b'abc')
    step(loop)
    r.feed_data(b'def')
    step(loop)
    task.cancel()
    step(loop)
    assert task.cancelled()
    assert r._buffer == b'abcdef'
    r.feed_data(b'g')
    r.feed_eof()
    assert run(r.read()) == b'abcdefg'


@pytest.mark.parametrize('call, fed, eof, result', [
    (lambda r: r.readline(), b'x\n', False, b'x\n'),
    (lambda r: r.readexactly(2), b'xy', False, b'xy'),
    (lambda r: r.read(5), b'xy', False, b'xy'),
    (lambda r: r.read(), b'xy', True, b'xy'),
], ids=['readline', 'readexactly', 'read(5)', 'read()'])
@pytest.mark.rule('RD-12')
def test_cancel_after_wakeup(loop, run, call, fed, eof, result):
    """RD-12(5): a cancel that lands after the call was woken but before it
    resumed still raises CancelledError, and the data stays buffered."""
    r = StreamReader(loop=loop)
    task = start(loop, call(r))
    r.feed_data(fed)
    if eof:
        r.feed_eof()
    assert r._waiter.done()
    task.cancel()
    step(loop)
    assert task.cancelled()
    assert r._buffer == fed
    assert r._waiter is None
    assert run(call(r)) == result


@pytest.mark.rule('HD-11')
def test_new_read_before_old_unwinds(loop):
    """HD-11, RD-8b, RD-12(4): a new readline may start as soon as the old
    wait is cancelled, before the old coroutine unwinds; the old one's
    unwinding does not clear the new wait."""
    r = StreamReader(loop=loop)
    r.feed_data(b'abc')
    old = start(loop, r.readline())
    old_waiter = r._waiter
    gate = compat.create_future(loop)
    seen = []

    @coroutine
    def second():
        yield from gate
        seen.append(old.done())
        return (yield from r.readline())

    new = start(loop, second())
    try:
        gate.set_result(None)   # the new task resumes first ...
        old.cancel()            # ... the old one unwinds after it
        step(loop)
        assert seen == [False], 'the test did not hit the HD-11 window'
        assert old.cancelled()
        assert r._waiter is not None
        assert r._waiter is not old_waiter
        assert not r._waiter.done()
        r.feed_data(b'def\n')
        step(loop)
        assert new.result() == b'abcdef\n'
        assert r._waiter is None
    finally:
        finish(loop, old, new)


@pytest.mark.rule('HD-11')
def test_cancelled_wait_does_not_block(loop):
    """HD-11, RD-8b: a call whose wait was cancelled no longer counts as
    suspended, even before it unwound: a new call is not refused."""
    r = StreamReader(loop=loop)
    r.feed_data(b'abc')
    old = start(loop, r.readexactly(10))
    try:
        old.cancel()
        assert not old.done()
        assert now(r.read(2)) == b'ab'
        step(loop)
        assert old.cancelled()
        assert r._buffer == b'c'
    finally:
        finish(loop, old)


@pytest.mark.rule('HD-11')
def test_wait_for_timeout_then_readline(loop, run):
    """HD-11, RD-12(4): wait_for(readline(), t) times out, then a direct
    readline works (on 3.6 wait_for does not wait for the inner call to
    unwind) and gets the whole line, partial bytes included."""
    r = StreamReader(loop=loop)
    r.feed_data(b'ab')

    @coroutine
    def main():
        try:
            yield from asyncio.wait_for(r.readline(), 0.01)
        except asyncio.TimeoutError:
            pass
        else:
            raise AssertionError('wait_for did not time out')
        loop.call_soon(r.feed_data, b'c\n')
        return (yield from r.readline())

    assert run(main()) == b'abc\n'


# --- 6.1 read flow control ---------------------------------------------------


@pytest.mark.rule('FC-R1')
def test_pause_above_twice_limit(loop):
    """FC-R1, 8a: the reader pauses right after feed_data makes the buffer
    longer than 2*limit, once; _paused follows."""
    r = StreamReader(limit=3, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'123456')
    assert t.calls == [] and r._paused is False
    r.feed_data(b'7')
    assert t.calls == ['pause'] and r._paused is True
    r.feed_data(b'89')
    assert t.calls == ['pause']


@pytest.mark.rule('FC-R1')
def test_no_pause_without_transport(loop):
    """FC-R1: without a transport nothing is paused; data keeps coming."""
    r = StreamReader(limit=1, loop=loop)
    r.feed_data(b'x' * 100)
    assert r._paused is False
    assert r._buffer == b'x' * 100


@pytest.mark.rule('FC-R1')
def test_pause_default_limit(loop):
    """FC-R1: with the default limit the reader pauses once more than
    131072 bytes are buffered."""
    r = StreamReader(loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'x' * 131072)
    assert t.calls == []
    r.feed_data(b'x')
    assert t.calls == ['pause']


@pytest.mark.rule('FC-R1')
def test_pause_not_implemented(loop, run):
    """FC-R1: if pause_reading raises NotImplementedError the reader forgets
    the transport, never pauses or resumes again and keeps buffering."""
    r = StreamReader(limit=1, loop=loop)
    t = FakeTransport(pause_exc=NotImplementedError())
    r.set_transport(t)
    r.feed_data(b'abc')
    assert t.calls == ['pause']
    assert r._transport is None
    assert r._paused is False
    r.feed_data(b'def' * 10)
    assert run(r.read(100)) == b'abc' + b'def' * 10
    task = start(loop, r.readexactly(10))
    try:
        r.feed_data(b'0123456789ab')
        step(loop)
        assert task.result() == b'0123456789'
    finally:
        finish(loop, task)
    assert t.calls == ['pause']


@pytest.mark.rule('FC-R1')
def test_pause_other_error_propagates(loop):
    """FC-R1: other exceptions from pause_reading propagate out of
    feed_data."""
    r = StreamReader(limit=1, loop=loop)
    t = FakeTransport(pause_exc=OSError('pause failed'))
    r.set_transport(t)
    with pytest.raises(OSError):
        r.feed_data(b'abc')
    assert r._transport is t


@pytest.mark.rule('FC-R2')
def test_resume_after_consuming(loop, run):
    """FC-R2, RD-8f: after a read call removes bytes, a paused reader
    resumes once the buffer is at most limit."""
    r = StreamReader(limit=4, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'123456789')
    assert t.calls == ['pause']
    assert run(r.read(4)) == b'1234'
    assert t.calls == ['pause'] and r._paused
    assert run(r.readexactly(1)) == b'5'
    assert t.calls == ['pause', 'resume'] and not r._paused
    assert run(r.read(4)) == b'6789'
    assert t.calls == ['pause', 'resume']


@pytest.mark.parametrize('consume', [
    lambda r: r.read(4),
    lambda r: r.readexactly(4),
    lambda r: r.readline(),
], ids=['read', 'readexactly', 'readline'])
@pytest.mark.rule('FC-R2')
def test_resume_after_each_read_kind(loop, run, consume):
    """FC-R2: every read method that consumes resumes a paused reader, and
    only once the buffer is down to limit."""
    r = StreamReader(limit=4, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'123\n567\n9')
    assert t.calls == ['pause']
    run(consume(r))
    assert r._buffer == b'567\n9'
    assert t.calls == ['pause'] and r._paused
    run(consume(r))
    assert r._buffer == b'9'
    assert t.calls == ['pause', 'resume']
    assert not r._paused


@pytest.mark.rule('FC-R2')
def test_resume_after_read_all(loop, run):
    """FC-R2: read(-1) at EOF empties the buffer and resumes."""
    r = StreamReader(limit=1, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'abc')
    r.feed_eof()
    assert run(r.read()) == b'abc'
    assert t.calls == ['pause', 'resume']


@pytest.mark.rule('FC-R2')
def test_resume_after_incomplete_read(loop, run):
    """FC-R2: readexactly at EOF empties the buffer and resumes."""
    r = StreamReader(limit=1, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'abc')
    r.feed_eof()
    with pytest.raises(IncompleteReadError):
        run(r.readexactly(5))
    assert t.calls == ['pause', 'resume']


@pytest.mark.parametrize('data, rest', [
    (b'0123456789\nab', b'ab'),
    (b'0123456789', b''),
], ids=['case-a', 'case-b'])
@pytest.mark.rule('FC-R2', 'RD-10')
def test_resume_before_line_too_long(loop, run, data, rest):
    """FC-R2, RD-10: readline resumes the paused transport before raising
    its limit error."""
    r = StreamReader(limit=4, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(data)
    assert t.calls == ['pause']
    with pytest.raises(LineTooLongError):
        run(r.readline())
    assert t.calls == ['pause', 'resume']
    assert r._buffer == rest


@pytest.mark.rule('FC-R3')
def test_resume_before_waiting(loop):
    """FC-R3, RD-8f, FC-R4: a read call about to wait on a paused reader
    resumes the transport first; after more data it may pause again."""
    r = StreamReader(limit=2, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'abcde')
    assert t.calls == ['pause']
    task = start(loop, r.readexactly(20))
    try:
        assert not task.done()
        assert t.calls == ['pause', 'resume'] and not r._paused
        assert r._buffer == b'abcde'
        r.feed_data(b'f')
        assert t.calls == ['pause', 'resume', 'pause']
        step(loop)
        assert t.calls == ['pause', 'resume', 'pause', 'resume']
        r.feed_data(b'g' * 14)
        step(loop)
        assert task.result() == b'abcdef' + b'g' * 14
        assert_alternating(t.calls)
        assert r._paused == t.paused
    finally:
        finish(loop, task)


@pytest.mark.rule('FC-R4')
def test_no_resume_unless_paused(loop, run):
    """FC-R4: consuming and waiting never call resume_reading on a reader
    that did not pause."""
    r = StreamReader(limit=4, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'ab\ncd')
    assert run(r.readline()) == b'ab\n'
    task = start(loop, r.readexactly(5))
    try:
        r.feed_data(b'efg')
        step(loop)
        assert task.result() == b'cdefg'
    finally:
        finish(loop, task)
    assert t.calls == []


@pytest.mark.parametrize('seed', range(6))
@pytest.mark.rule('FC-R1', 'FC-R2', 'FC-R3', 'FC-R4')
def test_flow_control_random(loop, seed):
    """FC-R1..FC-R4, 8a: random mixes of feeds, reads that finish from the
    buffer and reads that must wait keep pause/resume strictly paired
    (the strict transport raises on a repeat) and match the rules after
    every step; no byte is lost or reordered."""
    rnd = random.Random(seed)
    limit = rnd.choice([1, 3, 8])
    r = StreamReader(limit=limit, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    sent = bytearray()
    got = bytearray()
    counter = [0]

    def chunk():
        size = rnd.randint(1, 3 * limit)
        data = bytearray()
        for _ in range(size):
            data.append(b'\n'[0] if rnd.random() < 0.2
                        else 97 + counter[0] % 26)
            counter[0] += 1
        return bytes(data)

    def feed():
        data = chunk()
        sent.extend(data)
        r.feed_data(data)
        assert r._paused == t.paused
        if len(r._buffer) > 2 * limit:
            assert r._paused

    def consumed(before):
        assert r._paused == t.paused
        if before and len(r._buffer) <= limit:
            assert not r._paused

    for _ in range(60):
        op = rnd.random()
        if op < 0.45:
            feed()
        elif op < 0.85 and r._buffer:
            before = r._paused
            kind = rnd.choice(['read', 'readexactly', 'readline'])
            if kind == 'read':
                got.extend(now(r.read(rnd.randint(1, 4 * limit))))
            elif kind == 'readexactly':
                got.extend(now(r.readexactly(
                    rnd.randint(1, len(r._buffer)))))
            elif b'\n' in r._buffer:
                try:
                    got.extend(now(r.readline()))
                except LineTooLongError as e:
                    got.extend(e.partial)
            else:
                continue
            consumed(before)
        else:
            n = len(r._buffer) + rnd.randint(1, 3 * limit)
            coro = r.readexactly(n)
            fut = drive_until_wait(coro)
            while True:
                assert not r._paused and not t.paused   # FC-R3
                while not fut.done():
                    feed()
                try:
                    fut = coro.send(None)
                except StopIteration as e:
                    got.extend(e.value)
                    break
            consumed(True)
        assert_alternating(t.calls)
    r.feed_eof()
    got.extend(now(r.read()))
    assert not r._paused and not t.paused
    assert bytes(got) == bytes(sent)
    assert_alternating(t.calls)


# --- 8a internals ------------------------------------------------------------


@pytest.mark.parametrize('case', sorted(WAIT_FOR_MORE))
def test_internals_while_suspended_8a(loop, case):
    """8a: while a call is suspended _waiter is a pending Future and
    _buffer holds every unread byte; afterwards _waiter is None."""
    call, before, fed = WAIT_FOR_MORE[case]
    r = StreamReader(loop=loop)
    assert r._waiter is None
    r.feed_data(before)
    task = start(loop, call(r))
    try:
        assert compat.isfuture(r._waiter) and not r._waiter.done()
        assert r._buffer == before
        r.feed_data(fed)
        assert r._buffer == before + fed
        step(loop)
        assert r._buffer == before + fed
        r.feed_data(b'\nzz')
        r.feed_eof()
        step(loop)
        assert task.done()
        task.result()
        assert r._waiter is None
    finally:
        finish(loop, task)


def test_repr_8a(loop):
    """8a (diagnostics): repr shows the state that matters when debugging:
    buffered bytes, eof, limit, waiter, exception, transport, paused."""
    r = StreamReader(limit=1, loop=loop)
    assert repr(r) == '<StreamReader limit=1>'
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'abc')
    r.set_exception(ValueError('x'))
    r.feed_eof()
    text = repr(r)
    for part in ('3 bytes', 'eof', 'limit=1', 'exception=', 'transport=',
                 'paused'):
        assert part in text, (part, text)
    r2 = StreamReader(loop=loop)
    assert repr(r2) == '<StreamReader>'
    task = start(loop, r2.read())
    try:
        assert 'waiter=' in repr(r2)
    finally:
        finish(loop, task)


@pytest.mark.parametrize('method,args', [('read', (0,)), ('readexactly', (0,)),
                                         ('readexactly', (-1,))],
                         ids=['read-0', 'readexactly-0', 'readexactly-neg'])
def test_zero_size_read_while_another_waits_decision(loop, method, args):
    """RD-8b / Q-4 (Decision, README): read(0) and readexactly(n <= 0) are
    read calls too, so while another call is suspended they raise the
    one-reader RuntimeError instead of returning b''."""
    reader = StreamReader(loop=loop)
    waiting = loop.create_task(reader.readline())
    loop.run_until_complete(asyncio.sleep(0))
    with pytest.raises(RuntimeError) as info:
        loop.run_until_complete(compat.as_coroutine(getattr(reader, method)(*args)))
    assert str(info.value).startswith('%s() called while another coroutine' % method)
    waiting.cancel()
    with pytest.raises(asyncio.CancelledError):
        loop.run_until_complete(waiting)


def test_trickled_line_is_joined_once(loop, monkeypatch):
    """RD-10 (robustness): a line that arrives one byte per feed_data() is
    searched incrementally and joined once, not on every wakeup (re-joining
    the partial line on each wakeup is quadratic: a peer trickling bytes
    could burn the CPU)."""
    r = StreamReader(loop=loop)
    joins = []
    compact = StreamReader._compact
    monkeypatch.setattr(StreamReader, '_compact',
                        lambda self: (joins.append(1), compact(self))[1])
    task = start(loop, r.readline())
    try:
        for _ in range(200):
            r.feed_data(b'x')
            step(loop)
        assert not task.done()
        r.feed_data(b'y\nrest')
        step(loop)
        assert task.result() == b'x' * 200 + b'y\n'
        assert len(joins) == 1
        assert r._buffer == b'rest'
    finally:
        finish(loop, task)
