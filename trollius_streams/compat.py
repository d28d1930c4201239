"""The compatibility layer: the one module that tells runtimes apart.

Everything that differs between Python 3.6 and 3.13, or between the stdlib
event loop and uvloop, is decided here once, at import time, by feature
detection; the rest of the package only calls the names defined below, which
have the same signature in every branch.  Each line that exists because of a
particular runtime carries a ``# version specific:`` tag so that
``grep -n "version specific" trollius_streams/`` lists them all.

Public names:

``coroutine(func)``
    The decorator for generator-based coroutines (contract CO-4).  It never calls
    ``asyncio.coroutine``, which warns on 3.8-3.10 and is gone from 3.11.
``iscoroutine(obj)``
    True for every object this package treats as a coroutine object: ours,
    generator objects (decorated or not), native coroutines and anything
    ``asyncio.iscoroutine`` accepts (contract PR-2).
``as_coroutine(obj)``
    Turn a plain generator object into a coroutine object that every loop
    accepts (asyncio.Task, create_task, run_until_complete, await).
``ensure_future(obj, loop=None)`` / ``async_``
    Schedule a coroutine object, a plain generator or a Future; what
    ``asyncio.async`` was in 3.4.
``awaitable(obj)``
    The adapter of contract Q-2: ``await awaitable(writer.drain())`` works in
    ``async def`` code whatever drain() returned (``()`` or a Future); it also
    accepts our coroutine objects, Futures and plain generators.
``check_loop(loop)``
    ``loop`` if it is an event loop, else TypeError (``loop=`` validation).
``get_event_loop(loop=None)``
    Loop resolution of contract CO-5: the given loop (checked), else the
    running loop, else ``asyncio.get_event_loop()``.
``create_future(loop)`` / ``future_factory(loop)``
    ``loop.create_future()`` where the loop has it, else ``Future(loop=loop)``;
    the factory is that function, resolved once.
``is_closing(transport)`` / ``closing_probe(transport)``
    ``transport.is_closing()``, falling back to ``_closing`` (contract DR-2);
    the probe is that function, resolved once.
``CoroutineObject``
    The class of our coroutine objects on runtimes that no longer accept
    generators as coroutines (None elsewhere, where they are generators).
``GENERATORS_ARE_COROUTINES``
    True where asyncio itself accepts flagged generator objects as
    coroutines (Python < 3.12), decided once by feature detection.
``set_coroutine_debug(enabled)`` / ``get_coroutine_debug()``
    Debug mode of contract CO-6: while on, a coroutine object of a
    ``@coroutine`` function collected without having run warns
    ``RuntimeWarning: coroutine '<qualname>' was never yielded from`` with
    the lines that created it.  Also switched on by ``PYTHONASYNCIODEBUG``
    and ``-X dev`` (read at import) and by the first loop in debug mode
    that a stream, protocol or connection is made with; an explicit call
    wins over loops from then on.  Off, nothing is tracked and a call costs
    nothing extra.  While on, a call returns a tracking object rather than
    a generator on Python < 3.12 (as 3.4's debug mode did).
"""

__all__ = ['coroutine', 'iscoroutine', 'as_coroutine', 'ensure_future',
           'async_', 'awaitable', 'check_loop', 'get_event_loop', 'create_future',
           'future_factory', 'is_closing', 'closing_probe', 'isfuture',
           'all_tasks', 'CoroutineObject', 'GENERATORS_ARE_COROUTINES',
           'set_coroutine_debug', 'get_coroutine_debug']

import asyncio
import collections.abc
import functools
import inspect
import itertools
import keyword
import os
import sys
import threading
import types
import warnings
import weakref

import six

# --- Feature detection (decided once) ----------------------------------------


@types.coroutine
def _probe():
    yield


def _generators_are_coroutines():
    gen = _probe()
    try:
        return asyncio.iscoroutine(gen)
    finally:
        gen.close()


