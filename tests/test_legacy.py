"""The legacy environment in process: install()/uninstall() isolation, the
source rewrite, the coroutine flag, the import hook and single shims.

Programs run through the command line are in test_legacy_corpus.py and
test_legacy_cli.py.
"""

import asyncio
import asyncio.base_events
import asyncio.events
import asyncio.locks
import gc
import inspect
import json
import os
import socket
import subprocess
import sys
import textwrap
import types
import warnings

import pytest

import trollius_streams
from trollius_streams import compat, legacy
from trollius_streams.legacy import _importer, _source

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is installed in every env
    uvloop = None

F = compat.legacy_features()
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(
    trollius_streams.__file__)))


@pytest.fixture
def installed():
    """The legacy environment for one test, removed afterwards (also when
    the test fails)."""
    assert legacy.install()
    try:
        yield legacy
    finally:
        legacy.uninstall()


# --- Isolation ---------------------------------------------------------------


def _patchable_objects():
    import asyncio.subprocess
    objs = [asyncio, asyncio.events, asyncio.tasks, asyncio.base_events,
            asyncio.base_events.Server, sys.modules['asyncio.streams'],
            asyncio.subprocess]
    for name in ('Lock', 'Event', 'Condition', 'Semaphore',
                 'BoundedSemaphore', 'Queue', 'PriorityQueue', 'LifoQueue'):
        objs.append(getattr(asyncio, name))
    mixin = getattr(asyncio.locks, '_ContextManagerMixin', None)
    if mixin is not None:
        objs.append(mixin)
    if uvloop is not None:
        # uvloop >= 0.21 creates these two on first access
        uvloop.EventLoopPolicy, getattr(uvloop, 'install', None)
        objs.append(uvloop)
    return objs


def _snapshot(objs=None):
    snap = {id(obj): (obj, dict(obj.__dict__))
            for obj in objs or _patchable_objects()}
    return {
        'dicts': snap,
        'sys.modules': dict(sys.modules),
        'meta_path': list(sys.meta_path),
        'policy': asyncio.events._event_loop_policy,
        'bases': asyncio.CancelledError.__bases__,
    }


def _differences(before, after):
    diffs = []
    for key, (obj, old) in before['dicts'].items():
        new = after['dicts'][key][1]
        for name in set(old) | set(new):
            if name == '__warningregistry__':
                continue
            if old.get(name, '<missing>') is not new.get(name, '<missing>'):
                diffs.append('%r.%s' % (obj, name))
    old_mods, new_mods = before['sys.modules'], after['sys.modules']
    for name in set(old_mods) & set(new_mods):
        if old_mods[name] is not new_mods[name]:
            diffs.append('sys.modules[%r]' % name)
    if [id(x) for x in before['meta_path']] != [id(x) for x in
                                                  after['meta_path']]:
        diffs.append('sys.meta_path')
    for key in ('policy', 'bases'):
        if before[key] is not after[key] and before[key] != after[key]:
            diffs.append(key)
    return diffs


@pytest.mark.parametrize('kwargs', [
    {}, {'cancelled_is_exception': True}, {'include': ['six']},
] + ([{'loop': 'uvloop'}] if uvloop else []), ids=repr)
def test_uninstall_restores_every_patched_name(kwargs):
    """Every attribute install() replaces (the list comes from the patch
    journal) is covered by the snapshot, and after uninstall() each one is
    the very object it was before install()."""
    before = _snapshot()
    covered = {id(obj) for obj, _ in before['dicts'].values()}
    covered.update((id(sys.modules), id(sys.meta_path), id(asyncio.events)))
    assert legacy.install(**kwargs)
    try:
        targets = legacy.patched_targets()
        assert targets, 'install() patched nothing'
        uncovered = [(obj, name) for obj, name in targets
                     if id(obj) not in covered]
        assert not uncovered
        objs = [obj for obj, _ in before['dicts'].values()]
        during = _snapshot(objs)
        assert _differences(before, during), 'install() changed nothing'
    finally:
        assert legacy.uninstall()
    assert not legacy.uninstall()
    assert _differences(before, _snapshot(objs)) == []
    assert not legacy.installed()


