"""Debug mode: a coroutine object never run warns (contract CO-6).

With debug mode on (``loop.set_debug(True)``, ``PYTHONASYNCIODEBUG``,
``-X dev`` or ``compat.set_coroutine_debug(True)``), a coroutine object
made by a ``@coroutine`` function and collected without having run emits
``RuntimeWarning: coroutine '<qualname>' was never yielded from`` naming the
line that made it.  With debug mode off nothing is tracked: the functions
keep their original code.  While on, the functions behave as before for
every call (results, defaults, closures, super(), errors for bad calls).

The ``debug_state`` fixture switches debug mode off before each test and
puts the process-wide state back afterwards (the suite may itself run with
PYTHONASYNCIODEBUG=1).
"""

import asyncio
import gc
import inspect
import os
import subprocess
import sys
import textwrap
import types
import warnings
import weakref

import pytest

import trollius_streams
from trollius_streams import (StreamReader, StreamReaderProtocol, compat,
                              coroutine)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
NEVER = 'was never yielded from'


@pytest.fixture(autouse=True)
def debug_state():
    """Debug mode off for the test; the previous state restored after it."""
    was_on, watch = compat.get_coroutine_debug(), compat._loop_watch
    compat._switch_debug(False)
    compat._loop_watch = True
    try:
        yield
    finally:
        compat._switch_debug(was_on)
        compat._loop_watch = watch


