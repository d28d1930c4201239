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

Time limit: every opted-in test gets one, 60 seconds unless configured.
Set it with the ``trollius_timeout`` ini option or ``--trollius-timeout=
SECONDS`` (the command line wins; 0 means no limit); ``@pytest.mark.trollius(
timeout=SECONDS)`` on a test, class or module overrides both.  A test that
runs out of time has its coroutine cancelled and fails with a short message
naming the limit and the line where the test was waiting.  The limit is
measured on the event loop: a test that blocks the loop (``time.sleep``)
is not interrupted; pytest-timeout covers that case.

A generator test function that is not opted in is never run as a
coroutine: it fails with a hint to add the marker (pytest itself would
ignore it or fail its whole module, depending on its version).

Options: ``--trollius-loop=asyncio|uvloop`` (default asyncio),
``--trollius-timeout=SECONDS``; ini: ``trollius_timeout``.

The plugin is registered through the ``pytest11`` entry point
``trollius_streams.testing``; without the installed package, load it with
``-p trollius_streams.testing`` or ``pytest_plugins =
['trollius_streams.testing']`` in a root conftest.py.
"""

__all__ = ['trollius_loop', 'DEFAULT_TIMEOUT']

import asyncio
import inspect
import linecache
import os
import types
import warnings

import pytest

from . import _loops, compat

MARKER = 'trollius'
LOOP_FIXTURE = 'trollius_loop'
TIMEOUT_INI = 'trollius_timeout'

#: Seconds an opted-in test may run when nothing else is configured.
DEFAULT_TIMEOUT = 60.0

#: Seconds a timed-out test's coroutine gets to finish after its
#: cancellation before the loop is stopped under it.
_CANCEL_GRACE = 5.0


def pytest_addoption(parser):
    group = parser.getgroup('trollius_streams')
    group.addoption(
        '--trollius-loop', dest='trollius_loop', default='asyncio',
        choices=('asyncio', 'uvloop'),
        help='event loop for trollius tests (trollius_streams.testing): '
             'asyncio (default) or uvloop')
    group.addoption(
        '--trollius-timeout', dest='trollius_timeout', default=None,
        metavar='SECONDS',
        help='time limit of each trollius test, in seconds; 0 = no limit '
             '(default: the %s ini option, else %g)'
             % (TIMEOUT_INI, DEFAULT_TIMEOUT))
    parser.addini(
        TIMEOUT_INI, default='',
        help='time limit of each trollius test (trollius_streams.testing), '
             'in seconds; 0 = no limit (default %g)' % DEFAULT_TIMEOUT)


def _seconds(text, where):
    """Parse a time limit; 0 (or less) means none; UsageError if malformed."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise pytest.UsageError('%s: expected a number of seconds, got %r'
                                % (where, text))
    return value if value > 0 else None


def _configured_limit(config):
    """``(seconds or None, where it comes from)`` from the command line/ini."""
    option = config.getoption('trollius_timeout', None)
    if option is not None:
        return _seconds(option, '--trollius-timeout'), '--trollius-timeout'
    ini = config.getini(TIMEOUT_INI)
    if isinstance(ini, str) and ini.strip():
        return _seconds(ini.strip(), TIMEOUT_INI), 'ini option ' + TIMEOUT_INI
    return DEFAULT_TIMEOUT, 'default limit'


def pytest_configure(config):
    config.addinivalue_line(
        'markers',
        '%s(timeout=None): run this generator-based (yield from) test as a '
        'coroutine in a fresh event loop; fail it if it leaves tasks '
        'pending or runs longer than timeout seconds (default: '
        '--trollius-timeout / the %s ini option) '
        '(trollius_streams.testing)' % (MARKER, TIMEOUT_INI))
    _configured_limit(config)  # a malformed limit is a usage error now
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


# The loop helpers under the names this module has always had (other
# modules of the package import them from here).
_new_loop = _loops.new_loop
_settle = _loops.settle


def _cancel_pending(loop):
    """Cancel and reap the loop's pending tasks; return them."""
    return _loops.cancel_pending(loop)


