"""Scenarios: StreamReader (RD).

Construction, the feed_* side, the three read methods and cancellation.
Most scenarios run twice: bytes delivered with feed_data() and over a
loopback socket (``via`` 'feed' and 'loopback').
"""

import asyncio

from .core import Fail, define_rules, register
from .fakes import BOTH, FakeTransport, Source, new_reader

define_rules({
    'RD-1':
        'StreamReader(limit=None) means 64 KiB; a limit of 0 or less is '
        'refused.',
    'RD-2': 'exception() returns the exception set on the reader, or None.',
    'RD-3': 'set_exception() makes a waiting read raise that exception.',
    'RD-4': 'set_transport() accepts one transport; a second call is refused.',
    'RD-5': 'feed_eof() marks the end of the stream and wakes a waiting read.',
    'RD-6':
        'feed_data() buffers bytes and wakes a waiting read; after '
        'feed_eof() it is refused.',
    'RD-7': 'at_eof() is true once EOF was fed and the buffer is empty.',
    'RD-8a':
        'A stored exception is raised before any buffered data is returned.',
    'RD-8b':
        'Only one read may wait at a time; a second one raises '
        'RuntimeError.',
    'RD-9':
        'read(n) returns up to n bytes; read() returns everything up to '
        'EOF.',
    'RD-10':
        "readline() returns one line ending in b'\\n' (the rest at EOF); a "
        'too-long line raises ValueError.',
    'RD-11':
        'readexactly(n) returns exactly n bytes, or raises '
        'IncompleteReadError at EOF.',
    'RD-12':
        'A cancelled read loses no buffered bytes and leaves the reader '
        'usable.',
})


# --- 4. StreamReader ---------------------------------------------------------


@register('RD-1', 'limit-None',
           'class StreamReader(limit=None, loop=None): limit=None is the '
           'documented default.', label='DOC')
def _limit_none(t):
    try:
        r = t.mod.StreamReader(limit=None, loop=t.loop)
    except Exception as e:
        raise Fail('StreamReader(limit=None) ' + t.short(e),
                   'accepted (default limit)')
    r.feed_data(b'line\n')
    t.returns(r.readline(), b'line\n')


@register('RD-1', 'limit-not-positive',
           'StreamReader(limit=0) raises ValueError (fixed after 3.4.0).',
           label='FIX')
def _limit_zero(t):
    for limit in (0, -1):
        try:
            t.mod.StreamReader(limit=limit, loop=t.loop)
        except ValueError:
            continue
        except Exception as e:
            raise Fail('StreamReader(limit=%d) %s' % (limit, t.short(e)),
                       'ValueError')
        raise Fail('StreamReader(limit=%d) accepted' % limit, 'ValueError')


@register('RD-2', 'exception',
           'exception(): Get the exception.', label='DOC')
def _exception(t):
    r = new_reader(t)
    t.equal(r.exception(), None, 'before set_exception:')
    exc = ValueError('boom')
    r.set_exception(exc)
    t.check(r.exception() is exc, t.short(r.exception()),
            'the exception given to set_exception()')


@register('RD-3', 'set_exception',
           'set_exception(exc): Set the exception (a waiting read raises it, '
           'and so does every later read).', label='DOC')
def _set_exception(t):
    r = new_reader(t)
    task = t.spawn(r.readline())
    t.spin(2)
    exc = ValueError('boom')
    r.set_exception(exc)
    got = t.raises(ValueError, task)
    t.check(got is exc, t.short(got), 'the exception given to set_exception()')
    got = t.raises(ValueError, r.read(1))
    t.check(got is exc, t.short(got), 'the same exception again')


@register('RD-4', 'set_transport',
           'set_transport(transport): Set the transport (once: a second call '
           'raises AssertionError).', label='3.4')
