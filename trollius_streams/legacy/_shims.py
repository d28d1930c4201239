"""The shims of the legacy environment, each applied only where needed.

:func:`apply` installs, through a :class:`._patch.Patches` journal, the
shims that :func:`trollius_streams.compat.legacy_features` says the running
Python needs (items a-l of the runner's documentation,
docs/legacy-runner.md).  Every shim records its uses with
:func:`._usage.record` when it does something the running Python would not
have done by itself.

Only names as seen through the ``asyncio`` package are replaced; asyncio's
own modules keep the objects they bound at import (``asyncio.subprocess``
keeps the stdlib's ``streams``), except for the few class attributes that
3.4 code reaches through objects: ``Lock.__iter__``, the locks' and queues'
``__init__`` (to accept ``loop=``) and ``Server.wait_closed``.
"""

__all__ = ['apply']

import asyncio
import asyncio.base_events
import asyncio.locks
import functools
import sys
import threading
import types
import warnings

import trollius_streams
from .. import compat
from . import _usage
from ._usage import record

OK = compat.OK
_GeneratorType = types.GeneratorType
_as_coroutine = compat.as_coroutine
_running_loop = asyncio._get_running_loop

#: The stream names of the asyncio namespace that become ours (item i).
STREAM_NAMES = ('open_connection', 'start_server', 'open_unix_connection',
                'start_unix_server', 'StreamReader', 'StreamWriter',
                'StreamReaderProtocol', 'IncompleteReadError')
_STREAM_FUNCTIONS = ('open_connection', 'start_server',
                     'open_unix_connection', 'start_unix_server')


def _gen(obj):
    # A generator object becomes a coroutine object the loop accepts (where
    # the loop refuses generators).
    if type(obj) is _GeneratorType and not compat.GENERATORS_ARE_COROUTINES:
        record('generator-object')
        return _as_coroutine(obj)
    return obj


def _check_loop(api, loop):
    """Count a loop= argument; fail, as 3.4 did, on a loop that is not the
    running one."""
    record('loop-argument')
    running = _running_loop()
    if running is not None and loop is not running:
        raise RuntimeError(
            'asyncio.%s(loop=%r): this is not the running loop %r '
            '(3.4 failed on this too: the future would belong to another '
            'loop)' % (api, loop, running))


class _Env(object):
    """State shared by the shims of one installation."""

    def __init__(self, features, patches, cancelled_is_exception):
        self.f = features
        self.p = patches
        self.cancelled_is_exception = cancelled_is_exception
        self.orig_ensure_future = asyncio.ensure_future
        self.loop_classes = {}
        self.uvloop = None

    def ensure(self, obj, loop):
        # A Future of ``loop`` for obj (generators included).
        return self.orig_ensure_future(_gen(obj), loop=loop)


# --- a: asyncio.coroutine, asyncio.async -------------------------------------


def _shim_coroutine_and_async(env):
    f, p = env.f, env.p
    if f.asyncio_coroutine != OK:
        def coroutine(func):
            record('asyncio.coroutine')
            return compat.coroutine(func)
        coroutine.__doc__ = compat.coroutine.__doc__
        p.set(asyncio, 'coroutine', coroutine)
    orig = env.orig_ensure_future

    def ensure_future(coro_or_future, *, loop=None):
        return orig(_gen(coro_or_future), loop=loop)
    functools.update_wrapper(ensure_future, orig)
    if not f.generators_are_coroutines:
        p.set(asyncio, 'ensure_future', ensure_future)

    def async_(coro_or_future, *, loop=None):
        record('asyncio.async')
        return orig(_gen(coro_or_future), loop=loop)
    async_.__name__ = async_.__qualname__ = 'async'
    if f.async_alias != OK:
        p.set(asyncio, 'async', async_)
    if f.async_is_keyword:
        p.set(asyncio, 'async_', async_)


# --- b, d, f: generators and loop= in asyncio's helpers ----------------------