def _run(loop, obj, timeout=None):
    """Run ``obj`` (generator, coroutine object, Future) on ``loop``.

    With ``timeout``, raises asyncio.TimeoutError when it takes longer.
    """
    task = compat.ensure_future(compat.awaitable(obj), loop)
    if timeout is not None:
        task = asyncio.wait_for(task, timeout)
        task = compat.ensure_future(task, loop)
    return loop.run_until_complete(task)


# --- Time limit ---------------------------------------------------------------------


class _TimedOut(Exception):
    """The test's coroutine ran out of time.

    ``where`` lists the places it was waiting at, as text, taken before it
    was cancelled: the test's own frame, then the innermost one.
    """

    def __init__(self, where):
        Exception.__init__(self, where)
        self.where = where


def _await_chain(obj):
    """Frames of ``obj`` and of what it awaits, outermost first.

    Follows ``yield from`` (``gi_yieldfrom``) and ``await`` (``cr_await``)
    links from the test's coroutine down to the innermost suspended frame.
    """
    frames = []
    seen = set()
    while obj is not None and id(obj) not in seen:
        seen.add(id(obj))
        frame = getattr(obj, 'cr_frame', None)
        if frame is None:
            frame = getattr(obj, 'gi_frame', None)
        if frame is not None:
            frames.append(frame)
        inner = getattr(obj, 'cr_await', None)
        if inner is None:
            inner = getattr(obj, 'gi_yieldfrom', None)
        obj = inner
    return frames


def _run_limited(loop, obj, limit):
    """Run the test's coroutine ``obj`` on ``loop`` within ``limit`` seconds.

    When the limit passes, records where ``obj`` is waiting, cancels it and
    raises :class:`_TimedOut`, also if the coroutine swallowed the
    cancellation (the loop is stopped after a grace period then).
    """
    task = compat.ensure_future(compat.awaitable(obj), loop)
    if not limit:
        return loop.run_until_complete(task)
    expired = []
    timers = []

    def expire():
        if not task.done():
            expired.append(_waiting_at(_await_chain(obj)))
            task.cancel()
            timers.append(loop.call_later(_CANCEL_GRACE, loop.stop))
    timers.append(loop.call_later(limit, expire))
    try:
        result = loop.run_until_complete(task)
    except (Exception, asyncio.CancelledError):
        if not expired:
            raise
        result = None
    finally:
        for timer in timers:
            timer.cancel()
    if expired:
        raise _TimedOut(expired[0])
    return result


def _limit(item):
    """``(seconds or None, where it comes from)`` for an opted-in test."""
    for marker in item.iter_markers(MARKER):
        if 'timeout' in marker.kwargs:
            value = marker.kwargs['timeout']
            return (value if value else None,
                    '@pytest.mark.%s(timeout=%r)' % (MARKER, value))
    return _configured_limit(item.config)


_ASYNCIO_DIR = os.path.dirname(asyncio.__file__)


def _place(frame):
    """``file:line in function: source`` of a suspended frame."""
    code = frame.f_code
    path = code.co_filename
    try:
        rel = os.path.relpath(path)
    except ValueError:  # pragma: no cover - another drive on Windows
        rel = path
    if not rel.startswith(os.pardir):
        path = rel
    source = linecache.getline(code.co_filename, frame.f_lineno).strip()
    text = '%s:%d in %s' % (path, frame.f_lineno, code.co_name)
    return text + (': ' + source if source else '')


def _waiting_at(frames):
    """Report lines for a chain of suspended frames (see _await_chain).

    asyncio's own frames (inside ``asyncio.sleep``, a Future) are skipped
    for the innermost place: the line that called into asyncio says more.
    """
    if not frames:
        return ['  (the test was not suspended in a coroutine frame)']
    lines = ['  test waiting at ' + _place(frames[0])]
    ours = [f for f in frames
            if not f.f_code.co_filename.startswith(_ASYNCIO_DIR)]
    if ours and ours[-1] is not frames[0]:
        lines.append('  innermost wait  ' + _place(ours[-1]))
    return lines


def _timeout_message(name, limit, source, where):
    lines = ['%s did not finish within %gs (%s); its coroutine was cancelled.'
             % (name, limit, source)]
    lines.extend(where)
    lines.append('Raise the limit with @pytest.mark.%s(timeout=SECONDS), '
                 '--trollius-timeout=SECONDS or the %s ini option '
                 '(0 = no limit).' % (MARKER, TIMEOUT_INI))
    return '\n'.join(lines)


