"""The ReceiveBuffer layout under StreamReader (module ``_buffer``).

White-box tests of what the public tests reach only by chance: the
invariants of the layout after each primitive, and the read calls that
find the bytes of a cancelled large ``readexactly()`` still gathered in
``_gathering`` (contract RD-12: nothing is lost, the order is kept).
"""

import asyncio

import pytest

from trollius_streams import StreamReader
from trollius_streams._buffer import ReceiveBuffer


def step(loop, n=2):
    for _ in range(n):
        loop.run_until_complete(asyncio.sleep(0))


def check_layout(reader):
    """Assert the invariants listed in the module docstring of _buffer."""
    assert 0 <= reader._pos <= len(reader._head)
    assert all(reader._tail), 'empty chunk in _tail'
    gathered = 0
    if reader._gathering is not None:
        gathered = len(reader._gathering.getvalue())
        assert reader._pos == len(reader._head), 'bytes in front of gathered'
    assert reader._outside_head == sum(map(len, reader._tail)) + gathered
    if reader._size() == 0:
        assert not reader._tail
    assert reader._size() == len(reader._buffer)


def gathering_reader(loop, chunks, n):
    """A reader whose readexactly(n > limit) was cancelled while gathering."""
    r = StreamReader(limit=5, loop=loop)
    task = loop.create_task(r.readexactly(n))
    step(loop)
    for chunk in chunks:
        r.feed_data(chunk)
        step(loop)
    assert not task.done()
    assert r._gathering is not None
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        loop.run_until_complete(task)
    check_layout(r)
    assert r._buffer == b''.join(chunks)
    return r


def test_reader_is_a_receive_buffer(loop):
    """The buffer is a base class: the fast paths read self._head."""
    assert issubclass(StreamReader, ReceiveBuffer)
    r = StreamReader(loop=loop)
    check_layout(r)
    assert r._outside_head == 0


def test_primitives_keep_the_layout(loop):
    """_take, _take_all, _compact and _gather keep every invariant and
    hand out the bytes in order."""
    r = StreamReader(loop=loop)
    for chunk in (b'abc', b'de', b'f', b'ghij'):
        r.feed_data(chunk)
        check_layout(r)
    assert r._head == b'abc' and r._tail == [b'de', b'f', b'ghij']
    assert r._take(2) == b'ab'          # inside the head chunk
    check_layout(r)
    assert r._take(3) == b'cde'         # head chunk and a whole tail chunk
    check_layout(r)
    assert r._take(2) == b'fg'          # ends inside a tail chunk
    check_layout(r)
    assert r._head == b'ghij' and r._pos == 1
    r.feed_data(b'kl')
    r._gather()
    check_layout(r)
    assert r._head == b'' and r._gathering.getvalue() == b'hijkl'
    r.feed_data(b'mn')
    check_layout(r)
    assert r._take(6) == b'hijklm'      # gathered bytes come first
    check_layout(r)
    assert r._gathering is None
    r.feed_data(b'op\n')
    r._compact()
    check_layout(r)
    assert r._head == b'nop\n' and r._tail == []
    assert r._take_all() == b'nop\n'
    check_layout(r)
    assert r._fast_end == -1


@pytest.mark.rule('RD-10', 'RD-12')
@pytest.mark.parametrize('chunks, lines', [
    ([b'ab\n', b'cdefgh'], [b'ab\n', b'cdefgh']),
    ([b'abc', b'd\nxyz\n'], [b'abcd\n', b'xyz\n']),
    ([b'abcdefgh'], [b'abcdefgh']),
])
def test_readline_after_cancelled_gathering(loop, run, chunks, lines):
    """RD-12, RD-10: readline() after a cancelled readexactly(n > limit)
    reads the gathered bytes first, in order, with the limit applied as
    usual (lines of up to 5 bytes here, limit 5)."""
    r = gathering_reader(loop, chunks, 100)
    r.feed_eof()
    got = []
    while True:
        try:
            line = run(r.readline())
        except ValueError as exc:
            got.append(('too long', exc.args[0]))
            continue
        check_layout(r)
        if not line:
            break
        got.append(line)
    expected = [('too long', 'Line is too long') if len(line) > 5 else line
                for line in lines]
    assert got == expected
    assert r.at_eof()


@pytest.mark.rule('RD-12')
def test_readline_waits_after_cancelled_gathering(loop):
    """RD-12: readline() that finds the gathered bytes without a newline
    turns them back into the head chunk and waits for the rest."""
    r = gathering_reader(loop, [b'ab', b'c'], 100)
    task = loop.create_task(r.readline())
    step(loop)
    assert not task.done()
    assert r._gathering is None
    check_layout(r)
    r.feed_data(b'\nde')
    step(loop)
    assert task.result() == b'abc\n'
    assert r._buffer == b'de'
    check_layout(r)


@pytest.mark.rule('RD-9', 'RD-11', 'RD-12')
@pytest.mark.parametrize('call, result, rest', [
    (lambda r: r.read(2), b'ab', b'cdef'),
    (lambda r: r.read(), b'abcdef', b''),
    (lambda r: r.readexactly(3), b'abc', b'def'),
    (lambda r: r.readexactly(5), b'abcde', b'f'),
])
def test_reads_after_cancelled_gathering(loop, run, call, result, rest):
    """RD-12: read(), read(-1) and a smaller readexactly() after a cancelled
    readexactly(n > limit) get the gathered bytes, then the rest."""
    r = gathering_reader(loop, [b'abc', b'de'], 100)
    r.feed_data(b'f')
    r.feed_eof()
    assert run(call(r)) == result
    check_layout(r)
    assert r._buffer == rest


@pytest.mark.rule('RD-11', 'RD-12')
def test_large_readexactly_resumes_gathering(loop):
    """RD-11, RD-12: a second readexactly(n > limit) after a cancelled one
    starts from the same bytes and ends with exactly n of them."""
    r = gathering_reader(loop, [b'abc', b'de'], 100)
    task = loop.create_task(r.readexactly(7))
    step(loop)
    assert not task.done()
    check_layout(r)
    r.feed_data(b'fghij')
    step(loop)
    assert task.result() == b'abcdefg'
    assert r._buffer == b'hij'
    check_layout(r)