#: True where asyncio itself accepts (flagged) generator objects as coroutines:
#: ``asyncio.iscoroutine(gen)``, ``Task(gen)``, ``create_task(gen)``.
#: version specific: Python < 3.12 True, Python >= 3.12 False (M-10)
GENERATORS_ARE_COROUTINES = _generators_are_coroutines()

# asyncio marks coroutine functions with this sentinel so that
# asyncio.iscoroutinefunction() says True; it is private and may vanish.
# version specific: Python <= 3.13
_IS_COROUTINE_MARK = getattr(asyncio.coroutines, '_is_coroutine', None)

# Running-loop lookup that never raises and never warns.
# version specific: Python >= 3.6 (all supported)
_get_running_loop = getattr(asyncio, '_get_running_loop', None)
if _get_running_loop is None:  # pragma: no cover - every supported Python has it
    _get_running_loop = asyncio.events._get_running_loop


# --- Coroutine objects --------------------------------------------------------
#
# Design: on Python < 3.12 a generator produced by a ``types.coroutine``
# function is everything contract CO-2 asks for (asyncio.iscoroutine() is True,
# Task() accepts it, ``await`` accepts it), so we return it untouched: no
# wrapper, no cost.  From 3.12 on, asyncio rejects generator objects, so each
# call returns a small CoroutineObject around the generator.  It is registered
# as a collections.abc.Coroutine (so asyncio.iscoroutine() is True) and:
#
# * ``yield from obj`` calls ``__iter__``, which returns the generator itself,
#   so the generator runs with no wrapper in between (and it works from plain
#   undecorated generators, which could not ``yield from`` a native coroutine);
# * ``await obj`` calls ``__await__``, a generator that delegates with
#   ``yield from`` (``__await__`` may not return a flagged generator directly:
#   CPython rejects "__await__() returned a coroutine");
# * a Task drives it through ``send``/``throw``, which forward to the
#   generator.
#
# The generator must be flagged by types.coroutine so that it may itself
# ``yield from`` native coroutines (``loop.create_connection`` is ``async def``
# from 3.7 on, M-13).


class _CoroutineObject(object):
    """A generator-based coroutine that modern asyncio accepts as a coroutine.

    Exists because asyncio 3.12+ rejects generator objects everywhere a
    coroutine is expected (``Task()``, ``create_task()``,
    ``asyncio.iscoroutine()``), while 3.4-era code passes them everywhere.
    """

    __slots__ = ('_gen', '__weakref__')

    def __init__(self, gen):
        self._gen = gen

    def __iter__(self):
        return self._gen

    def __await__(self):
        return (yield from self._gen)

    def send(self, value):
        return self._gen.send(value)

    def __next__(self):
        return self._gen.send(None)

    def throw(self, *args):
        return self._gen.throw(*args)

    def close(self):
        return self._gen.close()

    # Introspection used by asyncio's reprs and Task.get_stack().
    @property
    def gi_frame(self):
        return self._gen.gi_frame

    @property
    def gi_code(self):
        return self._gen.gi_code

    @property
    def gi_running(self):
        return self._gen.gi_running

    @property
    def gi_yieldfrom(self):
        return self._gen.gi_yieldfrom

    @property
    def __name__(self):
        # (A __qualname__ property is not allowed in a class body.)
        return self._gen.__qualname__

    def __repr__(self):
        return '<trollius_streams coroutine %s>' % (self._gen.__qualname__,)


collections.abc.Coroutine.register(_CoroutineObject)

if GENERATORS_ARE_COROUTINES:
    CoroutineObject = None
    _COROUTINE_TYPES = (types.GeneratorType,)

    def _wrap(gen):
        return gen

else:  # version specific: Python >= 3.12
    CoroutineObject = _CoroutineObject
    _COROUTINE_TYPES = (_CoroutineObject, types.GeneratorType)
    _wrap = _CoroutineObject


def isfuture(obj):
    """Return True for asyncio Futures and Tasks of any loop (duck-typed)."""
    return getattr(obj, '_asyncio_future_blocking', None) is not None


