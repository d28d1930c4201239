"""pytest plugin: run generator-based (``yield from``) tests on a fresh loop.

Test suites written for Python 3.4 asyncio have test functions such as::

    @pytest.mark.trollius
    def test_echo(trollius_loop):
        reader, writer = yield from open_connection('127.0.0.1', port)
        ...

Modern pytest refuses generator test functions (pytest 9 fails them at
collection).  This plugin collects and runs them: each opted-in test gets
a new event loop (the ``trollius_loop`` fixture, also set as the current
event loop), the test's coroutine runs to completion on it, and the test
fails if it leaves tasks pending.  The loop is closed afterwards.

Opting in, per test (nothing changes for other tests):

* ``@pytest.mark.trollius`` on the test, its class or its module
  (``pytestmark = pytest.mark.trollius``); ``@pytest.mark.trollius(timeout=5)``
  also bounds the test's run time;
* or decorating the test with :func:`trollius_streams.coroutine`.

Fixtures decorated with :func:`trollius_streams.coroutine` (under
``@pytest.fixture``) are coroutines too: they run on the test's loop and
their return value is the fixture value (function scope only; register
teardown with ``request.addfinalizer``, since ``yield`` is the coroutine's).

Options: ``--trollius-loop=asyncio|uvloop`` (default asyncio).

The plugin is registered through the ``pytest11`` entry point
``trollius_streams.testing``; without the installed package, load it with
``-p trollius_streams.testing`` or ``pytest_plugins =
['trollius_streams.testing']`` in a root conftest.py.
"""

__all__ = ['trollius_loop']

import asyncio
import inspect
import types

import pytest

from . import compat

MARKER = 'trollius'
LOOP_FIXTURE = 'trollius_loop'


def pytest_addoption(parser):
    group = parser.getgroup('trollius_streams')
    group.addoption(
        '--trollius-loop', dest='trollius_loop', default='asyncio',
        choices=('asyncio', 'uvloop'),
        help='event loop for trollius tests (trollius_streams.testing): '
             'asyncio (default) or uvloop')


def pytest_configure(config):
    config.addinivalue_line(
        'markers',
        '%s(timeout=None): run this generator-based (yield from) test as a '
        'coroutine in a fresh event loop; fail it if it leaves tasks '
        'pending (trollius_streams.testing)' % MARKER)
    if config.getoption('trollius_loop', 'asyncio') == 'uvloop':
        try:
            import uvloop  # noqa: F401
        except ImportError:
            raise pytest.UsageError(
                '--trollius-loop=uvloop: uvloop is not installed')


def _is_ours(func):
    """True for functions decorated with trollius_streams.coroutine."""
    return bool(getattr(func, '_trollius_streams_coroutine', False))


def _has_marker(obj):
    marks = getattr(obj, 'pytestmark', [])
    if not isinstance(marks, list):
        marks = [marks]
    return any(getattr(m, 'name', None) == MARKER for m in marks)


def _new_loop(kind):
    if kind == 'uvloop':
        import uvloop
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@compat.coroutine
def _iteration():
    yield


def _settle(loop, iterations=3):
    # Let callbacks scheduled by the test (closing transports, tasks that
    # are about to finish) run.
    for _ in range(iterations):
        loop.run_until_complete(compat.awaitable(_iteration()))


def _cancel_pending(loop):
    """Cancel and reap the loop's pending tasks; return them."""
    pending = compat.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(compat.awaitable(
            asyncio.wait(pending, timeout=5)))
    return pending


def _run(loop, obj, timeout=None):
    """Run ``obj`` (generator, coroutine object, Future) on ``loop``."""
    task = compat.ensure_future(compat.awaitable(obj), loop)
    if timeout is not None:
        task = asyncio.wait_for(task, timeout)
        task = compat.ensure_future(task, loop)
    return loop.run_until_complete(task)


def _flag_generator(func):
    # A plain generator test function may ``yield from`` native coroutines
    # (asyncio.sleep, loop methods) only once flagged as a coroutine, which
    # is what @asyncio.coroutine did to 3.4-era code (SPEC M-13).
    func = getattr(func, '__func__', func)
    if inspect.isgeneratorfunction(func):
        types.coroutine(func)


