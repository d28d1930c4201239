"""A line echo server written with trollius_streams.

Usage::

    python examples/echo_server.py                   # 127.0.0.1:8888
    python examples/echo_server.py --port 0          # any free port
    python examples/echo_server.py --max-clients 1   # exit after one client

Then, in another shell, ``python examples/echo_client.py hello`` (both
default to port 8888).

It prints ``serving on HOST:PORT`` (flushed) as soon as it listens, so a
script or test can start it with ``--port 0`` and read the port.  Each
client gets every line it sends echoed back.  When the client half-closes
(``write_eof()``), the server still answers ``bye: N lines`` before closing:
that works because the stream protocol keeps the transport open for writing
after EOF (3.4.0 closed it and lost the reply).

The server stops on SIGINT/SIGTERM (where the loop supports signal
handlers) or after ``--max-clients`` clients have been served.
"""

import argparse
import asyncio
import signal
import sys

import trollius_streams
from trollius_streams import compat


@trollius_streams.coroutine
def handle_echo(reader, writer):
    """Echo each line; after the client's EOF, send a summary and close."""
    count = 0
    try:
        while True:
            line = yield from reader.readline()
            if not line:
                break
            count += 1
            writer.write(line)
            yield from writer.drain()
        writer.write(('bye: %d lines\n' % count).encode('ascii'))
        yield from writer.drain()
    finally:
        writer.close()


class EchoServer(object):
    """start_server() plus bookkeeping: count clients, wait for the stop."""

    def __init__(self, loop, max_clients=None):
        self.loop = loop
        self.max_clients = max_clients
        self.served = 0
        self.server = None
        self.handlers = set()
        self.stopped = compat.create_future(loop)

    def _client_connected(self, reader, writer):
        # A plain callback that returns the handler's coroutine object: the
        # protocol runs it as a task (contract PR-2); we also keep the task to
        # wait for it at shutdown.
        task = compat.ensure_future(handle_echo(reader, writer), loop=self.loop)
        self.handlers.add(task)
        task.add_done_callback(self._handler_done)
        return None

    def _handler_done(self, task):
        self.handlers.discard(task)
        self.served += 1
        if not task.cancelled() and task.exception() is not None:
            print('client handler failed: %r' % (task.exception(),),
                  file=sys.stderr)
        if self.max_clients is not None and self.served >= self.max_clients:
            self.stop()

    def stop(self):
        if not self.stopped.done():
            self.stopped.set_result(None)

    @trollius_streams.coroutine
    def start(self, host='127.0.0.1', port=0):
        self.server = yield from trollius_streams.start_server(
            self._client_connected, host, port, loop=self.loop)
        return self.server.sockets[0].getsockname()[:2]

    @trollius_streams.coroutine
    def close(self):
        self.server.close()
        handlers = set(self.handlers)
        for task in handlers:  # clients still connected at a forced stop
            task.cancel()
        if handlers:
            yield from asyncio.wait(handlers)
        yield from self.server.wait_closed()
        for _ in range(3):  # let the closed transports finish closing
            yield from asyncio.sleep(0)


@trollius_streams.coroutine
def serve(loop, host, port, max_clients=None):
    echo = EchoServer(loop, max_clients)
    host, port = yield from echo.start(host, port)
    stop_signals = []
    for signum in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(signum, echo.stop)
        except (NotImplementedError, RuntimeError):  # e.g. Windows loops
            continue
        stop_signals.append(signum)
    # Printed once the signal handlers are in place.
    print('serving on %s:%d' % (host, port))
    sys.stdout.flush()
    try:
        yield from echo.stopped
    finally:
        for signum in stop_signals:
            loop.remove_signal_handler(signum)
        yield from echo.close()
    print('served %d clients' % echo.served)


DEFAULT_PORT = 8888


def new_event_loop(use_uvloop):
    """A new stdlib loop, or a uvloop one; exits with a clear message when
    --uvloop is asked for and uvloop is not installed."""
    if use_uvloop:
        try:
            import uvloop
        except ImportError:
            sys.exit("error: --uvloop needs uvloop, which is not installed: "
                     "pip install 'trollius_streams[uvloop]'")
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


def main(argv=None):
    parser = argparse.ArgumentParser(description='Line echo server.')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=DEFAULT_PORT,
                        help='TCP port (default %d; 0: any free port)'
                        % DEFAULT_PORT)
    parser.add_argument('--max-clients', type=int, default=None,
                        help='exit after serving this many clients')
    parser.add_argument('--uvloop', action='store_true',
                        help='run on uvloop instead of the stdlib event loop')
    args = parser.parse_args(argv)
    loop = new_event_loop(args.uvloop)
    try:
        loop.run_until_complete(
            serve(loop, args.host, args.port, args.max_clients))
    finally:
        loop.close()
    return 0


if __name__ == '__main__':
    sys.exit(main())
