"""StreamReader.readexactly() (contract section 4.3, RD-11).

Includes the bound on its memory for sizes far above the limit. Every test
drives the reader by feed_data()/feed_eof()/set_exception(): no sockets.
Read calls run either as tasks on the ``loop`` fixture (stepped with
``step`` from helpers.py) or, where the exact moment matters, driven by
hand with ``send(None)``.

The ``port_*`` tests restate, in our own words, the scenarios of the
upstream 3.4.1 acceptance tests.
"""

import asyncio
import tracemalloc

import pytest

from helpers import DATA, Producer, assert_alternating, now
from trollius_streams import IncompleteReadError, StreamReader, coroutine

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
    assert 'pause_reading' in p.names()
    assert_alternating(p.names())


@pytest.mark.rule('RD-11', 'FC-R3')
def test_readexactly_far_above_limit_holds_the_bytes_about_once(loop, run):
    """RD-11, FC-R3: readexactly(n) with n far above the limit allocates
    little more than the n bytes it returns.  A feeder delivers fresh
    64 KiB chunks, one per loop iteration, and drops each after feeding it,
    as a transport does; tracemalloc's peak over the whole call stays
    below 1.3 * n.  Keeping the chunks until a final join, or copying the
    result once more, would make it about 2 * n."""
    n = 8 * 2 ** 20
    size = 2 ** 16
    r = StreamReader(loop=loop)     # the default limit, 64 KiB

    @coroutine
    def feed():
        for _ in range(n // size):
            r.feed_data(bytes(size))
            yield from asyncio.sleep(0)

    @coroutine
    def main():
        task = loop.create_task(r.readexactly(n))
        yield from feed()
        return (yield from task)

    tracemalloc.start()
    try:
        data = run(main())
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert len(data) == n and data == bytes(n)
    assert peak < 1.3 * n, 'peak %.2f * n' % (peak / n)
