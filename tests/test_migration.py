"""The README's code snippets and the migration guide's "what fails" claims.

Every ``python`` block of README.md that sits between
``<!-- snippet: NAME -->`` and ``<!-- /snippet -->`` is extracted and run
here, in a fresh namespace, on every Python of the matrix.  Snippets that
use a ``loop`` they did not create get the ``loop`` fixture (a fresh stdlib
loop or uvloop per test, closed afterwards, failing on pending tasks or
loop errors); self-contained ones create and close their own loop.  Each
snippet leaves its outcome in ``result``, compared with EXPECTED below.

The claim tests check, on the running Python, what the guide says the
legacy idiom does there (works, warns, or fails with which error).
"""

import asyncio
import os
import re
import socket
import sys
import warnings

import pytest

from trollius_streams import compat, coroutine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, 'README.md')
PY = sys.version_info[:2]

SNIPPET_RE = re.compile(
    r'<!-- snippet: (?P<name>[\w-]+) -->\s*'
    r'```python\n(?P<code>.*?)```\s*'
    r'<!-- /snippet -->', re.S)

# name -> the value the snippet leaves in ``result``.
EXPECTED_WITH_LOOP = {
    'async_def_drain': b'got: ping\n',
    'coroutine_decorator': 3,
    'ensure_future': (42, 2),
    'loop_argument': b'PING\n',
    'task_of_generator': ['decorated', 'undecorated after decorated'],
    'generator_callback': b'got: hello\n',
    'drain_both_styles': [b'one\ntwo\n'],
    'lock': ['a in', 'a out', 'b in', 'b out'],
    'current_task': True,
    'wait_tasks': [0, 1, 4, 9, 16, 25],
}
EXPECTED_SELF_CONTAINED = {
    'quick_example': b'echo: hello\n',
    'own_loop': True,
}


def read_readme():
    with open(README, encoding='utf-8') as f:
        return f.read()


def snippets():
    found = {}
    for match in SNIPPET_RE.finditer(read_readme()):
        name = match.group('name')
        assert name not in found, 'duplicate snippet name %r' % name
        found[name] = match.group('code')
    return found


def run_snippet(name, **namespace):
    code = snippets()[name]
    namespace['__name__'] = 'readme_snippet_' + name
    exec(compile(code, 'README.md <snippet %s>' % name, 'exec'), namespace)
    assert 'result' in namespace, 'snippet %r sets no result' % name
    return namespace['result']


# --- The snippets -------------------------------------------------------------


def test_every_snippet_is_checked():
    """The set of README snippets is exactly the set this module runs, and
    each snippet marker encloses a python block."""
    text = read_readme()
    markers = re.findall(r'<!-- snippet: ([\w-]+) -->', text)
    assert len(markers) == len(snippets())
    assert set(snippets()) == (set(EXPECTED_WITH_LOOP)
                               | set(EXPECTED_SELF_CONTAINED))
    assert text.count('<!-- /snippet -->') == len(markers)


@pytest.mark.parametrize('name', sorted(EXPECTED_WITH_LOOP))
def test_snippet(name, loop):
    """CO-2, CO-4, DR-1, DR-5, Q-2, FN-1, FN-2, PR-2, M-8..M-12, M-21: the
    README snippet runs on this Python and loop and gives its result."""
    assert run_snippet(name, loop=loop) == EXPECTED_WITH_LOOP[name]


@pytest.mark.parametrize('name', sorted(EXPECTED_SELF_CONTAINED))
def test_self_contained_snippet(name, capsys):
    """FN-1, FN-2, CO-5, M-15: snippets that create and close their own loop."""
    assert run_snippet(name) == EXPECTED_SELF_CONTAINED[name]
    if name == 'quick_example':
        assert capsys.readouterr().out == "b'echo: hello\\n'\n"


def test_readme_keeps_the_commands():
    """The README opens with the two commands (the main job: install and run
    the conformance kit; the test matrix: bash .ci/run, which is what CI
    runs), and the files it points to exist."""
    text = read_readme()
    assert text.startswith('# trollius_streams\n')
    first_block = text.split('```sh\n', 1)[1].split('```', 1)[0]
    commands = [line for line in first_block.splitlines()
                if line and not line.startswith('#')]
    assert commands == ['python3 -m pip install . && python3 -m trollius_streams',
                        'bash .ci/run']
    for path in ('examples/print_http_headers.py', 'examples/echo_server.py',
                 'examples/echo_client.py', '.ci/run', 'tox.ini',
                 'trollius_streams/__main__.py'):
        assert path in text or os.path.basename(path) in text \
            or path == 'trollius_streams/__main__.py'
        assert os.path.exists(os.path.join(ROOT, path)), path