def _shim_helpers(env):
    f, p = env.f, env.p
    gens = not f.generators_are_coroutines
    loop_arg = f.loop_argument != OK
    wait_coros = f.wait_coroutines != OK
    if not (gens or loop_arg or wait_coros):
        return
    orig = {name: getattr(asyncio, name) for name in (
        'sleep', 'wait_for', 'wait', 'gather', 'shield', 'as_completed',
        'run_coroutine_threadsafe')}
    ALL_COMPLETED = asyncio.ALL_COMPLETED

    def sleep(delay, result=None, *, loop=None):
        if loop is not None:
            _check_loop('sleep', loop)
        return orig['sleep'](delay, result)

    def wait_for(fut, timeout, *, loop=None):
        if loop is not None:
            _check_loop('wait_for', loop)
        return orig['wait_for'](_gen(fut), timeout)

    async def _wait_tasks(fs, timeout, return_when):
        fs = set(fs)
        if any(not compat.isfuture(x) for x in fs):
            record('wait-coroutines')
            fs = {env.orig_ensure_future(_gen(x)) for x in fs}
        return await orig['wait'](fs, timeout=timeout,
                                  return_when=return_when)

    def wait(fs, *, loop=None, timeout=None, return_when=ALL_COMPLETED):
        if loop is not None:
            _check_loop('wait', loop)
        if isinstance(fs, (types.GeneratorType, types.CoroutineType)) or \
                compat.isfuture(fs):
            raise TypeError('expect a list of futures, not %s'
                            % type(fs).__name__)
        if wait_coros or gens:
            fs = list(fs)
            if any(not compat.isfuture(x) for x in fs):
                return _wait_tasks(fs, timeout, return_when)
        return orig['wait'](fs, timeout=timeout, return_when=return_when)

    def gather(*aws, loop=None, return_exceptions=False):
        if loop is not None:
            _check_loop('gather', loop)
            if not aws:
                fut = loop.create_future()
                fut.set_result([])
                return fut
            aws = [env.ensure(a, loop) for a in aws]
        elif gens:
            aws = [_gen(a) for a in aws]
        return orig['gather'](*aws, return_exceptions=return_exceptions)

    def shield(arg, *, loop=None):
        if loop is not None:
            _check_loop('shield', loop)
            arg = env.ensure(arg, loop)
        return orig['shield'](_gen(arg))

    def as_completed(fs, *, loop=None, timeout=None):
        if loop is not None:
            _check_loop('as_completed', loop)
            fs = {env.ensure(x, loop) for x in set(fs)}
        elif gens:
            fs = {_gen(x) for x in set(fs)}
        return orig['as_completed'](fs, timeout=timeout)

    def run_coroutine_threadsafe(coro, loop):
        return orig['run_coroutine_threadsafe'](_gen(coro), loop)

    for func in (sleep, wait_for, wait, gather, shield, as_completed,
                 run_coroutine_threadsafe):
        name = func.__name__
        if name == 'sleep' and not loop_arg:
            continue
        if name == 'run_coroutine_threadsafe' and not gens:
            continue
        functools.update_wrapper(func, orig[name])
        p.set(asyncio, name, func)

    if loop_arg:
        import asyncio.subprocess as aio_subprocess
        for name in ('create_subprocess_exec', 'create_subprocess_shell'):
            wrapper = _drop_loop(name, getattr(aio_subprocess, name))
            p.set(asyncio, name, wrapper)
            # also spelled asyncio.subprocess.create_subprocess_exec(...)
            p.set(aio_subprocess, name, wrapper)


def _drop_loop(name, orig):
    @functools.wraps(orig)
    def wrapper(*args, loop=None, **kwargs):
        if loop is not None:
            _check_loop(name, loop)
        return orig(*args, **kwargs)
    return wrapper


# --- d: loop= on the locks and queues ----------------------------------------


def _shim_loop_classes(env):
    f, p = env.f, env.p
    if f.loop_argument == OK:
        return
    deprecated = f.loop_argument != compat.GONE
    classes = [asyncio.Lock, asyncio.Event, asyncio.Condition,
               asyncio.Semaphore, asyncio.BoundedSemaphore, asyncio.Queue,
               asyncio.PriorityQueue, asyncio.LifoQueue]
    for cls in classes:
        if '__init__' not in cls.__dict__:
            continue  # inherits the patched __init__ of its base
        p.set(cls, '__init__', _init_with_loop(cls, cls.__dict__['__init__'],
                                               deprecated))


def _init_with_loop(cls, orig, deprecated):
    name = cls.__name__

    @functools.wraps(orig)
    def __init__(self, *args, loop=None, **kwargs):
        if loop is None:
            return orig(self, *args, **kwargs)
        _check_loop(name, loop)
        if deprecated:  # the class still takes loop= and warns about it
            with warnings.catch_warnings():
                warnings.simplefilter('ignore', DeprecationWarning)
                return orig(self, *args, loop=loop, **kwargs)
        orig(self, *args, **kwargs)
        # Bound now, as in 3.4: used from another loop it raises.
        self._loop = loop
    return __init__


# --- e: locks, Task class methods, JoinableQueue -----------------------------


class _Releasing(object):
    """What ``yield from lock`` returns: releases the lock on exit."""

    __slots__ = ('_lock',)

    def __init__(self, lock):
        self._lock = lock

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()


@types.coroutine
def _lock_iter(self):
    # ``with (yield from lock):`` and ``yield from lock`` of 3.4.
    record('lock-yield-from')
    yield from self.acquire()
    return _Releasing(self)


