#!/usr/bin/env python
"""How many finished connections a 3.4-era server leaves open (contract PR-3).

50 clients connect, exchange a line and close.  The cycle collector is off
and watched, so only reference counting and the library's own closes can
free anything.  For each server pattern, family and loop it prints the
connection sockets still open once the clients are done, and whether
``server.close(); wait_closed()`` returned within 5 seconds.

    python bench/lifecycle.py [--clients 50] [--loop asyncio|uvloop|both]

Patterns:
  coroutine   a coroutine handler: reads a line, echoes it, returns
  callback    a plain callback that runs its own Task and keeps
              (reader, writer) in a dict until that Task is done
"""

import argparse
import asyncio
import gc
import os
import shutil
import sys
import tempfile
import warnings

if __name__ == '__main__':  # the checkout's package, as bench.py uses
    sys.path.insert(0, os.path.dirname(os.path.dirname(
        os.path.abspath(__file__))))

import trollius_streams  # noqa: E402
from trollius_streams import compat  # noqa: E402


def open_sockets():
    count = 0
    for name in os.listdir('/proc/self/fd'):
        try:
            if os.readlink('/proc/self/fd/' + name).startswith('socket:'):
                count += 1
        except OSError:
            pass
    return count


def coroutine_pattern():
    """The 3.4-era handler: reads a line, echoes it, returns (no close).

    Returns (client_connected_cb, None)."""
    @trollius_streams.coroutine
    def handler(reader, writer):
        line = yield from reader.readline()
        writer.write(line)
        yield from writer.drain()
    return handler, None


def callback_pattern():
    """A plain callback that runs its own Task and keeps the pair in a dict
    until that Task is done; nobody closes the writer.

    Returns (client_connected_cb, the dict)."""
    clients = {}

    @trollius_streams.coroutine
    def serve(reader, writer):
        line = yield from reader.readline()
        writer.write(line)
        yield from writer.drain()

    def callback(reader, writer):
        task = compat.ensure_future(serve(reader, writer))
        clients[task] = (reader, writer)
        task.add_done_callback(lambda t: clients.pop(t))
    return callback, clients


PATTERNS = {'coroutine': coroutine_pattern, 'callback': callback_pattern}


@trollius_streams.coroutine
def start(family, handler, loop, sock_dir, name='s'):
    """Start a TCP or UNIX server; return (server, connect)."""
    if family == 'tcp':
        server = yield from trollius_streams.start_server(
            handler, '127.0.0.1', 0, loop=loop)
        port = server.sockets[0].getsockname()[1]

        def connect():
            return trollius_streams.open_connection('127.0.0.1', port,
                                                    loop=loop)
    else:
        path = os.path.join(sock_dir, name)
        server = yield from trollius_streams.start_unix_server(
            handler, path, loop=loop)

        def connect():
            return trollius_streams.open_unix_connection(path, loop=loop)
    return server, connect


@trollius_streams.coroutine
def measure(loop, pattern, family, clients, sock_dir):
    before = open_sockets()
    handler, _ = PATTERNS[pattern]()
    server, connect = yield from start(
        family, handler, loop, sock_dir, '%s-%d' % (pattern, id(loop)))
    listening = open_sockets() - before
    for i in range(clients):
        reader, writer = yield from connect()
        writer.write(b'line %d\n' % i)
        yield from writer.drain()
        yield from reader.readline()
        writer.close()
    for _ in range(100):  # up to 1 s for the last closes to happen
        if open_sockets() <= before + listening:
            break
        yield from asyncio.sleep(0.01)
    still_open = open_sockets() - before - listening
    server.close()
    try:
        yield from asyncio.wait_for(
            compat.as_coroutine(server.wait_closed()), 5)
        returned = 'returns'
    except asyncio.TimeoutError:
        returned = 'hangs'
    return still_open, returned


def run(kind, pattern, family, clients, sock_dir):
    if kind == 'uvloop':
        import uvloop
        loop = uvloop.new_event_loop()
    else:
        loop = asyncio.new_event_loop()
    gc.collect()
    gc.disable()
    runs = []
    gc.callbacks.append(lambda phase, info: runs.append(phase))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', ResourceWarning)
            result = loop.run_until_complete(
                measure(loop, pattern, family, clients, sock_dir))
    finally:
        gc.callbacks.pop()
        gc.enable()
        for task in compat.all_tasks(loop):
            task.cancel()
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
    if runs:
        raise RuntimeError('a cycle collection ran during the measurement')
    return result


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('--clients', type=int, default=50)
    p.add_argument('--loop', choices=('asyncio', 'uvloop', 'both'),
                   default='both')
    args = p.parse_args(argv)
    kinds = ['asyncio', 'uvloop'] if args.loop == 'both' else [args.loop]
    sock_dir = tempfile.mkdtemp(prefix='tslc')
    print('# Python %s, %d clients, trollius_streams from %s'
          % (sys.version.split()[0], args.clients,
             os.path.dirname(trollius_streams.__file__)))
    print('| loop | family | pattern | connections still open | '
          'wait_closed() |')
    print('|---|---|---|---:|---|')
    try:
        for kind in kinds:
            for family in ('tcp', 'unix'):
                for pattern in ('coroutine', 'callback'):
                    still_open, returned = run(kind, pattern, family,
                                               args.clients, sock_dir)
                    print('| %s | %s | %s | %d | %s |' % (
                        kind, family, pattern, still_open, returned))
                    sys.stdout.flush()
    finally:
        shutil.rmtree(sock_dir, ignore_errors=True)


if __name__ == '__main__':
    main()