def _set_transport(t):
    r = new_reader(t)
    r.set_transport(FakeTransport())
    try:
        r.set_transport(FakeTransport())
    except AssertionError:
        return
    except Exception as e:
        raise Fail(t.short(e), 'AssertionError')
    raise Fail('second set_transport() accepted', 'AssertionError')


@register('RD-5', 'feed_eof-wakes-reader',
           'feed_eof(): Acknowledge the EOF (a waiting readline() returns the '
           'partial line).', label='DOC', via=BOTH)
def _feed_eof(t):
    src = Source(t)
    src.send(b'partial')
    task = t.spawn(src.reader.readline())
    t.spin(2)
    src.eof()
    t.equal(t.wait_task(task), b'partial')
    t.returns(src.reader.read(), b'')


@register('RD-6', 'feed_data-resumes',
           'feed_data(data): Feed data bytes in the internal buffer. Any '
           'operations waiting for the data will be resumed.', label='DOC',
           via=BOTH)
def _feed_data(t):
    src = Source(t)
    task = t.spawn(src.reader.readexactly(3))
    t.spin(2)
    t.check(not task.done(), 'finished before any data',
            'readexactly(3) waits for data')
    src.send(b'abc')
    t.equal(t.wait_task(task), b'abc')


@register('RD-6', 'feed_data-same-iteration',
           'feed_data(): several feed_data() calls before the reader resumes '
           'all count toward one readline().', label='3.4')
def _feed_same_iteration(t):
    r = new_reader(t)

    def feed():
        r.feed_data(b'chunk1 ')
        r.feed_data(b'chunk2 ')
        r.feed_data(b'chunk3 \n')
    t.loop.call_soon(feed)
    t.returns(r.readline(), b'chunk1 chunk2 chunk3 \n')


@register('RD-6', 'feed_data-after-eof',
           'feed_data() after feed_eof() raises AssertionError.', label='3.4')
def _feed_after_eof(t):
    r = new_reader(t)
    r.feed_eof()
    try:
        r.feed_data(b'data')
    except AssertionError:
        return
    except Exception as e:
        raise Fail(t.short(e), 'AssertionError')
    raise Fail('accepted', 'AssertionError')


@register('RD-7', 'at_eof',
           'at_eof(): Return True if the buffer is empty and feed_eof() was '
           'called.', label='DOC')
def _at_eof(t):
    r = new_reader(t)
    t.equal(r.at_eof(), False, 'new reader:')
    r.feed_data(b'ab')
    t.equal(r.at_eof(), False, 'data, no EOF:')
    r.feed_eof()
    t.equal(r.at_eof(), False, 'EOF, data buffered:')
    t.returns(r.read(), b'ab')
    t.equal(r.at_eof(), True, 'EOF, buffer empty:')


@register('RD-8a', 'exception-first',
           'read()/readline()/readexactly() raise the stored exception even '
           'when data is buffered.', label='3.4')
def _exception_first(t):
    for name, args in (('read', (2,)), ('readline', ()),
                       ('readexactly', (2,))):
        r = new_reader(t)
        r.feed_data(b'line\n')
        exc = ValueError('stored')
        r.set_exception(exc)
        got = t.raises(ValueError, getattr(r, name)(*args))
        t.check(got is exc, '%s: %s' % (name, t.short(got)),
                'the stored exception')


@register('RD-8b', 'one-reader-at-a-time',
           'A second read call while another one waits raises RuntimeError.',
           label='3.4')
def _one_reader(t):
    r = new_reader(t)
    task = t.spawn(r.read(1))
    t.spin(2)
    t.raises(RuntimeError, r.readline())
    r.feed_data(b'x')
    t.equal(t.wait_task(task), b'x')


@register('RD-9', 'read-to-eof',
           'read(n=-1): If n is not provided, or set to -1, read until EOF '
           'and return all read bytes.', label='DOC', via=BOTH)
def _read_all(t):
    src = Source(t)
    src.send(b'chunk1\n')
    t.loop.call_soon(src.send, b'chunk2')
    t.loop.call_soon(src.eof)
    t.returns(src.reader.read(), b'chunk1\nchunk2')