def iscoroutine(obj):
    """Return True if ``obj`` is a coroutine object for this package.

    Ours, any generator object (decorated or not, including a 3.4-3.10
    debug-mode CoroWrapper, which asyncio.iscoroutine accepts there), native
    coroutines and whatever ``asyncio.iscoroutine`` accepts.
    """
    return isinstance(obj, _COROUTINE_TYPES) or asyncio.iscoroutine(obj)


@types.coroutine
def _drive(obj):
    # ``yield from`` in a flagged generator accepts every awaitable we care
    # about: (), Futures, generators, our objects and native coroutines.
    return (yield from obj)


def as_coroutine(obj):
    """Return ``obj`` as a coroutine object that every loop accepts.

    A generator object (even from an undecorated generator function) is
    wrapped so that ``asyncio.Task``/``create_task``/``run_until_complete``
    and ``await`` take it on every supported Python.  Anything else that is
    already a coroutine object is returned unchanged.
    """
    if type(obj) is types.GeneratorType:
        if obj.gi_code.co_flags & inspect.CO_ITERABLE_COROUTINE:
            return _wrap(obj)
        return _wrap(_drive(obj))
    return obj


def _make_wrapper(func, gen_func):  # version specific: Python >= 3.12
    """Return ``lambda <func's parameters>: CoroutineObject(gen_func(...))``.

    The wrapper is compiled with the same parameter list as ``func``, so a
    call packs no ``*args``/``**kwargs``.  It fills the object's slot itself
    after ``object.__new__`` instead of calling the class, which would run
    ``__init__`` as a second Python frame.  Both matter on the hot read
    paths (bench/README.md has the figures).  Signatures it cannot reproduce
    (positional-only parameters, unusual defaults) get the generic
    ``*args, **kwargs`` form.
    """
    def generic(*args, **kwargs):
        return _CoroutineObject(gen_func(*args, **kwargs))

    if func is None:
        return generic
    try:
        params = list(inspect.signature(func).parameters.values())
    except (TypeError, ValueError):
        return generic
    namespace = {'_ts_CO': _CoroutineObject, '_ts_gen': gen_func,
                 '_ts_new': object.__new__}
    defs, call = [], []
    kw_marker = False
    P = inspect.Parameter
    for p in params:
        name = p.name
        if p.kind is P.POSITIONAL_ONLY or name.startswith('_ts_'):
            return generic
        text = name
        if p.default is not P.empty:
            key = '_ts_d%d' % len(namespace)
            namespace[key] = p.default
            text = '%s=%s' % (name, key)
        if p.kind is P.VAR_POSITIONAL:
            defs.append('*' + name)
            call.append('*' + name)
            kw_marker = True
        elif p.kind is P.VAR_KEYWORD:
            defs.append('**' + name)
            call.append('**' + name)
        elif p.kind is P.KEYWORD_ONLY:
            if not kw_marker:
                defs.append('*')
                kw_marker = True
            defs.append(text)
            call.append('%s=%s' % (name, name))
        else:
            defs.append(text)
            call.append(name)
    source = ('def wrapper(%s):\n'
              '    _ts_obj = _ts_new(_ts_CO)\n'
              '    _ts_obj._gen = _ts_gen(%s)\n'
              '    return _ts_obj\n') % (', '.join(defs), ', '.join(call))
    try:
        exec(source, namespace)
    except SyntaxError:
        return generic
    return namespace['wrapper']