def _shim_locks(env):
    f, p = env.f, env.p
    if f.lock_iter != OK:
        mixin = getattr(asyncio.locks, '_ContextManagerMixin', None)
        classes = [asyncio.Lock, asyncio.Condition, asyncio.Semaphore]
        if mixin is not None and all(issubclass(c, mixin) for c in classes):
            p.set(mixin, '__iter__', _lock_iter)
        else:
            for cls in classes:
                p.set(cls, '__iter__', _lock_iter)
    if f.joinable_queue != OK:
        p.set(asyncio, 'JoinableQueue', _joinable_queue())


def _joinable_queue():
    class JoinableQueue(asyncio.Queue):
        """asyncio.JoinableQueue of 3.4: a Queue (join/task_done included)."""

        def __init__(self, *args, **kwargs):
            record('JoinableQueue')
            super().__init__(*args, **kwargs)
    JoinableQueue.__module__ = 'asyncio'
    return JoinableQueue


def _task_class(env):
    """asyncio.Task for the run: accepts generators, has the 3.4 class
    methods; isinstance()/issubclass() accept every asyncio task."""
    base = asyncio.Task
    orig_current = getattr(asyncio, 'current_task', None)
    orig_all = getattr(asyncio, 'all_tasks', None)

    class TaskType(type):
        def __instancecheck__(cls, obj):
            return isinstance(obj, base)

        def __subclasscheck__(cls, sub):
            return issubclass(sub, base)

    class Task(base, metaclass=TaskType):
        __doc__ = base.__doc__

        def __init__(self, coro, **kwargs):
            super().__init__(_gen(coro), **kwargs)

        @classmethod
        def current_task(cls, loop=None):
            record('Task.current_task')
            if loop is None:
                loop = compat.get_event_loop()
            return orig_current(loop)

        @classmethod
        def all_tasks(cls, loop=None):
            record('Task.all_tasks')
            if loop is None:
                loop = compat.get_event_loop()
            return orig_all(loop)

    Task.__module__ = 'asyncio'
    return Task


def _shim_task(env):
    f = env.f
    if f.generators_are_coroutines and f.task_classmethods == OK:
        return
    env.p.set(asyncio, 'Task', _task_class(env))


# --- b, g: loops and the policy ----------------------------------------------


def _loop_class(env, base):
    """A subclass of loop class ``base`` whose create_task() and
    run_until_complete() accept generator objects."""
    try:
        return env.loop_classes[base]
    except KeyError:
        pass

    class LegacyLoop(base):
        def create_task(self, coro, **kwargs):
            return super().create_task(_gen(coro), **kwargs)

        def run_until_complete(self, future):
            return super().run_until_complete(_gen(future))

    LegacyLoop.__name__ = LegacyLoop.__qualname__ = base.__name__
    LegacyLoop.__module__ = base.__module__
    env.loop_classes[base] = LegacyLoop
    return LegacyLoop


class LegacyPolicy(asyncio.AbstractEventLoopPolicy):
    """Wraps the installed event loop policy for the run.

    * get_event_loop() in the main thread with no loop set creates and sets
      one silently, as in 3.4 (item g);
    * new_event_loop() makes loops whose create_task() and
      run_until_complete() take generator objects (item b, 3.12+).
    Everything else goes to the wrapped policy.
    """

    def __init__(self, base, env):
        self._base = base
        self._env = env
        self._implicit = compat.implicit_loop_state(type(base))
        self._loop_class = None
        if not env.f.generators_are_coroutines:
            self._loop_class = self._legacy_loop_class(base)

    def _legacy_loop_class(self, base):
        uvloop = sys.modules.get('uvloop')
        if uvloop is not None and isinstance(base, uvloop.EventLoopPolicy):
            return _loop_class(self._env, uvloop.Loop)
        factory = getattr(base, '_loop_factory', None)
        if isinstance(factory, type):
            return _loop_class(self._env, factory)
        return None

    def __getattr__(self, name):
        return getattr(self._base, name)

    def _no_loop_set(self):
        local = getattr(self._base, '_local', None)
        if local is None:
            return None
        return (getattr(local, '_loop', None) is None and
                not getattr(local, '_set_called', False))

    def get_event_loop(self):
        # version specific: 3.12-3.13 warn, 3.14 and uvloop 0.23 raise
        if (self._implicit != OK and
                threading.current_thread() is threading.main_thread()):
            no_loop = self._no_loop_set()
            if no_loop:
                record('implicit-loop')
                loop = self.new_event_loop()
                self._base.set_event_loop(loop)
                return loop
            if no_loop is None:  # a policy we cannot look into
                with warnings.catch_warnings():
                    warnings.simplefilter('ignore', DeprecationWarning)
                    return self._base.get_event_loop()
        return self._base.get_event_loop()

    def set_event_loop(self, loop):
        return self._base.set_event_loop(loop)

    def new_event_loop(self):
        if self._loop_class is not None:
            return self._loop_class()
        return self._base.new_event_loop()

    def get_child_watcher(self):
        return self._base.get_child_watcher()

    def set_child_watcher(self, watcher):
        return self._base.set_child_watcher(watcher)


