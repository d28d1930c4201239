"""The snippets of README.md and docs/*.md, and the migration guide's claims.

Every ``python`` block of README.md or of a ``docs/*.md`` file that sits
between ``<!-- snippet: NAME -->`` and ``<!-- /snippet -->`` is extracted
and run here, as written, in a fresh namespace, on every Python of the
matrix.  A snippet is a complete program: it creates its own event loop
with ``asyncio.new_event_loop()`` and closes it.  The runner makes that
call return a loop of the parametrized kind (the stdlib loop or uvloop),
records what the loop reports to its exception handler, and after the
snippet fails on any loop left open, any task left pending and any error
reported.  Each snippet leaves its outcome in ``result``, compared with
EXPECTED below.

The claim tests check, on the running Python, what docs/migration.md says
the legacy idiom does there (works, warns, or fails with which error).
"""

import asyncio
import glob
import os
import re
import subprocess
import sys
import warnings

import pytest

from helpers import closed_port
from trollius_streams import compat, coroutine

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
README = os.path.join(ROOT, 'README.md')
PY = sys.version_info[:2]

try:
    import uvloop
except ImportError:  # uvloop is optional; the stdlib loop always runs
    uvloop = None
SNIPPET_LOOPS = ['asyncio'] + (['uvloop'] if uvloop is not None else [])

SNIPPET_RE = re.compile(
    r'<!-- snippet: (?P<name>[\w-]+) -->\s*'
    r'```python\n(?P<code>.*?)```\s*'
    r'<!-- /snippet -->', re.S)

# name -> (the file it lives in, the value it leaves in ``result``).
EXPECTED = {
    'quick_example': ('README.md', b'echo: hello\n'),
    'async_def_drain': ('README.md', b'got: ping\n'),
    'coroutine_decorator': ('docs/migration.md', 3),
    'ensure_future': ('docs/migration.md', (42, 2)),
    'loop_argument': ('docs/migration.md', b'PING\n'),
    'task_of_generator': ('docs/migration.md',
                          ['decorated', 'undecorated after decorated']),
    'generator_callback': ('docs/migration.md', b'got: hello\n'),
    'drain_both_styles': ('docs/migration.md', [b'one\ntwo\n']),
    'lock': ('docs/migration.md', ['a in', 'a out', 'b in', 'b out']),
    'current_task': ('docs/migration.md', True),
    'wait_tasks': ('docs/migration.md', [0, 1, 4, 9, 16, 25]),
    'own_loop': ('docs/migration.md', True),
    'conformance_from_python': ('docs/conformance.md', True),
}
# What a snippet prints, where the output is part of the example.
EXPECTED_OUTPUT = {
    'quick_example': "b'echo: hello\\n'\n",
}


def documented_files():
    """README.md and every docs/*.md, relative to the repository root."""
    paths = [README] + sorted(glob.glob(os.path.join(ROOT, 'docs', '*.md')))
    return [os.path.relpath(path, ROOT).replace(os.sep, '/') for path in paths]


def read(relpath):
    with open(os.path.join(ROOT, relpath), encoding='utf-8') as f:
        return f.read()


def read_readme():
    return read('README.md')


def snippets():
    """name -> (file, code) of each marked snippet of the documented files."""
    found = {}
    for relpath in documented_files():
        for match in SNIPPET_RE.finditer(read(relpath)):
            name = match.group('name')
            assert name not in found, 'duplicate snippet name %r (%s, %s)' % (
                name, found[name][0], relpath)
            found[name] = (relpath, match.group('code'))
    return found


class LoopFactory(object):
    """Stands in for ``asyncio.new_event_loop`` while a snippet runs: makes
    loops of one kind and remembers them and what they report."""

    def __init__(self, kind):
        self.kind = kind
        self.loops = []
        self.errors = []

    def __call__(self):
        loop = (uvloop.new_event_loop() if self.kind == 'uvloop'
                else self._stdlib_new_event_loop())
        loop.set_exception_handler(lambda _, ctx: self.errors.append(ctx))
        self.loops.append(loop)
        return loop

    _stdlib_new_event_loop = staticmethod(asyncio.new_event_loop)


def run_snippet(name, kind='asyncio'):
    """Run snippet ``name`` as written on loops of ``kind``; return its
    ``result`` after checking that it cleaned up after itself."""
    relpath, code = snippets()[name]
    factory = LoopFactory(kind)
    namespace = {'__name__': 'snippet_' + name}
    saved = asyncio.new_event_loop
    asyncio.new_event_loop = factory
    try:
        exec(compile(code, '%s <snippet %s>' % (relpath, name), 'exec'),
             namespace)
    finally:
        asyncio.new_event_loop = saved
    for loop in factory.loops:
        pending = compat.all_tasks(loop)
        if not loop.is_closed():
            loop.close()
            pytest.fail('snippet %r left its loop open' % name)
        assert not pending, 'snippet %r left tasks pending: %r' % (
            name, pending)
    assert not factory.errors, 'snippet %r: loop reported errors: %r' % (
        name, factory.errors)
    assert 'result' in namespace, 'snippet %r sets no result' % name
    return namespace['result']


