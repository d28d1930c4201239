"""StreamReader.read() (contract section 4.3, RD-9).

Every test drives the reader by feed_data()/feed_eof()/set_exception(): no
sockets. Read calls run either as tasks on the ``loop`` fixture (stepped
with ``step`` from helpers.py) or, where the exact moment matters, driven
by hand with ``send(None)``.

The ``port_*`` tests restate, in our own words, the scenarios of the
upstream 3.4.1 acceptance tests.
"""

import asyncio

import pytest

from helpers import (DATA, Producer, assert_alternating, finish, now, start,
                     step)
from trollius_streams import StreamReader

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
    assert_alternating(p.names())
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
    assert 'pause_reading' in p.names()
    assert_alternating(p.names())
    assert not p.paused and not r._paused