@register('RD-9', 'read-minus-one',
           'read(n=-1): If n is ... set to -1, read until EOF and return all '
           'read bytes.', label='DOC')
def _read_minus_one(t):
    r = new_reader(t)
    r.feed_data(b'chunk1\n')
    t.loop.call_soon(r.feed_data, b'chunk2')
    t.loop.call_soon(r.feed_eof)
    t.returns(r.read(-1), b'chunk1\nchunk2')


@register('RD-9', 'read-at-eof',
           'read(): If the EOF was received and the internal buffer is empty, '
           'return an empty bytes object.', label='DOC', via=BOTH)
def _read_eof(t):
    src = Source(t)
    src.eof()
    t.returns(src.reader.read(), b'')
    t.returns(src.reader.read(5), b'')


@register('RD-9', 'read-up-to-n',
           'read(n): Read up to n bytes.', label='DOC', via=BOTH)
def _read_n(t):
    src = Source(t)
    src.send(b'abcdef')
    src.eof()
    first = t.run(src.reader.read(4))
    if t.via == 'feed':
        t.equal(first, b'abcd')
    t.check(isinstance(first, bytes) and 0 < len(first) <= 4,
            t.short(first), 'at most 4 bytes')
    t.equal(first + t.run(src.reader.read()), b'abcdef')


@register('RD-9', 'read-n-waits',
           'read(n): with an empty buffer, waits for data and returns what '
           'arrived (never b"" before EOF).', label='3.4')
def _read_waits(t):
    r = new_reader(t)
    task = t.spawn(r.read(5))
    t.spin(2)
    if task.done():
        raise Fail('returned %s before any data' % t.short(task.result()),
                   'waits')
    r.feed_data(b'ab')
    t.equal(t.wait_task(task), b'ab')


@register('RD-9', 'read-zero',
           'read(0) returns b"" at once and consumes nothing.', label='3.4')
def _read_zero(t):
    r = new_reader(t)
    r.feed_data(b'data')
    t.returns(r.read(0), b'')
    r.feed_eof()
    t.returns(r.read(), b'data')


@register('RD-10', 'readline',
           'readline(): Read one line, where "line" is a sequence of bytes '
           'ending with \\n.', label='DOC', via=BOTH)
def _readline(t):
    src = Source(t)
    src.send(b'line1\nline2\n')
    t.returns(src.reader.readline(), b'line1\n')
    t.returns(src.reader.readline(), b'line2\n')


@register('RD-10', 'readline-eof-partial',
           'readline(): If EOF is received, and \\n was not found, the method '
           'will return the partial read bytes.', label='DOC', via=BOTH)
def _readline_partial(t):
    src = Source(t)
    src.send(b'partial')
    src.eof()
    t.returns(src.reader.readline(), b'partial')


@register('RD-10', 'readline-eof-empty',
           'readline(): If the EOF was received and the internal buffer is '
           'empty, return an empty bytes object.', label='DOC', via=BOTH)
def _readline_empty(t):
    src = Source(t)
    src.eof()
    t.returns(src.reader.readline(), b'')


@register('RD-10', 'readline-limit-counts-newline',
           'readline(): a line longer than limit, counting its \\n, raises '
           "ValueError('Line is too long').", label='3.4')
def _readline_limit(t):
    r = new_reader(t, limit=4)
    r.feed_data(b'abc\n')
    t.returns(r.readline(), b'abc\n')
    r.feed_data(b'abcd\n')
    t.raises(ValueError, r.readline(), 'Line is too long')


@register('RD-10', 'readline-too-long-drops-line',
           'readline(): after the too-long error the bytes through the \\n '
           'are gone and later lines stay readable.', label='3.4')
def _readline_drop(t):
    r = new_reader(t, limit=3)
    r.feed_data(b'line1\nline2\n')
    t.raises(ValueError, r.readline())
    r.feed_eof()
    t.returns(r.read(), b'line2\n')


