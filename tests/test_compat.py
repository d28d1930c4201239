"""The coroutine model and the compatibility layer (contract section 2,
Q-2, Q-5, M-9, M-10, M-13, M-15, M-24, M-25, HD-11).

Every runtime test runs on each loop flavour (``loop`` fixture: stdlib
asyncio and uvloop).
"""

import asyncio
import inspect
import socket
import sys
import types
import warnings

import pytest

import trollius_streams
from helpers import FakeTransport
from trollius_streams import (StreamReader, StreamReaderProtocol, compat,
                              coroutine, open_connection, start_server)
from trollius_streams import _functions

HAS_UNIX = hasattr(socket, 'AF_UNIX')


@pytest.fixture
def no_loop_set():
    """No event loop set and none running (contract CO-5, M-15)."""
    asyncio.set_event_loop(None)
    yield
    asyncio.set_event_loop(None)


@pytest.fixture
def other_loop():
    """A second loop, not running, that a test may set as current."""
    lp = asyncio.new_event_loop()
    try:
        yield lp
    finally:
        asyncio.set_event_loop(None)
        lp.close()


def drive(coro):
    """Run a coroutine object that never suspends; return its result."""
    try:
        coro.send(None)
    except StopIteration as exc:
        return exc.value
    coro.close()
    raise AssertionError('the coroutine suspended')


def feed_soon(loop, reader, *chunks, eof=False):
    """Feed ``chunks`` (and EOF) to ``reader`` from a loop callback."""
    def feed():
        for chunk in chunks:
            reader.feed_data(chunk)
        if eof:
            reader.feed_eof()
    loop.call_soon(feed)


# --- CO-1: calling runs none of the body ------------------------------------


def _stream_function_calls():
    calls = [
        ('open_connection', lambda: open_connection('127.0.0.1', 1)),
        ('start_server', lambda: start_server(lambda r, w: None,
                                              '127.0.0.1', 0)),
        ('start_server-not-callable', lambda: start_server(42)),
        ('start_server-limit-0', lambda: start_server(lambda r, w: None,
                                                      limit=0)),
    ]
    if HAS_UNIX:
        calls += [
            ('open_unix_connection',
             lambda: trollius_streams.open_unix_connection('/nonexistent')),
            ('start_unix_server',
             lambda: trollius_streams.start_unix_server(lambda r, w: None,
                                                        '/nonexistent/s')),
        ]
    return calls


@pytest.mark.parametrize('name, call', _stream_function_calls(),
                         ids=[c[0] for c in _stream_function_calls()])
@pytest.mark.rule('CO-1')
def test_stream_function_call_runs_nothing(no_loop_set, monkeypatch,
                                           name, call):
    """CO-1: calling a stream function with no loop set and none running
    raises nothing and creates no reader: no loop lookup, no I/O, no
    argument checks until the coroutine runs."""
    created = []

    def spy(*args, **kwargs):
        created.append((args, kwargs))
        raise AssertionError('StreamReader created at call time')

    monkeypatch.setattr(_functions, 'StreamReader', spy)
    coro = call()
    assert created == []
    assert compat.iscoroutine(coro)
    assert asyncio.iscoroutine(coro)
    coro.close()
    assert created == []


@pytest.mark.rule('CO-1', 'CO-5')
def test_stream_function_raises_when_run_without_loop(no_loop_set):
    """CO-1, CO-5: the loop lookup happens when the coroutine runs; with no
    loop set and none running, that raises RuntimeError."""
    coro = open_connection('127.0.0.1', 1)
    with pytest.raises(RuntimeError):
        drive(coro)


@pytest.mark.parametrize('method, args', [
    ('read', ()), ('read', (0,)), ('read', (None,)), ('readline', ()),
    ('readexactly', (3,)), ('readexactly', ('x',)),
], ids=['read', 'read-0', 'read-None', 'readline', 'readexactly',
        'readexactly-str'])
