"""StreamReader read flow control (contract section 6.1, FC-R1 to FC-R4).

The fake transport of helpers.py records pause_reading()/resume_reading()
and raises on a repeat, so a reader that pauses or resumes twice fails.
Every test drives the reader by feed_data()/feed_eof()/set_exception(): no
sockets. Read calls run either as tasks on the ``loop`` fixture (stepped
with ``step`` from helpers.py) or, where the exact moment matters, driven
by hand with ``send(None)``.
"""

import random

import pytest

from helpers import (FakeTransport, assert_alternating, drive_until_wait,
                     finish, now, start, step)
from trollius_streams import (IncompleteReadError, LineTooLongError,
                              StreamReader)

@pytest.mark.rule('FC-R1')
def test_pause_above_twice_limit(loop):
    """FC-R1, 8a: the reader pauses right after feed_data makes the buffer
    longer than 2*limit, once; _paused follows."""
    r = StreamReader(limit=3, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'123456')
    assert t.names() == [] and r._paused is False
    r.feed_data(b'7')
    assert t.names() == ['pause_reading'] and r._paused is True
    r.feed_data(b'89')
    assert t.names() == ['pause_reading']


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
    assert t.names() == []
    r.feed_data(b'x')
    assert t.names() == ['pause_reading']


@pytest.mark.rule('FC-R1')
def test_pause_not_implemented(loop, run):
    """FC-R1: if pause_reading raises NotImplementedError the reader forgets
    the transport, never pauses or resumes again and keeps buffering."""
    r = StreamReader(limit=1, loop=loop)
    t = FakeTransport(pause_exc=NotImplementedError())
    r.set_transport(t)
    r.feed_data(b'abc')
    assert t.names() == ['pause_reading']
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
    assert t.names() == ['pause_reading']


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
    assert t.names() == ['pause_reading']
    assert run(r.read(4)) == b'1234'
    assert t.names() == ['pause_reading'] and r._paused
    assert run(r.readexactly(1)) == b'5'
    assert t.names() == ['pause_reading', 'resume_reading'] and not r._paused
    assert run(r.read(4)) == b'6789'
    assert t.names() == ['pause_reading', 'resume_reading']


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
    assert t.names() == ['pause_reading']
    run(consume(r))
    assert r._buffer == b'567\n9'
    assert t.names() == ['pause_reading'] and r._paused
    run(consume(r))
    assert r._buffer == b'9'
    assert t.names() == ['pause_reading', 'resume_reading']
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
    assert t.names() == ['pause_reading', 'resume_reading']


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
    assert t.names() == ['pause_reading', 'resume_reading']


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
    assert t.names() == ['pause_reading']
    with pytest.raises(LineTooLongError):
        run(r.readline())
    assert t.names() == ['pause_reading', 'resume_reading']
    assert r._buffer == rest


@pytest.mark.rule('FC-R3')
def test_resume_before_waiting(loop):
    """FC-R3, RD-8f, FC-R4: a read call about to wait on a paused reader
    resumes the transport first; after more data it may pause again."""
    r = StreamReader(limit=2, loop=loop)
    t = FakeTransport()
    r.set_transport(t)
    r.feed_data(b'abcde')
    assert t.names() == ['pause_reading']
    task = start(loop, r.readexactly(20))
    try:
        assert not task.done()
        assert t.names() == ['pause_reading', 'resume_reading']
        assert not r._paused
        assert r._buffer == b'abcde'
        r.feed_data(b'f')
        assert t.names() == ['pause_reading', 'resume_reading',
                             'pause_reading']
        step(loop)
        assert t.names() == ['pause_reading', 'resume_reading'] * 2
        r.feed_data(b'g' * 14)
        step(loop)
        assert task.result() == b'abcdef' + b'g' * 14
        assert_alternating(t.names())
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
    assert t.names() == []


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
        assert_alternating(t.names())
    r.feed_eof()
    got.extend(now(r.read()))
    assert not r._paused and not t.paused
    assert bytes(got) == bytes(sent)
    assert_alternating(t.names())
