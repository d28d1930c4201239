"""The scenarios of the conformance kit (see trollius_streams.conformance).

Each scenario is a plain function of a Trial ``t``: ``t.mod`` is the target
module, ``t.loop`` a fresh loop, ``t.run(x)`` drives whatever the target
returned.  The scenario raises ``Fail(observed, expected)`` (through
``t.equal``/``t.check``/``t.raises``) when the target does not behave as the
sentence says.  They are written for any target, stdlib asyncio 3.6-3.13
included, so they never rely on private attributes and never pass ``loop=``
except where ``loop=`` is what they check.
"""

import asyncio
import os
import pickle
import shutil
import socket
import tempfile
import types

from . import compat
from .conformance import Fail, Hung, NotApplicable, scenario

BOTH = ('feed', 'loopback')
UNIX = ('open_unix_connection', 'start_unix_server')


# --- Helpers ---------------------------------------------------------------------


class _FakeTransport(object):
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


class _Peer(asyncio.Protocol):
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


def _close_server(server):
    close_clients = getattr(server, 'close_clients', None)  # 3.13+
    server.close()
    if close_clients is not None:
        close_clients()


def _connect(t, limit=None, **kwds):
    """Open a target connection to a plain-asyncio peer on 127.0.0.1."""
    peer = _Peer(t.loop)
    server = t.run(t.loop.create_server(lambda: peer, '127.0.0.1', 0))
    t.on_cleanup(_close_server, server)
    port = server.sockets[0].getsockname()[1]
    if limit is not None:
        kwds['limit'] = limit
    reader, writer = t.run(t.mod.open_connection('127.0.0.1', port, **kwds))
    t.on_cleanup(writer.close)
    t.run(peer.made)
    t.on_cleanup(peer.transport.close)
    return reader, writer, peer


def _serve(t, cb, **kwds):
    """Start a target server on 127.0.0.1; return its port."""
    server = t.run(t.mod.start_server(cb, '127.0.0.1', 0, **kwds))
    t.on_cleanup(_close_server, server)
    return server.sockets[0].getsockname()[1]


def _open(t, port, **kwds):
    reader, writer = t.run(t.mod.open_connection('127.0.0.1', port, **kwds))
    t.on_cleanup(writer.close)
    return reader, writer


def _collecting_cb(t):
    """A plain client_connected_cb; returns (cb, future of (reader, writer))."""
    got = t.future()

    def cb(reader, writer):
        t.on_cleanup(writer.close)
        if not got.done():
            got.set_result((reader, writer))
    return cb, got


class _Source(object):
    """A reader plus a way to deliver bytes: feed_data() or a loopback peer."""

    def __init__(self, t, limit=None):
        self.peer = None
        if t.via == 'loopback':
            self.reader, _, self.peer = _connect(t, limit)
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


def _reader(t, **kwds):
    return t.mod.StreamReader(loop=t.loop, **kwds)


def _writer_setup(t, reader=True):
    """A target reader/protocol/writer trio on a fake transport."""
    rd = _reader(t) if reader else None
    proto = t.mod.StreamReaderProtocol(rd if rd is not None else _reader(t),
                                       loop=t.loop)
    tr = _FakeTransport()
    proto.connection_made(tr)
    writer = t.mod.StreamWriter(tr, proto, rd, t.loop)
    # Close through the writer: it stays referenced until the scenario
    # ends (3.11+ stdlib writers warn when collected with an open transport).
    t.on_cleanup(writer.close)
    return rd, proto, tr, writer


@compat.coroutine
def _drain(writer):
    """``yield from writer.drain()``: the documented use, whatever it returns."""
    return (yield from writer.drain())


def _discard(obj):
    """Close a coroutine object we will not run (no 'never awaited' warning)."""
    close = getattr(obj, 'close', None)
    if close is not None:
        close()


def _refused_port():
    sock = socket.socket()
    try:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]
    finally:
        sock.close()


def _accepts_loop_kw(t, obj, what):
    try:
        return t.run(obj)
    except Hung:
        raise
    except Exception as exc:
        raise Fail('%s raised %s' % (what, t.short(exc)[len('raised '):]),
                   '%s accepts loop=' % what)


def _unix_dir(t):
    if not hasattr(socket, 'AF_UNIX'):
        raise NotApplicable('no AF_UNIX on this platform')
    path = tempfile.mkdtemp(prefix='ts-conf-')
    t.on_cleanup(shutil.rmtree, path, True)
    return os.path.join(path, 'sock')


async def _await(obj):
    return await obj


# --- 1. Package surface --------------------------------------------------------


@scenario('API-1', 'exports',
          'The module provides open_connection(), start_server(), '
          'StreamReader, StreamWriter, StreamReaderProtocol and '
          'IncompleteReadError.', label='DOC')
def _exports(t):
    # run_scenario already reports a target without them as n/a, so check
    # what they are.
    for name in ('StreamReader', 'StreamWriter', 'StreamReaderProtocol'):
        t.check(isinstance(getattr(t.mod, name), type),
                '%s is %s' % (name, t.short(getattr(t.mod, name))),
                '%s is a class' % name)
    t.check(issubclass(t.mod.IncompleteReadError, BaseException),
            'IncompleteReadError is not an exception class',
            'an exception class')
    for name in ('open_connection', 'start_server'):
        t.check(callable(getattr(t.mod, name)),
                '%s is not callable' % name, 'a coroutine function')


