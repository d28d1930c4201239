"""Scenarios: the stream functions (FN).

open_connection(), start_server() and their UNIX-socket twins, over real
loopback connections.
"""

import socket
import types

from .core import Fail, Hung, define_rules, register
from .fakes import (UNIX, Peer, accepts_loop_kw, close_server, collecting_cb,
                    connect, open_client, refused_port, serve, unix_dir)

define_rules({
    'FN-1':
        'open_connection() returns a (reader, writer) pair and takes loop=,'
        ' limit= and connection options.',
    'FN-2':
        'start_server() returns a Server and calls '
        'client_connected_cb(reader, writer) per connection.',
    'FN-3':
        'open_unix_connection() and start_unix_server() work like the TCP '
        'pair over a UNIX socket.',
    'FN-4': 'start_unix_server() and open_unix_connection() accept loop=.',
})


# --- 3. Stream functions -----------------------------------------------------


@register('FN-1', 'open_connection-pair',
           'open_connection(): A wrapper for create_connection() returning a '
           '(reader, writer) pair. The reader returned is a StreamReader '
           'instance; the writer is a StreamWriter instance.', label='DOC')
def _open_pair(t):
    peer = Peer(t.loop)
    server = t.run(t.loop.create_server(lambda: peer, '127.0.0.1', 0))
    t.on_cleanup(close_server, server)
    port = server.sockets[0].getsockname()[1]
    pair = t.run(t.mod.open_connection('127.0.0.1', port))
    t.check(isinstance(pair, tuple) and len(pair) == 2,
            'returned %s' % t.short(pair), 'a (reader, writer) pair')
    reader, writer = pair
    t.on_cleanup(writer.close)
    t.check(isinstance(reader, t.mod.StreamReader), t.short(reader),
            'a StreamReader')
    t.check(isinstance(writer, t.mod.StreamWriter), t.short(writer),
            'a StreamWriter')
    t.run(peer.made)
    t.on_cleanup(peer.transport.close)
    peer.transport.write(b'hello\n')
    t.returns(reader.readline(), b'hello\n')
    writer.write(b'world')
    t.run(peer.until(lambda: len(peer.data) >= 5))
    t.equal(bytes(peer.data), b'world')


@register('FN-1', 'open_connection-loop-kw',
           'open_connection(): Additional optional keyword arguments are loop '
           '(to set the event loop instance to use) ...', label='DOC')
def _open_loop_kw(t):
    port = serve(t, lambda r, w: w.close())
    reader, writer = accepts_loop_kw(
        t, t.mod.open_connection('127.0.0.1', port, loop=t.loop),
        'open_connection(..., loop=loop)')
    t.on_cleanup(writer.close)


@register('FN-1', 'open_connection-limit-kw',
           'open_connection(): ... and limit (to set the buffer limit passed '
           'to the StreamReader).', label='DOC')
def _open_limit_kw(t):
    reader, writer, peer = connect(t, limit=5)
    peer.transport.write(b'abcdefgh\n')
    t.raises(ValueError, reader.readline())


@register('FN-1', 'open_connection-kwds',
           'open_connection(): The arguments are all the usual arguments to '
           'create_connection() except protocol_factory.', label='DOC')
def _open_kwds(t):
    reader, writer, peer = connect(t, family=socket.AF_INET,
                                    local_addr=('127.0.0.1', 0))
    sockname = writer.get_extra_info('sockname')
    t.check(sockname is not None and sockname[0] == '127.0.0.1',
            'sockname %s' % t.short(sockname), "bound to local_addr")


@register('FN-1', 'open_connection-errors',
           'open_connection(): errors of create_connection() (here '
           'ConnectionRefusedError) propagate unchanged.', label='3.4')
def _open_errors(t):
    t.raises(ConnectionRefusedError,
             t.mod.open_connection('127.0.0.1', refused_port()))


@register('FN-2', 'start_server-returns-server',
           'start_server(): The return value is the same as create_server(), '
           'i.e. a AbstractServer object which can be used to stop the '
           'service.', label='DOC')
def _server_object(t):
    server = t.run(t.mod.start_server(lambda r, w: None, '127.0.0.1', 0))
    t.on_cleanup(close_server, server)
    for attr in ('close', 'wait_closed', 'sockets'):
        t.check(hasattr(server, attr), 'no %s on %s' % (attr,
                                                         t.short(server)),
                'close(), wait_closed(), sockets')
    t.check(len(server.sockets) >= 1, 'sockets %s' % t.short(server.sockets),
            'a listening socket')
    server.close()
    t.run(server.wait_closed())