@pytest.mark.rule('CO-1')
def test_read_method_call_runs_nothing(loop, method, args):
    """CO-1: calling a read method runs none of its body (neither the
    stored exception nor argument checks raise until it runs)."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'abc\n')
    exc = ValueError('stored')
    reader.set_exception(exc)
    coro = getattr(reader, method)(*args)
    assert asyncio.iscoroutine(coro)
    assert bytes(reader._buffer) == b'abc\n'
    with pytest.raises((ValueError, TypeError)) as info:
        drive(coro)
    if not (args and not isinstance(args[0], int)):
        assert info.value is exc


# --- CO-2: our coroutine objects everywhere ----------------------------------


@pytest.mark.rule('CO-2')
def test_yield_from_in_decorated_generator_task(loop, run):
    """CO-2(1): yield from our coroutine object inside a decorated
    generator that runs as a Task."""
    reader = StreamReader(loop=loop)

    @coroutine
    def user():
        line = yield from reader.readline()
        data = yield from reader.readexactly(3)
        rest = yield from reader.read()
        return line, data, rest

    @coroutine
    def main():
        task = loop.create_task(user())
        feed_soon(loop, reader, b'line\nab', b'cdef', eof=True)
        return (yield from task)

    assert run(main()) == (b'line\n', b'abc', b'def')


@pytest.mark.rule('CO-2')
def test_await_in_async_def(loop, run):
    """CO-2(2): await our coroutine objects inside async def."""
    reader = StreamReader(loop=loop)

    async def user():
        feed_soon(loop, reader, b'line\nabcdef', eof=True)
        line = await reader.readline()
        data = await reader.readexactly(3)
        rest = await reader.read()
        return line, data, rest

    assert run(user()) == (b'line\n', b'abc', b'def')


@pytest.mark.rule('CO-2')
def test_run_until_complete_ensure_future_wait_for_gather(loop):
    """CO-2(3): loop.run_until_complete, asyncio.ensure_future,
    asyncio.wait_for and asyncio.gather take our coroutine objects."""
    r1 = StreamReader(loop=loop)
    r2 = StreamReader(loop=loop)
    r1.feed_data(b'one\ntwo\nthree')
    r2.feed_data(b'xyz')
    assert loop.run_until_complete(r1.readline()) == b'one\n'
    fut = asyncio.ensure_future(r1.readline(), loop=loop)
    assert loop.run_until_complete(fut) == b'two\n'

    async def waits():
        return await asyncio.wait_for(r1.read(2), 10)

    assert loop.run_until_complete(waits()) == b'th'

    async def gathers():
        # (gather lost its loop= argument in 3.10: call it inside the loop.)
        feed_soon(loop, r1, eof=True)
        return await asyncio.gather(r1.read(), r2.readexactly(3))

    assert loop.run_until_complete(gathers()) == [b'ree', b'xyz']


@pytest.mark.rule('CO-2', 'Q-5')
def test_task_and_create_task_accept_our_objects(loop):
    """CO-2(4), Q-5, M-10: asyncio.iscoroutine(obj) is True, and
    asyncio.Task(obj, loop=loop) and loop.create_task(obj) accept it (the
    3.12+ gap), for read methods, stream functions and decorated code."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'a\nb\n')

    @coroutine
    def decorated():
        return (yield from reader.readline())

    for make in (reader.readline, decorated):
        obj = make()
        assert asyncio.iscoroutine(obj)
        assert compat.iscoroutine(obj)
        task = loop.create_task(obj)
        assert loop.run_until_complete(task) in (b'a\n', b'b\n')
    reader.feed_data(b'c\nd\n')
    task = asyncio.Task(reader.readline(), loop=loop)
    assert loop.run_until_complete(task) == b'c\n'
    task = asyncio.Task(decorated(), loop=loop)
    assert loop.run_until_complete(task) == b'd\n'
    obj = open_connection('127.0.0.1', 1, loop=loop)
    assert asyncio.iscoroutine(obj)
    obj.close()