def test_install_and_uninstall_are_idempotent():
    """A second install() is a no-op returning False, and a second
    uninstall() too; the context manager leaves an outer installation
    alone."""
    assert not legacy.installed()
    assert legacy.install()
    try:
        patched = asyncio.open_connection
        assert not legacy.install()
        assert asyncio.open_connection is patched
        with legacy.legacy_environment():
            assert legacy.installed()
        assert legacy.installed(), 'the inner context manager uninstalled'
    finally:
        assert legacy.uninstall()
    assert not legacy.uninstall()
    assert asyncio.open_connection is not patched


def test_failed_install_leaves_nothing_behind():
    """An install() that fails (an --include package that does not exist)
    undoes what it had already patched."""
    before = _snapshot()
    objs = [obj for obj, _ in before['dicts'].values()]
    with pytest.raises(ImportError):
        legacy.install(include=['no_such_package_zz'])
    assert not legacy.installed()
    assert _differences(before, _snapshot(objs)) == []


def test_context_manager():
    """``with legacy_environment():`` installs for the block only."""
    original = asyncio.StreamReader
    with legacy.legacy_environment() as usage:
        assert asyncio.StreamReader is trollius_streams.StreamReader
        assert usage is legacy.usage()
    assert asyncio.StreamReader is original
    assert not legacy.installed()


NEVER_INSTALLED = r'''
import asyncio, json, sys
import six  # dependencies: six and (3.6-3.7) pytest add importers to
import pytest  # sys.meta_path when imported
def state():
    import asyncio.streams
    return {name: id(getattr(asyncio, name, None)) for name in dir(asyncio)}
before = state()
modules = dict(sys.modules)
meta = list(sys.meta_path)
policy = asyncio.events._event_loop_policy
import trollius_streams
import trollius_streams.legacy
import trollius_streams.legacy.pytest_plugin
from trollius_streams import compat
after = state()
print(json.dumps({
    'changed': sorted(k for k in set(before) | set(after)
                      if before.get(k) != after.get(k)),
    'streams_module': sys.modules['asyncio.streams'] is modules['asyncio.streams'],
    'meta_path': [id(x) for x in sys.meta_path] == [id(x) for x in meta],
    'policy': asyncio.events._event_loop_policy is policy,
    'probed': bool(compat._legacy_features),
    'installed': trollius_streams.legacy.installed(),
}))
'''


def test_process_that_never_installs_is_untouched():
    """Importing trollius_streams, trollius_streams.legacy and the pytest
    plugin module patches nothing in asyncio, sys.modules or sys.meta_path,
    sets no policy and runs no feature probe."""
    out = subprocess.run([sys.executable, '-c', NEVER_INSTALLED],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=60, env=_env())
    assert out.returncode == 0, out.stderr.decode()
    assert json.loads(out.stdout.decode()) == {
        'changed': [], 'streams_module': True, 'meta_path': True,
        'policy': True, 'probed': False, 'installed': False}


def _env(**extra):
    env = dict(os.environ)
    env['PYTHONPATH'] = os.pathsep.join(
        [ROOT] + [p for p in env.get('PYTHONPATH', '').split(os.pathsep)
                  if p])
    env.pop('TROLLIUS_LEGACY_REPORT', None)
    env.update(extra)
    return env


# --- Source rewrite ----------------------------------------------------------


