"""StreamReaderProtocol: adapts the Protocol callbacks to a StreamReader."""

__all__ = ['StreamReaderProtocol']

import asyncio
import weakref

from . import compat
from ._writer import StreamWriter


class StreamReaderProtocol(asyncio.Protocol):
    """Feeds a StreamReader from Protocol callbacks and flow-controls writes.

    A helper class rather than making StreamReader a Protocol, so that a
    StreamReader has other uses and its users cannot call protocol methods
    by accident.  With a ``client_connected_cb`` (start_server), each
    connection calls it with ``(reader, writer)``; if it returns a coroutine
    object, that runs as a Task.

    **The library closes a server connection for you** (contract PR-3):

    * when the handler task fails or is cancelled, at once (3.4.0 left the
      peer hanging, HD-9);
    * when the handler task returns normally, as soon as the peer has sent
      EOF: at once if EOF came first, else when it comes.  3.4 closed every
      connection at EOF (``eof_received()`` returned None), so 3.4-era
      handlers return without ``writer.close()``; we keep half-close while
      the handler runs (PR-5) and close when both sides are done;
    * for a plain-function callback, when user code drops the writer: the
      protocol holds it only weakly and ``StreamWriter.__del__`` closes a
      still-open transport (with a ResourceWarning, as stdlib 3.11+ does).

    Every close is ``transport.close()``, never ``abort()``: bytes already
    written are still sent.
    """

    def __init__(self, stream_reader, client_connected_cb=None, loop=None):
        if client_connected_cb is not None and not callable(client_connected_cb):
            raise TypeError('client_connected_cb must be callable or None, '
                            'not %s' % type(client_connected_cb).__name__)
        self._loop = compat.get_event_loop(loop)
        self._stream_reader = stream_reader
        self._writer_ref = None      # weakref to the server-side writer
        self._task_writer = None     # that writer, held while its task runs
        self._client_connected_cb = client_connected_cb
        self._transport = None
        self._task = None
        self._over_ssl = False
        self._eof = False            # the peer has sent EOF
        self._close_at_eof = False   # the handler task has returned
        # Write-side flow control (contract FC-W*).
        self._paused = False
        self._drain_waiters = []
        self._connection_lost = False
        # Published for writers: True while neither paused nor lost, when a
        # drain() on a transport that is not closing has nothing to wait
        # for.  It spares drain()'s common case a call into _drain().
        self._nothing_to_drain = True

    def connection_made(self, transport):
        self._transport = transport
        self._over_ssl = transport.get_extra_info('sslcontext') is not None
        reader = self._stream_reader
        reader.set_transport(transport)
        if self._client_connected_cb is None:
            return
        writer = StreamWriter(transport, self, reader, self._loop)
        # Weak: a plain callback's connection is freed (closed by the
        # writer's __del__) as soon as user code drops the writer.
        self._writer_ref = weakref.ref(writer)
        res = self._client_connected_cb(reader, writer)
        # Check the returned object, not the function (3.4 did): this also
        # covers plain functions that return a generator.
        if compat.iscoroutine(res):
            task = self._loop.create_task(compat.as_coroutine(res))
            self._task = task
            # Strong while the task runs and until the close below: the
            # task's frame lets go of the writer before its done callback
            # runs, and the writer's __del__ must not close it first.
            self._task_writer = writer
            task.add_done_callback(self._on_client_task_done)

    @property
    def _stream_writer(self):
        """The server-side StreamWriter while it is alive, else None."""
        ref = self._writer_ref
        return ref() if ref is not None else None

    def _on_client_task_done(self, task):
        # Contract PR-3: a handler that fails or is cancelled closes its
        # connection at once; one that returns normally closes it once the
        # peer has sent EOF.
        if self._task is task:
            self._task = None
        transport = self._transport
        if task.cancelled():
            transport.close()
        else:
            exc = task.exception()
            if exc is not None:
                self._loop.call_exception_handler({
                    'message': 'Unhandled exception in client_connected_cb',
                    'exception': exc,
                    'transport': transport,
                })
                transport.close()
            elif self._eof:
                transport.close()
            else:
                self._close_at_eof = True
                return
        # Only now, with the transport closing, may the writer go.
        self._task_writer = None

    def data_received(self, data):
        reader = self._stream_reader
        if reader is not None:
            reader.feed_data(data)

    def eof_received(self):
        reader = self._stream_reader
        if reader is not None:
            reader.feed_eof()
        self._eof = True
        # True keeps the transport open for writing (half-close; 3.4.0
        # returned None and lost replies, HD-4).  SSL cannot half-close.
        # False once the handler task has returned: the transport then
        # closes itself, as every connection did at EOF in 3.4 (PR-3).
        return not (self._over_ssl or self._close_at_eof)

    def connection_lost(self, exc):
        reader = self._stream_reader
        if reader is not None:
            if exc is None:
                reader.feed_eof()
            else:
                reader.set_exception(exc)
        self._connection_lost = True
        self._nothing_to_drain = False
        # contract FC-W3: a paused drain() succeeds on a clean close.
        waiters, self._drain_waiters = self._drain_waiters, []
        for waiter in waiters:
            if not waiter.done():
                if exc is None:
                    waiter.set_result(None)
                else:
                    waiter.set_exception(exc)
        # Break the reader/protocol/writer cycle (HD-10).
        self._stream_reader = None
        self._writer_ref = None
        self._task_writer = None
        self._task = None

    def pause_writing(self):
        if self._paused:
            raise AssertionError('pause_writing() called while paused')
        self._paused = True
        self._nothing_to_drain = False

    def resume_writing(self):
        if not self._paused:
            raise AssertionError('resume_writing() called while not paused')
        self._paused = False
        self._nothing_to_drain = not self._connection_lost
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

    def _drain(self, reader, is_closing, loop):
        """The drain() decision for a writer of this protocol (DR-2 steps 2-5).

        The writer has already checked its reader's exception (step 1), and
        returns ``()`` itself while ``_nothing_to_drain`` holds and the
        transport is not closing.  Returns ``()`` or a new Future, or raises
        ConnectionResetError once
        connection_lost() has been delivered.  ``is_closing`` is the
        writer's probe of its transport; Futures belong to ``loop``, else to
        this protocol's loop, else to the current one (WR-1).
        """
        if self._connection_lost:
            raise ConnectionResetError('Connection lost')
        if is_closing():
            return _ClosingDrain(self, reader, self._future_loop(loop))
        if self._paused:
            waiter = compat.create_future(self._future_loop(loop))
            self._add_drain_waiter(waiter)
            return waiter
        return ()

    def _future_loop(self, loop):
        if loop is None:
            loop = self._loop
            if loop is None:
                loop = compat.get_event_loop()
        return loop