# --- The "what fails where" claims ------------------------------------------


def _legacy_generator():
    yield


def test_claim_asyncio_coroutine():
    """M-9: @asyncio.coroutine works on 3.6-3.7, warns at decoration time on
    3.8-3.10, and is gone from 3.11."""
    if PY >= (3, 11):
        assert not hasattr(asyncio, 'coroutine')
    elif PY >= (3, 8):
        with pytest.warns(DeprecationWarning, match='"@coroutine" decorator'):
            asyncio.coroutine(_legacy_generator)
    else:
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            asyncio.coroutine(_legacy_generator)


def test_claim_asyncio_async(loop):
    """M-11: asyncio.async() is a deprecated alias on 3.6 and a SyntaxError
    from 3.7 on."""
    if PY >= (3, 7):
        with pytest.raises(SyntaxError):
            compile('asyncio.async(coro)\n', '<legacy>', 'exec')
        assert not hasattr(asyncio, 'async')
    else:
        fut = loop.create_future()
        with pytest.warns(DeprecationWarning, match='ensure_future'):
            assert getattr(asyncio, 'async')(fut, loop=loop) is fut
    # The replacement: same object back for a Future.
    fut = loop.create_future()
    assert compat.async_(fut, loop=loop) is fut
    fut.cancel()


def test_claim_loop_argument(loop):
    """M-8, FN-1: asyncio's loop= works on 3.6-3.7; the stdlib stream
    functions warn on 3.8-3.9 (asyncio.sleep on 3.9); from 3.10 it is a
    TypeError (for sleep, and for the stdlib open_connection, which passes
    it on to create_connection)."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))  # bound, not listening: refuses
        port = sock.getsockname()[1]
        connect = asyncio.open_connection('127.0.0.1', port, loop=loop)
        if PY >= (3, 10):
            with pytest.raises(TypeError, match="'loop'"):
                loop.run_until_complete(connect)
        elif PY >= (3, 8):
            with pytest.warns(DeprecationWarning, match='loop argument'):
                with pytest.raises(OSError):
                    loop.run_until_complete(connect)
        else:
            with warnings.catch_warnings():
                warnings.simplefilter('error')
                with pytest.raises(OSError):
                    loop.run_until_complete(connect)
    if PY >= (3, 10):
        with pytest.raises(TypeError, match="'loop'"):
            asyncio.sleep(0, loop=loop)
    elif PY == (3, 9):
        with pytest.warns(DeprecationWarning, match='loop argument'):
            loop.run_until_complete(asyncio.sleep(0, loop=loop))
    else:
        loop.run_until_complete(asyncio.sleep(0, loop=loop))


def test_claim_task_of_plain_generator(loop):
    """M-10, M-13, CO-2: Task(gen)/create_task(gen) is a TypeError from 3.12;
    on 3.7-3.11 an undecorated generator cannot yield from a native
    coroutine; compat.as_coroutine makes the same generator work."""

    def plain():
        inner = asyncio.sleep(0)
        try:
            yield from inner
        finally:
            inner.close()  # no "never awaited" warning when it failed
        return 'done'

    if PY >= (3, 12):
        for make_task in (loop.create_task,
                          lambda g: asyncio.Task(g, loop=loop)):
            gen = plain()
            with pytest.raises(TypeError, match='a coroutine was expected'):
                make_task(gen)
            gen.close()
        gen = plain()
        assert not asyncio.iscoroutine(gen)
        gen.close()
    elif PY >= (3, 7):
        task = asyncio.Task(plain(), loop=loop)
        with pytest.raises(TypeError, match='non-coroutine generator'):
            loop.run_until_complete(task)
    else:
        assert loop.run_until_complete(asyncio.Task(plain(), loop=loop)) == 'done'
    # What to write instead: a decorated generator, or as_coroutine around a
    # generator whose yield from only meets our objects and Futures.

    def plain_over_ours():
        value = yield from coroutine(plain)()
        return value

    task = loop.create_task(compat.as_coroutine(plain_over_ours()))
    assert loop.run_until_complete(task) == 'done'


def test_claim_generator_callback_not_a_coroutine():
    """M-10, PR-2: from 3.12 asyncio.iscoroutine() rejects the generator a
    3.4-style callback returns, so asyncio's own start_server never runs it;
    trollius_streams' own test accepts it on every Python."""

    def handle(reader, writer):
        yield from reader.readline()

    gen = handle(None, None)
    try:
        assert asyncio.iscoroutine(gen) is (PY < (3, 12))
        assert compat.iscoroutine(gen)
    finally:
        gen.close()


