"""Cancelling a waiting StreamReader read call (contract section 4.4,
RD-12, HD-2, HD-3, HB-3, HD-11).

Every test drives the reader by feed_data()/feed_eof()/set_exception(): no
sockets. Read calls run either as tasks on the ``loop`` fixture (stepped
with ``step`` from helpers.py) or, where the exact moment matters, driven
by hand with ``send(None)``.

The ``port_*`` tests restate, in our own words, the scenarios of the
upstream 3.4.1 acceptance tests.
"""

import asyncio

import pytest

from helpers import WAIT_FOR_MORE, finish, now, start, step
from trollius_streams import StreamReader, compat, coroutine

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