def coroutine(func):
    """Decorator marking a generator-based coroutine (contract CO-4).

    * generator function: each call returns a coroutine object that works
      with ``yield from``, ``await``, ``asyncio.Task``, ``loop.create_task``,
      ``run_until_complete``, ``ensure_future``, ``gather`` and ``wait_for``
      on every supported Python; the generator may ``yield from`` Futures,
      our coroutine objects, native coroutines and ``()``.
    * plain function: each call returns a coroutine object that, when run,
      calls the function and, if the result is a Future or a coroutine
      object, waits for it (3.4's ``asyncio.coroutine`` behaviour).
    * ``async def`` function: returned unchanged.
    """
    if inspect.iscoroutinefunction(func):
        return func
    if getattr(func, '_trollius_streams_coroutine', False):
        return func
    is_generator = inspect.isgeneratorfunction(func)
    if is_generator:
        gen_func = types.coroutine(func)
    else:
        @types.coroutine
        @six.wraps(func)
        def gen_func(*args, **kwargs):
            result = func(*args, **kwargs)
            if isfuture(result) or iscoroutine(result):
                result = yield from result
            return result

    if GENERATORS_ARE_COROUTINES:
        wrapper = gen_func
    else:  # version specific: Python >= 3.12
        # A generator function binds its arguments at the call, a plain
        # function when it runs, as on Python < 3.12: only the former gets
        # the exact-signature wrapper.
        wrapper = six.wraps(func)(_make_wrapper(
            func if is_generator else None, gen_func))

    wrapper._trollius_streams_coroutine = True
    if _IS_COROUTINE_MARK is not None:  # version specific: Python <= 3.13
        wrapper._is_coroutine = _IS_COROUTINE_MARK
    _register(wrapper)
    return wrapper


# --- Debug mode: coroutine objects that never ran (contract CO-6) -------------
#
# Zero cost when off: coroutine() records each function it returns in
# _registry (at decoration time), and that is all.  Switching on gives each
# recorded function a trampoline as its __code__ (see _debug.py, imported
# only then); switching off gives the original code back.  Debug mode is
# process-wide, like the registry.

_registry = weakref.WeakValueDictionary()
_registry_keys = itertools.count()
_tracker = None       # the _debug module while debug mode is on
_loop_watch = True    # a debug loop met by get_event_loop() switches it on


def _register(func):
    key = next(_registry_keys)
    _registry[key] = func
    if _tracker is not None:
        _tracker.track_function(key, func)


def _code_posonly(code):
    """The number of positional-only parameters of ``code``."""
    return getattr(code, 'co_posonlyargcount', 0)  # version specific: Python >= 3.8


def _switch_debug(enabled):
    global _tracker
    if enabled and _tracker is None:
        from . import _debug
        _debug.start(_registry, _CoroutineObject, _code_posonly)
        _tracker = _debug
    elif not enabled and _tracker is not None:
        _tracker.stop(_registry)
        _tracker = None


def set_coroutine_debug(enabled):
    """Switch debug mode for our coroutine objects on or off (CO-6).

    On: a coroutine object made by a ``@coroutine`` function (ours and the
    user's, decorated before or after the switch) that is collected without
    having run warns ``RuntimeWarning: coroutine '<qualname>' was never
    yielded from``, with the lines that created it.  Off: every such
    function has its original code again and costs nothing extra.

    It is switched on without this call by ``PYTHONASYNCIODEBUG``, by
    ``python -X dev`` (both read at import) and by the first loop with
    ``get_debug()`` true that the package meets (a stream, protocol or
    connection made with it).  After an explicit call, loops no longer
    switch it on.
    """
    global _loop_watch
    _loop_watch = False
    _switch_debug(bool(enabled))


def get_coroutine_debug():
    """Return True while debug mode for our coroutine objects is on."""
    return _tracker is not None


def _note_loop_debug(loop):
    """Switch debug mode on if ``loop`` is in debug mode; return ``loop``.

    Called where streams, protocols and connections resolve their loop
    (not on the read/write paths).  After the first switch, or an explicit
    set_coroutine_debug(), it only reads one global.
    """
    global _loop_watch
    if _loop_watch:
        get_debug = getattr(loop, 'get_debug', None)
        if get_debug is not None and get_debug() is True:
            _loop_watch = False
            _switch_debug(True)
    return loop


def _debug_requested():
    # What asyncio reads for its own debug mode, at import as it does.
    if not sys.flags.ignore_environment and os.environ.get('PYTHONASYNCIODEBUG'):
        return True
    return bool(getattr(sys.flags, 'dev_mode', False))  # version specific: -X dev is Python >= 3.7


if _debug_requested():
    _loop_watch = False
    _switch_debug(True)


