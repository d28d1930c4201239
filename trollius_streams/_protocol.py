"""StreamReaderProtocol: adapts the Protocol callbacks to a StreamReader."""

__all__ = ['StreamReaderProtocol']

import asyncio

from . import compat
from ._writer import StreamWriter


class StreamReaderProtocol(asyncio.Protocol):
    """Feeds a StreamReader from Protocol callbacks and flow-controls writes.

    A helper class rather than making StreamReader a Protocol, so that a
    StreamReader has other uses and its users cannot call protocol methods
    by accident.  With a ``client_connected_cb`` (start_server), each
    connection calls it with ``(reader, writer)``; if it returns a coroutine
    object, that runs as a Task, and the protocol closes the connection if
    the task fails or is cancelled (3.4.0 left the peer hanging, SPEC HD-9).
    """

    def __init__(self, stream_reader, client_connected_cb=None, loop=None):
        if client_connected_cb is not None and not callable(client_connected_cb):
            raise TypeError('client_connected_cb must be callable or None, '
                            'not %s' % type(client_connected_cb).__name__)
        self._loop = compat.get_event_loop(loop)
        self._stream_reader = stream_reader
        self._stream_writer = None
        self._client_connected_cb = client_connected_cb
        self._transport = None
        self._task = None
        self._over_ssl = False
        # Write-side flow control (SPEC FC-W*).
        self._paused = False
        self._drain_waiters = []
        self._connection_lost = False

    def connection_made(self, transport):
        self._transport = transport
        self._over_ssl = transport.get_extra_info('sslcontext') is not None
        reader = self._stream_reader
        reader.set_transport(transport)
        if self._client_connected_cb is None:
            return
        self._stream_writer = StreamWriter(transport, self, reader, self._loop)
        res = self._client_connected_cb(reader, self._stream_writer)
        # Check the returned object, not the function (3.4 did): this also
        # covers plain functions that return a generator.
        if compat.iscoroutine(res):
            task = self._loop.create_task(compat.as_coroutine(res))
            self._task = task
            task.add_done_callback(self._on_client_task_done)

    def _on_client_task_done(self, task):
        # SPEC PR-3: a handler that fails or is cancelled closes its
        # connection; one that returns normally owns it.
        if self._task is task:
            self._task = None
        if task.cancelled():
            self._transport.close()
            return
        exc = task.exception()
        if exc is not None:
            self._loop.call_exception_handler({
                'message': 'Unhandled exception in client_connected_cb',
                'exception': exc,
                'transport': self._transport,
            })
            self._transport.close()

    def data_received(self, data):
        reader = self._stream_reader
        if reader is not None:
            reader.feed_data(data)

    def eof_received(self):
        reader = self._stream_reader
        if reader is not None:
            reader.feed_eof()
        # True keeps the transport open for writing (half-close; 3.4.0
        # returned None and lost replies, HD-4).  SSL cannot half-close.
        return not self._over_ssl

    def connection_lost(self, exc):
        reader = self._stream_reader
        if reader is not None:
            if exc is None:
                reader.feed_eof()
            else:
                reader.set_exception(exc)
        self._connection_lost = True
        # SPEC FC-W3: a paused drain() succeeds on a clean close.
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                if exc is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(exc)
        # Break the reader/protocol/writer cycle (HD-10).
        self._stream_reader = None
        self._stream_writer = None
        self._task = None

    def pause_writing(self):
        if self._paused:
            raise AssertionError('pause_writing() called while paused')
        self._paused = True

    def resume_writing(self):
        if not self._paused:
            raise AssertionError('resume_writing() called while not paused')
        self._paused = False
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def _add_drain_waiter(self, waiter):
        waiters = self._drain_waiters
        if len(waiters) >= 16:
            # Forget waiters whose drain() was cancelled meanwhile.
            waiters[:] = [w for w in waiters if not w.done()]
        waiters.append(waiter)

    def _new_drain_waiter(self, loop):
        """Return a new Future completed by resume_writing/connection_lost."""
        waiter = compat.create_future(loop)
        self._add_drain_waiter(waiter)
        return waiter