@register('FN-2', 'start_server-plain-callback',
           'start_server(): client_connected_cb takes two parameters: '
           'client_reader, client_writer (a StreamReader and a StreamWriter); '
           'it can be a plain callback function.', label='DOC')
def _server_plain_cb(t):
    cb, got = collecting_cb(t)
    port = serve(t, cb)
    reader, writer = open_client(t, port)
    sr, sw = t.run(got)
    t.check(isinstance(sr, t.mod.StreamReader), t.short(sr),
            'client_reader is a StreamReader')
    t.check(isinstance(sw, t.mod.StreamWriter), t.short(sw),
            'client_writer is a StreamWriter')
    writer.write(b'ping\n')
    t.returns(sr.readline(), b'ping\n')
    sw.write(b'pong\n')
    t.returns(reader.readline(), b'pong\n')


@register('FN-2', 'start_server-generator-callback',
           'start_server(): client_connected_cb can be a coroutine function '
           '(generator-based, as @asyncio.coroutine made them); it will be '
           'automatically converted into a Task.', label='DOC')
def _server_generator_cb(t):
    started = t.future()

    @types.coroutine
    def handler(reader, writer):
        started.set_result(None)
        t.on_cleanup(writer.close)
        line = yield from reader.readline()
        writer.write(b'echo:' + line)
        writer.close()
    port = serve(t, handler)
    reader, writer = open_client(t, port)
    writer.write(b'hi\n')
    try:
        t.run(started, timeout=1.0)
    except Hung:
        raise Fail('the generator returned by the callback never ran '
                   '(nothing within 1s)', 'runs as a Task')
    t.returns(reader.read(), b'echo:hi\n')


@register('FN-2', 'start_server-async-def-callback',
           'start_server(): client_connected_cb can be a coroutine function '
           '(async def); it will be automatically converted into a Task.',
           label='Decision')
def _server_async_cb(t):
    async def handler(reader, writer):
        t.on_cleanup(writer.close)
        line = await reader.readline()
        writer.write(b'echo:' + line)
        writer.close()
    port = serve(t, handler)
    reader, writer = open_client(t, port)
    writer.write(b'hi\n')
    t.returns(reader.read(), b'echo:hi\n')


@register('FN-2', 'start_server-loop-kw',
           'start_server(): Additional optional keyword arguments are loop '
           '(to set the event loop instance to use) ...', label='DOC')
def _server_loop_kw(t):
    server = accepts_loop_kw(
        t, t.mod.start_server(lambda r, w: None, '127.0.0.1', 0, loop=t.loop),
        'start_server(..., loop=loop)')
    t.on_cleanup(close_server, server)


@register('FN-2', 'start_server-limit-kw',
           'start_server(): ... and limit (to set the buffer limit passed to '
           'the StreamReader).', label='DOC')
def _server_limit_kw(t):
    cb, got = collecting_cb(t)
    port = serve(t, cb, limit=5)
    reader, writer = open_client(t, port)
    writer.write(b'abcdefgh\n')
    sr, sw = t.run(got)
    t.raises(ValueError, sr.readline())


@register('FN-3', 'unix-round-trip',
           'open_unix_connection() / start_unix_server(): as '
           'open_connection() / start_server(), over a UNIX domain socket.', label='DOC',
           needs=UNIX)
def _unix_round_trip(t):
    path = unix_dir(t)
    cb, got = collecting_cb(t)
    server = t.run(t.mod.start_unix_server(cb, path))
    t.on_cleanup(close_server, server)
    reader, writer = t.run(t.mod.open_unix_connection(path))
    t.on_cleanup(writer.close)
    sr, sw = t.run(got)
    writer.write(b'ping\n')
    t.returns(sr.readline(), b'ping\n')
    sw.write(b'pong\n')
    t.returns(reader.readline(), b'pong\n')


@register('FN-4', 'unix-loop-kw',
           'open_unix_connection() / start_unix_server(): keyword argument '
           'loop (to set the event loop instance to use).', label='DOC',
           needs=UNIX)
def _unix_loop_kw(t):
    path = unix_dir(t)
    cb, got = collecting_cb(t)
    server = accepts_loop_kw(
        t, t.mod.start_unix_server(cb, path, loop=t.loop),
        'start_unix_server(..., loop=loop)')
    t.on_cleanup(close_server, server)
    reader, writer = accepts_loop_kw(
        t, t.mod.open_unix_connection(path, loop=t.loop),
        'open_unix_connection(..., loop=loop)')
    t.on_cleanup(writer.close)
