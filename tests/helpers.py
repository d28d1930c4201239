"""Helpers shared by the test modules.

Import what you use: ``from helpers import FakeTransport, hold``.  The
fixtures here (``sock_dir``, and ``close_held``, which is autouse) need no
import: the root conftest.py loads this module as a pytest plugin.

* ``FakeTransport``: a transport that records every call made on it, for
  unit tests of the reader, protocol and writer without sockets.  Its
  options give the behaviours the tests need: extra info, a closing state,
  strict flow control, marker return values, a write-buffer size.
* ``hold(obj)`` keeps a writer (or anything with ``close()``) alive until
  the test's teardown and closes it there.  A StreamWriter dropped while
  its transport is open closes that transport with a ResourceWarning
  (contract PR-3), which fails the test under ``filterwarnings = error``:
  tests that build writers over fake transports hold them instead of
  leaking them.
* ``closed_port()``: a loopback port where connections are refused.
* ``sock_dir``: a short temporary directory for UNIX socket paths.
* ``step``, ``start``, ``finish``, ``now``, ``drive_until_wait``: run read
  calls on a loop one step at a time; ``Producer``, a transport that feeds
  a reader while not paused; ``DATA``, three lines; ``WAIT_FOR_MORE``,
  read calls that must wait (the reader tests).
"""

__all__ = ['FakeTransport', 'hold', 'close_held', 'closed_port', 'sock_dir',
           'step', 'start', 'finish', 'now', 'drive_until_wait', 'Producer',
           'assert_alternating', 'DATA', 'WAIT_FOR_MORE']

import asyncio
import contextlib
import os
import shutil
import socket
import ssl
import tempfile

import pytest

from trollius_streams import compat


# --- A fake transport --------------------------------------------------------


class FakeTransport(object):
    """Records each call as a tuple ``(method name, *arguments)`` in
    ``calls``; ``names()`` lists just the method names.

    Flow control is strict: pause_reading() while paused and
    resume_reading() while not paused raise RuntimeError, as the transports
    of some loop versions do, so a reader that depends on repeats being
    harmless (FC-R4) fails the test.  Options:

    ``extra``
        the values ``get_extra_info()`` returns (else its ``default``).
    ``closing``
        what ``is_closing()`` reports at first; ``close()`` sets it.
    ``strict_reading=False``
        repeated pauses and resumes are harmless.
    ``pause_exc``
        an exception pause_reading() raises after recording the call.
    ``markers``
        every method returns ``('ret', name)`` (get_extra_info included),
        so a test can check that a caller passes the result through.
    ``write_buffer_size``
        what get_write_buffer_size() returns.

    Reading ``_conn_lost`` (the private counter of asyncio's transports)
    fails the test: nothing in the library may depend on it (HD-6).
    """

    def __init__(self, extra=None, closing=False, strict_reading=True,
                 pause_exc=None, markers=False, write_buffer_size=0):
        self.calls = []
        self.extra = dict(extra or {})
        self.closing = closing
        self.strict_reading = strict_reading
        self.pause_exc = pause_exc
        self.markers = markers
        self.write_buffer_size = write_buffer_size
        self.paused = False

    def _record(self, name, *args):
        self.calls.append((name,) + args)
        return ('ret', name) if self.markers else None

    def names(self):
        """The names of the methods called, in order."""
        return [call[0] for call in self.calls]

    def closed(self):
        """True once close() was called."""
        return ('close',) in self.calls

    # Reading side.

    def pause_reading(self):
        result = self._record('pause_reading')
        if self.pause_exc is not None:
            raise self.pause_exc
        if self.strict_reading and self.paused:
            raise RuntimeError('Already paused')
        self.paused = True
        return result

    def resume_reading(self):
        result = self._record('resume_reading')
        if self.strict_reading and not self.paused:
            raise RuntimeError('Not paused')
        self.paused = False
        return result

    # Writing side.

    def write(self, data):
        return self._record('write', data)

    def writelines(self, data):
        return self._record('writelines', data)

    def write_eof(self):
        return self._record('write_eof')

    def can_write_eof(self):
        return self._record('can_write_eof')

    def get_write_buffer_size(self):
        return self.write_buffer_size

    # Both.

    def get_extra_info(self, name, default=None):
        result = self._record('get_extra_info', name, default)
        if self.markers:
            return result
        return self.extra.get(name, default)

    def is_closing(self):
        return self.closing

    def close(self):
        self.closing = True
        return self._record('close')

    @property
    def _conn_lost(self):
        raise AssertionError('transport._conn_lost was read')


# --- Objects closed at teardown ----------------------------------------------

_held = []


