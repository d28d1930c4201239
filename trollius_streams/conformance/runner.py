"""Running scenarios: the trial a scenario receives, and the drivers.

Each scenario runs on a fresh event loop (made and torn down by
:mod:`trollius_streams._loops`), with warnings and loop errors recorded,
and becomes a :class:`~.core.Result`.  A scenario that does not finish in
time fails as ``hung``; the kit itself never hangs.
"""

__all__ = ['Trial', 'load_target', 'describe_target', 'run_scenario',
           'run_battery']

import gc
import importlib
import sys
import time
import traceback
import warnings

from .. import _loops, compat
from .core import (FAIL, NA, PASS, REQUIRED_NAMES, Fail, Hung,
                   NotApplicable, Result, select, short)


# --- The trial: what a scenario function receives ----------------------------


class Trial(object):
    """Context for one scenario run: the target module, a fresh loop, helpers.

    Scenario functions are plain functions; they drive the target's
    coroutines with :meth:`run`, which accepts whatever the target returns.
    """

    def __init__(self, mod, loop, via, timeout):
        self.mod = mod
        self.loop = loop
        self.via = via
        self.timeout = timeout
        self._cleanups = []

    # Running target code.

    def run(self, obj, timeout=None):
        """Run ``obj`` on the loop and return its result.

        ``obj`` may be a generator, a coroutine object (ours or native), a
        Future or ``()``.  Raises Hung if it does not finish within
        ``timeout`` seconds (the scenario's timeout by default).
        """
        if timeout is None:
            timeout = self.timeout
        task = compat.ensure_future(compat.awaitable(obj), self.loop)
        return self.wait_task(task, timeout)

    def wait_task(self, task, timeout=None):
        """Wait for an existing task/Future, as :meth:`run` does."""
        if timeout is None:
            timeout = self.timeout
        loop = self.loop
        waiter = compat.create_future(loop)

        def wake(_=None):
            if not waiter.done():
                waiter.set_result(None)
        timer = loop.call_later(timeout, wake)
        task.add_done_callback(wake)
        try:
            loop.run_until_complete(waiter)
        finally:
            timer.cancel()
            task.remove_done_callback(wake)
        if not task.done():
            task.cancel()
            self.spin(3)
            raise Hung('no result after %gs' % timeout)
        return task.result()

    def spawn(self, obj):
        """Schedule ``obj`` as a task on the loop and return the task."""
        return compat.ensure_future(compat.awaitable(obj), self.loop)

    def spin(self, n=1):
        """Let the loop run ``n`` iterations."""
        _loops.settle(self.loop, n)

    def raises(self, exc_type, obj, message=None):
        """Run ``obj`` and return the exception of ``exc_type`` it raises.

        Fails if it returns normally, raises something else or (with
        ``message``) raises with a different ``str()``.
        """
        expected = exc_type.__name__
        if message is not None:
            expected += '(%r)' % (message,)
        try:
            value = self.run(obj)
        except exc_type as exc:
            if message is not None and str(exc) != message:
                raise Fail(short(exc), 'raises ' + expected)
            return exc
        except Hung:
            raise
        except BaseException as exc:
            raise Fail(short(exc), 'raises ' + expected)
        raise Fail('returned %s' % short(value), 'raises ' + expected)

    def returns(self, obj, expected, what=''):
        """Run ``obj``; fail unless it returns ``expected`` (equal, same type)."""
        try:
            value = self.run(obj)
        except Hung:
            raise
        except Exception as exc:
            prefix = (what + ' ') if what else ''
            raise Fail(prefix + short(exc), prefix + 'returns ' +
                       short(expected))
        self.equal(value, expected, what)
        return value

    # Checks.

    @staticmethod
    def equal(observed, expected, what=''):
        """Fail unless ``observed == expected``."""
        if not (type(observed) is type(expected) and observed == expected):
            prefix = (what + ' ') if what else ''
            raise Fail(prefix + short(observed), prefix + short(expected))

    @staticmethod
    def check(condition, observed, expected):
        """Fail with ``observed``/``expected`` (strings) unless ``condition``."""
        if not condition:
            raise Fail(observed, expected)

    short = staticmethod(short)

    # Resources.

    def on_cleanup(self, func, *args):
        """Call ``func(*args)`` when the scenario ends (LIFO)."""
        self._cleanups.append((func, args))

    def future(self):
        return compat.create_future(self.loop)

    def _cleanup(self):
        while self._cleanups:
            func, args = self._cleanups.pop()
            try:
                func(*args)
            except Exception:
                pass