@scenario('API-1', 'unix-exports',
          'open_unix_connection() and start_unix_server(): '
          'Availability: UNIX.', label='DOC')
def _unix_exports(t):
    if not hasattr(socket, 'AF_UNIX'):
        raise NotApplicable('no AF_UNIX on this platform')
    missing = [n for n in UNIX if not callable(getattr(t.mod, n, None))]
    t.check(not missing, 'missing: %s' % ', '.join(missing),
            'both provided where AF_UNIX exists')


@scenario('API-4', 'default-limit',
          'StreamReader(limit=None, ...): the default buffer limit is 64 KiB '
          '(reading pauses once more than 2*65536 bytes are buffered).',
          label='3.4')
def _default_limit(t):
    r = t.mod.StreamReader(loop=t.loop)
    tr = _FakeTransport()
    r.set_transport(tr)
    r.feed_data(b'x' * 131072)
    t.check(not tr.paused, 'paused at 131072 bytes', 'not paused yet')
    r.feed_data(b'x')
    t.check(tr.paused, 'not paused at 131073 bytes',
            'pause_reading() past 131072 bytes')


# --- 2. Coroutine model ----------------------------------------------------------


@scenario('CO-1', 'read-methods-are-coroutines',
          'read(), readline(), readexactly(): This method is a coroutine '
          '(calling it runs nothing; running the result does the work).',
          label='DOC')
def _read_coroutines(t):
    exc = ValueError('stored')
    for name, args in (('read', ()), ('readline', ()), ('readexactly', (1,))):
        r = _reader(t)
        r.set_exception(exc)
        try:
            obj = getattr(r, name)(*args)
        except Exception as e:
            raise Fail('%s() %s at call time' % (name, t.short(e)),
                       'a coroutine object; the exception when it runs')
        t.check(compat.iscoroutine(obj), '%s() returned %s'
                % (name, t.short(obj)), 'a coroutine object')
        got = t.raises(ValueError, obj)
        t.check(got is exc, '%s() raised %s' % (name, t.short(got)),
                'the stored exception')


@scenario('CO-1', 'functions-are-coroutines',
          'open_connection(), start_server(), open_unix_connection(), '
          'start_unix_server(): This function is a coroutine.', label='DOC')
def _function_coroutines(t):
    port = _refused_port()
    try:
        obj = t.mod.open_connection('127.0.0.1', port)
    except Exception as e:
        raise Fail('open_connection() %s at call time' % t.short(e),
                   'a coroutine object; the error when it runs')
    t.check(compat.iscoroutine(obj), 'open_connection() returned %s'
            % t.short(obj), 'a coroutine object')
    t.raises(OSError, obj)
    obj = t.mod.start_server(lambda r, w: None, '127.0.0.1', 0)
    t.check(compat.iscoroutine(obj), 'start_server() returned %s'
            % t.short(obj), 'a coroutine object')
    server = t.run(obj)
    t.on_cleanup(_close_server, server)
    if hasattr(socket, 'AF_UNIX'):
        for name in UNIX:
            func = getattr(t.mod, name, None)
            if func is None:
                continue
            args = ((lambda r, w: None),) if name == 'start_unix_server' else ()
            obj = func(*args, path=os.path.join(tempfile.gettempdir(),
                                                'ts-conf-never-created'))
            t.check(compat.iscoroutine(obj), '%s() returned %s'
                    % (name, t.short(obj)), 'a coroutine object')
            _discard(obj)


@scenario('CO-2', 'asyncio-Task-accepts',
          '3.4 idiom: asyncio.Task(reader.readline(), loop=loop) and '
          'loop.create_task(...) take the coroutine object.',
          label='Decision')
def _task_accepts(t):
    r = _reader(t)
    try:
        task = asyncio.Task(r.readline(), loop=t.loop)
    except Exception as e:
        raise Fail('asyncio.Task(reader.readline()) ' + t.short(e),
                   'a Task')
    r.feed_data(b'one\ntwo\n')
    t.equal(t.wait_task(task), b'one\n')
    try:
        task = t.loop.create_task(r.readline())
    except Exception as e:
        raise Fail('loop.create_task(reader.readline()) ' + t.short(e),
                   'a Task')
    t.equal(t.wait_task(task), b'two\n')


@scenario('CO-2', 'await-in-async-def',
          'The coroutine objects also work with await inside async def.',
          label='Decision')
def _await_works(t):
    r = _reader(t)
    r.feed_data(b'line\n')
    t.returns(_await(r.readline()), b'line\n')


@scenario('CO-2', 'gather-and-wait_for',
          'The coroutine objects work with asyncio.gather() and '
          'asyncio.wait_for().', label='Decision')
def _gather(t):
    r1, r2 = _reader(t), _reader(t)

    @compat.coroutine
    def body():
        t.loop.call_soon(r1.feed_data, b'a\nrest')
        t.loop.call_soon(r2.feed_data, b'b\n')
        t.loop.call_soon(r1.feed_eof)
        lines = yield from asyncio.gather(r1.readline(), r2.readline())
        rest = yield from asyncio.wait_for(r1.read(), 5)
        return lines, rest
    t.returns(body(), ([b'a\n', b'b\n'], b'rest'))


@scenario('CO-5', 'running-loop-by-default',
          'StreamReader(limit=None, loop=None) and StreamReaderProtocol(...) '
          'made inside a running coroutine use the running loop.',
          label='Decision')
