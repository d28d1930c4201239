"""What every StreamReader read call obeys (contract section 4.2).

A stored exception comes first, one read call at a time, no wait when the
buffer suffices, and what a call does when data and an exception arrive
while it waits. Every test drives the reader by
feed_data()/feed_eof()/set_exception(): no sockets. Read calls run either
as tasks on the ``loop`` fixture (stepped with ``step`` from helpers.py)
or, where the exact moment matters, driven by hand with ``send(None)``.

The ``port_*`` tests restate, in our own words, the scenarios of the
upstream 3.4.1 acceptance tests.
"""

import asyncio

import pytest

from helpers import WAIT_FOR_MORE, finish, now, start, step
from trollius_streams import StreamReader

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
