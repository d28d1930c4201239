"""StreamReader private state that the 3.4 test suite reads (contract
section 9), its repr, and a few behaviours across read calls.

Every test drives the reader by feed_data()/feed_eof()/set_exception(): no
sockets. Read calls run either as tasks on the ``loop`` fixture (stepped
with ``step`` from helpers.py) or, where the exact moment matters, driven
by hand with ``send(None)``.
"""

import asyncio

import pytest

from helpers import FakeTransport, WAIT_FOR_MORE, finish, start, step
from trollius_streams import StreamReader, compat

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
        loop.run_until_complete(
            compat.as_coroutine(getattr(reader, method)(*args)))
    assert str(info.value).startswith(
        '%s() called while another coroutine' % method)
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
