"""StreamReader: the buffer between a protocol and the code that reads."""

__all__ = ['StreamReader']

import six

from . import compat
from ._buffer import ReceiveBuffer
from ._errors import IncompleteReadError, LineTooLongError

#: Contract API-4: 64 KiB, the 3.4 default (also used when ``limit=None``).
_DEFAULT_LIMIT = 2 ** 16


def _check_limit(limit):
    """Return the buffer limit for ``limit`` (contract RD-1, FN-5, HD-7)."""
    if limit is None:
        return _DEFAULT_LIMIT
    if not isinstance(limit, six.integer_types) or isinstance(limit, bool):
        raise TypeError('limit must be an int or None, not %s'
                        % type(limit).__name__)
    if limit <= 0:
        raise ValueError('Limit cannot be <= 0')
    return limit


def _check_size(n, name):
    # Contract RD-9: 3.4 returned b'' for read(None), which looks like EOF.
    if not isinstance(n, six.integer_types) or isinstance(n, bool):
        raise TypeError('%s() argument must be an int, not %s'
                        % (name, type(n).__name__))


class StreamReader(ReceiveBuffer):
    """Buffer of received bytes with coroutine methods to read them.

    A protocol (usually StreamReaderProtocol) pushes bytes in with
    feed_data(), the end of the stream with feed_eof() and errors with
    set_exception(); coroutines pull them out with read(), readline() and
    readexactly().  Only one read call may wait at a time.

    Every unread byte stays in the reader, even while a read call waits: a
    cancelled read loses nothing (3.4.0 lost the bytes it had already taken,
    contract HD-2/HD-3/HB-3).

    The bytes live in a ReceiveBuffer (module ``_buffer``, which explains the
    layout and ``_fast_end``).  ``_buffer`` is a read-only property
    returning all unread bytes joined into one bytes object (a snapshot).
    """

    def __init__(self, limit=None, loop=None):
        # The limit bounds readline() and drives read flow control (2*limit).
        self._limit = _check_limit(limit)
        # Resolved here, not at first use (contract RD-1, 3.4.3 behaviour).
        self._loop = compat.get_event_loop(loop)
        self._create_future = compat.future_factory(self._loop)
        ReceiveBuffer.__init__(self)
        self._eof = False
        self._waiter = None       # Future of the suspended read call, if any
        self._exception = None
        self._transport = None
        self._paused = False

    def __repr__(self):
        info = ['StreamReader']
        size = self._size()
        if size:
            info.append('%d bytes' % size)
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
        self._fast_end = -1
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_exception(exc)

    def _wakeup_waiter(self):
        # The waiter stays in _waiter until its read call resumes, so a second
        # reader cannot slip in between the wakeup and the resumption
        # (contract RD-8b, HB-2).
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def set_transport(self, transport):
        """Record the transport to pause when the buffer fills (FC-R1)."""
        # Explicit, not assert: must hold under python -O (contract HB-5).
        if self._transport is not None:
            raise AssertionError('Transport already set')
        self._transport = transport

    def feed_eof(self):
        """Acknowledge the end of the stream and wake the suspended read."""
        self._eof = True
        self._wakeup_waiter()

    def at_eof(self):
        """Return True if feed_eof() was called and the buffer is empty."""
        return (self._eof and self._pos == len(self._head) and
                not self._outside_head)

    def feed_data(self, data):
        """Append ``data`` (bytes-like) to the buffer and wake the reader.

        Raises AssertionError after feed_eof() and TypeError for objects that
        are not bytes-like; the buffer is unchanged in both cases.
        """
        if self._eof:
            raise AssertionError('feed_data after feed_eof')
        if type(data) is not bytes:
            # Copy other bytes-like objects: the caller may reuse them.
            try:
                data = memoryview(data).tobytes()  # TypeError for '', int ...
            except TypeError:
                raise TypeError('feed_data() argument must be a bytes-like '
                                'object, not %s' % type(data).__name__)
        if not data:
            return
        # The append to the ReceiveBuffer, inline: this runs once per
        # received chunk, and often for a single line.
        if self._pos == len(self._head) and not self._outside_head:
            self._head = data     # empty buffer: keep the object, no copy
            self._pos = 0
            size = len(data)
        else:
            self._tail.append(data)
            self._outside_head += len(data)
            size = len(self._head) - self._pos + self._outside_head
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        # Contract FC-R1: pause reading past 2 * limit.
        if (size > 2 * self._limit and not self._paused and
                self._transport is not None):
            try:
                self._transport.pause_reading()
            except NotImplementedError:
                # The transport cannot pause: forget it and buffer everything.
                self._transport = None
            else:
                self._paused = True
                # Drop the consumed prefix of the head chunk, so that what
                # the reader keeps alive stays within 2*limit + one receive.
                pos = self._pos
                if pos:
                    self._head = self._head[pos:]
                    self._pos = 0
        if self._waiter is None:
            self._update_fast_end()
        # else _fast_end stays -1 until the woken call clears _waiter.

    def _update_fast_end(self):
        # Recompute _fast_end from the state (module _buffer, "_fast_end").
        if self._exception is not None or self._waiter is not None:
            self._fast_end = -1
            return
        end = len(self._head)
        if self._paused:
            # Consuming up to position p leaves len(_head) - p +
            # _outside_head bytes unread: more than the limit while
            # p <= stop.
            stop = end + self._outside_head - self._limit - 1
            if stop < end:
                end = stop
        self._fast_end = end

    def _maybe_resume_transport(self):
        # Contract FC-R2.  Every slow path ends here, which also recomputes
        # _fast_end after the slow path moved bytes around.
        if self._paused and self._size() <= self._limit:
            self._paused = False
            self._transport.resume_reading()
        self._update_fast_end()

    def _check_waiting(self, func_name):
        # Contract RD-8b / Q-4: one read call at a time.  A wait that was
        # cancelled no longer counts, even before its coroutine has unwound
        # (HD-11: 3.6's wait_for does not wait for the unwinding).
        waiter = self._waiter
        if waiter is not None and not waiter.cancelled():
            raise RuntimeError(
                '%s() called while another coroutine is already waiting '
                'for incoming data' % func_name)

    def _new_waiter(self):
        """Start a wait for feed_data(), feed_eof() or set_exception().

        Returns the Future to ``yield from``; the caller calls _end_wait()
        in a ``finally``.  (Not a generator: a wait sits on the path of every
        request/response round trip.)  The caller made sure that no other
        call waits (_check_waiting(), or ``_fast_end >= 0``), and its own
        earlier waits are over, so ``_waiter`` is None or a cancelled wait
        that may be replaced.
        """
        # Contract FC-R3: never wait on a paused transport, or
        # readexactly(n) with n > 2*limit and read(-1) would wait forever
        # (3.4.0's HD-1).
        self._fast_end = -1
        if self._paused:
            self._paused = False
            self._transport.resume_reading()
        waiter = self._waiter = self._create_future()
        return waiter

    def _end_wait(self, waiter):
        # The ``finally`` of every wait.  Only clear our own wait: a new call
        # may have replaced a cancelled one before this coroutine unwound
        # (HD-11).  Clearing it re-enables the fast paths.
        if self._waiter is waiter:
            self._waiter = None
            self._update_fast_end()

    # --- Reading side -----------------------------------------------------

    @compat.coroutine
    def read(self, n=-1):
        """Read up to ``n`` bytes; with ``n < 0`` read until EOF.

        Returns ``b''`` only at EOF with an empty buffer.  A stored exception
        is raised first, even when data is buffered (3.4 behaviour).
        """
        if n.__class__ is not int:
            _check_size(n, 'read')
        # Fast path: n > 0 bytes in the head chunk, and _fast_end says there
        # is nothing else to check.
        pos = self._pos
        end = pos + n
        if pos < end <= self._fast_end:
            self._pos = end
            return self._head[pos:end]
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None:
            self._check_waiting('read')
        if n > 0:
            while not self._size():
                if self._eof:
                    return b''
                waiter = self._new_waiter()
                try:
                    yield from waiter
                finally:
                    self._end_wait(waiter)
                # Woken by data: return it even if an exception followed.
                if not self._size() and self._exception is not None:
                    raise self._exception
            size = self._size()
            data = self._take(n if n < size else size)
        elif n == 0:
            return b''
        else:
            # Collect in the buffer, not in a local list: cancellation loses
            # nothing (HB-3), and FC-R3 keeps the transport unpaused.
            while not self._eof:
                waiter = self._new_waiter()
                try:
                    yield from waiter
                finally:
                    self._end_wait(waiter)
                if self._exception is not None:
                    raise self._exception
            data = self._take_all()
        self._maybe_resume_transport()
        return data

    @compat.coroutine
    def readline(self):
        """Read one line, up to and including ``b'\\n'``.

        At EOF returns the partial line, or ``b''`` if the buffer is empty.
        A line longer than the limit (counting its ``b'\\n'``) raises
        LineTooLongError, a ValueError('Line is too long').
        """
        # Fast path: a whole line of at most limit bytes in the head chunk,
        # and _fast_end says there is nothing else to check.
        head = self._head
        pos = self._pos
        i = head.find(b'\n', pos) + 1
        if i and i <= self._fast_end and i - pos <= self._limit:
            self._pos = i
            return head[pos:i]
        if (pos == len(head) and not self._outside_head and
                self._fast_end >= 0 and not self._eof):
            # Empty buffer, no exception, no other call waiting: wait right
            # here (request/response traffic), then take the fast path on
            # what arrived.  Saves a generator and the slow path's checks.
            # The fast path is written out again rather than looped over:
            # a loop's flag and setup would cost every buffered readline().
            waiter = self._new_waiter()
            try:
                yield from waiter
            finally:
                self._end_wait(waiter)
            head = self._head
            pos = self._pos
            i = head.find(b'\n', pos) + 1
            if i and i <= self._fast_end and i - pos <= self._limit:
                self._pos = i
                return head[pos:i]
            # The slow path goes on as after any wait (HB-1).
            return (yield from self._readline_slow(None if i else head, True))
        return (yield from self._readline_slow(None if i else head, False))

    def _readline_slow(self, searched, resumed):
        # ``searched``: the head object readline() already searched from
        # _pos on without finding b'\n' (or None).  ``resumed``: readline()
        # already waited once, so the entry checks are behind us.
        if not resumed:
            if self._exception is not None:
                raise self._exception
            if self._waiter is not None:
                self._check_waiting('readline')
        #
        # Design: search each byte for b'\n' once.  A partial line that
        # arrives in many small chunks stays in _tail, and only new chunks
        # are searched on each wakeup; the chunks are joined once, when the
        # line is complete (joining on every wakeup would be quadratic in
        # the line length: a peer trickling bytes could burn the CPU).
        if self._gathering is not None:   # left by a cancelled readexactly()
            self._stop_gathering()
            searched = None
        searched_pos = self._pos
        scanned = 0       # how many _tail chunks were searched
        while True:
            head = self._head
            pos = self._pos
            # Identity alone is not enough: feed_data() into an empty buffer
            # may bring back the very object just consumed (a transport
            # reusing a bytes object, or CPython's cached 1-byte b'\n').
            if head is not searched or pos != searched_pos:
                # New head: feed_data() into an empty buffer, the pause rule
                # dropped the consumed prefix, or _compact() below.  A
                # newline in it ends the line there, whatever _tail holds.
                i = head.find(b'\n', pos) + 1
                if i:
                    break
                searched = head
                searched_pos = pos
            tail = self._tail
            while scanned < len(tail):
                if b'\n' in tail[scanned]:
                    # Join once; the head search above then finds the line.
                    self._compact()
                    searched = None
                    break
                scanned += 1
            else:
                # No newline buffered.  Woken by data, and an exception
                # stored: raise it rather than wait again (HB-1).
                if self._exception is not None:
                    raise self._exception
                if self._size() > self._limit:
                    # Contract RD-10 case (b): no newline yet, drop it all.
                    partial = self._take_all()
                    self._maybe_resume_transport()
                    raise LineTooLongError(partial)
                if self._eof:
                    line = self._take_all()
                    self._maybe_resume_transport()
                    return line
                waiter = self._new_waiter()
                try:
                    yield from waiter
                finally:
                    self._end_wait(waiter)
        # The line ends at head[i - 1].
        self._pos = i
        line = head[pos:i]
        self._maybe_resume_transport()
        if i - pos > self._limit:
            # Contract RD-10 case (a): drop through the newline.
            raise LineTooLongError(line)
        return line

    @compat.coroutine
    def readexactly(self, n):
        """Read exactly ``n`` bytes.

        If the stream ends first, raise IncompleteReadError with the bytes
        read so far in ``partial`` (the buffer is then empty).  ``n <= 0``
        returns ``b''`` (3.4 behaviour, contract Q-7).
        """
        if n.__class__ is not int:
            _check_size(n, 'readexactly')
        # Fast path: n > 0 bytes in the head chunk, and _fast_end says there
        # is nothing else to check.
        pos = self._pos
        end = pos + n
        if pos < end <= self._fast_end:
            self._pos = end
            return self._head[pos:end]
        return (yield from self._readexactly_slow(n))

    def _readexactly_slow(self, n):
        if self._exception is not None:
            raise self._exception
        if self._waiter is not None:
            self._check_waiting('readexactly')
        if n <= 0:
            return b''
        if self._gathering is not None:   # left by a cancelled readexactly()
            self._stop_gathering()
        # Above the limit, gather while waiting: never hold 2*n.
        gather = n > self._limit
        while self._size() < n:
            if self._eof:
                partial = self._take_all()
                self._maybe_resume_transport()
                raise IncompleteReadError(partial, n)
            if gather:
                self._gather()
            waiter = self._new_waiter()
            try:
                yield from waiter
            finally:
                self._end_wait(waiter)
            if self._exception is not None and self._size() < n:
                raise self._exception
        if self._gathering is None:
            data = self._take(n)
        else:
            data = self._take_gathered(n)
        self._maybe_resume_transport()
        return data
