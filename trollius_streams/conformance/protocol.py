"""Scenarios: StreamReaderProtocol (PR).

The protocol's callbacks on a fake transport, and half-close over a real
connection.
"""

import asyncio

from .core import define_rules, register
from .fakes import FakeTransport, collecting_cb, new_reader, open_client, serve

define_rules({
    'PR-1': 'StreamReaderProtocol is a subclass of asyncio.Protocol.',
    'PR-2':
        'On connection it calls client_connected_cb(reader, writer); a '
        'returned coroutine runs as a task.',
    'PR-4': 'data_received() feeds the bytes to the reader.',
    'PR-5':
        'eof_received() feeds EOF to the reader and keeps the connection '
        'open for writing (half-close).',
    'PR-6':
        'connection_lost() ends the reader: EOF on a clean close, the error'
        ' otherwise.',
})


# --- 5. StreamReaderProtocol -------------------------------------------------


@register('PR-1', 'subclass-of-Protocol',
           'StreamReaderProtocol: Trivial helper class to adapt between '
           'Protocol and StreamReader. Subclass of Protocol.', label='DOC')
def _protocol_class(t):
    t.check(issubclass(t.mod.StreamReaderProtocol, asyncio.Protocol),
            'bases %s' % t.short(t.mod.StreamReaderProtocol.__mro__),
            'a subclass of asyncio.Protocol')


@register('PR-2', 'callback-on-connection',
           'StreamReaderProtocol: client_connected_cb is an optional function '
           'called with (stream_reader, stream_writer) when a connection is '
           'made.', label='DOC')
def _protocol_cb(t):
    calls = []
    r = new_reader(t)
    proto = t.mod.StreamReaderProtocol(r, lambda *a: calls.append(a),
                                       loop=t.loop)
    tr = FakeTransport()
    proto.connection_made(tr)
    t.on_cleanup(calls[0][1].close if calls else tr.close)
    t.equal(len(calls), 1, 'calls during connection_made():')
    reader, writer = calls[0]
    t.check(reader is r, t.short(reader), 'the stream_reader')
    t.check(isinstance(writer, t.mod.StreamWriter), t.short(writer),
            'a StreamWriter')
    t.check(writer.transport is tr, t.short(writer.transport),
            'a writer on the new transport')


@register('PR-4', 'data_received-feeds',
           'StreamReaderProtocol adapts Protocol to StreamReader: '
           'data_received() feeds the reader.', label='3.4')
def _protocol_data(t):
    r = new_reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    proto.connection_made(FakeTransport())
    proto.data_received(b'abc\n')
    t.returns(r.readline(), b'abc\n')


@register('PR-5', 'eof_received-half-close',
           'eof_received() feeds EOF to the reader and returns True, keeping '
           'the transport open for writing (fixed after 3.4.0).', label='FIX')
def _protocol_eof(t):
    r = new_reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    proto.connection_made(FakeTransport())
    proto.data_received(b'x')
    keep_open = proto.eof_received()
    t.returns(r.read(), b'x')
    t.equal(r.at_eof(), True, 'at_eof():')
    t.equal(keep_open, True, 'eof_received() returned')


@register('PR-6', 'connection_lost',
           'connection_lost(None) feeds EOF to the reader; '
           'connection_lost(exc) sets the exception.', label='3.4')
def _protocol_lost(t):
    r = new_reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    proto.connection_made(FakeTransport())
    proto.data_received(b'x')
    proto.connection_lost(None)
    t.returns(r.read(), b'x')
    t.equal(r.at_eof(), True, 'after connection_lost(None): at_eof()')
    r2 = new_reader(t)
    proto2 = t.mod.StreamReaderProtocol(r2, loop=t.loop)
    proto2.connection_made(FakeTransport())
    exc = ConnectionResetError('gone')
    proto2.connection_lost(exc)
    t.check(r2.exception() is exc, t.short(r2.exception()),
            'the reader holds the connection_lost() exception')


@register('PR-5', 'half-close-loopback',
           'A server can read to EOF after the client write_eof() and still '
           'reply (half-close).', label='FIX')
def _half_close(t):
    cb, got = collecting_cb(t)
    port = serve(t, cb)
    reader, writer = open_client(t, port)
    writer.write(b'hello')
    writer.write_eof()
    sr, sw = t.run(got)
    data = t.run(sr.read())
    t.equal(data, b'hello')
    sw.write(b'got:' + data)
    sw.close()
    t.returns(reader.read(), b'got:hello')