def _flag_generator(func):
    # A plain generator test function may ``yield from`` native coroutines
    # (asyncio.sleep, loop methods) only once flagged as a coroutine, which
    # is what @asyncio.coroutine did to 3.4-era code (contract M-13).
    func = getattr(func, '__func__', func)
    if inspect.isgeneratorfunction(func):
        types.coroutine(func)


def _runnable(result):
    return (compat.iscoroutine(result) or compat.isfuture(result) or
            inspect.isawaitable(result))


def _make_current(loop):
    """``asyncio.set_event_loop(loop)``, without uvloop's child-watcher warning.

    On Python 3.6 and 3.7, once anything in the process has used asyncio's
    child watcher (a subprocess test), setting a loop as current attaches
    the watcher to it, and uvloop then warns "asyncio is trying to install
    its ChildWatcher".  The attachment is harmless here: the fixture sets
    no current loop again before closing the loop, which detaches it.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings(
            'ignore', message='!!! asyncio is trying to install its '
                              'ChildWatcher', category=RuntimeWarning)
        asyncio.set_event_loop(loop)


# --- Fixture ---------------------------------------------------------------------


@pytest.fixture
def trollius_loop(request):
    """A fresh event loop for the test, set as the current loop, closed after.

    Uses ``--trollius-loop`` (asyncio or uvloop).  Tasks still pending when
    the test's fixtures are torn down are cancelled and reported as an error.
    """
    loop = _new_loop(request.config.getoption('trollius_loop', 'asyncio'))
    _make_current(loop)
    try:
        yield loop
    finally:
        # No longer current before it closes (code still running in it
        # gets it as the running loop).
        asyncio.set_event_loop(None)
        done = _loops.teardown(loop)
    for text in done.unclosed:
        # What closing the loop warned about, warned again now that the
        # loop is closed (pytest's warning filters then apply as usual).
        warnings.warn(text, ResourceWarning)
    if done.pending:
        pytest.fail('tasks left pending after teardown: %r'
                    % (sorted(done.pending, key=repr),), pytrace=False)


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
    if not getattr(func, '__test__', True):
        return None
    items = list(collector._genfunctions(name, func))
    if not _opted_in(collector, func):
        # A generator test nobody would run: it fails with our hint when
        # run (pytest would ignore it, or fail the whole module).
        for item in items:
            item._trollius_unmarked = True
    return items


_UNMARKED_HINT = (
    '%s is a generator function (it uses yield / yield from), so pytest '
    'cannot run it as a test.  If it is a 3.4-style coroutine test, opt it '
    'in to trollius_streams.testing: mark it with @pytest.mark.%s (or set '
    'pytestmark = pytest.mark.%s in the module) or decorate it with '
    '@trollius_streams.coroutine.')


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
    if getattr(pyfuncitem, '_trollius_unmarked', False):
        pytest.fail(_UNMARKED_HINT % (pyfuncitem.originalname, MARKER, MARKER),
                    pytrace=False)
    if not _item_opted_in(pyfuncitem):
        return None
    funcargs = pyfuncitem.funcargs
    loop = funcargs.get(LOOP_FIXTURE)
    if loop is None:
        loop = pyfuncitem._request.getfixturevalue(LOOP_FIXTURE)
    limit, source = _limit(pyfuncitem)
    testargs = {arg: funcargs[arg]
                for arg in pyfuncitem._fixtureinfo.argnames}
    _flag_generator(pyfuncitem.obj)
    ok = False
    timed_out = None
    try:
        result = pyfuncitem.obj(**testargs)
        if _runnable(result):
            try:
                _run_limited(loop, result, limit)
            except _TimedOut as exc:
                timed_out = exc
        if timed_out is None:
            _settle(loop)
            ok = True
    finally:
        pending = _cancel_pending(loop)
    if timed_out is not None:
        pytest.fail(_timeout_message(pyfuncitem.name, limit, source,
                                     timed_out.where), pytrace=False)
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