REWRITE_CASES = [
    ('t = asyncio.async(coro())\n', 't = asyncio.async_(coro())\n'),
    ('from asyncio import async\n', 'from asyncio import async_\n'),
    ('from asyncio import async, sleep\n',
     'from asyncio import async_, sleep\n'),
    ('from asyncio import (sleep,\n    async)\nx = 1\n',
     'from asyncio import (sleep,\n    async_)\nx = 1\n'),
    ('import asyncio as aio\nf = aio.async\n',
     'import asyncio as aio\nf = aio.async_\n'),
    ('def f(async=True):\n    return async\n',
     'def f(async_=True):\n    return async_\n'),
    ('x = async(y)  # async here\n', 'x = async_(y)  # async here\n'),
]

KEPT = [
    'async def f():\n    async with x:\n        pass\n',
    'async def f():\n    async for i in x:\n        pass\n',
    's = "asyncio.async(x)"\n',
    '# asyncio.async(x)\nx = 1\n',
    'x = """\nasync(\n"""\n',
]


@pytest.mark.parametrize('source,expected', REWRITE_CASES)
def test_rewrite_async_names(source, expected):
    """Item a: every 3.4 spelling of async as a name becomes async_, on the
    same line, the rest of the line untouched."""
    text, rows = _source.rewrite_async(source)
    assert text == expected
    assert rows
    assert len(text.splitlines()) == len(source.splitlines())


@pytest.mark.parametrize('source', KEPT)
def test_rewrite_keeps_keywords_strings_comments(source):
    """Item a: the keyword and text in strings and comments are kept."""
    assert _source.rewrite_async(source) == (source, [])


def test_rewrite_is_token_based_and_keeps_line_numbers(tmp_path):
    """Item a: a traceback from rewritten code points at the real line."""
    source = textwrap.dedent('''\
        import asyncio


        def fails():
            asyncio.async
            raise ValueError('line 6')
        ''')
    if not compat.ASYNC_IS_KEYWORD:
        assert _source.compile_legacy(source.encode(), 'x.py')
        return
    with pytest.raises(SyntaxError):
        compile(source, 'x.py', 'exec')
    code = _source.compile_legacy(source.encode(), 'x.py')
    namespace = {}
    exec(code, namespace)
    with pytest.raises(AttributeError) as info:
        namespace['fails']()
    assert info.traceback[-1].lineno + 1 == 5


# --- The coroutine flag ------------------------------------------------------


FLAG_SOURCE = '''
import asyncio

def plain():
    yield from asyncio.sleep(0)
    return 'plain'

class Holder:
    def method(self):
        def inner():
            yield from asyncio.sleep(0)
            return 'inner'
        value = yield from inner()
        return value

def numbers():
    yield 1
    yield 2

async def native():
    return 'native'

squares = (x * x for x in range(3))
'''


def test_flag_generators_marks_plain_generator_functions():
    """Item c: generator functions (nested ones and methods too) get
    CO_ITERABLE_COROUTINE; native coroutines and generator expressions do
    not; flagged generators still iterate."""
    code = _source.flag_generators(compile(FLAG_SOURCE, 'f.py', 'exec'))
    namespace = {}
    exec(code, namespace)
    flagged = inspect.CO_ITERABLE_COROUTINE
    assert namespace['plain'].__code__.co_flags & flagged
    assert namespace['Holder'].method.__code__.co_flags & flagged
    assert namespace['numbers'].__code__.co_flags & flagged
    assert not namespace['native'].__code__.co_flags & flagged
    assert not namespace['squares'].gi_code.co_flags & flagged
    assert list(namespace['numbers']()) == [1, 2]
    native = namespace['native']()
    native.close()
    loop = asyncio.new_event_loop()
    try:
        holder = namespace['Holder']()
        assert loop.run_until_complete(
            compat.as_coroutine(holder.method())) == 'inner'
        assert loop.run_until_complete(
            compat.as_coroutine(namespace['plain']())) == 'plain'
    finally:
        loop.close()