def hold(obj):
    """Keep ``obj`` until the test's teardown, then call ``obj.close()``."""
    _held.append(obj)
    return obj


@pytest.fixture(autouse=True)
def close_held():
    """Close what the test passed to hold(), newest first."""
    yield
    while _held:
        _held.pop().close()


# --- Sockets -----------------------------------------------------------------


@contextlib.contextmanager
def closed_port():
    """``with closed_port() as port``: a loopback TCP port that refuses
    connections.  The socket is bound but not listening, and stays bound
    until the block ends, so no other program can take the port meanwhile.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.bind(('127.0.0.1', 0))
        yield sock.getsockname()[1]
    finally:
        sock.close()


@pytest.fixture
def sock_dir():
    """A new temporary directory for UNIX socket paths, removed afterwards.

    Its path is short: a UNIX socket address holds only about 100 bytes,
    and pytest's tmp_path can be longer than that.
    """
    path = tempfile.mkdtemp(prefix='ts')
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


# --- Running read calls step by step -----------------------------------------


def step(loop, n=2):
    """Let the loop run a few iterations (every ready callback runs)."""
    for _ in range(n):
        loop.run_until_complete(asyncio.sleep(0))


def start(loop, coro):
    """Schedule a read call as a task and let it reach its first wait."""
    task = loop.create_task(coro)
    step(loop)
    return task


def finish(loop, *tasks):
    """Cancel what is still running and collect every outcome."""
    for t in tasks:
        t.cancel()
    loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))


def now(coro):
    """Run a read call that must finish without waiting; return its result."""
    try:
        fut = coro.send(None)
    except StopIteration as e:
        return e.value
    coro.close()
    raise AssertionError('read call suspended on %r' % (fut,))


def drive_until_wait(coro):
    """Run a read call by hand up to its first wait; return the Future."""
    fut = coro.send(None)
    assert compat.isfuture(fut), fut
    return fut


# --- Feeding a reader -------------------------------------------------------

#: Three lines: sample input of the reader tests.
DATA = b'line1\nline2\nline3\n'

#: Read calls that must wait for more data, by name.
WAIT_FOR_MORE = {
    # call, bytes buffered before it, bytes fed while it waits
    'readline()': (lambda r: r.readline(), b'ab', b'c'),
    'readexactly(5)': (lambda r: r.readexactly(5), b'ab', b'c'),
    'read()': (lambda r: r.read(), b'ab', b'c'),
}


class Producer(FakeTransport):
    """A transport that delivers its chunks only while reading is not paused.

    One chunk per loop iteration, then feed_eof().  If the reader let the
    transport stay paused while it waits, EOF would never come (HD-1).
    """

    def __init__(self, loop, reader, chunks):
        FakeTransport.__init__(self)
        self.loop = loop
        self.reader = reader
        self.chunks = list(chunks)
        self.handle = None
        self.eof_sent = False
        reader.set_transport(self)
        self._schedule()

    def _schedule(self):
        if self.handle is None and not self.eof_sent:
            self.handle = self.loop.call_soon(self._deliver)

    def _deliver(self):
        self.handle = None
        if self.paused:
            return
        if self.chunks:
            self.reader.feed_data(self.chunks.pop(0))
            if not self.paused:
                self._schedule()
        else:
            self.eof_sent = True
            self.reader.feed_eof()

    def resume_reading(self):
        FakeTransport.resume_reading(self)
        self._schedule()


def assert_alternating(names):
    """FC-R4: pause_reading, resume_reading, pause_reading, ... starting with
    a pause (``names``: a FakeTransport's ``names()``)."""
    expected = ['pause_reading', 'resume_reading'] * (len(names) // 2 + 1)
    assert names == expected[:len(names)], names


# With an editable install, a plain ``pytest`` imports the package through
# setuptools' import finder, without pytest's assert rewriting; a pytester
# session started inside it then warns that it cannot rewrite the package.
# That is about the outer session, not the plugin under test.
NOT_REWRITTEN = ('-W', 'ignore:Module already imported so cannot be '
                 'rewritten:pytest.PytestAssertRewriteWarning')


# TLS on loopback: tests/certs/localhost.pem is a self-signed test
# certificate (see tests/certs/README.txt); the client trusts it directly.
CERTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'certs')
CERTFILE = os.path.join(CERTS, 'localhost.pem')
KEYFILE = os.path.join(CERTS, 'localhost.key')


def server_context():
    """An SSLContext serving the test certificate."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(CERTFILE, KEYFILE)
    return ctx


def client_context():
    """An SSLContext trusting the test certificate (server 'localhost')."""
    return ssl.create_default_context(cafile=CERTFILE)