@register('RD-10', 'readline-too-long-no-newline',
           'readline(): more than limit bytes with no \\n raises ValueError '
           'and empties the buffer.', label='3.4')
def _readline_drop_all(t):
    r = new_reader(t, limit=3)
    r.feed_data(b'line1li')
    t.raises(ValueError, r.readline())
    r.feed_eof()
    t.returns(r.read(), b'')


@register('RD-11', 'readexactly',
           'readexactly(n): Read exactly n bytes.', label='DOC', via=BOTH)
def _readexactly(t):
    src = Source(t)
    src.send(b'abc')
    t.loop.call_soon(src.send, b'defgh')
    t.returns(src.reader.readexactly(6), b'abcdef')
    src.eof()
    t.returns(src.reader.read(), b'gh')


@register('RD-11', 'readexactly-incomplete',
           'readexactly(n): Raise an IncompleteReadError if the end of the '
           'stream is reached before n can be read, the '
           'IncompleteReadError.partial attribute of the exception contains '
           'the partial read bytes.', label='DOC', via=BOTH)
def _readexactly_eof(t):
    src = Source(t)
    src.send(b'abc')
    src.eof()
    exc = t.raises(t.mod.IncompleteReadError, src.reader.readexactly(10))
    t.equal(exc.partial, b'abc', 'partial')
    t.equal(exc.expected, 10, 'expected')
    t.equal(src.reader.at_eof(), True, 'at_eof() afterwards:')


@register('RD-11', 'readexactly-zero',
           'readexactly(0) returns b"" at once.', label='3.4')
def _readexactly_zero(t):
    r = new_reader(t)
    r.feed_data(b'data')
    t.returns(r.readexactly(0), b'')


@register('RD-11', 'readexactly-negative',
           'readexactly(n) with n < 0 returns b"" (3.4; acceptance test '
           'test_readexactly_zero_or_less).', label='3.4')
def _readexactly_negative(t):
    r = new_reader(t)
    r.feed_data(b'data')
    t.returns(r.readexactly(-1), b'')
    r.feed_eof()
    t.returns(r.read(), b'data')


def _cancel_waiting(t, task):
    task.cancel()
    try:
        value = t.wait_task(task)
    except asyncio.CancelledError:
        return
    raise Fail('returned %s' % t.short(value), 'CancelledError')


@register('RD-12', 'cancelled-readline-loses-nothing',
           'Cancelling a waiting readline() raises CancelledError and keeps '
           'the partial line buffered.', label='FIX')
def _cancel_readline(t):
    r = new_reader(t)
    r.feed_data(b'abc')
    task = t.spawn(r.readline())
    t.spin(2)
    _cancel_waiting(t, task)
    r.feed_data(b'def\n')
    t.returns(r.readline(), b'abcdef\n')


@register('RD-12', 'cancelled-readexactly-loses-nothing',
           'Cancelling a waiting readexactly() raises CancelledError and '
           'keeps the partial data buffered.', label='FIX')
def _cancel_readexactly(t):
    r = new_reader(t)
    r.feed_data(b'abc')
    task = t.spawn(r.readexactly(6))
    t.spin(2)
    _cancel_waiting(t, task)
    r.feed_data(b'def')
    t.returns(r.readexactly(3), b'abc')


@register('RD-12', 'exception-after-cancel',
           'After a waiting read is cancelled, set_exception() works and the '
           'next read raises it.', label='3.4')
def _exception_after_cancel(t):
    r = new_reader(t)
    task = t.spawn(r.readline())
    t.spin(2)
    task.cancel()
    t.spin(1)
    exc = RuntimeError('message')
    r.set_exception(exc)
    t.spin(1)
    _cancel_waiting(t, task)
    got = t.raises(RuntimeError, r.read(1))
    t.check(got is exc, t.short(got), 'the stored exception')