def test_unflagged_plain_generator_fails_without_the_flag():
    """The control for item c: the same plain generator, compiled normally,
    cannot yield from asyncio.sleep() where sleep is native."""
    if not inspect.iscoroutinefunction(asyncio.sleep):
        pytest.skip('asyncio.sleep is a generator here (3.6)')
    namespace = {}
    exec(compile(FLAG_SOURCE, 'f.py', 'exec'), namespace)
    gen = namespace['plain']()
    with warnings.catch_warnings():
        # the sleep() coroutine it created is never awaited
        warnings.simplefilter('ignore', RuntimeWarning)
        try:
            with pytest.raises(TypeError):
                gen.send(None)
        finally:
            del gen
            gc.collect()


# --- The import hook ---------------------------------------------------------


def test_finder_scope(tmp_path):
    """Item j: files under a root are legacy, except in site-packages or the
    stdlib, unless the site-packages package was included."""
    app = tmp_path / 'app'
    venv_pkg = app / 'venv' / 'lib' / 'site-packages' / 'dep'
    venv_pkg.mkdir(parents=True)
    (app / 'main.py').write_text('x = 1\n')
    (venv_pkg / '__init__.py').write_text('x = 1\n')
    finder = _importer.LegacyFinder([str(app)])
    assert finder.is_legacy(str(app / 'main.py'))
    assert not finder.is_legacy(str(venv_pkg / '__init__.py'))
    assert not finder.is_legacy(asyncio.__file__)
    assert not finder.is_legacy(trollius_streams.__file__)
    included = _importer.LegacyFinder([str(app)], [str(venv_pkg)])
    assert included.is_legacy(str(venv_pkg / '__init__.py'))


def test_import_hook_rewrites_and_flags_legacy_modules(tmp_path, installed):
    """Items a, c, j: a module under a legacy root imports through the hook
    (async rewritten, generators flagged), writes no bytecode, and runs."""
    pkg = tmp_path / 'oldpkg_hook'
    pkg.mkdir()
    (pkg / '__init__.py').write_text(textwrap.dedent('''\
        import asyncio

        def ticker():
            yield from asyncio.sleep(0)
            return 'ticked'

        def schedule(loop):
            return asyncio.async(ticker(), loop=loop)
        '''))
    finder = legacy.finder()
    finder.roots += (str(tmp_path) + os.sep,)
    sys.path.insert(0, str(tmp_path))
    try:
        import oldpkg_hook
        assert isinstance(oldpkg_hook.__loader__, _importer.LegacyLoader)
        assert oldpkg_hook.ticker.__code__.co_flags & \
            inspect.CO_ITERABLE_COROUTINE
        loop = asyncio.new_event_loop()
        try:
            assert loop.run_until_complete(
                oldpkg_hook.schedule(loop)) == 'ticked'
        finally:
            loop.close()
    finally:
        sys.path.remove(str(tmp_path))
        sys.modules.pop('oldpkg_hook', None)
    assert not (pkg / '__pycache__').exists()


# --- Shims, one by one -------------------------------------------------------


LOOP_KINDS = ['asyncio'] + (['uvloop'] if uvloop else [])


def _new_loop(kind):
    if kind == 'uvloop':
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@pytest.fixture(params=LOOP_KINDS)
def legacy_loop(request, installed):
    """A loop made the 3.4 way (the policy's new_event_loop()) inside the
    legacy environment, with uvloop's policy for the uvloop kind."""
    saved = asyncio.events._event_loop_policy
    if request.param == 'uvloop':
        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    loop = asyncio.new_event_loop()
    try:
        yield loop
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()
        asyncio.events._event_loop_policy = saved