@coroutine
def awaitable(obj):
    """Wait for ``obj`` and return its result: the adapter of contract Q-2.

    ``StreamWriter.drain()`` returns the literal ``()`` when there is nothing
    to wait for, and ``await ()`` is a TypeError on every Python.  In
    ``async def`` code write ``await awaitable(writer.drain())``.  ``obj`` may
    be ``()``, a Future, one of our coroutine objects, a generator or a
    native coroutine.
    """
    return (yield from obj)


# --- Loops ------------------------------------------------------------------


def check_loop(loop):
    """Return ``loop`` if it is an event loop, else raise TypeError (CO-7).

    Every ``loop=`` argument of the package goes through this, so that a
    wrong object fails at the call with a clear message rather than later
    with an AttributeError deep inside.  An event loop is an
    ``asyncio.AbstractEventLoop`` (stdlib loops, uvloop) or any object
    with the loop methods streams use (``call_soon``, ``create_task``).
    """
    if isinstance(loop, asyncio.AbstractEventLoop) or (
            callable(getattr(loop, 'call_soon', None)) and
            callable(getattr(loop, 'create_task', None))):
        return loop
    raise TypeError('loop must be an event loop or None, not %s'
                    % type(loop).__name__)


def get_event_loop(loop=None):
    """Resolve an event loop as contract CO-5 says.

    ``loop`` if given (checked by :func:`check_loop`); else the loop running
    in this thread; else ``asyncio.get_event_loop()`` (the loop set with
    ``set_event_loop``).  Asking for the running loop first avoids the
    DeprecationWarning that 3.12/3.13 ``get_event_loop()`` gives when it has
    to create a loop; with no loop running or set it raises RuntimeError
    (every version after ``set_event_loop(None)``, and 3.14 always):
    nothing here relies on it creating one.
    """
    if loop is None:
        loop = _get_running_loop()
        if loop is None:
            loop = asyncio.get_event_loop()
        return _note_loop_debug(loop)
    return _note_loop_debug(check_loop(loop))


def future_factory(loop):
    """Return a function of no arguments making Futures of ``loop`` (M-25).

    ``loop.create_future`` where the loop has it, else a function calling
    ``Future(loop=loop)``.  Resolved once, so that a reader's hot wait path
    pays one C call per Future.
    """
    try:
        return loop.create_future
    except AttributeError:  # version specific: loops predating create_future (3.4 era, trollius)
        return functools.partial(asyncio.Future, loop=loop)


def create_future(loop):
    """Return a new Future attached to ``loop`` (contract M-25)."""
    return future_factory(loop)()


def closing_probe(transport):
    """Return a function of no arguments telling if ``transport`` is closing.

    ``transport.is_closing`` (stdlib transports since 3.5.1, uvloop); for
    older or third-party transports, a function reading ``_closing``
    (contract DR-2).  Resolved once, so that drain() pays one C call.
    """
    try:
        return transport.is_closing
    except AttributeError:  # version specific: transports without is_closing()
        return lambda: bool(getattr(transport, '_closing', False))


def is_closing(transport):
    """Return True if ``transport`` is closing or closed (contract DR-2 step 3)."""
    return closing_probe(transport)()


def all_tasks(loop):
    """Return the set of tasks of ``loop`` that are not done yet."""
    try:
        tasks = asyncio.all_tasks  # version specific: Python >= 3.7
    except AttributeError:  # version specific: Python 3.6
        tasks = asyncio.Task.all_tasks(loop)
    else:
        tasks = tasks(loop)
    return {t for t in tasks if not t.done()}


def ensure_future(obj, loop=None):
    """Schedule ``obj`` on ``loop`` and return the Future/Task (``asyncio.async``).

    ``obj`` may be a Future (returned as is), one of our coroutine objects, a
    native coroutine, or a generator object, decorated or not: generators
    are accepted on every Python, 3.12+ included.  ``loop`` is resolved as in
    CO-5 when it is None.
    """
    if type(obj) is types.GeneratorType:
        obj = as_coroutine(obj)
    if asyncio.iscoroutine(obj):
        return get_event_loop(loop).create_task(obj)
    # Futures are returned as they are, other awaitables wrapped; anything
    # else raises TypeError there.
    return asyncio.ensure_future(obj, loop=loop)


