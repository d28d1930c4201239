"""StreamReader: the buffer between a protocol and the code that reads."""

__all__ = ['StreamReader']

import six

from . import compat
from ._errors import IncompleteReadError, LineTooLongError

#: SPEC API-4: 64 KiB, the 3.4 default (also used when ``limit=None``).
_DEFAULT_LIMIT = 2 ** 16


def _check_limit(limit):
    """Return the buffer limit for ``limit`` (SPEC RD-1, FN-5, HD-7)."""
    if limit is None:
        return _DEFAULT_LIMIT
    if not isinstance(limit, six.integer_types) or isinstance(limit, bool):
        raise TypeError('limit must be an int or None, not %s'
                        % type(limit).__name__)
    if limit <= 0:
        raise ValueError('Limit cannot be <= 0')
    return limit


def _check_size(n, name):
    # SPEC RD-9: 3.4 returned b'' for read(None), which looks like EOF.
    if not isinstance(n, six.integer_types) or isinstance(n, bool):
        raise TypeError('%s() argument must be an int, not %s'
                        % (name, type(n).__name__))


class StreamReader(object):
    """Buffer of received bytes with coroutine methods to read them.

    A protocol (usually StreamReaderProtocol) pushes bytes in with
    feed_data(), the end of the stream with feed_eof() and errors with
    set_exception(); coroutines pull them out with read(), readline() and
    readexactly().  Only one read call may wait at a time.

    ``_buffer`` is a bytearray that always holds every unread byte, even
    while a read call waits: a cancelled read loses nothing (3.4.0 lost the
    bytes it had already taken, SPEC HD-2/HD-3/HB-3).
    """

    def __init__(self, limit=None, loop=None):
        # The limit bounds readline() and drives read flow control (2*limit).
        self._limit = _check_limit(limit)
        # Resolved here, not at first use (3.4.3 behaviour, Tulip #184).
        self._loop = compat.get_event_loop(loop)
        self._buffer = bytearray()
        self._eof = False
        self._waiter = None       # Future of the suspended read call, if any
        self._exception = None
        self._transport = None
        self._paused = False

    def __repr__(self):
        info = ['StreamReader']
        if self._buffer:
            info.append('%d bytes' % len(self._buffer))
        if self._eof:
            info.append('eof')
        if self._limit != _DEFAULT_LIMIT:
            info.append('limit=%d' % self._limit)
        if self._waiter is not None:
            info.append('waiter=%r' % self._waiter)
        if self._exception is not None:
            info.append('exception=%r' % self._exception)
        if self._transport is not None:
            info.append('transport=%r' % self._transport)
        if self._paused:
            info.append('paused')
        return '<%s>' % ' '.join(info)

    # --- Feeding side -----------------------------------------------------

    def exception(self):
        """Return the exception stored by set_exception(), or None."""
        return self._exception

    def set_exception(self, exc):
        """Store ``exc``: the suspended read call and every later one raise it.

        The buffer and the EOF flag are left as they are.
        """
        self._exception = exc
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def _wakeup_waiter(self):
        # The waiter stays in _waiter until its read call resumes, so a second
        # reader cannot slip in between the wakeup and the resumption
        # (SPEC RD-8b, HB-2).
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def set_transport(self, transport):
        """Record the transport whose reading is paused when the buffer fills."""
        # Explicit, not assert: must hold under python -O (SPEC HB-5).
        if self._transport is not None:
            raise AssertionError('Transport already set')
        self._transport = transport

    def feed_eof(self):
        """Acknowledge the end of the stream and wake the suspended read."""
        self._eof = True
        self._wakeup_waiter()

    def at_eof(self):
        """Return True if feed_eof() was called and the buffer is empty."""
        return self._eof and not self._buffer

    def feed_data(self, data):
        """Append ``data`` (bytes-like) to the buffer and wake the reader.

        Raises AssertionError after feed_eof() and TypeError for objects that
        are not bytes-like; the buffer is unchanged in both cases.
        """
        if self._eof:
            raise AssertionError('feed_data after feed_eof')
        try:
            if not data:
                if type(data) is not bytes:
                    memoryview(data)  # TypeError for '' and other non-bytes
                return
            self._buffer += data
        except TypeError:
            raise TypeError('feed_data() argument must be a bytes-like '
                            'object, not %s' % type(data).__name__)
        self._wakeup_waiter()
        # SPEC FC-R1: pause reading past 2 * limit.
        if (self._transport is not None and not self._paused and
                len(self._buffer) > 2 * self._limit):
            try:
                self._transport.pause_reading()
            except NotImplementedError:
                # The transport cannot pause: forget it and buffer everything.
                self._transport = None
            else:
                self._paused = True

    def _maybe_resume_transport(self):
        # SPEC FC-R2.
        if self._paused and len(self._buffer) <= self._limit:
            self._paused = False
            self._transport.resume_reading()

    def _check_waiting(self, func_name):
        # SPEC RD-8b / Q-4: one read call at a time.  A wait that was
        # cancelled no longer counts, even before its coroutine has unwound
        # (HD-11: 3.6's wait_for does not wait for the unwinding).
        waiter = self._waiter
        if waiter is not None and not waiter.cancelled():
            raise RuntimeError(
                '%s() called while another coroutine is already waiting '
                'for incoming data' % func_name)

    def _wait_for_data(self, func_name):
        """Wait until feed_data(), feed_eof() or set_exception() is called."""
        self._check_waiting(func_name)
        # SPEC FC-R3: never wait on a paused transport, or readexactly(n) with
        # n > 2*limit and read(-1) would wait forever (3.4.0's HD-1).
        if self._paused:
            self._paused = False
            self._transport.resume_reading()
        waiter = self._waiter = compat.create_future(self._loop)
        try:
            yield from waiter
        finally:
            # Only clear our own wait: a new call may have replaced a
            # cancelled one before this coroutine unwound (HD-11).
            if self._waiter is waiter:
                self._waiter = None

    # --- Reading side -----------------------------------------------------

    @compat.coroutine
    def read(self, n=-1):
        """Read up to ``n`` bytes; with ``n < 0`` read until EOF.

        Returns ``b''`` only at EOF with an empty buffer.  A stored exception
        is raised first, even when data is buffered (3.4 behaviour).
        """
        _check_size(n, 'read')
        if self._exception is not None:
            raise self._exception
        self._check_waiting('read')
        buf = self._buffer
        if n == 0:
            return b''
        if n < 0:
            # Collect in the buffer, not in a local list: cancellation loses
            # nothing (HB-3), and FC-R3 keeps the transport unpaused.
            while not self._eof:
                yield from self._wait_for_data('read')
                if self._exception is not None:
                    raise self._exception
            data = bytes(buf)
            del buf[:]
        else:
            while not buf:
                if self._eof:
                    return b''
                yield from self._wait_for_data('read')
                # Woken by data: return it even if an exception followed.
                if not buf and self._exception is not None:
                    raise self._exception
            data = bytes(buf[:n])
            del buf[:n]
        self._maybe_resume_transport()
        return data

    @compat.coroutine
    def readline(self):
        """Read one line, up to and including ``b'\\n'``.

        At EOF returns the partial line, or ``b''`` if the buffer is empty.
        A line longer than the limit (counting its ``b'\\n'``) raises
        LineTooLongError, a ValueError('Line is too long').
        """
        if self._exception is not None:
            raise self._exception
        self._check_waiting('readline')
        buf = self._buffer
        limit = self._limit
        start = 0
        while True:
            i = buf.find(b'\n', start)
            if i >= 0:
                i += 1
                if i > limit:
                    # SPEC RD-10 case (a): drop through the newline.
                    partial = bytes(buf[:i])
                    del buf[:i]
                    self._maybe_resume_transport()
                    raise LineTooLongError(partial)
                line = bytes(buf[:i])
                del buf[:i]
                self._maybe_resume_transport()
                return line
            if len(buf) > limit:
                # SPEC RD-10 case (b): no newline yet, drop everything.
                partial = bytes(buf)
                del buf[:]
                self._maybe_resume_transport()
                raise LineTooLongError(partial)
            if self._eof:
                line = bytes(buf)
                del buf[:]
                self._maybe_resume_transport()
                return line
            # Nothing before `start` can hold a newline: buf only grows while
            # we wait, because no other read call may run meanwhile.
            start = len(buf)
            yield from self._wait_for_data('readline')
            if self._exception is not None and buf.find(b'\n', start) < 0:
                raise self._exception

    @compat.coroutine
    def readexactly(self, n):
        """Read exactly ``n`` bytes.

        If the stream ends first, raise IncompleteReadError with the bytes
        read so far in ``partial`` (the buffer is then empty).  ``n <= 0``
        returns ``b''`` (3.4 behaviour, SPEC Q-7).
        """
        _check_size(n, 'readexactly')
        if self._exception is not None:
            raise self._exception
        self._check_waiting('readexactly')
        if n <= 0:
            return b''
        buf = self._buffer
        while len(buf) < n:
            if self._eof:
                partial = bytes(buf)
                del buf[:]
                self._maybe_resume_transport()
                raise IncompleteReadError(partial, n)
            yield from self._wait_for_data('readexactly')
            if self._exception is not None and len(buf) < n:
                raise self._exception
        if len(buf) == n:
            data = bytes(buf)
            del buf[:]
        else:
            data = bytes(buf[:n])
            del buf[:n]
        self._maybe_resume_transport()
        return data