class _ClosingDrain(asyncio.Future):
    """The Future drain() returns while the transport is closing (DR-2 step 3).

    Why it exists: a write()/drain() loop against a dead peer must give the
    loop a chance to deliver connection_lost(), so this Future settles one
    loop iteration later, re-running the checks (the reader's exception,
    then connection lost) and storing what they raise.

    Unusual behaviour, stated head-on: **its success is final only when the
    caller resumes** (also when, the transport being paused too, it was
    completed by resume_writing() or a clean connection_lost()). A Task
    resumes one iteration after the Future completes, and connection_lost()
    can run in between; from then on ``result()`` raises, and
    ``exception()`` returns, ``ConnectionResetError('Connection lost')``. A
    Task asks ``result()`` when it wakes up, so its caller never resumes
    with success after the connection was lost (as with stdlib 3.6+ and
    3.4.1). Protocol subclasses that complete their own "closed" future in
    connection_lost()
    rely on this.  (Settling with a plain None left that one-iteration gap,
    and such a subclass completed its future twice.)
    """

    def __init__(self, protocol, reader, loop):
        super().__init__(loop=loop)
        self._protocol = protocol
        self._reader = reader
        self._lost = None
        loop.call_soon(self._settle)

    def _settle(self):
        if self.done():            # cancelled meanwhile (DR-3)
            return
        protocol = self._protocol
        reader = self._reader
        exc = reader.exception() if reader is not None else None
        if exc is None and protocol._connection_lost:
            exc = ConnectionResetError('Connection lost')
        if exc is not None:
            self.set_exception(exc)
        elif protocol._paused:
            # Completed by resume_writing() or connection_lost() (FC-W2,
            # FC-W3); a success still yields to a connection lost first.
            protocol._add_drain_waiter(self)
        else:
            self.set_result(None)

    def _lost_since(self):
        # A success observed once the connection is lost reads as the
        # loss (a failure stored on the Future stays as it is).
        if self._protocol._connection_lost:
            if self._lost is None:
                self._lost = ConnectionResetError('Connection lost')
            return self._lost
        return None

    def exception(self):
        exc = super().exception()
        if exc is None:
            exc = self._lost_since()
        return exc

    def result(self):
        result = super().result()
        exc = self._lost_since()
        if exc is not None:
            raise exc
        return result