#: The 3.4 name, which is a SyntaxError from 3.7 on (``async`` is a keyword).
async_ = ensure_future


# --- Legacy environment: feature detection -----------------------------------
#
# What the legacy runner (trollius_streams.legacy) has to shim on the running
# Python.  Nothing here runs at import time beyond a keyword lookup: the
# probes below create objects (and one loop) and are run on the first call to
# legacy_features(), i.e. only when the legacy environment is installed.

#: ``async`` is a reserved word: ``asyncio.async(...)`` does not parse.
ASYNC_IS_KEYWORD = keyword.iskeyword('async')  # version specific: Python >= 3.7

#: State of a 3.4 API on this Python: as in 3.4, present but warning, absent.
OK, DEPRECATED, GONE = 'ok', 'deprecated', 'gone'


def replace_code(code, flags, consts):
    """Return ``code`` with new ``co_flags`` and ``co_consts``."""
    try:
        replace = code.replace  # version specific: Python >= 3.8
    except AttributeError:  # version specific: Python 3.6-3.7
        return types.CodeType(
            code.co_argcount, code.co_kwonlyargcount, code.co_nlocals,
            code.co_stacksize, flags, code.co_code, consts, code.co_names,
            code.co_varnames, code.co_filename, code.co_name,
            code.co_firstlineno, code.co_lnotab, code.co_freevars,
            code.co_cellvars)
    return replace(co_flags=flags, co_consts=consts)