def _running_loop(t):
    @compat.coroutine
    def body():
        r = t.mod.StreamReader()
        t.mod.StreamReaderProtocol(r)
        t.loop.call_soon(r.feed_data, b'line\n')
        return (yield from r.readline())
    t.returns(body(), b'line\n')


# --- 3. Stream functions -----------------------------------------------------------


@scenario('FN-1', 'open_connection-pair',
          'open_connection(): A wrapper for create_connection() returning a '
          '(reader, writer) pair. The reader returned is a StreamReader '
          'instance; the writer is a StreamWriter instance.', label='DOC')
def _open_pair(t):
    peer = _Peer(t.loop)
    server = t.run(t.loop.create_server(lambda: peer, '127.0.0.1', 0))
    t.on_cleanup(_close_server, server)
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


@scenario('FN-1', 'open_connection-loop-kw',
          'open_connection(): Additional optional keyword arguments are loop '
          '(to set the event loop instance to use) ...', label='DOC')
def _open_loop_kw(t):
    port = _serve(t, lambda r, w: w.close())
    reader, writer = _accepts_loop_kw(
        t, t.mod.open_connection('127.0.0.1', port, loop=t.loop),
        'open_connection(..., loop=loop)')
    t.on_cleanup(writer.close)


@scenario('FN-1', 'open_connection-limit-kw',
          'open_connection(): ... and limit (to set the buffer limit passed '
          'to the StreamReader).', label='DOC')
def _open_limit_kw(t):
    reader, writer, peer = _connect(t, limit=5)
    peer.transport.write(b'abcdefgh\n')
    t.raises(ValueError, reader.readline())


@scenario('FN-1', 'open_connection-kwds',
          'open_connection(): The arguments are all the usual arguments to '
          'create_connection() except protocol_factory.', label='DOC')
def _open_kwds(t):
    reader, writer, peer = _connect(t, family=socket.AF_INET,
                                    local_addr=('127.0.0.1', 0))
    sockname = writer.get_extra_info('sockname')
    t.check(sockname is not None and sockname[0] == '127.0.0.1',
            'sockname %s' % t.short(sockname), "bound to local_addr")


@scenario('FN-1', 'open_connection-errors',
          'open_connection(): errors of create_connection() (here '
          'ConnectionRefusedError) propagate unchanged.', label='3.4')
def _open_errors(t):
    t.raises(ConnectionRefusedError,
             t.mod.open_connection('127.0.0.1', _refused_port()))


@scenario('FN-2', 'start_server-returns-server',
          'start_server(): The return value is the same as create_server(), '
          'i.e. a AbstractServer object which can be used to stop the '
          'service.', label='DOC')
def _server_object(t):
    server = t.run(t.mod.start_server(lambda r, w: None, '127.0.0.1', 0))
    t.on_cleanup(_close_server, server)
    for attr in ('close', 'wait_closed', 'sockets'):
        t.check(hasattr(server, attr), 'no %s on %s' % (attr,
                                                         t.short(server)),
                'close(), wait_closed(), sockets')
    t.check(len(server.sockets) >= 1, 'sockets %s' % t.short(server.sockets),
            'a listening socket')
    server.close()
    t.run(server.wait_closed())


@scenario('FN-2', 'start_server-plain-callback',
          'start_server(): client_connected_cb takes two parameters: '
          'client_reader, client_writer (a StreamReader and a StreamWriter); '
          'it can be a plain callback function.', label='DOC')
def _server_plain_cb(t):
    cb, got = _collecting_cb(t)
    port = _serve(t, cb)
    reader, writer = _open(t, port)
    sr, sw = t.run(got)
    t.check(isinstance(sr, t.mod.StreamReader), t.short(sr),
            'client_reader is a StreamReader')
    t.check(isinstance(sw, t.mod.StreamWriter), t.short(sw),
            'client_writer is a StreamWriter')
    writer.write(b'ping\n')
    t.returns(sr.readline(), b'ping\n')
    sw.write(b'pong\n')
    t.returns(reader.readline(), b'pong\n')