def test_generators_everywhere(legacy_loop):
    """Item b: generator objects, decorated or plain, are accepted by Task,
    create_task, ensure_future, async, run_until_complete, gather, wait,
    wait_for, shield, as_completed."""
    loop = legacy_loop

    def plain(x):
        yield from ()
        return x

    @asyncio.coroutine
    def decorated(x):
        yield from asyncio.sleep(0)
        return x

    getattr(asyncio, 'async')  # the 3.4 name exists

    def main():
        results = [
            (yield from asyncio.Task(plain(1), loop=loop)),
            (yield from loop.create_task(plain(2))),
            (yield from asyncio.ensure_future(plain(3), loop=loop)),
            (yield from getattr(asyncio, 'async')(decorated(4), loop=loop)),
            (yield from asyncio.gather(plain(5), decorated(6))),
            (yield from asyncio.wait_for(plain(7), 5)),
            (yield from asyncio.shield(decorated(8))),
        ]
        done, _ = yield from asyncio.wait([plain(9), decorated(10)])
        results.append(sorted(t.result() for t in done))
        for fut in asyncio.as_completed([plain(11)]):
            results.append((yield from fut))
        return results

    main = types.coroutine(main)
    assert loop.run_until_complete(main()) == [
        1, 2, 3, 4, [5, 6], 7, 8, [9, 10], 11]
    assert loop.run_until_complete(plain('direct')) == 'direct'


def test_loop_argument(legacy_loop):
    """Item d: loop= is accepted where 3.4 had it; a loop that is not the
    running one fails, not silently."""
    loop = legacy_loop
    lock = asyncio.Lock(loop=loop)
    queue = asyncio.Queue(loop=loop)
    event = asyncio.Event(loop=loop)
    other = asyncio.new_event_loop()

    @asyncio.coroutine
    def main():
        yield from asyncio.sleep(0, loop=loop)
        yield from queue.put(1)
        event.set()
        yield from event.wait()
        with (yield from lock):
            value = yield from queue.get()
        with pytest.raises(RuntimeError):
            yield from asyncio.sleep(0.01, loop=other)
        return value

    try:
        assert loop.run_until_complete(main()) == 1
    finally:
        other.close()


def test_lock_yield_from_and_task_class_methods(legacy_loop):
    """Item e: yield from a lock/condition/semaphore, with (yield from lock),
    Task.current_task(), Task.all_tasks(), JoinableQueue."""
    loop = legacy_loop

    @asyncio.coroutine
    def main():
        lock = asyncio.Lock()
        cond = asyncio.Condition()
        sem = asyncio.Semaphore(1)
        with (yield from lock):
            assert lock.locked()
        assert not lock.locked()
        with (yield from cond):
            assert cond.locked()
        with (yield from sem):
            assert sem.locked()
        me = asyncio.Task.current_task()
        assert me is asyncio.Task.current_task(loop=loop)
        assert me in asyncio.Task.all_tasks()
        assert isinstance(me, asyncio.Task)
        queue = asyncio.JoinableQueue()
        yield from queue.put(1)
        queue.get_nowait()
        queue.task_done()
        yield from queue.join()
        return 'ok'

    assert loop.run_until_complete(main()) == 'ok'


def test_implicit_loop_without_warning_even_where_it_raises(monkeypatch):
    """Item g: in the main thread, get_event_loop() with no loop set creates
    and sets one without a warning.  Simulates 3.14, where the default
    policy raises instead."""
    def raising(self):
        if self._local._loop is None:
            raise RuntimeError('There is no current event loop')
        return self._local._loop
    monkeypatch.setattr(asyncio.events.BaseDefaultEventLoopPolicy,
                        'get_event_loop', raising)
    saved = asyncio.events._event_loop_policy
    asyncio.events._event_loop_policy = None
    try:
        with pytest.raises(RuntimeError):
            asyncio.get_event_loop()
        with legacy.legacy_environment():
            with warnings.catch_warnings():
                warnings.simplefilter('error')
                loop = asyncio.get_event_loop()
            try:
                assert loop is asyncio.get_event_loop()
                assert not loop.is_closed()
            finally:
                loop.close()
                asyncio.set_event_loop(None)
            assert legacy.usage().counts['implicit-loop'] == 1
    finally:
        asyncio.events._event_loop_policy = saved