# --- Running scenarios -------------------------------------------------------


def load_target(name):
    """Import the target module ``name`` (a dotted path)."""
    return importlib.import_module(name)


def describe_target(mod):
    """A short description such as ``asyncio (stdlib, Python 3.13.0)``."""
    name = mod.__name__
    if name == 'asyncio':
        return 'asyncio (stdlib, Python %d.%d.%d)' % sys.version_info[:3]
    version = getattr(mod, '__version__', None)
    if version:
        return '%s %s' % (name, version)
    return name


def _finish(loop, trial, unclosed):
    """Close what the scenario opened, then tear the loop down.

    What closing the loop warned about is added to ``unclosed``.
    """
    try:
        trial._cleanup()
    finally:
        done = _loops.teardown(loop, settle_first=False, cancel_timeout=1.0)
        unclosed.extend(done.unclosed)


def run_scenario(sc, mod, loop_kind='asyncio', timeout=None):
    """Run scenario ``sc`` against module ``mod``; return a :class:`Result`."""
    target = mod.__name__
    missing = [n for n in REQUIRED_NAMES + sc.needs if not hasattr(mod, n)]
    if missing:
        return Result(sc, target, NA,
                      why='target has no %s' % ', '.join(missing))
    if timeout is None:
        timeout = sc.timeout
    errors = []
    unclosed = []
    start = time.time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        loop = _loops.new_loop(loop_kind)
        loop.set_exception_handler(lambda _, ctx: errors.append(ctx))
        trial = Trial(mod, loop, sc.via, timeout)
        try:
            try:
                sc.func(trial)
            finally:
                _finish(loop, trial, unclosed)
        except Fail as exc:
            status, observed, expected, why = (FAIL, exc.observed,
                                               exc.expected, None)
        except NotApplicable as exc:
            status, observed, expected, why = NA, None, None, str(exc)
        except Hung as exc:
            status, observed, expected, why = (
                FAIL, 'hung (%s)' % exc, 'finishes', None)
        except Exception as exc:
            status, observed, expected, why = (
                FAIL, short(exc) + _where(exc), 'no exception', None)
        else:
            status, observed, expected, why = PASS, None, None, None
        del trial
        gc.collect()
    duration = time.time() - start
    return Result(sc, target, status, observed, expected, why,
                  warnings=['%s: %s' % (w.category.__name__, w.message)
                            for w in caught] +
                  ['ResourceWarning: ' + text for text in unclosed],
                  loop_errors=[short(ctx.get('exception')) + ' (' +
                               str(ctx.get('message')) + ')'
                               for ctx in errors],
                  duration=duration)


def _where(exc):
    """' at file:line' of the innermost frame of ``exc``, for the report."""
    tb = traceback.extract_tb(exc.__traceback__)
    if not tb:  # pragma: no cover - an exception always has a frame here
        return ''
    frame = tb[-1]
    return ' at %s:%s' % (frame[0].rsplit('/', 1)[-1], frame[1])


def run_battery(target, loop_kind='asyncio', k=None, progress=None,
                timeout=None):
    """Run every scenario (or those matching ``k``) against ``target``.

    ``target`` is a module or a dotted module path.  ``progress``, if
    given, is called as ``progress(index, total, scenario)`` before each
    scenario.  Returns the list of :class:`Result`.
    """
    mod = load_target(target) if isinstance(target, str) else target
    selected = select(k)
    results = []
    for i, sc in enumerate(selected):
        if progress is not None:
            progress(i, len(selected), sc)
        results.append(run_scenario(sc, mod, loop_kind, timeout))
    return results