@pytest.mark.parametrize('style', ['decorated', 'async-def', 'direct'])
@pytest.mark.rule('CO-2')
def test_cancellation_at_wait_point(loop, run, style):
    """CO-2(5), RD-12: Task.cancel() raises CancelledError where the
    coroutine waits; try/finally cleanup runs; the reader's wait is
    cleared and no byte is lost."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'par')
    events = []

    @coroutine
    def decorated():
        try:
            yield from reader.readline()
        except asyncio.CancelledError:
            events.append('cancelled at wait')
            raise
        finally:
            events.append('finally')

    async def native():
        try:
            await reader.readline()
        except asyncio.CancelledError:
            events.append('cancelled at wait')
            raise
        finally:
            events.append('finally')

    make = {'decorated': decorated, 'async-def': native,
            'direct': reader.readline}[style]

    @coroutine
    def main():
        task = loop.create_task(make())
        yield from asyncio.sleep(0)
        assert reader._waiter is not None
        task.cancel()
        try:
            yield from task
        except asyncio.CancelledError:
            events.append('task cancelled')
        assert task.cancelled()
        assert reader._waiter is None
        feed_soon(loop, reader, b'tial\n')
        return (yield from reader.readline())

    assert run(main()) == b'partial\n'
    if style == 'direct':
        assert events == ['task cancelled']
    else:
        assert events == ['cancelled at wait', 'finally', 'task cancelled']


# --- CO-3: what yield from accepts in decorated code ----------------------


@pytest.mark.rule('CO-3')
def test_yield_from_accepts_everything(loop, run):
    """CO-3, M-13, M-24: inside decorated code, yield from accepts loop
    Futures (uvloop's too), asyncio.Future, our coroutine objects, native
    coroutines (asyncio.sleep and async def) and ()."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'data')

    async def native(value):
        await asyncio.sleep(0)
        return value

    @coroutine
    def inner(value):
        yield from ()
        return value

    @coroutine
    def user():
        results = []
        fut = loop.create_future()
        loop.call_soon(fut.set_result, 'loop future')
        results.append((yield from fut))
        fut = asyncio.Future(loop=loop)
        loop.call_soon(fut.set_result, 'asyncio future')
        results.append((yield from fut))
        results.append((yield from reader.read(4)))
        results.append((yield from inner('ours')))
        results.append((yield from native('native')))
        results.append((yield from asyncio.sleep(0, 'sleep')))
        results.append((yield from ()))
        return results

    assert run(user()) == ['loop future', 'asyncio future', b'data',
                           'ours', 'native', 'sleep', None]


# --- CO-4: the decorator -----------------------------------------------------


@pytest.mark.rule('CO-4')
def test_decorator_generator_function(loop, run):
    """CO-4: a decorated generator function returns a coroutine object
    (asyncio.iscoroutine True) and is a coroutine function for asyncio."""
    @coroutine
    def gen(x):
        yield from ()
        return x * 2

    assert asyncio.iscoroutinefunction(gen)
    obj = gen(21)
    assert asyncio.iscoroutine(obj)
    assert run(obj) == 42
    assert gen.__name__ == 'gen'


@pytest.mark.parametrize('kind', ['value', 'none', 'tuple', 'future',
                                  'ours', 'native', 'generator'])
@pytest.mark.rule('CO-4')
def test_decorator_plain_function(loop, run, kind):
    """CO-4: a decorated plain function is called only when its coroutine
    runs; a Future or coroutine result is waited for, anything else is
    returned as is."""
    calls = []

    @coroutine
    def ours():
        yield from ()
        return 'ours'

    async def native():
        return 'native'

    def generator():
        yield from ()
        return 'generator'

    def make():
        if kind == 'future':
            fut = loop.create_future()
            loop.call_soon(fut.set_result, 'future')
            return fut
        return {'value': lambda: 42, 'none': lambda: None,
                'tuple': lambda: (), 'ours': ours, 'native': native,
                'generator': generator}[kind]()

    @coroutine
    def plain(x):
        calls.append(x)
        return make()

    expected = {'value': 42, 'none': None, 'tuple': (), 'future': 'future',
                'ours': 'ours', 'native': 'native',
                'generator': 'generator'}[kind]
    obj = plain('arg')
    assert calls == []
    assert asyncio.iscoroutine(obj)
    assert run(obj) == expected
    assert calls == ['arg']


@pytest.mark.rule('CO-4')
def test_decorator_async_def_unchanged():
    """CO-4: an async def function is returned unchanged."""
    async def native():
        pass

    assert coroutine(native) is native


@pytest.mark.rule('CO-4')
def test_decorator_never_calls_asyncio_coroutine(monkeypatch, loop, run):
    """CO-4, M-9: decorating never calls asyncio.coroutine (which warns on
    3.8-3.10 and is gone on 3.11+), and gives no DeprecationWarning."""
    def explode(func):
        raise AssertionError('asyncio.coroutine called')

    monkeypatch.setattr(asyncio, 'coroutine', explode, raising=False)
    with warnings.catch_warnings():
        warnings.simplefilter('error')

        @coroutine
        def gen():
            yield from ()
            return 'gen'

        @coroutine
        def plain():
            return 'plain'

        assert run(gen()) == 'gen'
        assert run(plain()) == 'plain'


@pytest.mark.rule('CO-4')
def test_decorator_idempotent(loop, run):
    """CO-4: decorating twice is the same as decorating once."""
    def gen():
        yield from ()
        return 'x'

    once = coroutine(gen)
    twice = coroutine(once)
    assert twice is once
    assert run(twice()) == 'x'

    def plain():
        return 'y'

    once = coroutine(plain)
    assert coroutine(once) is once
    assert run(once()) == 'y'


_SENTINEL = object()


@pytest.mark.rule('CO-4')
def test_decorator_keeps_signature(loop, run):
    """CO-4: decorated generator and plain functions take the same
    arguments as the original (defaults, *args, keyword-only, **kwargs),
    keep default objects by identity, and keep name, doc and signature."""
    def gen(a, b=2, *args, c, d=_SENTINEL, **kw):
        """gen doc"""
        yield from ()
        return a, b, args, c, d, kw

    def plain(a, b=[], *, c=None):
        return a, b, c

    def unusual(_ts_gen, _ts_CO=1):
        # Parameter names that clash with the wrapper's own helpers.
        yield from ()
        return _ts_gen, _ts_CO

    g = coroutine(gen)
    p = coroutine(plain)
    u = coroutine(unusual)
    assert g.__name__ == 'gen' and g.__doc__ == 'gen doc'
    assert inspect.signature(g) == inspect.signature(gen)
    assert inspect.signature(p) == inspect.signature(plain)
    assert run(g(1, c=3)) == (1, 2, (), 3, _SENTINEL, {})
    assert run(g(1, 5, 6, 7, c=3, d=4, e=5)) == (1, 5, (6, 7), 3, 4,
                                                  {'e': 5})
    assert run(g(a=0, c=1)) == (0, 2, (), 1, _SENTINEL, {})
    result = run(p('x'))
    assert result[0] == 'x' and result[2] is None
    assert result[1] is plain.__defaults__[0]
    assert run(p('x', [1], c=2)) == ('x', [1], 2)
    assert run(u('a')) == ('a', 1)
    assert run(u(_ts_gen='b', _ts_CO=2)) == ('b', 2)
    with pytest.raises(TypeError):
        g(1)  # missing keyword-only c: a TypeError at call time


@pytest.mark.skipif(sys.version_info < (3, 8), reason='no positional-only')
@pytest.mark.rule('CO-4')
def test_decorator_positional_only(loop, run):
    """CO-4: positional-only parameters (3.8+) work too."""
    namespace = {}
    exec('def gen(a, /, b=1):\n    yield from ()\n    return a, b\n',
         namespace)
    g = coroutine(namespace['gen'])
    assert run(g(1)) == (1, 1)
    assert run(g(1, b=2)) == (1, 2)


@pytest.mark.rule('CO-4')
def test_decorator_keeps_keyword_only_parameters(loop, run):
    """CO-4: a keyword-only parameter after plain ones (no ``*args``)
    stays keyword-only: passed positionally it is a TypeError at the call,
    as for the undecorated function (on 3.12+ the compiled wrapper must
    keep the bare ``*``)."""
    def gen(a, b, *, c, d=4):
        yield from ()
        return a, b, c, d

    g = coroutine(gen)
    assert run(g(1, 2, c=3)) == (1, 2, 3, 4)
    assert run(g(1, 5, c=3, d=6)) == (1, 5, 3, 6)
    for args in [(1, 2, 3), (1, 2, 3, 4)]:
        with pytest.raises(TypeError):
            gen(*args)
        with pytest.raises(TypeError):
            g(*args)


@pytest.mark.skipif(sys.version_info < (3, 8), reason='no positional-only')
@pytest.mark.rule('CO-4')
def test_decorator_keeps_positional_only_parameters(loop, run):
    """CO-4: a positional-only parameter (3.8+) stays positional-only:
    passed by keyword it is a TypeError at the call, as for the
    undecorated function."""
    namespace = {}
    exec('def gen(a, /, b=1, *, c=2):\n'
         '    yield from ()\n'
         '    return a, b, c\n', namespace)
    gen = namespace['gen']
    g = coroutine(gen)
    assert run(g(1, 2, c=3)) == (1, 2, 3)
    with pytest.raises(TypeError):
        gen(a=1)
    with pytest.raises(TypeError):
        g(a=1)
    with pytest.raises(TypeError):
        g(1, 2, 3)


def _stream_function_calls_with_positional_loop(lp):
    def cb(reader, writer):
        pass
    calls = [
        ('open_connection', lambda: open_connection('127.0.0.1', 1, lp)),
        ('open_connection-limit',
         lambda: open_connection('127.0.0.1', 1, None, 10)),
        ('start_server', lambda: start_server(cb, '127.0.0.1', 0, lp)),
    ]
    if HAS_UNIX:
        calls += [
            ('open_unix_connection',
             lambda: trollius_streams.open_unix_connection('/x', lp)),
            ('start_unix_server',
             lambda: trollius_streams.start_unix_server(cb, '/x', lp)),
        ]
    return calls


@pytest.mark.rule('FN-1', 'FN-2', 'FN-3', 'FN-4', 'CO-4')
def test_stream_functions_take_loop_and_limit_by_keyword_only(loop):
    """FN-1..FN-4, CO-4: ``loop`` and ``limit`` are keyword-only, on every
    Python: ``open_connection(host, port, loop)`` is a TypeError at the
    call, before anything runs (on 3.12+ the decorator's wrapper must keep
    them keyword-only)."""
    for name, call in _stream_function_calls_with_positional_loop(loop):
        with pytest.raises(TypeError):
            call()
        params = inspect.signature(getattr(trollius_streams, name.split(
            '-')[0])).parameters
        assert params['loop'].kind is inspect.Parameter.KEYWORD_ONLY
        assert params['limit'].kind is inspect.Parameter.KEYWORD_ONLY


@pytest.mark.parametrize('error', [TypeError, ValueError])
@pytest.mark.rule('CO-4')
def test_decorator_works_when_signature_fails(loop, run, monkeypatch, error):
    """CO-4: when ``inspect.signature()`` fails on a generator function
    (TypeError or ValueError, as for some callables), the decorator still
    works: on 3.12+ it then falls back to a generic ``*args, **kwargs``
    wrapper that passes every argument through and still binds them at
    the call."""
    asked = []

    def failing_signature(obj, *args, **kwargs):
        asked.append(obj)
        raise error('no signature for %r' % (obj,))

    def gen(a, b=2, *args, c=3, **kw):
        yield from ()
        return a, b, args, c, kw

    monkeypatch.setattr(inspect, 'signature', failing_signature)
    g = coroutine(gen)
    monkeypatch.undo()
    # The fallback was exercised where the exact-signature wrapper exists.
    assert (gen in asked) is (not compat.GENERATORS_ARE_COROUTINES)
    assert run(g(1)) == (1, 2, (), 3, {})
    assert run(g(1, 5, 6, c=7, d=8)) == (1, 5, (6,), 7, {'d': 8})
    assert run(g(a=0, b=1, e=2)) == (0, 1, (), 3, {'e': 2})
    with pytest.raises(TypeError):
        g()     # a missing: a TypeError at the call, not when it runs
    with pytest.raises(TypeError):
        g(1, a=2)


@pytest.mark.rule('CO-4')
def test_decorated_method(loop, run):
    """CO-4: decorating methods works (self is passed through)."""
    class Thing(object):
        def __init__(self):
            self.value = 7

        @coroutine
        def get(self, add=0):
            yield from ()
            return self.value + add

    assert run(Thing().get()) == 7
    assert run(Thing().get(add=1)) == 8


@pytest.mark.rule('CO-2')
def test_flagged_generator_as_coroutine(loop, run):
    """CO-2(4), M-10: a generator from a types.coroutine function (not
    ours) is accepted by compat.as_coroutine / ensure_future everywhere."""
    @types.coroutine
    def flagged():
        yield from ()
        return 'flagged'

    obj = compat.as_coroutine(flagged())
    assert asyncio.iscoroutine(obj)
    assert loop.run_until_complete(loop.create_task(obj)) == 'flagged'
    task = compat.ensure_future(flagged(), loop=loop)
    assert loop.run_until_complete(task) == 'flagged'


@pytest.mark.rule('CO-2')
def test_coroutine_object_introspection(loop):
    """CO-2: our coroutine objects carry the generator introspection that
    asyncio's reprs and Task.get_stack() use (gi_code, gi_frame,
    gi_running, gi_yieldfrom, a useful repr)."""
    reader = StreamReader(loop=loop)
    obj = reader.readline()
    assert obj.gi_code.co_name == 'readline'
    assert obj.gi_frame is not None
    assert obj.gi_running is False
    assert obj.gi_yieldfrom is None
    assert 'readline' in repr(obj)
    task = loop.create_task(obj)
    loop.run_until_complete(asyncio.sleep(0))
    assert 'readline' in repr(task)
    stack = task.get_stack()
    assert stack and stack[0].f_code.co_name == 'readline'
    reader.feed_data(b'line\n')
    assert loop.run_until_complete(task) == b'line\n'
    obj = reader.read(0)
    obj.close()
    assert obj.gi_frame is None


def _undecorated_user(reader, out):
    # A plain generator: no decorator at all.
    line = yield from reader.readline()
    out.append(line)
    yield from ()
    return line


@pytest.mark.parametrize('helper', ['ensure_future', 'async_',
                                    'as_coroutine-Task',
                                    'as_coroutine-create_task',
                                    'as_coroutine-run_until_complete',
                                    'as_coroutine-await'])
@pytest.mark.rule('CO-4')
def test_plain_generators_accepted(loop, helper):
    """CO-4, M-10: a plain undecorated generator can yield from our read
    methods, and compat.ensure_future / compat.async_ / compat.as_coroutine
    make it schedulable on every Python (3.12+ included)."""
    reader = StreamReader(loop=loop)
    out = []
    gen = _undecorated_user(reader, out)
    feed_soon(loop, reader, b'plain\n')
    if helper == 'ensure_future':
        result = loop.run_until_complete(compat.ensure_future(gen, loop=loop))
    elif helper == 'async_':
        result = loop.run_until_complete(compat.async_(gen, loop=loop))
    else:
        obj = compat.as_coroutine(gen)
        assert asyncio.iscoroutine(obj)
        if helper == 'as_coroutine-Task':
            result = loop.run_until_complete(asyncio.Task(obj, loop=loop))
        elif helper == 'as_coroutine-create_task':
            result = loop.run_until_complete(loop.create_task(obj))
        elif helper == 'as_coroutine-run_until_complete':
            result = loop.run_until_complete(obj)
        else:
            async def user():
                return await obj
            result = loop.run_until_complete(user())
    assert result == b'plain\n'
    assert out == [b'plain\n']


@pytest.mark.rule('CO-4')
def test_as_coroutine_leaves_others_alone(loop):
    """CO-4: as_coroutine returns non-generators (our objects, native
    coroutines, Futures) unchanged."""
    async def native():
        pass

    reader = StreamReader(loop=loop)
    ours = reader.read(0)
    fut = loop.create_future()
    coro = native()
    try:
        if compat.get_coroutine_debug():
            # Debug mode (CO-6) tracks our objects on every Python.
            assert isinstance(ours, compat._CoroutineObject)
        elif compat.GENERATORS_ARE_COROUTINES:
            assert isinstance(ours, types.GeneratorType)
        else:
            assert isinstance(ours, compat.CoroutineObject)
        assert compat.as_coroutine(ours) is ours
        assert compat.as_coroutine(coro) is coro
        assert compat.as_coroutine(fut) is fut
    finally:
        ours.close()
        coro.close()


@pytest.mark.rule('CO-4')
def test_ensure_future_returns_future_unchanged(loop):
    """compat.ensure_future returns a Future as it is and rejects objects
    that cannot be waited for."""
    fut = loop.create_future()
    assert compat.ensure_future(fut, loop=loop) is fut
    with pytest.raises(TypeError):
        compat.ensure_future(42, loop=loop)


# --- CO-5: loop resolution ---------------------------------------------------


@pytest.mark.rule('CO-5')
def test_running_loop_first(loop, run, other_loop, closing):
    """CO-5 step 1: the running loop wins over the loop set with
    set_event_loop, in StreamReader, StreamReaderProtocol, the stream
    functions and compat.get_event_loop."""
    asyncio.set_event_loop(other_loop)

    @coroutine
    def main():
        assert compat.get_event_loop() is loop
        reader = StreamReader()
        assert reader._loop is loop
        assert StreamReaderProtocol(reader)._loop is loop
        server = yield from start_server(lambda r, w: w.close(),
                                         '127.0.0.1', 0)
        closing(server)
        port = server.sockets[0].getsockname()[1]
        r, w = yield from open_connection('127.0.0.1', port)
        closing(w)
        assert r._loop is loop
        assert w._loop is loop
        assert (yield from r.read()) == b''
        w.close()
        server.close()
        yield from server.wait_closed()

    run(main())


@pytest.mark.rule('CO-5')
def test_set_loop_without_running_loop(other_loop):
    """CO-5 step 2: with no running loop, the loop set with set_event_loop
    is used, and StreamReader / StreamReaderProtocol resolve it in the
    constructor (it sticks after the current loop changes)."""
    asyncio.set_event_loop(other_loop)
    assert compat.get_event_loop() is other_loop
    reader = StreamReader()
    protocol = StreamReaderProtocol(reader)
    asyncio.set_event_loop(None)
    assert reader._loop is other_loop
    assert protocol._loop is other_loop
    explicit = asyncio.new_event_loop()
    try:
        assert compat.get_event_loop(explicit) is explicit
    finally:
        explicit.close()


@pytest.mark.rule('CO-5')
def test_no_loop_raises_runtime_error(no_loop_set):
    """CO-5, M-15: after set_event_loop(None), with no running loop,
    resolution raises RuntimeError (constructors raise at once)."""
    with pytest.raises(RuntimeError):
        compat.get_event_loop()
    with pytest.raises(RuntimeError):
        StreamReader()
    explicit = asyncio.new_event_loop()
    try:
        with pytest.raises(RuntimeError):
            StreamReaderProtocol(StreamReader(loop=explicit))
    finally:
        explicit.close()


@pytest.mark.rule('CO-5')
def test_functions_resolve_loop_when_started(loop, run, no_loop_set,
                                             closing):
    """CO-5: the stream functions resolve the loop when their coroutine
    starts: created with no loop anywhere, they run on the loop that runs
    them."""
    server_coro = start_server(lambda r, w: w.close(), '127.0.0.1', 0)

    @coroutine
    def main():
        server = yield from server_coro
        closing(server)
        port = server.sockets[0].getsockname()[1]
        reader, writer = yield from client_coro(port)
        closing(writer)
        assert reader._loop is loop
        assert (yield from reader.read()) == b''
        writer.close()
        server.close()
        yield from server.wait_closed()

    def client_coro(port):
        return open_connection('127.0.0.1', port)

    run(main())


@pytest.mark.rule('CO-5')
def test_no_deprecation_warning_inside_running_loop(loop, run):
    """CO-5, M-15: in ordinary use inside a running loop nothing emits a
    DeprecationWarning, even with a fresh policy that has no loop set
    (3.12+ get_event_loop() would warn when it has to create one)."""
    asyncio.set_event_loop_policy(None)
    try:
        @coroutine
        def main():
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always')
                assert compat.get_event_loop() is loop
                reader = StreamReader()
                StreamReaderProtocol(reader)
                reader.feed_data(b'x\n')
                line = yield from reader.readline()
            assert line == b'x\n'
            assert [w for w in caught
                    if issubclass(w.category, DeprecationWarning)] == []

        run(main())
    finally:
        asyncio.set_event_loop_policy(None)
        asyncio.set_event_loop(None)


# --- compat helpers ----------------------------------------------------------


@pytest.mark.rule('Q-2')
def test_awaitable_adapter(loop, run):
    """Q-2, M-24: await compat.awaitable(x) works in async def for (),
    Futures, our coroutine objects, plain generators and native
    coroutines."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'abc')

    def plain_gen():
        yield from ()
        return 'gen'

    async def native():
        return 'native'

    async def user():
        results = [await compat.awaitable(())]
        fut = loop.create_future()
        loop.call_soon(fut.set_result, 'future')
        results.append(await compat.awaitable(fut))
        results.append(await compat.awaitable(reader.read(3)))
        results.append(await compat.awaitable(plain_gen()))
        results.append(await compat.awaitable(native()))
        return results

    assert run(user()) == [None, 'future', b'abc', 'gen', 'native']


@pytest.mark.rule('Q-2')
def test_awaitable_of_drain(loop, run, closing):
    """Q-2, DR-5: drain() returns the literal (), and awaitable() turns it
    into something async def code can await."""
    from trollius_streams import StreamWriter

    protocol = StreamReaderProtocol(StreamReader(loop=loop), loop=loop)
    writer = StreamWriter(FakeTransport(), protocol, None, loop)
    closing(writer)
    assert writer.drain() == ()

    async def user():
        return await compat.awaitable(writer.drain())

    assert run(user()) is None


class _HideCreateFuture(object):
    # A loop proxy without create_future (3.4-era and trollius loops).
    def __init__(self, loop):
        self._loop = loop

    def __getattr__(self, name):
        if name == 'create_future':
            raise AttributeError(name)
        return getattr(self._loop, name)


@pytest.mark.rule('M-25')
def test_create_future(loop):
    """M-25: compat.create_future uses loop.create_future() and falls back
    to asyncio.Future(loop=loop) on loops without it."""
    fut = compat.create_future(loop)
    assert compat.isfuture(fut)
    assert not fut.done()
    fut.cancel()
    proxy = _HideCreateFuture(loop)
    fut = compat.create_future(proxy)
    assert isinstance(fut, asyncio.Future)
    assert fut._loop is proxy
    fut.set_result(1)
    assert fut.result() == 1


@pytest.mark.rule('M-25')
def test_future_factory(loop):
    """M-25: future_factory(loop) is loop.create_future where it exists,
    else a function making asyncio.Future(loop=loop); a reader built on a
    loop without create_future can still wait."""
    assert compat.future_factory(loop) == loop.create_future
    proxy = _HideCreateFuture(loop)
    make = compat.future_factory(proxy)
    fut = make()
    assert isinstance(fut, asyncio.Future) and fut._loop is proxy
    assert make() is not fut
    fut.cancel()
    reader = trollius_streams.StreamReader(loop=proxy)
    waiting = compat.as_coroutine(reader.readline())
    assert compat.isfuture(waiting.send(None))
    reader.feed_data(b'x\n')
    with pytest.raises(StopIteration) as info:
        waiting.send(None)
    assert info.value.value == b'x\n'


@pytest.mark.parametrize('transport, expected', [
    (types.SimpleNamespace(is_closing=lambda: True), True),
    (types.SimpleNamespace(is_closing=lambda: False), False),
    (types.SimpleNamespace(_closing=True), True),
    (types.SimpleNamespace(_closing=False), False),
    (types.SimpleNamespace(), False),
], ids=['is_closing-true', 'is_closing-false', '_closing-true',
        '_closing-false', 'neither'])
@pytest.mark.rule('DR-2')
def test_is_closing_fallbacks(transport, expected):
    """DR-2 step 3: compat.is_closing uses is_closing(), else the private
    _closing, else says not closing; closing_probe(transport) is the same
    test as a function of no arguments."""
    assert compat.is_closing(transport) is expected
    assert compat.closing_probe(transport)() is expected


def test_all_tasks(loop, run):
    """compat.all_tasks(loop) lists the loop's unfinished tasks only (a
    compat helper the fixtures rely on; 3.6 has only Task.all_tasks)."""
    gate = loop.create_future()

    @coroutine
    def waiter():
        yield from gate

    @coroutine
    def main():
        task = loop.create_task(waiter())
        done = loop.create_task(asyncio.sleep(0))
        yield from done
        tasks = compat.all_tasks(loop)
        assert task in tasks
        assert done not in tasks
        gate.set_result(None)
        yield from task
        assert task not in compat.all_tasks(loop)

    run(main())


@pytest.mark.rule('PR-2')
def test_iscoroutine_and_isfuture(loop):
    """PR-2: compat.iscoroutine is True for our objects, plain generators
    and native coroutines, False for Futures and other values;
    compat.isfuture is True for Futures and Tasks only."""
    async def native():
        pass

    def plain_gen():
        yield

    reader = StreamReader(loop=loop)
    ours, gen, coro = reader.read(0), plain_gen(), native()
    fut = loop.create_future()
    task = loop.create_task(asyncio.sleep(0))
    try:
        for obj in (ours, gen, coro):
            assert compat.iscoroutine(obj)
            assert not compat.isfuture(obj)
        for obj in (fut, task):
            assert compat.isfuture(obj)
            assert not compat.iscoroutine(obj)
        for obj in ((), None, 42, b'', native, plain_gen):
            assert not compat.iscoroutine(obj)
            assert not compat.isfuture(obj)
    finally:
        ours.close()
        gen.close()
        coro.close()
        fut.cancel()
        loop.run_until_complete(task)


# --- Acceptance: wait_for timeout then read again (HD-11) -------------------


@pytest.mark.parametrize('method', ['readexactly', 'readline', 'read-all'])
@pytest.mark.rule('HD-11')
def test_read_after_wait_for_timeout(loop, run, method):
    """HD-11, RD-8b, RD-12(2)(4): after asyncio.wait_for(read call, t)
    times out, the next read call works at once and returns every byte
    (also on 3.6, where wait_for does not wait for the inner task)."""
    reader = StreamReader(loop=loop)
    reader.feed_data(b'abc')

    def call():
        if method == 'readexactly':
            return reader.readexactly(10)
        if method == 'readline':
            return reader.readline()
        return reader.read()

    @coroutine
    def main():
        with pytest.raises(asyncio.TimeoutError):
            yield from asyncio.wait_for(call(), 0.01)
        feed_soon(loop, reader, b'defghij\n', eof=True)
        first = yield from call()
        rest = yield from reader.read()
        return first + rest

    assert run(main()) == b'abcdefghij\n'


@pytest.mark.rule('HD-11')
def test_read_after_wait_for_timeout_socket(loop, run, closing):
    """HD-11 over a real socket: the peer sends part of the message, the
    client's wait_for(readexactly(n), t) times out, the peer sends the rest
    and the next readexactly(n) returns every byte."""
    go = loop.create_future()

    @coroutine
    def handler(reader, writer):
        writer.write(b'0123')
        yield from go
        writer.write(b'456789')
        yield from writer.drain()
        writer.close()

    @coroutine
    def main():
        server = yield from start_server(handler, '127.0.0.1', 0, loop=loop)
        port = server.sockets[0].getsockname()[1]
        closing(server)
        reader, writer = yield from open_connection('127.0.0.1', port,
                                                    loop=loop)
        closing(writer)
        with pytest.raises(asyncio.TimeoutError):
            yield from asyncio.wait_for(reader.readexactly(10), 0.05)
        go.set_result(None)
        data = yield from reader.readexactly(10)
        assert (yield from reader.read()) == b''
        writer.close()
        server.close()
        yield from server.wait_closed()
        return data

    assert run(main()) == b'0123456789'


def test_python_version_branching_is_in_compat():
    """CO-2(4): on 3.12+ our coroutine objects are CoroutineObject
    wrappers, elsewhere generators (asyncio accepts those there)."""
    if sys.version_info >= (3, 12):
        assert not compat.GENERATORS_ARE_COROUTINES
        assert compat.CoroutineObject is not None
    else:
        assert compat.GENERATORS_ARE_COROUTINES
        assert compat.CoroutineObject is None


@pytest.mark.rule('CO-4')
def test_argument_binding_is_the_same_on_every_python(loop):
    """CO-4 (Decision): a decorated generator function rejects wrong
    arguments at the call (as any generator function does); a decorated
    plain function only when it runs (3.4's asyncio.coroutine): the same on
    every Python, whatever wrapper 3.12+ needs."""
    @compat.coroutine
    def gen(a):
        yield from ()
        return a

    @compat.coroutine
    def plain(a):
        return a

    with pytest.raises(TypeError):
        gen()
    coro = plain()            # no error yet
    with pytest.raises(TypeError):
        loop.run_until_complete(coro)
    assert loop.run_until_complete(plain(1)) == 1
    assert loop.run_until_complete(gen(2)) == 2
