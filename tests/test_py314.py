"""Python 3.14 readiness, simulated (3.14 cannot be installed here).

In 3.14:

* ``asyncio.get_event_loop()`` raises RuntimeError when no loop is set
  (it no longer creates one);
* ``asyncio.iscoroutinefunction`` is deprecated;
* the event loop policy functions are deprecated (removal in 3.16).

These tests put that behaviour in place with monkeypatching and run the
package's own code paths (a server/client exchange, the compat layer, the
coroutine decorator) under ``filterwarnings = error``: a use of a
deprecated name fails the test, and so does any reliance on
``get_event_loop()`` creating a loop.  A source scan checks the same for
code paths the runtime tests do not reach.
"""

import ast
import asyncio
import os
import warnings

import pytest

import trollius_streams
from trollius_streams import StreamReader, StreamReaderProtocol, compat

PACKAGE = os.path.dirname(os.path.abspath(trollius_streams.__file__))
DEPRECATED = ('iscoroutinefunction', 'get_event_loop_policy',
              'set_event_loop_policy', 'AbstractEventLoopPolicy',
              'DefaultEventLoopPolicy', 'get_child_watcher',
              'set_child_watcher')


def _deprecated(name, func):
    def wrapper(*args, **kwargs):
        warnings.warn('asyncio.%s is deprecated (simulated 3.14)' % name,
                      DeprecationWarning, stacklevel=2)
        return func(*args, **kwargs)
    return wrapper


@pytest.fixture
def py314(monkeypatch):
    """asyncio as 3.14 behaves: get_event_loop() never creates a loop, and
    iscoroutinefunction and the policy getters/setters warn."""
    running = asyncio.events._get_running_loop
    current = {'loop': None}

    def get_event_loop():
        loop = running()
        if loop is not None:
            return loop
        if current['loop'] is None:
            raise RuntimeError('There is no current event loop in thread %r.'
                               % 'MainThread')
        return current['loop']

    def set_event_loop(loop):
        current['loop'] = loop

    for module in (asyncio, asyncio.events):
        monkeypatch.setattr(module, 'get_event_loop', get_event_loop)
        monkeypatch.setattr(module, 'set_event_loop', set_event_loop)
    for name in ('iscoroutinefunction', 'get_event_loop_policy',
                 'set_event_loop_policy'):
        monkeypatch.setattr(asyncio, name,
                            _deprecated(name, getattr(asyncio, name)))
    return current


def test_get_event_loop_raises_without_loop_set(py314):
    """CO-5 under 3.14: with no running loop and none set, resolution raises
    RuntimeError (it never creates a loop); an explicit loop, or one set
    with set_event_loop, is used."""
    with pytest.raises(RuntimeError):
        compat.get_event_loop()
    with pytest.raises(RuntimeError):
        StreamReader()
    loop = asyncio.new_event_loop()
    try:
        assert StreamReader(loop=loop)._loop is loop
        asyncio.set_event_loop(loop)
        assert StreamReaderProtocol(StreamReader())._loop is loop
    finally:
        asyncio.set_event_loop(None)
        loop.close()


def test_exchange_without_loop_arguments(py314, loop, run):
    """CO-5, FN-1, FN-2 under 3.14: a whole server/client exchange with no
    loop= anywhere resolves the running loop and touches none of the
    deprecated names (they would raise under filterwarnings = error)."""
    @trollius_streams.coroutine
    def handler(reader, writer):
        line = yield from reader.readline()
        writer.write(line.upper())
        yield from writer.drain()
        writer.close()

    @trollius_streams.coroutine
    def main():
        server = yield from trollius_streams.start_server(
            handler, '127.0.0.1', 0)
        try:
            port = server.sockets[0].getsockname()[1]
            reader, writer = yield from trollius_streams.open_connection(
                '127.0.0.1', port)
            writer.write(b'hello\n')
            yield from writer.drain()
            reply = yield from reader.readline()
            writer.close()
        finally:
            server.close()
            yield from server.wait_closed()
        return reply

    assert run(main()) == b'HELLO\n'


def test_compat_layer_under_deprecations(py314, loop, run):
    """CO-4, CO-2 under 3.14: the decorator (generator, plain and async
    functions), ensure_future and awaitable work with iscoroutinefunction
    and the policy functions deprecated."""
    @compat.coroutine
    def gen(x):
        yield from asyncio.sleep(0)
        return x

    @compat.coroutine
    def plain(x):
        return x * 2

    async def native(x):
        return x + 1

    assert compat.coroutine(native) is native

    @compat.coroutine
    def main():
        a = yield from gen(1)
        b = yield from plain(2)
        c = yield from compat.awaitable(native(3))
        task = compat.ensure_future(gen(5))
        d = yield from task
        return a, b, c, d

    assert run(main()) == (1, 4, 4, 5)


def _deprecated_uses(path):
    """(line, name) of each ``asyncio.<deprecated name>`` in a source file."""
    with open(path) as f:
        tree = ast.parse(f.read(), path)
    uses = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in DEPRECATED and
                isinstance(node.value, ast.Name) and
                node.value.id == 'asyncio'):
            uses.append((node.lineno, node.attr))
    return uses


def test_scan_finds_a_use():
    """The source scan below can fail: it finds a use in a sample."""
    import tempfile
    with tempfile.NamedTemporaryFile('w', suffix='.py', delete=False) as f:
        f.write('import asyncio\nasyncio.get_event_loop_policy()\n')
    try:
        assert _deprecated_uses(f.name) == [(2, 'get_event_loop_policy')]
    finally:
        os.unlink(f.name)


def test_no_deprecated_names_in_the_streams_library():
    """Nothing in the streams library, its compat layer's stream paths, the
    conformance kit or the pytest plugin names a deprecated asyncio API.
    The opt-in legacy runner (trollius_streams/legacy and the compat section
    it uses) wraps the event loop policy by design; docs/legacy-runner.md
    says so."""
    found = {}
    for root, dirs, files in os.walk(PACKAGE):
        dirs[:] = [d for d in dirs if d not in ('legacy', '__pycache__')]
        for name in files:
            if name.endswith('.py'):
                path = os.path.join(root, name)
                uses = _deprecated_uses(path)
                if os.path.basename(path) == 'compat.py':
                    start = _legacy_section_start(path)
                    uses = [u for u in uses if u[0] < start]
                if uses:
                    found[os.path.relpath(path, PACKAGE)] = uses
    assert found == {}


def _legacy_section_start(path):
    with open(path) as f:
        for number, line in enumerate(f, 1):
            if line.startswith('# --- Legacy environment'):
                return number
    return 10 ** 9