@pytest.mark.parametrize('kind', LOOP_KINDS)
def test_wait_closed_returns_once_listening_sockets_closed(kind):
    """Item h: with a client still connected, wait_closed() returns after
    close() (stdlib 3.12.1+ would wait for the client)."""
    loop = _new_loop(kind)

    @trollius_streams.coroutine
    def main():
        connected = loop.create_future()
        server = yield from loop.create_server(
            lambda: _Notify(connected), '127.0.0.1', 0)
        client = socket.create_connection(server.sockets[0].getsockname())
        try:
            transport = yield from asyncio.wait_for(connected, 5)
            server.close()
            yield from asyncio.wait_for(server.wait_closed(), 2)
            transport.close()
        finally:
            client.close()
        return 'returned'

    try:
        with legacy.legacy_environment():
            assert loop.run_until_complete(main()) == 'returned'
    finally:
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()


class _Notify(asyncio.Protocol):
    def __init__(self, fut):
        self.fut = fut

    def connection_made(self, transport):
        self.fut.set_result(transport)


def test_streams_are_ours_for_legacy_code_stdlib_keeps_its_own(installed):
    """Item i: asyncio's stream names and asyncio.streams.* are ours; the
    stdlib's asyncio.subprocess keeps using the stdlib streams."""
    import asyncio.subprocess as aio_subprocess
    for name in ('StreamReader', 'StreamWriter', 'StreamReaderProtocol',
                 'IncompleteReadError'):
        assert getattr(asyncio, name) is getattr(trollius_streams, name)
        assert getattr(asyncio.streams, name) is getattr(trollius_streams,
                                                         name)
    from asyncio.streams import StreamReader
    assert StreamReader is trollius_streams.StreamReader
    assert aio_subprocess.streams.StreamReader is not \
        trollius_streams.StreamReader
    assert asyncio.open_connection.__wrapped__ is \
        trollius_streams.open_connection


@pytest.mark.parametrize('kind', LOOP_KINDS)
def test_create_subprocess_exec_works_under_the_environment(kind):
    """Item i: the stdlib's subprocess support still works (its pipes use
    the stdlib StreamReader), loop= included."""
    saved = asyncio.events._event_loop_policy
    watcher = getattr(saved, '_watcher', None)
    try:
        with legacy.legacy_environment(
                loop='uvloop' if kind == 'uvloop' else None):
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                @asyncio.coroutine
                def main():
                    spawn = asyncio.subprocess.create_subprocess_exec
                    proc = yield from spawn(
                        sys.executable, '-c', 'print(7 * 6)',
                        stdin=asyncio.subprocess.DEVNULL,
                        stdout=asyncio.subprocess.PIPE, loop=loop)
                    out = yield from proc.stdout.read()
                    yield from proc.wait()
                    return out
                assert loop.run_until_complete(main()).strip() == b'42'
            finally:
                asyncio.set_event_loop(None)
                loop.close()
    finally:
        asyncio.events._event_loop_policy = saved
        # Up to 3.11 the subprocess made the policy create a child watcher
        # (SIGCHLD handler), which later set_event_loop() calls would attach
        # to every loop, uvloop's included: drop the one this test made.
        if saved is not None and getattr(saved, '_watcher', None) is not watcher:
            saved._watcher.close()
            saved._watcher = watcher