def never_warnings(action):
    """Run ``action()``, collect garbage; return the 'never yielded from'
    warnings it caused (each as a warnings.WarningMessage)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        action()
        gc.collect()
    return [w for w in caught if NEVER in str(w.message)]


def drive(obj):
    """Run a coroutine object that never waits; return its result."""
    try:
        obj.send(None)
    except StopIteration as exc:
        return exc.value
    raise AssertionError('coroutine suspended')


@coroutine
def user_coroutine(x):
    return x * 2
    yield


def check_warning(w, qualname, lineno):
    assert issubclass(w.category, RuntimeWarning)
    text = str(w.message)
    assert text.startswith("coroutine '%s' %s" % (qualname, NEVER)), text
    assert w.filename == __file__
    assert w.lineno == lineno
    # The creation site with its caller frames, in the message as well.
    assert 'Coroutine created at (most recent call last)' in text
    assert 'File "%s", line %d' % (__file__, lineno) in text


def forget_both(loop):
    """Forget reader.readline() and user_coroutine(); return their lines."""
    reader = StreamReader(loop=loop)
    line = sys._getframe().f_lineno + 1
    reader.readline()
    user_coroutine(1)
    return line, line + 1


def check_forgotten_warn(loop):
    lines = []
    caught = never_warnings(lambda: lines.extend(forget_both(loop)))
    assert len(caught) == 2, [str(w.message) for w in caught]
    check_warning(caught[0], 'StreamReader.readline', lines[0])
    check_warning(caught[1], 'user_coroutine', lines[1])
    assert 'in forget_both' in str(caught[0].message)


# --- Debug mode off ----------------------------------------------------------


def test_off_nothing_tracked_co_6(loop):
    """Off: a forgotten coroutine is silent, the objects are the usual ones
    and the functions run their original code."""
    loop.set_debug(False)   # (PYTHONASYNCIODEBUG=1 makes loops debug)
    codes = (StreamReader.readline.__code__, user_coroutine.__code__)
    assert not compat.get_coroutine_debug()
    assert never_warnings(lambda: forget_both(loop)) == []
    obj = user_coroutine(1)
    assert type(obj) is (compat.CoroutineObject or types.GeneratorType)
    obj.close()
    assert (StreamReader.readline.__code__, user_coroutine.__code__) == codes
    assert 'trampoline' not in codes[0].co_filename
    compat.set_coroutine_debug(True)
    assert StreamReader.readline.__code__ is not codes[0]
    compat.set_coroutine_debug(False)
    assert StreamReader.readline.__code__ is codes[0]
    assert user_coroutine.__code__ is codes[1]


def test_loop_without_debug_does_not_switch_on_co_6(loop):
    loop.set_debug(False)
    StreamReader(loop=loop)
    compat.get_event_loop(loop)
    assert not compat.get_coroutine_debug()


# --- Activation routes -------------------------------------------------------


def test_explicit_switch_co_6(loop):
    compat.set_coroutine_debug(True)
    assert compat.get_coroutine_debug()
    check_forgotten_warn(loop)
    compat.set_coroutine_debug(False)
    assert not compat.get_coroutine_debug()
    assert never_warnings(lambda: forget_both(loop)) == []


@pytest.mark.parametrize('route', ['reader', 'protocol', 'get_event_loop'])
def test_debug_loop_switches_on_co_6(loop, route):
    loop.set_debug(True)
    try:
        if route == 'reader':
            StreamReader(loop=loop)
        elif route == 'protocol':
            StreamReaderProtocol(StreamReader(loop=loop), loop=loop)
        else:
            assert compat.get_event_loop(loop) is loop
        assert compat.get_coroutine_debug()
        check_forgotten_warn(loop)
    finally:
        loop.set_debug(False)


def test_running_debug_loop_switches_on_co_6(loop):
    """A reader made inside a task without loop= finds the running loop."""
    @coroutine
    def make():
        return StreamReader()
        yield

    loop.set_debug(True)
    try:
        loop.run_until_complete(compat.as_coroutine(make()))
        assert compat.get_coroutine_debug()
    finally:
        loop.set_debug(False)


def test_explicit_off_wins_over_debug_loop_co_6(loop):
    compat.set_coroutine_debug(False)
    loop.set_debug(True)
    try:
        StreamReader(loop=loop)
        assert not compat.get_coroutine_debug()
        assert never_warnings(lambda: forget_both(loop)) == []
    finally:
        loop.set_debug(False)


SCRIPT = '''\
import asyncio, gc, sys
sys.path.insert(0, %r)  # also under -E, which ignores PYTHONPATH
import trollius_streams
from trollius_streams import StreamReader, compat

@trollius_streams.coroutine
def mine():
    yield

print('debug', compat.get_coroutine_debug())
loop = asyncio.new_event_loop()
reader = StreamReader(loop=loop)
reader.readline()
mine()
ran = reader.readline()
reader.feed_eof()
loop.run_until_complete(ran)
del ran
closed = mine()
closed.close()
del closed
gc.collect()
loop.close()
print('done')
''' % (ROOT,)
SCRIPT_LINES = SCRIPT.splitlines()
READLINE_LINE = SCRIPT_LINES.index('reader.readline()') + 1
MINE_LINE = SCRIPT_LINES.index('mine()') + 1


def run_script(tmp_path, options=(), env_debug=None):
    path = tmp_path / 'forget.py'
    path.write_text(SCRIPT)
    env = dict(os.environ)
    env.pop('PYTHONASYNCIODEBUG', None)
    env.pop('PYTHONDEVMODE', None)
    env.pop('PYTHONWARNINGS', None)
    if env_debug is not None:
        env['PYTHONASYNCIODEBUG'] = env_debug
    proc = subprocess.run(
        # The default warning filters: the warning shows as it would for
        # a user.
        [sys.executable] + list(options) + [str(path)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
        cwd=str(tmp_path), timeout=60)
    out = proc.stdout.decode()
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert out.splitlines()[-1] == 'done'
    return out, err, str(path)


def check_script_warned(out, err, path):
    assert 'debug True' in out
    # Exactly the two forgotten ones: the one that ran and the closed one
    # are silent.
    assert err.count(NEVER) == 2, err
    assert ("%s:%d: RuntimeWarning: coroutine 'StreamReader.readline' %s"
            % (path, READLINE_LINE, NEVER)) in err
    assert ("%s:%d: RuntimeWarning: coroutine 'mine' %s"
            % (path, MINE_LINE, NEVER)) in err


def test_environment_variable_co_6(tmp_path):
    out, err, path = run_script(tmp_path, env_debug='1')
    check_script_warned(out, err, path)


def test_environment_ignored_with_E_co_6(tmp_path):
    out, err, path = run_script(tmp_path, options=['-E'], env_debug='1')
    assert 'debug False' in out
    assert NEVER not in err


def test_off_in_a_fresh_process_co_6(tmp_path):
    out, err, path = run_script(tmp_path)
    assert 'debug False' in out
    assert NEVER not in err


@pytest.mark.skipif(sys.version_info < (3, 7), reason='-X dev is Python 3.7+')
def test_dev_mode_co_6(tmp_path):
    out, err, path = run_script(tmp_path, options=['-X', 'dev'])
    check_script_warned(out, err, path)


# --- What does not warn ------------------------------------------------------


def test_objects_that_ran_or_were_closed_do_not_warn_co_6(loop):
    compat.set_coroutine_debug(True)
    reader = StreamReader(loop=loop)

    @coroutine
    def outer():
        return (yield from user_coroutine(2))

    async def native():
        return await user_coroutine(3)

    async def gathered():
        return await asyncio.gather(
            reader.readline(), compat.ensure_future(reader.readline()))

    def action():
        reader.feed_data(b'a\nb\nc\nd\n')
        assert loop.run_until_complete(reader.readline()) == b'a\n'
        assert loop.run_until_complete(compat.as_coroutine(outer())) == 4
        assert loop.run_until_complete(native()) == 6
        task = loop.create_task(reader.readline())
        assert loop.run_until_complete(task) == b'b\n'
        assert sorted(loop.run_until_complete(gathered())) == [b'c\n', b'd\n']
        assert drive(user_coroutine(4)) == 8
        user_coroutine(5).close()
        # Suspended, then dropped: it ran, so it was not "never yielded
        # from".
        waiting = reader.readline()
        fut = waiting.send(None)
        assert isinstance(fut, asyncio.Future)
        del waiting, fut
        reader.feed_eof()

    assert never_warnings(action) == []


def test_task_cancelled_before_its_first_step_does_not_warn_co_6(loop):
    compat.set_coroutine_debug(True)
    reader = StreamReader(loop=loop)

    def action():
        task = loop.create_task(reader.readline())
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            loop.run_until_complete(task)

    assert never_warnings(action) == []


def test_tracked_objects_are_coroutines_co_6(loop):
    compat.set_coroutine_debug(True)
    obj = user_coroutine(1)
    try:
        assert compat.iscoroutine(obj)
        assert asyncio.iscoroutine(obj)
        assert inspect.isawaitable(obj)
        assert obj.gi_code.co_name == 'user_coroutine'
        assert 'user_coroutine' in repr(obj)
    finally:
        obj.close()
    if compat._IS_COROUTINE_MARK is not None:
        # (asyncio.iscoroutinefunction is deprecated from 3.14 on)
        assert asyncio.iscoroutinefunction(StreamReader.readline)
        assert asyncio.iscoroutinefunction(user_coroutine)


# --- The functions behave the same under the trampoline ----------------------


class Base(object):
    def who(self, x):
        return ('base', x)


def make_functions():
    """Decorated functions of every parameter shape, with their calls."""
    outside = ['closure']

    class Child(Base):
        @coroutine
        def who(self, x, y=5):
            return (super().who(x), y, outside[0])
            yield

    @coroutine
    def defaults(a, b=2, *args, c, d=4, **kwargs):
        return (a, b, args, c, d, sorted(kwargs.items()))
        yield

    @coroutine
    def plain(a, b=1):
        # A plain function: runs when the coroutine object is run.
        return a + b

    def recursive_maker():
        @coroutine
        def recursive(n):
            if n:
                return (yield from recursive(n - 1)) + 1
            return 0
        return recursive

    funcs = {
        'method': (Child.who, [
            ((Child(), 1), {}), ((Child(), 1, 2), {}),
            ((Child(),), {'x': 3, 'y': 4}), ((Child(),), {}),
            ((Child(), 1, 2, 3), {}), ((Child(), 1), {'z': 1}),
            ((Child(), 1), {'x': 1})]),
        'defaults': (defaults, [
            ((1,), {'c': 3}), ((1, 2, 3, 4), {'c': 5, 'e': 6}),
            ((), {'a': 1, 'c': 2, 'd': 3}),
            ((1,), {}), ((), {'c': 1}), ((1,), {'a': 1, 'c': 1})]),
        'plain': (plain, [((1,), {}), ((1,), {'b': 5}), ((), {})]),
        'recursive': (recursive_maker(), [((3,), {}), ((), {})]),
    }
    if sys.version_info >= (3, 8):
        ns = {'coroutine': coroutine}
        exec(textwrap.dedent('''
            @coroutine
            def posonly(a, b=2, /, c=3, *, d=4):
                return (a, b, c, d)
                yield
        '''), ns)
        funcs['posonly'] = (ns['posonly'], [
            ((1,), {}), ((1, 2, 3), {'d': 5}), ((1,), {'c': 7}),
            ((), {'a': 1}), ((1,), {'b': 2}), ((1, 2, 3, 4), {})])
    return funcs


def outcomes(funcs, loop):
    """The result or TypeError text of every call, run to completion."""
    seen = {}
    for name, (func, calls) in funcs.items():
        for i, (args, kwargs) in enumerate(calls):
            try:
                obj = func(*args, **kwargs)
            except TypeError as exc:
                seen[name, i] = ('TypeError', str(exc))
                continue
            try:
                seen[name, i] = ('result', loop.run_until_complete(
                    compat.as_coroutine(obj)))
            except TypeError as exc:
                # plain functions bind their arguments when run
                seen[name, i] = ('TypeError when run', str(exc))
    return seen


def test_trampoline_keeps_behaviour_co_6(loop):
    funcs = make_functions()
    signatures = {n: inspect.signature(f) for n, (f, _) in funcs.items()}
    codes = {n: f.__code__ for n, (f, _) in funcs.items()}
    off = outcomes(funcs, loop)
    assert sum(kind == 'result' for kind, _ in off.values()) >= 9
    assert sum(kind != 'result' for kind, _ in off.values()) >= 7

    compat.set_coroutine_debug(True)
    for name, (func, _) in funcs.items():
        assert func.__code__ is not codes[name], name
        assert inspect.signature(func) == signatures[name]
    assert never_warnings(lambda: outcomes(funcs, loop) == off) == []
    assert outcomes(funcs, loop) == off

    compat.set_coroutine_debug(False)
    for name, (func, _) in funcs.items():
        assert func.__code__ is codes[name], name
    assert outcomes(funcs, loop) == off


def test_functions_decorated_while_on_co_6(loop):
    compat.set_coroutine_debug(True)

    @coroutine
    def late(x):
        return x + 1
        yield

    line = sys._getframe().f_lineno + 1
    caught = never_warnings(lambda: late(1))
    assert len(caught) == 1
    assert ("coroutine '%s' %s" % (late.__qualname__, NEVER)
            in str(caught[0].message))
    assert caught[0].lineno == line
    assert drive(late(1)) == 2
    tracked = late.__code__
    compat.set_coroutine_debug(False)
    assert late.__code__ is not tracked
    assert drive(late(1)) == 2
    assert never_warnings(lambda: late(1)) == []


def test_function_without_trampoline_stays_as_is_co_6():
    """A parameter the trampoline cannot reproduce (its own helper name)
    leaves the function untracked, working as without debug mode."""
    @coroutine
    def odd(__import__=1):
        return __import__
        yield

    code = odd.__code__
    compat.set_coroutine_debug(True)
    assert odd.__code__ is code
    assert drive(odd()) == 1
    assert never_warnings(lambda: odd(2)) == []


def test_switched_functions_are_not_kept_alive_co_6():
    """The debug machinery holds no reference to a switched function."""
    compat.set_coroutine_debug(True)
    from trollius_streams import _debug

    def make():
        box = []

        @coroutine
        def short_lived():
            return box
            yield
        return short_lived

    func = make()
    key = [k for k, f in compat._registry.items() if f is func][0]
    assert key in _debug._codes
    ref = weakref.ref(func)
    del func
    gc.collect()   # (on 3.12+ the exact-signature wrapper is in a cycle)
    assert ref() is None
    assert key not in _debug._codes
    assert key not in compat._registry


def test_public_names_co_6():
    names = {'set_coroutine_debug', 'get_coroutine_debug'}
    assert names <= set(compat.__all__)
    assert all(callable(getattr(trollius_streams.compat, n)) for n in names)
