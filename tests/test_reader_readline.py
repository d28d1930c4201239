"""StreamReader.readline() (contract section 4.3, RD-10, Q-1).

Includes the limit rules and LineTooLongError, and the regression tests for
data fed as the very bytes object just consumed. Every test drives the
reader by feed_data()/feed_eof()/set_exception(): no sockets. Read calls
run either as tasks on the ``loop`` fixture (stepped with ``step`` from
helpers.py) or, where the exact moment matters, driven by hand with
``send(None)``.

The ``port_*`` tests restate, in our own words, the scenarios of the
upstream 3.4.1 acceptance tests.
"""

import pytest

import trollius_streams
from helpers import DATA, finish, start, step
from trollius_streams import LineTooLongError, StreamReader, compat

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


# --- Data fed as the very bytes object just consumed -------------------------
#
# Regression tests for a hang: readline() waiting on an empty buffer skipped
# the search of a new head chunk when feed_data() brought back the same
# object it had just consumed.  That happens with a transport that reuses a
# bytes object and with CPython's cached one-byte bytes (a peer sending bare
# b'\n' keystrokes, received one at a time).


@pytest.mark.parametrize('chunk', [b'\n', b'same object\n'],
                         ids=['cached-one-byte-newline', 'reused-line-object'])
def test_readline_wakes_on_same_object_again(loop, run, chunk):
    """RD-6, RD-10: a waiting readline() returns a line fed as the same
    bytes object as the line it returned before."""
    r = StreamReader(loop=loop)
    r.feed_data(chunk)
    assert run(r.readline()) == chunk
    task = compat.ensure_future(r.readline(), loop=loop)
    step(loop)
    assert not task.done() and r._waiter is not None   # waiting, buffer empty
    r.feed_data(chunk)
    assert run(task, timeout=5) == chunk


def test_readline_same_object_after_readexactly(loop, run):
    """RD-6, RD-10, RD-11: the same after readexactly() consumed the object."""
    r = StreamReader(loop=loop)
    r.feed_data(b'\n')
    assert run(r.readexactly(1)) == b'\n'
    task = compat.ensure_future(r.readline(), loop=loop)
    step(loop)
    assert not task.done()
    r.feed_data(b'\n')
    assert run(task, timeout=5) == b'\n'