@scenario('FN-2', 'start_server-generator-callback',
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
    port = _serve(t, handler)
    reader, writer = _open(t, port)
    writer.write(b'hi\n')
    try:
        t.run(started, timeout=1.0)
    except Hung:
        raise Fail('the generator returned by the callback never ran '
                   '(nothing within 1s)', 'runs as a Task')
    t.returns(reader.read(), b'echo:hi\n')


@scenario('FN-2', 'start_server-async-def-callback',
          'start_server(): client_connected_cb can be a coroutine function '
          '(async def); it will be automatically converted into a Task.',
          label='Decision')
def _server_async_cb(t):
    async def handler(reader, writer):
        t.on_cleanup(writer.close)
        line = await reader.readline()
        writer.write(b'echo:' + line)
        writer.close()
    port = _serve(t, handler)
    reader, writer = _open(t, port)
    writer.write(b'hi\n')
    t.returns(reader.read(), b'echo:hi\n')


@scenario('FN-2', 'start_server-loop-kw',
          'start_server(): Additional optional keyword arguments are loop '
          '(to set the event loop instance to use) ...', label='DOC')
def _server_loop_kw(t):
    server = _accepts_loop_kw(
        t, t.mod.start_server(lambda r, w: None, '127.0.0.1', 0, loop=t.loop),
        'start_server(..., loop=loop)')
    t.on_cleanup(_close_server, server)


@scenario('FN-2', 'start_server-limit-kw',
          'start_server(): ... and limit (to set the buffer limit passed to '
          'the StreamReader).', label='DOC')
def _server_limit_kw(t):
    cb, got = _collecting_cb(t)
    port = _serve(t, cb, limit=5)
    reader, writer = _open(t, port)
    writer.write(b'abcdefgh\n')
    sr, sw = t.run(got)
    t.raises(ValueError, sr.readline())


@scenario('FN-3', 'unix-round-trip',
          'open_unix_connection() / start_unix_server(): as open_connection() '
          '/ start_server(), over a UNIX domain socket.', label='DOC',
          needs=UNIX)
def _unix_round_trip(t):
    path = _unix_dir(t)
    cb, got = _collecting_cb(t)
    server = t.run(t.mod.start_unix_server(cb, path))
    t.on_cleanup(_close_server, server)
    reader, writer = t.run(t.mod.open_unix_connection(path))
    t.on_cleanup(writer.close)
    sr, sw = t.run(got)
    writer.write(b'ping\n')
    t.returns(sr.readline(), b'ping\n')
    sw.write(b'pong\n')
    t.returns(reader.readline(), b'pong\n')


@scenario('FN-4', 'unix-loop-kw',
          'open_unix_connection() / start_unix_server(): keyword argument '
          'loop (to set the event loop instance to use).', label='DOC',
          needs=UNIX)
def _unix_loop_kw(t):
    path = _unix_dir(t)
    cb, got = _collecting_cb(t)
    server = _accepts_loop_kw(
        t, t.mod.start_unix_server(cb, path, loop=t.loop),
        'start_unix_server(..., loop=loop)')
    t.on_cleanup(_close_server, server)
    reader, writer = _accepts_loop_kw(
        t, t.mod.open_unix_connection(path, loop=t.loop),
        'open_unix_connection(..., loop=loop)')
    t.on_cleanup(writer.close)


# --- 4. StreamReader ------------------------------------------------------------------


@scenario('RD-1', 'limit-None',
          'class StreamReader(limit=None, loop=None): limit=None is the '
          'documented default.', label='DOC')
def _limit_none(t):
    try:
        r = t.mod.StreamReader(limit=None, loop=t.loop)
    except Exception as e:
        raise Fail('StreamReader(limit=None) ' + t.short(e),
                   'accepted (default limit)')
    r.feed_data(b'line\n')
    t.returns(r.readline(), b'line\n')


@scenario('RD-1', 'limit-not-positive',
          'StreamReader(limit=0) raises ValueError (fixed after 3.4.0).',
          label='FIX')
def _limit_zero(t):
    for limit in (0, -1):
        try:
            t.mod.StreamReader(limit=limit, loop=t.loop)
        except ValueError:
            continue
        except Exception as e:
            raise Fail('StreamReader(limit=%d) %s' % (limit, t.short(e)),
                       'ValueError')
        raise Fail('StreamReader(limit=%d) accepted' % limit, 'ValueError')


@scenario('RD-2', 'exception',
          'exception(): Get the exception.', label='DOC')
def _exception(t):
    r = _reader(t)
    t.equal(r.exception(), None, 'before set_exception:')
    exc = ValueError('boom')
    r.set_exception(exc)
    t.check(r.exception() is exc, t.short(r.exception()),
            'the exception given to set_exception()')


@scenario('RD-3', 'set_exception',
          'set_exception(exc): Set the exception (a waiting read raises it, '
          'and so does every later read).', label='DOC')
def _set_exception(t):
    r = _reader(t)
    task = t.spawn(r.readline())
    t.spin(2)
    exc = ValueError('boom')
    r.set_exception(exc)
    got = t.raises(ValueError, task)
    t.check(got is exc, t.short(got), 'the exception given to set_exception()')
    got = t.raises(ValueError, r.read(1))
    t.check(got is exc, t.short(got), 'the same exception again')


@scenario('RD-4', 'set_transport',
          'set_transport(transport): Set the transport (once: a second call '
          'raises AssertionError).', label='3.4')
def _set_transport(t):
    r = _reader(t)
    r.set_transport(_FakeTransport())
    try:
        r.set_transport(_FakeTransport())
    except AssertionError:
        return
    except Exception as e:
        raise Fail(t.short(e), 'AssertionError')
    raise Fail('second set_transport() accepted', 'AssertionError')


@scenario('RD-5', 'feed_eof-wakes-reader',
          'feed_eof(): Acknowledge the EOF (a waiting readline() returns the '
          'partial line).', label='DOC', via=BOTH)
def _feed_eof(t):
    src = _Source(t)
    src.send(b'partial')
    task = t.spawn(src.reader.readline())
    t.spin(2)
    src.eof()
    t.equal(t.wait_task(task), b'partial')
    t.returns(src.reader.read(), b'')


@scenario('RD-6', 'feed_data-resumes',
          'feed_data(data): Feed data bytes in the internal buffer. Any '
          'operations waiting for the data will be resumed.', label='DOC',
          via=BOTH)
def _feed_data(t):
    src = _Source(t)
    task = t.spawn(src.reader.readexactly(3))
    t.spin(2)
    t.check(not task.done(), 'finished before any data',
            'readexactly(3) waits for data')
    src.send(b'abc')
    t.equal(t.wait_task(task), b'abc')


@scenario('RD-6', 'feed_data-same-iteration',
          'feed_data(): several feed_data() calls before the reader resumes '
          'all count toward one readline().', label='3.4')
def _feed_same_iteration(t):
    r = _reader(t)

    def feed():
        r.feed_data(b'chunk1 ')
        r.feed_data(b'chunk2 ')
        r.feed_data(b'chunk3 \n')
    t.loop.call_soon(feed)
    t.returns(r.readline(), b'chunk1 chunk2 chunk3 \n')


@scenario('RD-6', 'feed_data-after-eof',
          'feed_data() after feed_eof() raises AssertionError.', label='3.4')
def _feed_after_eof(t):
    r = _reader(t)
    r.feed_eof()
    try:
        r.feed_data(b'data')
    except AssertionError:
        return
    except Exception as e:
        raise Fail(t.short(e), 'AssertionError')
    raise Fail('accepted', 'AssertionError')


@scenario('RD-7', 'at_eof',
          'at_eof(): Return True if the buffer is empty and feed_eof() was '
          'called.', label='DOC')
def _at_eof(t):
    r = _reader(t)
    t.equal(r.at_eof(), False, 'new reader:')
    r.feed_data(b'ab')
    t.equal(r.at_eof(), False, 'data, no EOF:')
    r.feed_eof()
    t.equal(r.at_eof(), False, 'EOF, data buffered:')
    t.returns(r.read(), b'ab')
    t.equal(r.at_eof(), True, 'EOF, buffer empty:')


@scenario('RD-8a', 'exception-first',
          'read()/readline()/readexactly() raise the stored exception even '
          'when data is buffered.', label='3.4')
def _exception_first(t):
    for name, args in (('read', (2,)), ('readline', ()),
                       ('readexactly', (2,))):
        r = _reader(t)
        r.feed_data(b'line\n')
        exc = ValueError('stored')
        r.set_exception(exc)
        got = t.raises(ValueError, getattr(r, name)(*args))
        t.check(got is exc, '%s: %s' % (name, t.short(got)),
                'the stored exception')


@scenario('RD-8b', 'one-reader-at-a-time',
          'A second read call while another one waits raises RuntimeError.',
          label='3.4')
def _one_reader(t):
    r = _reader(t)
    task = t.spawn(r.read(1))
    t.spin(2)
    t.raises(RuntimeError, r.readline())
    r.feed_data(b'x')
    t.equal(t.wait_task(task), b'x')


@scenario('RD-9', 'read-to-eof',
          'read(n=-1): If n is not provided, or set to -1, read until EOF and '
          'return all read bytes.', label='DOC', via=BOTH)
def _read_all(t):
    src = _Source(t)
    src.send(b'chunk1\n')
    t.loop.call_soon(src.send, b'chunk2')
    t.loop.call_soon(src.eof)
    t.returns(src.reader.read(), b'chunk1\nchunk2')


@scenario('RD-9', 'read-minus-one',
          'read(n=-1): If n is ... set to -1, read until EOF and return all '
          'read bytes.', label='DOC')
def _read_minus_one(t):
    r = _reader(t)
    r.feed_data(b'chunk1\n')
    t.loop.call_soon(r.feed_data, b'chunk2')
    t.loop.call_soon(r.feed_eof)
    t.returns(r.read(-1), b'chunk1\nchunk2')


@scenario('RD-9', 'read-at-eof',
          'read(): If the EOF was received and the internal buffer is empty, '
          'return an empty bytes object.', label='DOC', via=BOTH)
def _read_eof(t):
    src = _Source(t)
    src.eof()
    t.returns(src.reader.read(), b'')
    t.returns(src.reader.read(5), b'')


@scenario('RD-9', 'read-up-to-n',
          'read(n): Read up to n bytes.', label='DOC', via=BOTH)
def _read_n(t):
    src = _Source(t)
    src.send(b'abcdef')
    src.eof()
    first = t.run(src.reader.read(4))
    if t.via == 'feed':
        t.equal(first, b'abcd')
    t.check(isinstance(first, bytes) and 0 < len(first) <= 4,
            t.short(first), 'at most 4 bytes')
    t.equal(first + t.run(src.reader.read()), b'abcdef')


@scenario('RD-9', 'read-n-waits',
          'read(n): with an empty buffer, waits for data and returns what '
          'arrived (never b"" before EOF).', label='3.4')
def _read_waits(t):
    r = _reader(t)
    task = t.spawn(r.read(5))
    t.spin(2)
    if task.done():
        raise Fail('returned %s before any data' % t.short(task.result()),
                   'waits')
    r.feed_data(b'ab')
    t.equal(t.wait_task(task), b'ab')


@scenario('RD-9', 'read-zero',
          'read(0) returns b"" at once and consumes nothing.', label='3.4')
def _read_zero(t):
    r = _reader(t)
    r.feed_data(b'data')
    t.returns(r.read(0), b'')
    r.feed_eof()
    t.returns(r.read(), b'data')


@scenario('RD-10', 'readline',
          'readline(): Read one line, where "line" is a sequence of bytes '
          'ending with \\n.', label='DOC', via=BOTH)
def _readline(t):
    src = _Source(t)
    src.send(b'line1\nline2\n')
    t.returns(src.reader.readline(), b'line1\n')
    t.returns(src.reader.readline(), b'line2\n')


@scenario('RD-10', 'readline-eof-partial',
          'readline(): If EOF is received, and \\n was not found, the method '
          'will return the partial read bytes.', label='DOC', via=BOTH)
def _readline_partial(t):
    src = _Source(t)
    src.send(b'partial')
    src.eof()
    t.returns(src.reader.readline(), b'partial')


@scenario('RD-10', 'readline-eof-empty',
          'readline(): If the EOF was received and the internal buffer is '
          'empty, return an empty bytes object.', label='DOC', via=BOTH)
def _readline_empty(t):
    src = _Source(t)
    src.eof()
    t.returns(src.reader.readline(), b'')


@scenario('RD-10', 'readline-limit-counts-newline',
          'readline(): a line longer than limit, counting its \\n, raises '
          "ValueError('Line is too long').", label='3.4')
def _readline_limit(t):
    r = _reader(t, limit=4)
    r.feed_data(b'abc\n')
    t.returns(r.readline(), b'abc\n')
    r.feed_data(b'abcd\n')
    t.raises(ValueError, r.readline(), 'Line is too long')


@scenario('RD-10', 'readline-too-long-drops-line',
          'readline(): after the too-long error the bytes through the \\n '
          'are gone and later lines stay readable.', label='3.4')
def _readline_drop(t):
    r = _reader(t, limit=3)
    r.feed_data(b'line1\nline2\n')
    t.raises(ValueError, r.readline())
    r.feed_eof()
    t.returns(r.read(), b'line2\n')


@scenario('RD-10', 'readline-too-long-no-newline',
          'readline(): more than limit bytes with no \\n raises ValueError '
          'and empties the buffer.', label='3.4')
def _readline_drop_all(t):
    r = _reader(t, limit=3)
    r.feed_data(b'line1li')
    t.raises(ValueError, r.readline())
    r.feed_eof()
    t.returns(r.read(), b'')


@scenario('RD-11', 'readexactly',
          'readexactly(n): Read exactly n bytes.', label='DOC', via=BOTH)
def _readexactly(t):
    src = _Source(t)
    src.send(b'abc')
    t.loop.call_soon(src.send, b'defgh')
    t.returns(src.reader.readexactly(6), b'abcdef')
    src.eof()
    t.returns(src.reader.read(), b'gh')


@scenario('RD-11', 'readexactly-incomplete',
          'readexactly(n): Raise an IncompleteReadError if the end of the '
          'stream is reached before n can be read, the '
          'IncompleteReadError.partial attribute of the exception contains '
          'the partial read bytes.', label='DOC', via=BOTH)
def _readexactly_eof(t):
    src = _Source(t)
    src.send(b'abc')
    src.eof()
    exc = t.raises(t.mod.IncompleteReadError, src.reader.readexactly(10))
    t.equal(exc.partial, b'abc', 'partial')
    t.equal(exc.expected, 10, 'expected')
    t.equal(src.reader.at_eof(), True, 'at_eof() afterwards:')


@scenario('RD-11', 'readexactly-zero',
          'readexactly(0) returns b"" at once.', label='3.4')
def _readexactly_zero(t):
    r = _reader(t)
    r.feed_data(b'data')
    t.returns(r.readexactly(0), b'')


@scenario('RD-11', 'readexactly-negative',
          'readexactly(n) with n < 0 returns b"" (3.4; acceptance test '
          'test_readexactly_zero_or_less).', label='3.4')
def _readexactly_negative(t):
    r = _reader(t)
    r.feed_data(b'data')
    t.returns(r.readexactly(-1), b'')
    r.feed_eof()
    t.returns(r.read(), b'data')


def _cancel_waiting(t, task):
    task.cancel()
    try:
        value = t.wait_task(task)
    except asyncio.CancelledError:
        return
    raise Fail('returned %s' % t.short(value), 'CancelledError')


@scenario('RD-12', 'cancelled-readline-loses-nothing',
          'Cancelling a waiting readline() raises CancelledError and keeps '
          'the partial line buffered.', label='FIX')
def _cancel_readline(t):
    r = _reader(t)
    r.feed_data(b'abc')
    task = t.spawn(r.readline())
    t.spin(2)
    _cancel_waiting(t, task)
    r.feed_data(b'def\n')
    t.returns(r.readline(), b'abcdef\n')


@scenario('RD-12', 'cancelled-readexactly-loses-nothing',
          'Cancelling a waiting readexactly() raises CancelledError and keeps '
          'the partial data buffered.', label='FIX')
def _cancel_readexactly(t):
    r = _reader(t)
    r.feed_data(b'abc')
    task = t.spawn(r.readexactly(6))
    t.spin(2)
    _cancel_waiting(t, task)
    r.feed_data(b'def')
    t.returns(r.readexactly(3), b'abc')


@scenario('RD-12', 'exception-after-cancel',
          'After a waiting read is cancelled, set_exception() works and the '
          'next read raises it.', label='3.4')
def _exception_after_cancel(t):
    r = _reader(t)
    task = t.spawn(r.readline())
    t.spin(2)
    task.cancel()
    t.spin(1)
    exc = RuntimeError('message')
    r.set_exception(exc)
    t.spin(1)
    _cancel_waiting(t, task)
    got = t.raises(RuntimeError, r.read(1))
    t.check(got is exc, t.short(got), 'the stored exception')


# --- 5. StreamReaderProtocol --------------------------------------------------------


@scenario('PR-1', 'subclass-of-Protocol',
          'StreamReaderProtocol: Trivial helper class to adapt between '
          'Protocol and StreamReader. Subclass of Protocol.', label='DOC')
def _protocol_class(t):
    t.check(issubclass(t.mod.StreamReaderProtocol, asyncio.Protocol),
            'bases %s' % t.short(t.mod.StreamReaderProtocol.__mro__),
            'a subclass of asyncio.Protocol')


@scenario('PR-2', 'callback-on-connection',
          'StreamReaderProtocol: client_connected_cb is an optional function '
          'called with (stream_reader, stream_writer) when a connection is '
          'made.', label='DOC')
def _protocol_cb(t):
    calls = []
    r = _reader(t)
    proto = t.mod.StreamReaderProtocol(r, lambda *a: calls.append(a),
                                       loop=t.loop)
    tr = _FakeTransport()
    proto.connection_made(tr)
    t.on_cleanup(calls[0][1].close if calls else tr.close)
    t.equal(len(calls), 1, 'calls during connection_made():')
    reader, writer = calls[0]
    t.check(reader is r, t.short(reader), 'the stream_reader')
    t.check(isinstance(writer, t.mod.StreamWriter), t.short(writer),
            'a StreamWriter')
    t.check(writer.transport is tr, t.short(writer.transport),
            'a writer on the new transport')


@scenario('PR-4', 'data_received-feeds',
          'StreamReaderProtocol adapts Protocol to StreamReader: '
          'data_received() feeds the reader.', label='3.4')
def _protocol_data(t):
    r = _reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    proto.connection_made(_FakeTransport())
    proto.data_received(b'abc\n')
    t.returns(r.readline(), b'abc\n')


@scenario('PR-5', 'eof_received-half-close',
          'eof_received() feeds EOF to the reader and returns True, keeping '
          'the transport open for writing (fixed after 3.4.0).', label='FIX')
def _protocol_eof(t):
    r = _reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    proto.connection_made(_FakeTransport())
    proto.data_received(b'x')
    keep_open = proto.eof_received()
    t.returns(r.read(), b'x')
    t.equal(r.at_eof(), True, 'at_eof():')
    t.equal(keep_open, True, 'eof_received() returned')


@scenario('PR-6', 'connection_lost',
          'connection_lost(None) feeds EOF to the reader; '
          'connection_lost(exc) sets the exception.', label='3.4')
def _protocol_lost(t):
    r = _reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    proto.connection_made(_FakeTransport())
    proto.data_received(b'x')
    proto.connection_lost(None)
    t.returns(r.read(), b'x')
    t.equal(r.at_eof(), True, 'after connection_lost(None): at_eof()')
    r2 = _reader(t)
    proto2 = t.mod.StreamReaderProtocol(r2, loop=t.loop)
    proto2.connection_made(_FakeTransport())
    exc = ConnectionResetError('gone')
    proto2.connection_lost(exc)
    t.check(r2.exception() is exc, t.short(r2.exception()),
            'the reader holds the connection_lost() exception')


@scenario('PR-5', 'half-close-loopback',
          'A server can read to EOF after the client write_eof() and still '
          'reply (half-close).', label='FIX')
def _half_close(t):
    cb, got = _collecting_cb(t)
    port = _serve(t, cb)
    reader, writer = _open(t, port)
    writer.write(b'hello')
    writer.write_eof()
    sr, sw = t.run(got)
    data = t.run(sr.read())
    t.equal(data, b'hello')
    sw.write(b'got:' + data)
    sw.close()
    t.returns(reader.read(), b'got:hello')


# --- 6. Flow control -----------------------------------------------------------------


@scenario('FC-R1', 'pause-and-resume-reading',
          'The reader pauses its transport past 2*limit buffered bytes and '
          'resumes it once a read brings the buffer back to limit.',
          label='3.4')
def _read_flow(t):
    r = _reader(t, limit=10)
    tr = _FakeTransport()
    r.set_transport(tr)
    r.feed_data(b'x' * 20)
    t.check(not tr.paused, 'paused at 20 bytes', 'not paused at 2*limit')
    r.feed_data(b'x')
    t.check(tr.paused, 'not paused at 21 bytes', 'paused past 2*limit')
    t.returns(r.read(11), b'x' * 11)
    t.check(not tr.paused and tr.resumes == 1,
            'paused=%s resumes=%d' % (tr.paused, tr.resumes),
            'resumed once at limit')


@scenario('FC-W2', 'drain-paused-returns-Future',
          'drain(): When the transport buffer is full (the protocol is '
          'paused), drain() creates and returns a Future.', label='DOC')
def _drain_future(t):
    rd, proto, tr, w = _writer_setup(t)
    proto.pause_writing()
    d = w.drain()
    if not compat.isfuture(d):
        _discard(d)
        raise Fail('returned %s' % t.short(d), 'a Future')
    t.check(not d.done(), 'a Future already done', 'a pending Future')
    proto.resume_writing()
    t.check(d.done(), 'still pending after resume_writing()', 'done')


@scenario('FC-W2', 'drain-blocks-until-resumed',
          'drain(): the yield-from will block until that Future is '
          'completed, which will happen when the buffer is (partially) '
          'drained and the protocol is resumed.', label='DOC')
def _drain_blocks(t):
    rd, proto, tr, w = _writer_setup(t)
    proto.pause_writing()
    task = t.spawn(_drain(w))
    t.spin(3)
    t.check(not task.done(), 'finished while paused', 'blocks while paused')
    proto.resume_writing()
    t.equal(t.wait_task(task), None)


@scenario('FC-W3', 'drain-on-connection-lost',
          'A paused drain() ends when the connection is lost: with None on '
          'a clean close, with the error otherwise.', label='3.4')
def _drain_lost(t):
    rd, proto, tr, w = _writer_setup(t)
    proto.pause_writing()
    task = t.spawn(_drain(w))
    t.spin(2)
    proto.connection_lost(None)
    t.equal(t.wait_task(task), None)
    rd, proto, tr, w = _writer_setup(t)
    proto.pause_writing()
    task = t.spawn(_drain(w))
    t.spin(2)
    exc = ConnectionResetError('gone')
    proto.connection_lost(exc)
    got = t.raises(ConnectionResetError, task)
    t.check(got is exc, t.short(got), 'the connection_lost() exception')


# --- 7. StreamWriter -----------------------------------------------------------------


@scenario('WR-2', 'transport-attribute',
          'class StreamWriter(transport, protocol, reader, loop): Wraps a '
          'Transport. ... It also adds a transport attribute which '
          'references the Transport directly.', label='DOC')
def _writer_transport(t):
    rd, proto, tr, w = _writer_setup(t)
    t.check(w.transport is tr, t.short(w.transport), 'the wrapped transport')


@scenario('WR-3', 'delegates-to-transport',
          'StreamWriter: This exposes write(), writelines(), can_write_eof(), '
          'write_eof(), get_extra_info() and close().', label='DOC')
def _writer_delegates(t):
    r = _reader(t)
    proto = t.mod.StreamReaderProtocol(r, loop=t.loop)
    tr = _FakeTransport(extra={'sockname': ('127.0.0.1', 1)},
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


@scenario('DR-5', 'drain-returns-empty-tuple',
          "drain(): When there's nothing to wait for, drain() returns ().",
          label='DOC')
def _drain_empty(t):
    rd, proto, tr, w = _writer_setup(t)
    d = w.drain()
    if not (isinstance(d, tuple) and d == ()):
        _discard(d)
        raise Fail('returned %s' % t.short(d), '()')


@scenario('DR-5', 'drain-yield-from-continues',
          "drain(): ... and the yield-from continues immediately.",
          label='DOC')
def _drain_continues(t):
    rd, proto, tr, w = _writer_setup(t)

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


@scenario('DR-2', 'drain-raises-at-once',
          'drain() is a plain method: with an exception stored on the reader '
          'it raises it at once, when called.', label='3.4')
def _drain_raises(t):
    rd, proto, tr, w = _writer_setup(t)
    exc = ValueError('stored')
    rd.set_exception(exc)
    try:
        d = w.drain()
    except ValueError as e:
        t.check(e is exc, t.short(e), 'the stored exception')
        return
    _discard(d)
    raise Fail('returned %s (raising only when awaited)' % t.short(d),
               'raises the stored exception at the call')


@scenario('DR-2', 'drain-after-connection-lost',
          'yield from drain() after the connection was lost raises '
          "ConnectionResetError('Connection lost').", label='3.4')
def _drain_lost_conn(t):
    rd, proto, tr, w = _writer_setup(t, reader=False)
    proto.connection_lost(None)
    t.raises(ConnectionResetError, _drain(w), 'Connection lost')


@scenario('DR-1', 'write-drain-loopback',
          'drain(): The intended use is to write: w.write(data) then '
          'yield from w.drain().', label='DOC')
def _drain_loopback(t):
    reader, writer, peer = _connect(t)
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


# --- 8. IncompleteReadError ------------------------------------------------------------


@scenario('EX-1', 'subclass-of-EOFError',
          'IncompleteReadError: Incomplete read error, subclass of EOFError.',
          label='DOC')
def _incomplete_class(t):
    t.check(issubclass(t.mod.IncompleteReadError, EOFError),
            t.short(t.mod.IncompleteReadError.__mro__),
            'a subclass of EOFError')


@scenario('EX-2', 'attributes',
          'IncompleteReadError: expected: Total number of expected bytes '
          '(int). partial: Read bytes string before the end of stream was '
          'reached (bytes).', label='DOC')
def _incomplete_attrs(t):
    exc = t.mod.IncompleteReadError(b'abc', 10)
    t.equal(exc.partial, b'abc', 'partial')
    t.equal(exc.expected, 10, 'expected')
    msg = '3 bytes read on a total of 10 expected bytes'
    t.equal(str(exc), msg, 'str()')
    t.equal(exc.args, (msg,), 'args')


@scenario('EX-2', 'message-expected-None',
          "IncompleteReadError message is '%s bytes read on a total of %s "
          "expected bytes' for any expected, None included.", label='3.4')
def _incomplete_none(t):
    exc = t.mod.IncompleteReadError(b'', None)
    t.equal(str(exc), '0 bytes read on a total of None expected bytes',
            'str()')


@scenario('EX-3', 'picklable',
          'IncompleteReadError survives pickling with partial and expected '
          '(fixed after 3.4.0).', label='FIX')
def _incomplete_pickle(t):
    exc = t.mod.IncompleteReadError(b'abc', 10)
    try:
        copy = pickle.loads(pickle.dumps(exc))
    except Exception as e:
        raise Fail('pickling ' + t.short(e), 'a round trip')
    t.equal((type(copy), copy.partial, copy.expected),
            (type(exc), b'abc', 10), 'after pickling')