# --- The snippets ------------------------------------------------------------


def test_every_snippet_is_checked():
    """The snippets of README.md and docs/*.md are exactly the ones this
    module expects, each in the file it expects, and each marker encloses
    a python block."""
    found = {name: relpath for name, (relpath, _) in snippets().items()}
    unknown = sorted(set(found) - set(EXPECTED))
    assert not unknown, (
        'snippets with no expected result (add each to EXPECTED in this '
        'module, with the value its `result` holds): %s'
        % ', '.join('%s in %s' % (name, found[name]) for name in unknown))
    assert found == {name: relpath for name, (relpath, _) in EXPECTED.items()}
    for relpath in documented_files():
        text = read(relpath)
        markers = re.findall(r'<!-- snippet: ([\w-]+) -->', text)
        assert len(markers) == len(SNIPPET_RE.findall(text)), relpath
        assert text.count('<!-- /snippet -->') == len(markers), relpath


@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_snippet_as_a_script(name, tmp_path):
    """The snippet, pasted into a file on its own, runs with ``python -W
    error`` and no help from this runner (the README's async_def_drain
    snippet once used a ``loop`` it never created: NameError)."""
    relpath, code = snippets()[name]
    script = tmp_path / ('snippet_%s.py' % name)
    script.write_text(code, encoding='utf-8')
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in [env.get('PYTHONPATH')] if p])
    proc = subprocess.run(
        [sys.executable, '-W', 'error', str(script)], cwd=str(tmp_path),
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120)
    stderr = proc.stderr.decode(errors='replace')
    assert proc.returncode == 0, (relpath, stderr)
    assert stderr == '', (relpath, stderr)
    if name in EXPECTED_OUTPUT:
        assert proc.stdout.decode() == EXPECTED_OUTPUT[name]


@pytest.mark.parametrize('kind', SNIPPET_LOOPS)
@pytest.mark.parametrize('name', sorted(EXPECTED))
def test_snippet(name, kind, capsys):
    """CO-2, CO-4, CO-5, DR-1, DR-5, Q-2, FN-1, FN-2, PR-2, M-8..M-12,
    M-15, M-21: the snippet runs as written on this Python and loop, cleans
    up after itself and gives its result."""
    assert run_snippet(name, kind) == EXPECTED[name][1]
    if name in EXPECTED_OUTPUT:
        assert capsys.readouterr().out == EXPECTED_OUTPUT[name]


def test_runner_catches_a_snippet_that_leaks():
    """The cleanup checks of run_snippet can fail: a loop left open and a
    task left pending are reported."""
    factory = LoopFactory('asyncio')
    loop = factory()
    task = loop.create_task(asyncio.sleep(3600))
    assert compat.all_tasks(loop) == {task}
    task.cancel()
    loop.run_until_complete(asyncio.wait([task]))
    loop.close()
    assert factory.loops == [loop] and not factory.errors


def test_readme_keeps_the_commands():
    """The README opens with the two commands (the main job: install and run
    the conformance kit; the test matrix: bash .ci/run, which is what CI
    runs), and the files it points to exist."""
    text = read_readme()
    assert text.startswith('# trollius_streams\n')
    first_block = text.split('```sh\n', 1)[1].split('```', 1)[0]
    commands = [line for line in first_block.splitlines()
                if line and not line.startswith('#')]
    assert commands == [
        'python3 -m pip install . && python3 -m trollius_streams',
        'bash .ci/run']
    for path in ('examples/print_http_headers.py', 'examples/echo_server.py',
                 'examples/echo_client.py', '.ci/run', 'tox.ini',
                 'trollius_streams/__main__.py'):
        assert path in text or os.path.basename(path) in text \
            or path == 'trollius_streams/__main__.py'
        assert os.path.exists(os.path.join(ROOT, path)), path


def test_readme_stays_short_and_links_resolve():
    """The README is at most 250 lines and states the trap and the uvloop
    extra; every relative link of README.md and docs/*.md points to a file
    that exists (docs/legacy-runner.md may still be in the making)."""
    text = read_readme()
    assert len(text.splitlines()) <= 250
    assert 'await compat.awaitable(writer.drain())' in text
    assert '.[uvloop]' in text and 'trollius_streams[uvloop]' in text
    for relpath in documented_files():
        base = os.path.dirname(os.path.join(ROOT, relpath))
        for target in re.findall(r'\]\(([^)#:]+)(?:#[^)]*)?\)', read(relpath)):
            if target.endswith('legacy-runner.md'):
                continue
            assert os.path.exists(os.path.join(base, target)), (
                relpath, target)


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
    with closed_port() as port:
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
        task = asyncio.Task(plain(), loop=loop)
        assert loop.run_until_complete(task) == 'done'
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
        with pytest.warns(DeprecationWarning,
                          match='with \\(yield from lock\\)'):
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
