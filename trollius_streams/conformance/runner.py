"""Conformance kit: does a module behave like the documented 3.4 Streams API?

A battery of scenarios, each keyed by the SPEC rule ID it checks and the
sentence of the Python 3.4 documentation (or the 3.4 behaviour) it is about.
Any module that provides the 3.4 names (``open_connection``,
``start_server``, ``StreamReader``, ``StreamWriter``,
``StreamReaderProtocol``, ``IncompleteReadError`` and, where AF_UNIX
exists, ``open_unix_connection`` / ``start_unix_server``) can be a target:
``trollius_streams`` itself, the running Python's stdlib ``asyncio``, or
your own module named by its dotted path.

Each scenario runs on a fresh event loop (the stdlib loop or uvloop), over
``feed_data()`` or over a loopback connection, and yields a
:class:`Result`: ``pass``, ``fail`` (with what was observed and what was
expected) or ``n/a`` (with the reason).  A scenario that does not finish in
time fails as ``hung``; the kit itself never hangs.

Whatever the target returns from its coroutine functions (a generator, one
of our coroutine objects, a native coroutine, a Future or ``()``) is driven
the same way, so generator-based targets and stdlib targets on 3.6-3.13 run
the same battery.

Programmatic use::

    from trollius_streams import conformance
    results = conformance.run_battery('asyncio', loop_kind='asyncio')
    for r in results:
        print(r.scenario.key, r.status, r.observed)

``python -m trollius_streams`` is the command-line front end.
"""

__all__ = ['PASS', 'FAIL', 'NA', 'Scenario', 'Result', 'SCENARIOS',
           'scenarios', 'load_target', 'run_scenario', 'run_battery',
           'LOOP_KINDS', 'new_loop', 'REQUIRED_NAMES']

import asyncio
import gc
import importlib
import sys
import time
import traceback
import warnings

from . import compat

PASS = 'pass'
FAIL = 'fail'
NA = 'n/a'

#: The names every target must provide (SPEC API-1).
REQUIRED_NAMES = ('open_connection', 'start_server', 'StreamReader',
                  'StreamWriter', 'StreamReaderProtocol',
                  'IncompleteReadError')

#: Default time a single wait inside a scenario may take before it counts
#: as hung.
DEFAULT_TIMEOUT = 5.0

LOOP_KINDS = ('asyncio', 'uvloop')


def new_loop(kind):
    """Return a new event loop of ``kind`` ('asyncio' or 'uvloop')."""
    if kind == 'uvloop':
        import uvloop  # ImportError tells the caller uvloop is missing
        return uvloop.new_event_loop()
    if kind != 'asyncio':
        raise ValueError('unknown loop kind %r' % (kind,))
    return asyncio.new_event_loop()


def _short(value, limit=160):
    """repr() of ``value``, shortened for a one-line report."""
    if isinstance(value, BaseException):
        text = '%s: %s' % (type(value).__name__, value)
        text = 'raised ' + text.rstrip(': ')
    else:
        text = repr(value)
    text = ' '.join(text.split())
    if len(text) > limit:
        text = text[:limit - 3] + '...'
    return text


# --- Scenario registry ---------------------------------------------------


class Scenario(object):
    """One check of one documented sentence.

    ``rule`` is the SPEC rule ID, ``name`` a short slug, ``sentence`` the
    documented sentence (or 3.4 behaviour) checked, ``label`` the SPEC label
    (DOC, 3.4, FIX or Decision), ``via`` 'feed', 'loopback' or None,
    ``needs`` the target names it uses.
    """

    def __init__(self, rule, name, sentence, func, label, via, needs,
                 timeout):
        self.rule = rule
        self.name = name
        self.sentence = sentence
        self.func = func
        self.label = label
        self.via = via
        self.needs = tuple(needs)
        self.timeout = timeout

    @property
    def key(self):
        """Unique, stable identifier: ``RULE name`` plus ``[via]``."""
        key = '%s %s' % (self.rule, self.name)
        if self.via:
            key += '[%s]' % self.via
        return key

    def matches(self, text):
        """True if ``text`` (case-insensitive) occurs in key, rule or sentence."""
        text = text.lower()
        return any(text in s.lower() for s in
                   (self.key, self.rule, self.sentence, self.label))

    def to_dict(self):
        return {'key': self.key, 'rule': self.rule, 'name': self.name,
                'sentence': self.sentence, 'label': self.label,
                'via': self.via}

    def __repr__(self):
        return '<Scenario %s>' % self.key


#: Every scenario, in registration (SPEC section) order.
SCENARIOS = []


def scenario(rule, name, sentence, label='DOC', via=None, needs=(),
             timeout=DEFAULT_TIMEOUT):
    """Register the decorated function ``func(trial)`` as a scenario.

    With ``via=('feed', 'loopback')`` one scenario is registered per way of
    delivering bytes; the function reads ``trial.via``.
    """
    def register(func):
        for v in (via if via else (None,)):
            SCENARIOS.append(Scenario(rule, name, sentence, func, label, v,
                                      needs, timeout))
        return func
    return register