def test_claim_await_empty_tuple(loop):
    """M-24, DR-5, Q-2: ``await ()`` is a TypeError on every Python, so
    ``await writer.drain()`` fails whenever drain() returns (); the adapter
    makes it work."""

    async def legacy():
        await ()

    async def adapted():
        return await compat.awaitable(())

    with pytest.raises(TypeError, match="can't be used in 'await' expression"):
        loop.run_until_complete(legacy())
    assert loop.run_until_complete(adapted()) is None


def test_claim_with_yield_from_lock(loop):
    """M-12: ``with (yield from lock)`` works on 3.6, warns on 3.7-3.8 and is
    a TypeError from 3.9."""

    @coroutine
    def legacy():
        lock = asyncio.Lock()
        with (yield from lock):
            return lock.locked()

    if PY >= (3, 9):
        with pytest.raises(TypeError, match="'Lock' object is not iterable"):
            loop.run_until_complete(legacy())
    elif PY >= (3, 7):
        with pytest.warns(DeprecationWarning, match='with \\(yield from lock\\)'):
            assert loop.run_until_complete(legacy()) is True
    else:
        assert loop.run_until_complete(legacy()) is True


def test_claim_task_current_task(loop):
    """Task.current_task() works on 3.6, warns on 3.7 (pending) and 3.8, and
    is gone from 3.9; asyncio.current_task() only exists from 3.7 (hence
    the snippet's fallback)."""
    assert hasattr(asyncio.Task, 'current_task') is (PY < (3, 9))
    assert hasattr(asyncio, 'current_task') is (PY >= (3, 7))
    if (3, 7) <= PY < (3, 9):
        category = (PendingDeprecationWarning if PY == (3, 7)
                    else DeprecationWarning)
        with pytest.warns(category, match='use asyncio.current_task'):
            assert asyncio.Task.current_task(loop) is None
    elif PY < (3, 7):
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            assert asyncio.Task.current_task(loop) is None


def test_claim_wait_on_coroutines(loop):
    """M-21: asyncio.wait() on coroutine objects works up to 3.8, warns on
    3.9-3.10 and is a TypeError from 3.11."""

    @coroutine
    def square(x):
        yield from asyncio.sleep(0)
        return x * x

    coro = square(3)
    try:
        if PY >= (3, 11):
            with pytest.raises(TypeError,
                               match='Passing coroutines is forbidden'):
                loop.run_until_complete(asyncio.wait([coro]))
        elif PY >= (3, 9):
            with pytest.warns(DeprecationWarning, match='asyncio.wait'):
                done, _ = loop.run_until_complete(asyncio.wait([coro]))
            assert [t.result() for t in done] == [9]
        else:
            done, _ = loop.run_until_complete(asyncio.wait([coro]))
            assert [t.result() for t in done] == [9]
    finally:
        coro.close()


def test_claim_get_event_loop_without_loop():
    """M-15, CO-5: with no loop set, asyncio.get_event_loop() creates one
    silently up to 3.11 and with a DeprecationWarning from 3.12."""
    old_policy = asyncio.get_event_loop_policy()
    asyncio.set_event_loop_policy(asyncio.DefaultEventLoopPolicy())
    created = None
    try:
        if PY >= (3, 12):
            with pytest.warns(DeprecationWarning,
                              match='There is no current event loop'):
                created = asyncio.get_event_loop()
        else:
            with warnings.catch_warnings():
                warnings.simplefilter('error')
                created = asyncio.get_event_loop()
        assert isinstance(created, asyncio.AbstractEventLoop)
    finally:
        if created is not None:
            created.close()
        asyncio.set_event_loop_policy(old_policy)
