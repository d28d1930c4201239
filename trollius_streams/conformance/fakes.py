"""Fakes and loopback helpers shared by the scenario modules.

Everything here works with any target module (``t.mod``): the fakes stand
in for a transport, the loopback helpers connect a target's streams to a
peer written with plain asyncio protocols, so a scenario observes the
target from outside, through public names only.
"""

__all__ = ['BOTH', 'UNIX', 'FakeTransport', 'Peer', 'close_server',
           'connect', 'serve', 'open_client', 'collecting_cb', 'Source',
           'new_reader', 'writer_setup', 'drain', 'discard', 'refused_port',
           'accepts_loop_kw', 'unix_dir', 'await_in_async_def']

import asyncio
import os
import shutil
import socket
import tempfile

from .. import compat
from .core import Fail, Hung, NotApplicable

#: Both ways of delivering bytes to a reader: feed_data() and a socket.
BOTH = ('feed', 'loopback')
#: The names a target provides where AF_UNIX exists.
UNIX = ('open_unix_connection', 'start_unix_server')


class FakeTransport(object):
    """A transport that records what is done to it."""

    def __init__(self, extra=None, can_write_eof=True):
        self.calls = []
        self.closing = False
        self.paused = False
        self.pauses = 0
        self.resumes = 0
        self._extra = dict(extra or {})
        self._can_write_eof = can_write_eof

    def write(self, data):
        self.calls.append(('write', bytes(data)))

    def writelines(self, data):
        self.calls.append(('writelines', [bytes(d) for d in data]))

    def write_eof(self):
        self.calls.append(('write_eof',))

    def can_write_eof(self):
        self.calls.append(('can_write_eof',))
        return self._can_write_eof

    def close(self):
        self.calls.append(('close',))
        self.closing = True

    def abort(self):
        self.closing = True

    def is_closing(self):
        return self.closing

    def get_extra_info(self, name, default=None):
        return self._extra.get(name, default)

    def pause_reading(self):
        self.paused = True
        self.pauses += 1

    def resume_reading(self):
        self.paused = False
        self.resumes += 1


class Peer(asyncio.Protocol):
    """The other end of a loopback connection, written with plain asyncio."""

    def __init__(self, loop):
        self.loop = loop
        self.transport = None
        self.data = bytearray()
        self.eof = False
        self.made = compat.create_future(loop)
        self._waiters = []

    def connection_made(self, transport):
        self.transport = transport
        self.made.set_result(None)

    def data_received(self, data):
        self.data += data
        self._wake()

    def eof_received(self):
        self.eof = True
        self._wake()
        return True

    def connection_lost(self, exc):
        self.eof = True
        self._wake()

    def _wake(self):
        waiters, self._waiters = self._waiters, []
        for w in waiters:
            if not w.done():
                w.set_result(None)

    @compat.coroutine
    def until(self, predicate):
        while not predicate():
            w = compat.create_future(self.loop)
            self._waiters.append(w)
            yield from w


def close_server(server):
    close_clients = getattr(server, 'close_clients', None)  # 3.13+
    server.close()
    if close_clients is not None:
        close_clients()


def connect(t, limit=None, **kwds):
    """Open a target connection to a plain-asyncio peer on 127.0.0.1."""
    peer = Peer(t.loop)
    server = t.run(t.loop.create_server(lambda: peer, '127.0.0.1', 0))
    t.on_cleanup(close_server, server)
    port = server.sockets[0].getsockname()[1]
    if limit is not None:
        kwds['limit'] = limit
    reader, writer = t.run(t.mod.open_connection('127.0.0.1', port, **kwds))
    t.on_cleanup(writer.close)
    t.run(peer.made)
    t.on_cleanup(peer.transport.close)
    return reader, writer, peer


def serve(t, cb, **kwds):
    """Start a target server on 127.0.0.1; return its port."""
    server = t.run(t.mod.start_server(cb, '127.0.0.1', 0, **kwds))
    t.on_cleanup(close_server, server)
    return server.sockets[0].getsockname()[1]


def open_client(t, port, **kwds):
    reader, writer = t.run(t.mod.open_connection('127.0.0.1', port, **kwds))
    t.on_cleanup(writer.close)
    return reader, writer


def collecting_cb(t):
    """A plain client_connected_cb; returns (cb, future of (reader, writer))."""
    got = t.future()

    def cb(reader, writer):
        t.on_cleanup(writer.close)
        if not got.done():
            got.set_result((reader, writer))
    return cb, got


class Source(object):
    """A reader plus a way to deliver bytes: feed_data() or a loopback peer."""

    def __init__(self, t, limit=None):
        self.peer = None
        if t.via == 'loopback':
            self.reader, _, self.peer = connect(t, limit)
        elif limit is None:
            self.reader = t.mod.StreamReader(loop=t.loop)
        else:
            self.reader = t.mod.StreamReader(limit=limit, loop=t.loop)

    def send(self, data):
        if self.peer is not None:
            self.peer.transport.write(data)
        else:
            self.reader.feed_data(data)

    def eof(self):
        if self.peer is not None:
            self.peer.transport.write_eof()
        else:
            self.reader.feed_eof()


def new_reader(t, **kwds):
    return t.mod.StreamReader(loop=t.loop, **kwds)


def writer_setup(t, reader=True):
    """A target reader/protocol/writer trio on a fake transport."""
    rd = new_reader(t) if reader else None
    proto = t.mod.StreamReaderProtocol(rd if rd is not None else new_reader(t),
                                       loop=t.loop)
    tr = FakeTransport()
    proto.connection_made(tr)
    writer = t.mod.StreamWriter(tr, proto, rd, t.loop)
    # Close through the writer: it stays referenced until the scenario
    # ends (3.11+ stdlib writers warn when collected with an open transport).
    t.on_cleanup(writer.close)
    return rd, proto, tr, writer


@compat.coroutine
def drain(writer):
    """``yield from writer.drain()``: the documented use, whatever it returns."""
    return (yield from writer.drain())


def discard(obj):
    """Close a coroutine object we will not run (no 'never awaited' warning)."""
    close = getattr(obj, 'close', None)
    if close is not None:
        close()


def refused_port():
    sock = socket.socket()
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def accepts_loop_kw(t, obj, what):
    try:
        return t.run(obj)
    except Hung:
        raise
    except Exception as exc:
        raise Fail('%s raised %s' % (what, t.short(exc)[len('raised '):]),
                   '%s accepts loop=' % what)


def unix_dir(t):
    if not hasattr(socket, 'AF_UNIX'):
        raise NotApplicable('no AF_UNIX on this platform')
    path = tempfile.mkdtemp(prefix='ts-conf-')
    t.on_cleanup(shutil.rmtree, path, True)
    return os.path.join(path, 'sock')


async def await_in_async_def(obj):
    return await obj