def _state_of_call(func):
    """OK, DEPRECATED or GONE: what calling ``func()`` does (any error but
    TypeError/AttributeError after the call started counts as OK)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            func()
        except (TypeError, AttributeError, RuntimeError) as exc:
            if not caught and isinstance(exc, TypeError):
                return GONE
        except Exception:
            pass
    if any(issubclass(w.category, (DeprecationWarning,
                                   PendingDeprecationWarning))
           for w in caught):
        return DEPRECATED
    return OK


def _attribute_state(obj, name, probe):
    if getattr(obj, name, None) is None:
        return GONE
    return _state_of_call(probe)


def _lock_iter_probe():
    # Runs the body of Lock.__iter__ on a bare instance: the deprecation
    # warning (3.7-3.8) comes first, then acquire() fails on the bare object.
    gen = asyncio.Lock.__iter__(object.__new__(asyncio.Lock))
    try:
        next(gen)
    finally:
        gen.close()


def _def_coroutine_probe():
    def gen():
        yield
    asyncio.coroutine(gen)


def _loop_arg_probe():
    # The locks, queues and asyncio's helpers lost loop= together.
    asyncio.Event(loop=object())


def implicit_loop_state(policy_class=None):
    """What ``policy_class().get_event_loop()`` does in the main thread when
    no loop was set: OK (creates one), DEPRECATED (warns, as the default
    policy on 3.12-3.13) or GONE (raises: 3.14, uvloop 0.23's policy)."""
    if threading.current_thread() is not threading.main_thread():
        return OK
    try:
        policy = (policy_class or asyncio.DefaultEventLoopPolicy)()
    except Exception:
        return OK  # a policy that needs arguments: not ours to probe
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        try:
            loop = policy.get_event_loop()
        except RuntimeError:
            return GONE
    loop.close()
    if any(issubclass(w.category, DeprecationWarning) for w in caught):
        return DEPRECATED
    return OK


def _loop_probes():
    """States of asyncio.wait(coroutines) and of Server.wait_closed()."""
    import socket
    # The stdlib's loop, whatever policy is installed: the shims these
    # probes decide on patch the stdlib's classes.
    loop = asyncio.DefaultEventLoopPolicy().new_event_loop()
    result = {}

    async def nothing():
        return None

    async def wait_probe():
        coro = nothing()
        try:
            await asyncio.wait([coro])
        except TypeError:
            coro.close()
            return GONE
        return OK

    async def wait_closed_probe():
        connected = loop.create_future()

        class Proto(asyncio.Protocol):
            def connection_made(self, transport):
                connected.set_result(transport)

        server = await loop.create_server(Proto, '127.0.0.1', 0)
        client = socket.create_connection(server.sockets[0].getsockname())
        try:
            transport = await asyncio.wait_for(connected, 5)
            server.close()
            waiter = loop.create_task(server.wait_closed())
            for _ in range(5):
                await asyncio.sleep(0)
            waits = not waiter.done()
            transport.close()
            await asyncio.wait_for(waiter, 5)
        finally:
            client.close()
        return waits

    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always')
            state = loop.run_until_complete(wait_probe())
        if state == OK and any(issubclass(w.category, DeprecationWarning)
                               for w in caught):
            state = DEPRECATED
        result['wait_coroutines'] = state
        result['wait_closed_waits_for_clients'] = loop.run_until_complete(
            wait_closed_probe())
    finally:
        loop.close()
    return result


class LegacyFeatures(object):
    """What this Python lacks of asyncio 3.4 (see legacy_features())."""

    def __init__(self):
        #: asyncio.Task(gen), create_task(gen) ... accept generator objects.
        self.generators_are_coroutines = GENERATORS_ARE_COROUTINES
        #: ``asyncio.async(`` does not parse.
        self.async_is_keyword = ASYNC_IS_KEYWORD
        #: @asyncio.coroutine: version specific: 3.8-3.10 warn, 3.11+ gone.
        self.asyncio_coroutine = _attribute_state(
            asyncio, 'coroutine', _def_coroutine_probe)
        #: asyncio.async(): version specific: 3.6 warns, 3.7+ unreachable.
        self.async_alias = _attribute_state(
            asyncio, 'async', lambda: getattr(asyncio, 'async')(1))
        #: Task.current_task()/all_tasks(): version specific: 3.7-3.8 warn,
        #: 3.9+ gone.
        self.task_classmethods = _attribute_state(
            asyncio.Task, 'current_task',
            lambda: asyncio.Task.current_task(loop=object()))
        #: ``yield from lock``: version specific: 3.7-3.8 warn, 3.9+ gone.
        self.lock_iter = _attribute_state(
            asyncio.Lock, '__iter__', _lock_iter_probe)
        #: loop= on the locks, queues and helpers: version specific: 3.8-3.9
        #: warn, 3.10+ gone.
        self.loop_argument = _state_of_call(_loop_arg_probe)
        #: asyncio.JoinableQueue: gone since 3.5? (an alias of Queue in 3.4.4+)
        self.joinable_queue = OK if hasattr(asyncio, 'JoinableQueue') else GONE
        #: get_event_loop() creating a loop: version specific: 3.12-3.13
        #: warn, 3.14 raises.
        self.implicit_loop = implicit_loop_state()
        #: CancelledError is an Exception: version specific: Python <= 3.7.
        self.cancelled_is_exception = issubclass(asyncio.CancelledError,
                                                 Exception)
        probes = _loop_probes()
        #: asyncio.wait(coroutines): version specific: 3.8-3.10 warn, 3.11+
        #: raise.
        self.wait_coroutines = probes['wait_coroutines']
        #: Server.wait_closed() waits for client connections: version
        #: specific: stdlib loop on Python >= 3.12.1.
        self.wait_closed_waits_for_clients = probes[
            'wait_closed_waits_for_clients']

    def as_dict(self):
        return dict(vars(self))


_legacy_features = []


def legacy_features():
    """Return the LegacyFeatures of this Python, probed once on first call."""
    if not _legacy_features:
        _legacy_features.append(LegacyFeatures())
    return _legacy_features[0]


#: ``python SCRIPT`` gives ``__main__`` an absolute ``__file__`` (and code
#: filename) even for a relative SCRIPT; nothing observable before the
#: script runs tells, hence the version test.
MAIN_FILE_IS_ABSOLUTE = sys.version_info >= (3, 9)  # version specific: Python >= 3.9 (bpo-20443)
