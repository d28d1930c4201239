"""A client for examples/echo_server.py, written with trollius_streams.

Usage::

    python examples/echo_client.py hello world          # server on port 8888
    python examples/echo_client.py --self-test          # no server needed

It sends each message as a line, prints the echoed line, then half-closes
its side with ``write_eof()`` and prints what the server still sends after
that (``bye: N lines``) up to EOF.  With ``--self-test`` it first starts the
echo server in this process, on 127.0.0.1 and a free port, and stops it at
the end.
"""

import argparse
import asyncio
import os
import sys

import trollius_streams
from trollius_streams import compat

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from echo_server import DEFAULT_PORT, EchoServer, new_event_loop  # noqa: E402


@trollius_streams.coroutine
def echo_client(host, port, messages, loop=None):
    """Send ``messages``, print the echoes; return the lines received."""
    reader, writer = yield from trollius_streams.open_connection(
        host, port, loop=loop)
    received = []
    try:
        for message in messages:
            writer.write(message.encode('utf-8') + b'\n')
            yield from writer.drain()
            line = yield from reader.readline()
            if not line:
                raise ConnectionError('server closed the connection early')
            received.append(line)
            print('echo> %s' % line.decode('utf-8').rstrip('\n'))
        writer.write_eof()  # half-close: we can still read the reply
        rest = yield from reader.read()  # read(-1): everything up to EOF
        for line in rest.splitlines():
            received.append(line + b'\n')
            print('after EOF> %s' % line.decode('utf-8'))
    finally:
        writer.close()
    return received


@trollius_streams.coroutine
def self_test(loop, messages):
    echo = EchoServer(loop)
    host, port = yield from echo.start('127.0.0.1', 0)
    print('self-test: echo server on %s:%d' % (host, port))
    try:
        received = yield from echo_client(host, port, messages, loop=loop)
    finally:
        yield from echo.close()
    expected = [m.encode('utf-8') + b'\n' for m in messages]
    expected.append(('bye: %d lines\n' % len(messages)).encode('ascii'))
    if received != expected:
        print('self-test FAILED: got %r' % (received,), file=sys.stderr)
        return False
    print('self-test passed')
    return True


@trollius_streams.coroutine
def settle():
    for _ in range(3):  # let the closed transports finish closing
        yield from asyncio.sleep(0)


def main(argv=None):
    parser = argparse.ArgumentParser(description='Line echo client.')
    parser.add_argument('messages', nargs='*',
                        help='lines to send (default: two sample lines)')
    parser.add_argument('--host', default='127.0.0.1')
    parser.add_argument('--port', type=int, default=DEFAULT_PORT,
                        help='port of echo_server.py (default %d, also its '
                        'default)' % DEFAULT_PORT)
    parser.add_argument('--self-test', action='store_true',
                        help='start the echo server in this process first')
    parser.add_argument('--uvloop', action='store_true',
                        help='run on uvloop instead of the stdlib event loop')
    args = parser.parse_args(argv)
    messages = args.messages or ['Hello, World!', 'yield from is still here']

    loop = new_event_loop(args.uvloop)
    try:
        if args.self_test:
            coro = self_test(loop, messages)
        else:
            coro = echo_client(args.host, args.port, messages, loop=loop)
        task = compat.ensure_future(coro, loop=loop)
        try:
            result = loop.run_until_complete(task)
        except (OSError, EOFError) as exc:
            print('error: %s' % (exc,), file=sys.stderr)
            return 1
        finally:
            loop.run_until_complete(settle())
    finally:
        loop.close()
    if args.self_test and not result:
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