def test_loop_argument_on_every_helper(legacy_loop):
    """Items b, d: the helpers that lost loop= take it (with generators)
    outside and inside the loop; a loop that is not the running one is an
    error at the call, for each of them."""
    loop = legacy_loop

    @types.coroutine  # what compiling it as legacy code does (item c)
    def gen(x):
        yield from asyncio.sleep(0)
        return x

    # Called before the loop runs, as 3.4 code did.
    gathered = asyncio.gather(gen(1), gen(2), loop=loop)
    empty = asyncio.gather(loop=loop)
    shielded = asyncio.shield(gen(3), loop=loop)
    assert loop.run_until_complete(gathered) == [1, 2]
    assert loop.run_until_complete(empty) == []
    assert loop.run_until_complete(shielded) == 3
    other = asyncio.new_event_loop()

    @asyncio.coroutine
    def main():
        value = yield from asyncio.wait_for(gen(4), 5, loop=loop)
        done, _ = yield from asyncio.wait([gen(5)], loop=loop, timeout=5)
        order = []
        for fut in asyncio.as_completed([gen(6)], loop=loop):
            order.append((yield from fut))
        errors = 0
        if F.loop_argument == compat.OK:  # loop= as in 3.4: not ours
            return value, [t.result() for t in done], order, 6
        for call in (lambda: asyncio.wait_for(gen(0), 1, loop=other),
                     lambda: asyncio.wait([gen(0)], loop=other),
                     lambda: asyncio.gather(gen(0), loop=other),
                     lambda: asyncio.shield(gen(0), loop=other),
                     lambda: asyncio.as_completed([gen(0)], loop=other),
                     lambda: asyncio.Lock(loop=other)):
            try:
                call()
            except RuntimeError:
                errors += 1
        with pytest.raises(TypeError):
            asyncio.wait(gen(0))
        return value, [t.result() for t in done], order, errors

    try:
        assert loop.run_until_complete(main()) == (4, [5], [6], 6)
    finally:
        other.close()
    gc.collect()  # the generators made for the failing calls


def test_run_coroutine_threadsafe_takes_generators(legacy_loop):
    """Item b: run_coroutine_threadsafe() accepts a generator object."""
    import threading
    loop = legacy_loop

    @types.coroutine
    def gen():
        yield from asyncio.sleep(0)
        return 'from thread'

    results = []

    def in_thread():
        results.append(asyncio.run_coroutine_threadsafe(gen(), loop)
                       .result(5))
        loop.call_soon_threadsafe(loop.stop)

    thread = threading.Thread(target=in_thread)
    thread.start()
    loop.run_forever()
    thread.join(5)
    assert results == ['from thread']


@pytest.mark.skipif(uvloop is None, reason='uvloop not installed')
def test_uvloop_new_event_loop_takes_generators(installed):
    """Item b on uvloop: loops from uvloop.new_event_loop() (as test plugins
    make them) accept generator objects in create_task() and
    run_until_complete(), and are uvloop.Loop instances."""
    loop = uvloop.new_event_loop()
    try:
        assert isinstance(loop, uvloop.Loop)

        @types.coroutine
        def gen():
            yield from asyncio.sleep(0)
            return 'uv'

        assert loop.run_until_complete(loop.create_task(gen())) == 'uv'
        assert loop.run_until_complete(gen()) == 'uv'
    finally:
        loop.close()


def test_task_class_and_policy_stand_ins(installed):
    """The stand-ins keep the stdlib's contracts: every asyncio task is an
    instance (and its class a subclass) of asyncio.Task; a policy set with
    set_event_loop_policy() is wrapped and still answers for the rest."""
    loop = asyncio.new_event_loop()
    try:
        task = loop.create_task(asyncio.sleep(0))
        assert isinstance(task, asyncio.Task)
        assert issubclass(type(task), asyncio.Task)
        loop.run_until_complete(task)
    finally:
        loop.close()
    saved = asyncio.events._event_loop_policy
    try:
        policy = asyncio.DefaultEventLoopPolicy()
        asyncio.set_event_loop_policy(policy)
        current = asyncio.get_event_loop_policy()
        if current is not policy:  # wrapped where the policy needs a shim
            assert current._base is policy
            assert current._local is policy._local
        asyncio.set_event_loop_policy(None)
        assert asyncio.get_event_loop_policy() is not None
    finally:
        asyncio.events._event_loop_policy = saved