def scenarios(k=None):
    """Return the registered scenarios, filtered by substring ``k``."""
    if not k:
        return list(SCENARIOS)
    return [s for s in SCENARIOS if s.matches(k)]


# --- Results -----------------------------------------------------------------


class Result(object):
    """The outcome of one scenario on one target."""

    def __init__(self, scenario, target, status, observed=None,
                 expected=None, why=None, warnings=(), loop_errors=(),
                 duration=0.0):
        self.scenario = scenario
        self.target = target
        self.status = status
        self.observed = observed
        self.expected = expected
        self.why = why
        self.warnings = list(warnings)
        self.loop_errors = list(loop_errors)
        self.duration = duration

    def detail(self):
        """One line: observed vs expected for a failure, why for n/a."""
        if self.status == FAIL:
            return 'observed: %s; expected: %s' % (self.observed,
                                                  self.expected)
        if self.status == NA:
            return self.why or ''
        return ''

    def to_dict(self):
        d = {'scenario': self.scenario.key, 'rule': self.scenario.rule,
             'target': self.target, 'status': self.status,
             'duration': round(self.duration, 4)}
        if self.status == FAIL:
            d['observed'] = self.observed
            d['expected'] = self.expected
        if self.status == NA:
            d['why'] = self.why
        if self.warnings:
            d['warnings'] = self.warnings
        if self.loop_errors:
            d['loop_errors'] = self.loop_errors
        return d

    def __repr__(self):
        return '<Result %s %s %s>' % (self.scenario.key, self.target,
                                      self.status)


class Fail(Exception):
    """Raised by a scenario: the target did not behave as documented."""

    def __init__(self, observed, expected):
        Exception.__init__(self, observed, expected)
        self.observed = observed
        self.expected = expected


class NotApplicable(Exception):
    """Raised by a scenario that cannot run on this target or platform."""


class Hung(Exception):
    """A wait inside a scenario did not finish in time."""


# --- The trial: what a scenario function receives -----------------------------


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
        for _ in range(n):
            self.loop.run_until_complete(compat.awaitable(_one_iteration()))

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
                raise Fail(_short(exc), 'raises ' + expected)
            return exc
        except Hung:
            raise
        except BaseException as exc:
            raise Fail(_short(exc), 'raises ' + expected)
        raise Fail('returned %s' % _short(value), 'raises ' + expected)

    def returns(self, obj, expected, what=''):
        """Run ``obj``; fail unless it returns ``expected`` (equal, same type)."""
        try:
            value = self.run(obj)
        except Hung:
            raise
        except Exception as exc:
            prefix = (what + ' ') if what else ''
            raise Fail(prefix + _short(exc), prefix + 'returns ' +
                       _short(expected))
        self.equal(value, expected, what)
        return value

    # Checks.

    @staticmethod
    def equal(observed, expected, what=''):
        """Fail unless ``observed == expected``."""
        if not (type(observed) is type(expected) and observed == expected):
            prefix = (what + ' ') if what else ''
            raise Fail(prefix + _short(observed), prefix + _short(expected))

    @staticmethod
    def check(condition, observed, expected):
        """Fail with ``observed``/``expected`` (strings) unless ``condition``."""
        if not condition:
            raise Fail(observed, expected)

    @staticmethod
    def short(value):
        return _short(value)

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


@compat.coroutine
def _one_iteration():
    yield


# --- Running scenarios ----------------------------------------------------------


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


def _finish_loop(loop, trial):
    """Close what the scenario opened, cancel leftovers, close the loop."""
    trial._cleanup()
    try:
        pending = compat.all_tasks(loop)
        for task in pending:
            task.cancel()
        if pending:
            waiter = asyncio.wait(pending, timeout=1.0)
            loop.run_until_complete(compat.awaitable(waiter))
        # Let closed transports finish closing.
        for _ in range(3):
            loop.run_until_complete(compat.awaitable(_one_iteration()))
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        loop.close()


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
    start = time.time()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        loop = new_loop(loop_kind)
        loop.set_exception_handler(lambda _, ctx: errors.append(ctx))
        trial = Trial(mod, loop, sc.via, timeout)
        try:
            try:
                sc.func(trial)
            finally:
                _finish_loop(loop, trial)
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
                FAIL, _short(exc) + _where(exc), 'no exception', None)
        else:
            status, observed, expected, why = PASS, None, None, None
        del trial
        gc.collect()
    duration = time.time() - start
    return Result(sc, target, status, observed, expected, why,
                  warnings=['%s: %s' % (w.category.__name__, w.message)
                            for w in caught],
                  loop_errors=[_short(ctx.get('exception')) + ' (' +
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
    selected = scenarios(k)
    results = []
    for i, sc in enumerate(selected):
        if progress is not None:
            progress(i, len(selected), sc)
        results.append(run_scenario(sc, mod, loop_kind, timeout))
    return results


def summarize(results):
    """Return ``{'pass': n, 'fail': n, 'n/a': n}`` for ``results``."""
    counts = {PASS: 0, FAIL: 0, NA: 0}
    for r in results:
        counts[r.status] += 1
    return counts


# Register the battery (it uses the names defined above).
from . import _scenarios  # noqa: E402,F401
