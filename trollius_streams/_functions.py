"""The stream functions: open_connection, start_server and the UNIX pair."""

__all__ = ['open_connection', 'start_server']

import socket
import types

from . import compat
from ._protocol import StreamReaderProtocol
from ._reader import StreamReader, _check_limit
from ._writer import StreamWriter


def _check_callback(client_connected_cb):
    if not callable(client_connected_cb):
        raise TypeError('client_connected_cb must be callable, not %s'
                        % type(client_connected_cb).__name__)


# types.coroutine: these generators ``yield from`` the loop's methods, which
# are ``async def`` from 3.7 on and on uvloop (contract M-13).
@types.coroutine
def _open(loop, limit, connect):
    # Shared by open_connection and open_unix_connection (contract FN-1/FN-3).
    # ``loop`` and ``limit`` are ours and never reach ``connect`` (the
    # stdlib's forwarding of loop= is a TypeError on 3.10+).
    loop = compat.get_event_loop(loop)
    reader = StreamReader(limit=limit, loop=loop)
    protocol = StreamReaderProtocol(reader, loop=loop)
    transport, _ = yield from connect(loop, lambda: protocol)
    writer = StreamWriter(transport, protocol, reader, loop)
    return reader, writer


@types.coroutine
def _serve(client_connected_cb, loop, limit, create):
    # Shared by start_server and start_unix_server (contract FN-2/FN-4).
    _check_callback(client_connected_cb)
    _check_limit(limit)
    loop = compat.get_event_loop(loop)

    def factory():
        reader = StreamReader(limit=limit, loop=loop)
        return StreamReaderProtocol(reader, client_connected_cb, loop=loop)

    return (yield from create(loop, factory))


@compat.coroutine
def open_connection(host=None, port=None, *, loop=None, limit=None, **kwds):
    """Connect to ``host:port`` and return a ``(reader, writer)`` pair.

    ``kwds`` go to ``loop.create_connection()`` unchanged (ssl, family,
    local_addr, server_hostname, sock, ...).  A coroutine.
    """
    return (yield from _open(loop, limit, lambda lp, factory:
                             lp.create_connection(factory, host, port, **kwds)))


@compat.coroutine
def start_server(client_connected_cb, host=None, port=None, *,
                 loop=None, limit=None, **kwds):
    """Start a server calling ``client_connected_cb(reader, writer)`` per client.

    The callback may be a plain function or a coroutine function (also a
    plain generator function); a returned coroutine object runs as a Task.
    Returns what ``loop.create_server()`` returns.  A coroutine.
    """
    return (yield from _serve(client_connected_cb, loop, limit,
                              lambda lp, factory:
                              lp.create_server(factory, host, port, **kwds)))


if hasattr(socket, 'AF_UNIX'):
    __all__.extend(['open_unix_connection', 'start_unix_server'])

    @compat.coroutine
    def open_unix_connection(path=None, *, loop=None, limit=None, **kwds):
        """Like open_connection(), over a UNIX domain socket.  A coroutine."""
        return (yield from _open(loop, limit, lambda lp, factory:
                                 lp.create_unix_connection(factory, path,
                                                           **kwds)))

    @compat.coroutine
    def start_unix_server(client_connected_cb, path=None, *,
                          loop=None, limit=None, **kwds):
        """Like start_server(), on a UNIX domain socket.  A coroutine."""
        return (yield from _serve(client_connected_cb, loop, limit,
                                  lambda lp, factory:
                                  lp.create_unix_server(factory, path,
                                                        **kwds)))