def _shim_policy(env):
    f, p = env.f, env.p
    events = asyncio.events
    orig_set = events.set_event_loop_policy
    # Restored as it was: possibly None (no policy made yet).
    saved = events._event_loop_policy
    base = events.get_event_loop_policy()
    p.set(events, '_event_loop_policy', saved)
    if (f.generators_are_coroutines and
            compat.implicit_loop_state(type(base)) == OK):
        return
    orig_set(LegacyPolicy(base, env))

    def set_event_loop_policy(policy):
        if policy is None:
            policy = asyncio.DefaultEventLoopPolicy()
        if not isinstance(policy, LegacyPolicy):
            policy = LegacyPolicy(policy, env)
        orig_set(policy)
    functools.update_wrapper(set_event_loop_policy, orig_set)
    p.set(asyncio, 'set_event_loop_policy', set_event_loop_policy)
    if not f.generators_are_coroutines:
        factory = getattr(base, '_loop_factory', None)
        if isinstance(factory, type):
            p.set(asyncio, 'SelectorEventLoop', _loop_class(
                env, asyncio.SelectorEventLoop))
        uvloop = env.uvloop
        if uvloop is not None:
            # Loops made with uvloop.new_event_loop() (test plugins, 2016+
            # code) take generators too; uvloop.Loop stays the class.
            uv_class = _loop_class(env, uvloop.Loop)
            p.set(uvloop, 'new_event_loop', functools.wraps(
                uvloop.new_event_loop)(lambda: uv_class()))


def _uvloop():
    # uvloop if it is installed, imported now (before asyncio's names are
    # replaced: it keeps a reference to asyncio.ensure_future).
    import importlib.util
    if 'uvloop' not in sys.modules and \
            importlib.util.find_spec('uvloop') is None:
        return None
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop


# --- h: Server.wait_closed ---------------------------------------------------


def _shim_wait_closed(env):
    if not env.f.wait_closed_waits_for_clients:
        return
    server_cls = asyncio.base_events.Server
    orig = server_cls.__dict__['wait_closed']

    @functools.wraps(orig)
    async def wait_closed(self):
        if getattr(self, '_sockets', ()) is None:
            # Listening sockets closed: 3.4 returned here.
            if getattr(self, '_waiters', None) is not None:
                record('Server.wait_closed')
            return None
        return await orig(self)
    env.p.set(server_cls, 'wait_closed', wait_closed)


# --- i: our streams ----------------------------------------------------------


def _counted(name, func):
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        record('streams')
        return func(*args, **kwargs)
    return wrapper


def _shim_streams(env):
    p = env.p
    ours = {}
    for name in STREAM_NAMES:
        obj = getattr(trollius_streams, name, None)
        if obj is None:
            continue  # no AF_UNIX here
        if name in _STREAM_FUNCTIONS:
            obj = _counted(name, obj)
        ours[name] = obj
        p.set(asyncio, name, obj)
    real = sys.modules['asyncio.streams']
    proxy = types.ModuleType(real.__name__, real.__doc__)
    proxy.__dict__.update(real.__dict__)
    proxy.__dict__.update(ours)
    proxy.__trollius_streams_legacy__ = True
    p.set(asyncio, 'streams', proxy)
    p.set_item(sys.modules, 'asyncio.streams', proxy)


# --- l: CancelledError as an Exception ---------------------------------------


def _shim_cancelled(env):
    if not env.cancelled_is_exception or env.f.cancelled_is_exception:
        return
    cls = asyncio.CancelledError
    bases = cls.__bases__
    cls.__bases__ = (Exception,)
    env.p.on_undo(lambda: setattr(cls, '__bases__', bases))
    _usage.current().counts.setdefault('cancelled-is-exception', 1)


def apply(patches, cancelled_is_exception=False):
    """Install every shim this Python needs into the ``patches`` journal."""
    env = _Env(compat.legacy_features(), patches, cancelled_is_exception)
    if not env.f.generators_are_coroutines:
        env.uvloop = _uvloop()  # first: see _uvloop()
    _shim_coroutine_and_async(env)
    _shim_helpers(env)
    _shim_loop_classes(env)
    _shim_locks(env)
    _shim_task(env)
    _shim_policy(env)
    _shim_wait_closed(env)
    _shim_streams(env)
    _shim_cancelled(env)
    return env
