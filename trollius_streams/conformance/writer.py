"""Scenarios: StreamWriter and drain() (WR, DR).

Delegation to the transport, and what drain() returns or raises when there
is nothing to wait for, an exception is stored, or the connection is gone.
"""

import types

from .. import compat
from .core import Fail, define_rules, register
from .fakes import (FakeTransport, connect, discard, drain, new_reader,
                    writer_setup)

define_rules({
    'WR-2': 'StreamWriter.transport is the wrapped transport.',
    'WR-3':
        'write(), writelines(), write_eof(), can_write_eof(), '
        'get_extra_info() and close() go to the transport.',
    'DR-1':
        'The intended use is writer.write(data) followed by yield from '
        'writer.drain().',
    'DR-2':
        'drain() raises a stored reader exception at the call, and '
        'ConnectionResetError after connection loss.',
    'DR-5':
        'With nothing to wait for, drain() returns () and yield from '
        'continues at once.',
})


# --- 7. StreamWriter ---------------------------------------------------------


@register('WR-2', 'transport-attribute',
           'class StreamWriter(transport, protocol, reader, loop): Wraps a '
           'Transport. ... It also adds a transport attribute which '
           'references the Transport directly.', label='DOC')
def _writer_transport(t):
    rd, proto, tr, w = writer_setup(t)
    t.check(w.transport is tr, t.short(w.transport), 'the wrapped transport')


@register('WR-3', 'delegates-to-transport',
           'StreamWriter: This exposes write(), writelines(), '
           'can_write_eof(), write_eof(), get_extra_info() and close().', label='DOC')
def _writer_delegates(t):
    r = new_reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    tr = FakeTransport(extra={'sockname': ('127.0.0.1', 1)},
                        can_write_eof=False)
    proto.connection_made(tr)
    w = t.mod.StreamWriter(tr, proto, r, t.loop)
    t.on_cleanup(w.close)
    w.write(b'a')
    w.writelines([b'b', b'c'])
    t.equal(w.can_write_eof(), False, 'can_write_eof()')
    w.write_eof()
    t.equal(w.get_extra_info('sockname'), ('127.0.0.1', 1),
            "get_extra_info('sockname')")
    t.equal(w.get_extra_info('peername', 'dflt'), 'dflt',
            "get_extra_info('peername', 'dflt')")
    w.close()
    t.equal(tr.calls, [('write', b'a'), ('writelines', [b'b', b'c']),
                       ('can_write_eof',), ('write_eof',), ('close',)],
            'transport calls')


@register('DR-5', 'drain-returns-empty-tuple',
           "drain(): When there's nothing to wait for, drain() returns ().",
           label='DOC')
def _drain_empty(t):
    rd, proto, tr, w = writer_setup(t)
    d = w.drain()
    if not (isinstance(d, tuple) and d == ()):
        discard(d)
        raise Fail('returned %s' % t.short(d), '()')


@register('DR-5', 'drain-yield-from-continues',
           "drain(): ... and the yield-from continues immediately.",
           label='DOC')
def _drain_continues(t):
    rd, proto, tr, w = writer_setup(t)

    @types.coroutine
    def body():
        yield from w.drain()
        return 'done'
    gen = body()
    try:
        gen.send(None)
    except StopIteration as stop:
        t.equal(stop.value, 'done')
        return
    gen.close()
    raise Fail('yield from w.drain() suspended', 'continues immediately')


@register('DR-2', 'drain-raises-at-once',
           'drain() is a plain method: with an exception stored on the reader '
           'it raises it at once, when called.', label='3.4')
def _drain_raises(t):
    rd, proto, tr, w = writer_setup(t)
    exc = ValueError('stored')
    rd.set_exception(exc)
    try:
        d = w.drain()
    except ValueError as e:
        t.check(e is exc, t.short(e), 'the stored exception')
        return
    discard(d)
    raise Fail('returned %s (raising only when awaited)' % t.short(d),
               'raises the stored exception at the call')


@register('DR-2', 'drain-after-connection-lost',
           'yield from drain() after the connection was lost raises '
           "ConnectionResetError('Connection lost').", label='3.4')
def _drain_lost_conn(t):
    rd, proto, tr, w = writer_setup(t, reader=False)
    proto.connection_lost(None)
    t.raises(ConnectionResetError, drain(w), 'Connection lost')


@register('DR-2', 'drain-closing-then-connection-lost',
           'yield from drain() on a closing transport whose '
           'connection_lost() arrives before the caller resumes raises '
           "ConnectionResetError('Connection lost'), never success.",
           label='FIX')
def _drain_closing_lost(t):
    rd, proto, tr, w = writer_setup(t, reader=False)

    @compat.coroutine
    def body():
        tr.closing = True
        waiter = w.drain()
        # The transport delivers connection_lost() in the next iteration.
        t.loop.call_soon(proto.connection_lost, None)
        yield from waiter
    t.raises(ConnectionResetError, body(), 'Connection lost')


@register('DR-1', 'write-drain-loopback',
           'drain(): The intended use is to write: w.write(data) then '
           'yield from w.drain().', label='DOC')
def _drain_loopback(t):
    reader, writer, peer = connect(t)
    chunk = b'x' * 65536

    @compat.coroutine
    def pump():
        for _ in range(32):
            writer.write(chunk)
            yield from writer.drain()
    t.run(pump())
    writer.write_eof()
    t.run(peer.until(lambda: peer.eof))
    t.equal(len(peer.data), 32 * 65536, 'bytes received:')
