"""StreamWriter: a transport plus the 3.4 drain()."""

__all__ = ['StreamWriter']

import warnings

from . import compat


class StreamWriter(object):
    """Wraps a transport: write(), writelines(), write_eof(), close() ...

    It adds drain(), which is **not** a coroutine: it returns ``()`` when
    there is nothing to wait for, or a Future that completes when the
    transport's buffer has partially drained, so that ``yield from
    w.drain()`` either continues at once or waits.  (From 3.4.2 on asyncio
    made drain() a coroutine; this library keeps the documented 3.4 form.
    In ``async def`` code write ``await compat.awaitable(w.drain())``, since
    ``await ()`` is a TypeError.)

    A writer that is garbage-collected while its transport is still open
    closes the transport and emits ``ResourceWarning: unclosed
    <StreamWriter ...>`` (contract PR-3; stdlib 3.11+ does the same).
    """

    def __init__(self, transport, protocol, reader, loop):
        if loop is not None:
            compat.check_loop(loop)
        self._transport = transport
        self._is_closing = compat.closing_probe(transport)
        self._protocol = protocol
        # No isinstance check (3.4.2 added one): reader only needs exception().
        self._reader = reader
        self._loop = loop

    def __del__(self, warnings=warnings):
        # Contract PR-3: a writer dropped while its transport is still open
        # closes it (close, not abort: written bytes are still sent) and
        # says so, as stdlib 3.11+ does.  This is how a plain-callback
        # server frees a connection its code forgot.  Nothing is done once
        # the loop is closed: the transport cannot close any more.
        probe = getattr(self, '_is_closing', None)   # None if __init__ failed
        if probe is None or probe():
            return
        loop = self._loop
        if loop is None:
            loop = getattr(self._protocol, '_loop', None)
        if loop is None or loop.is_closed():
            return
        self._transport.close()
        warnings.warn('unclosed %r' % (self,), ResourceWarning, source=self)

    def __repr__(self):
        info = ['StreamWriter', 'transport=%r' % (self._transport,)]
        if self._reader is not None:
            info.append('reader=%r' % (self._reader,))
        return '<%s>' % ' '.join(info)

    @property
    def transport(self):
        """The wrapped transport (read-only)."""
        return self._transport

    def write(self, data):
        return self._transport.write(data)

    def writelines(self, data):
        return self._transport.writelines(data)

    def write_eof(self):
        return self._transport.write_eof()

    def can_write_eof(self):
        return self._transport.can_write_eof()

    def close(self):
        return self._transport.close()

    def get_extra_info(self, name, default=None):
        return self._transport.get_extra_info(name, default)

    def drain(self):
        """Return ``()`` if there is nothing to wait for, else a Future.

        **Not a coroutine, and not awaitable when it returns ``()``:** in
        ``async def`` code ``await w.drain()`` raises ``TypeError: object
        tuple can't be used in 'await' expression``; write ``await
        compat.awaitable(w.drain())``.  This is the documented 3.4 form
        (from 3.4.2 on asyncio made drain() a coroutine; contract DR-1,
        DR-5, Q-2).

        ``yield from w.drain()`` continues at once on ``()`` and waits on the
        Future.  Raises at once the reader's stored exception, or
        ConnectionResetError('Connection lost') once the connection is lost.
        On a transport that is closing, the Future settles after one loop
        iteration so that ``connection_lost`` can be delivered first, and
        a caller resuming after ``connection_lost`` gets
        ConnectionResetError, never success (DR-2 step 3).  The decision
        after the reader check is the protocol's: ``protocol._drain``, or
        ``()`` at once while the protocol says ``_nothing_to_drain`` and the
        transport is not closing.
        """
        reader = self._reader
        if reader is not None:
            exc = reader.exception()
            if exc is not None:
                raise exc
        protocol = self._protocol
        if protocol._nothing_to_drain and not self._is_closing():
            return ()
        return protocol._drain(reader, self._is_closing, self._loop)
