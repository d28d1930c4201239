"""StreamWriter: a transport plus the 3.4 drain()."""

__all__ = ['StreamWriter']

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
    """

    def __init__(self, transport, protocol, reader, loop):
        self._transport = transport
        self._is_closing = compat.closing_probe(transport)
        self._protocol = protocol
        # No isinstance check (3.4.2 added one): reader only needs exception().
        self._reader = reader
        self._loop = loop

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

    def _get_loop(self):
        loop = self._loop
        if loop is None:
            loop = getattr(self._protocol, '_loop', None)
            if loop is None:
                loop = compat.get_event_loop()
        return loop

    def drain(self):
        """Return ``()`` if there is nothing to wait for, else a Future.

        Not a coroutine: ``yield from w.drain()`` continues at once on ``()``
        and waits on the Future.  Raises at once the reader's stored
        exception, or ConnectionResetError('Connection lost') once the
        connection is lost.  On a transport that is closing, the Future
        settles after one loop iteration so that ``connection_lost`` can be
        delivered first; a write()/drain() loop against a dead peer therefore
        ends instead of spinning (3.4.0 read the private
        ``transport._conn_lost``, which uvloop transports lack).
        """
        reader = self._reader
        if reader is not None:
            exc = reader.exception()
            if exc is not None:
                raise exc
        protocol = self._protocol
        if protocol._connection_lost:
            raise ConnectionResetError('Connection lost')
        if self._is_closing():
            loop = self._get_loop()
            waiter = compat.create_future(loop)
            loop.call_soon(self._settle_closing, waiter)
            return waiter
        if protocol._paused:
            return protocol._new_drain_waiter(self._get_loop())
        return ()

    def _settle_closing(self, waiter):
        # SPEC DR-2 step 3: re-run the checks one iteration later, storing
        # their exception on the Future instead of raising it.
        if waiter.done():
            return
        reader = self._reader
        exc = reader.exception() if reader is not None else None
        protocol = self._protocol
        if exc is None and protocol._connection_lost:
            exc = ConnectionResetError('Connection lost')
        if exc is not None:
            waiter.set_exception(exc)
        elif protocol._paused:
            protocol._add_drain_waiter(waiter)
        else:
            waiter.set_result(None)