def _runnable(result):
    return (compat.iscoroutine(result) or compat.isfuture(result) or
            inspect.isawaitable(result))


# --- Fixture ---------------------------------------------------------------------


@pytest.fixture
def trollius_loop(request):
    """A fresh event loop for the test, set as the current loop, closed after.

    Uses ``--trollius-loop`` (asyncio or uvloop).  Tasks still pending when
    the test's fixtures are torn down are cancelled and reported as an error.
    """
    loop = _new_loop(request.config.getoption('trollius_loop', 'asyncio'))
    asyncio.set_event_loop(loop)
    pending = ()
    try:
        yield loop
        _settle(loop)
        pending = _cancel_pending(loop)
    finally:
        try:
            loop.run_until_complete(loop.shutdown_asyncgens())
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    if pending:
        pytest.fail('tasks left pending after teardown: %r'
                    % (sorted(pending, key=repr),), pytrace=False)


# --- Collection -------------------------------------------------------------------


def _opted_in(collector, func):
    return (_is_ours(func) or _has_marker(func) or
            collector.get_closest_marker(MARKER) is not None)


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makeitem(collector, name, obj):
    """Collect opted-in generator test functions, which pytest refuses."""
    if not collector.istestfunction(obj, name):
        return None
    func = getattr(obj, '__func__', obj)
    if not (inspect.isgeneratorfunction(func) or _is_ours(func)):
        return None
    if not getattr(func, '__test__', True) or not _opted_in(collector, func):
        return None
    return list(collector._genfunctions(name, func))


def _item_opted_in(item):
    return (item.get_closest_marker(MARKER) is not None or
            _is_ours(getattr(item, 'obj', None)))


def pytest_collection_modifyitems(session, config, items):
    # Opted-in tests get the loop first, so coroutine fixtures find it.
    for item in items:
        names = getattr(item, 'fixturenames', None)
        if (isinstance(names, list) and LOOP_FIXTURE not in names and
                _item_opted_in(item)):
            names.insert(0, LOOP_FIXTURE)


# --- Running ---------------------------------------------------------------------


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    """Run an opted-in test's coroutine on its loop; fail on pending tasks."""
    if not _item_opted_in(pyfuncitem):
        return None
    funcargs = pyfuncitem.funcargs
    loop = funcargs.get(LOOP_FIXTURE)
    if loop is None:
        loop = pyfuncitem._request.getfixturevalue(LOOP_FIXTURE)
    marker = pyfuncitem.get_closest_marker(MARKER)
    timeout = marker.kwargs.get('timeout') if marker is not None else None
    testargs = {arg: funcargs[arg]
                for arg in pyfuncitem._fixtureinfo.argnames}
    _flag_generator(pyfuncitem.obj)
    ok = False
    try:
        result = pyfuncitem.obj(**testargs)
        if _runnable(result):
            _run(loop, result, timeout)
        _settle(loop)
        ok = True
    finally:
        pending = _cancel_pending(loop)
    if ok and pending:
        pytest.fail('test left %d task(s) pending: %r'
                    % (len(pending), sorted(pending, key=repr)),
                    pytrace=False)
    return True


# --- Coroutine fixtures ------------------------------------------------------------


def _fixture_runner(func, loop):
    """A plain function that runs coroutine fixture ``func`` on ``loop``."""
    if isinstance(func, types.MethodType):
        inner = func.__func__

        def run_method(self, *args, **kwargs):
            return _run(loop, inner(self, *args, **kwargs))
        run_method._trollius_fixture_original = func
        return types.MethodType(run_method, func.__self__)

    def run(*args, **kwargs):
        return _run(loop, func(*args, **kwargs))
    run._trollius_fixture_original = func
    return run


@pytest.hookimpl(tryfirst=True)
def pytest_fixture_setup(fixturedef, request):
    """Make a ``coroutine``-decorated fixture run on the test's loop.

    Its function is swapped for a plain one that runs the coroutine; pytest
    then sets it up as usual (arguments, caching, finalizers).
    """
    func = getattr(fixturedef.func, '_trollius_fixture_original',
                   fixturedef.func)
    if not _is_ours(func):
        return None
    loop = request.getfixturevalue(LOOP_FIXTURE)
    fixturedef.func = _fixture_runner(func, loop)
    return None
