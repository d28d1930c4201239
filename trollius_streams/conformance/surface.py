"""Scenarios: the package surface and the coroutine model (API, CO).

Which names a target provides, its default limit, and that its coroutine
functions return coroutine objects that every asyncio entry point takes.
"""

import asyncio
import os
import socket
import tempfile

from .. import compat
from .core import Fail, NotApplicable, define_rules, register
from .fakes import (UNIX, FakeTransport, await_in_async_def, close_server,
                    discard, new_reader, refused_port)

define_rules({
    'API-1': 'The module exports the 3.4 stream functions and classes.',
    'API-4': 'The default buffer limit is 64 KiB (65536 bytes).',
    'CO-1':
        'The stream functions and read methods are coroutines: calling one '
        'runs nothing.',
    'CO-2':
        'Their coroutine objects work with Task(), create_task(), await, '
        'gather() and wait_for().',
    'CO-5':
        'Made inside a running coroutine with no loop given, readers use '
        'the running loop.',
})


# --- 1. Package surface ------------------------------------------------------


@register('API-1', 'exports',
           'The module provides open_connection(), start_server(), '
           'StreamReader, StreamWriter, StreamReaderProtocol and '
           'IncompleteReadError.', label='DOC')
def _exports(t):
    # run_scenario already reports a target without them as n/a, so check
    # what they are.
    for name in ('StreamReader', 'StreamWriter', 'StreamReaderProtocol'):
        t.check(isinstance(getattr(t.mod, name), type),
                '%s is %s' % (name, t.short(getattr(t.mod, name))),
                '%s is a class' % name)
    t.check(issubclass(t.mod.IncompleteReadError, BaseException),
            'IncompleteReadError is not an exception class',
            'an exception class')
    for name in ('open_connection', 'start_server'):
        t.check(callable(getattr(t.mod, name)),
                '%s is not callable' % name, 'a coroutine function')


@register('API-1', 'unix-exports',
           'open_unix_connection() and start_unix_server(): '
           'Availability: UNIX.', label='DOC')
def _unix_exports(t):
    if not hasattr(socket, 'AF_UNIX'):
        raise NotApplicable('no AF_UNIX on this platform')
    missing = [n for n in UNIX if not callable(getattr(t.mod, n, None))]
    t.check(not missing, 'missing: %s' % ', '.join(missing),
            'both provided where AF_UNIX exists')


@register('API-4', 'default-limit',
           'StreamReader(limit=None, ...): the default buffer limit is 64 KiB '
           '(reading pauses once more than 2*65536 bytes are buffered).',
           label='3.4')
def _default_limit(t):
    r = t.mod.StreamReader(loop=t.loop)
    tr = FakeTransport()
    r.set_transport(tr)
    r.feed_data(b'x' * 131072)
    t.check(not tr.paused, 'paused at 131072 bytes', 'not paused yet')
    r.feed_data(b'x')
    t.check(tr.paused, 'not paused at 131073 bytes',
            'pause_reading() past 131072 bytes')


# --- 2. Coroutine model ------------------------------------------------------


@register('CO-1', 'read-methods-are-coroutines',
           'read(), readline(), readexactly(): This method is a coroutine '
           '(calling it runs nothing; running the result does the work).',
           label='DOC')
def _read_coroutines(t):
    exc = ValueError('stored')
    for name, args in (('read', ()), ('readline', ()), ('readexactly', (1,))):
        r = new_reader(t)
        r.set_exception(exc)
        try:
            obj = getattr(r, name)(*args)
        except Exception as e:
            raise Fail('%s() %s at call time' % (name, t.short(e)),
                       'a coroutine object; the exception when it runs')
        t.check(compat.iscoroutine(obj), '%s() returned %s'
                % (name, t.short(obj)), 'a coroutine object')
        got = t.raises(ValueError, obj)
        t.check(got is exc, '%s() raised %s' % (name, t.short(got)),
                'the stored exception')


@register('CO-1', 'functions-are-coroutines',
           'open_connection(), start_server(), open_unix_connection(), '
           'start_unix_server(): This function is a coroutine.', label='DOC')
def _function_coroutines(t):
    port = refused_port()
    try:
        obj = t.mod.open_connection('127.0.0.1', port)
    except Exception as e:
        raise Fail('open_connection() %s at call time' % t.short(e),
                   'a coroutine object; the error when it runs')
    t.check(compat.iscoroutine(obj), 'open_connection() returned %s'
            % t.short(obj), 'a coroutine object')
    t.raises(OSError, obj)
    obj = t.mod.start_server(lambda r, w: None, '127.0.0.1', 0)
    t.check(compat.iscoroutine(obj), 'start_server() returned %s'
            % t.short(obj), 'a coroutine object')
    server = t.run(obj)
    t.on_cleanup(close_server, server)
    if hasattr(socket, 'AF_UNIX'):
        for name in UNIX:
            func = getattr(t.mod, name, None)
            if func is None:
                continue
            args = ((lambda r, w: None),) if name == 'start_unix_server' else ()
            obj = func(*args, path=os.path.join(tempfile.gettempdir(),
                                                'ts-conf-never-created'))
            t.check(compat.iscoroutine(obj), '%s() returned %s'
                    % (name, t.short(obj)), 'a coroutine object')
            discard(obj)


@register('CO-2', 'asyncio-Task-accepts',
           '3.4 idiom: asyncio.Task(reader.readline(), loop=loop) and '
           'loop.create_task(...) take the coroutine object.',
           label='Decision')
def _task_accepts(t):
    r = new_reader(t)
    try:
        task = asyncio.Task(r.readline(), loop=t.loop)
    except Exception as e:
        raise Fail('asyncio.Task(reader.readline()) ' + t.short(e),
                   'a Task')
    r.feed_data(b'one\ntwo\n')
    t.equal(t.wait_task(task), b'one\n')
    try:
        task = t.loop.create_task(r.readline())
    except Exception as e:
        raise Fail('loop.create_task(reader.readline()) ' + t.short(e),
                   'a Task')
    t.equal(t.wait_task(task), b'two\n')


@register('CO-2', 'await-in-async-def',
           'The coroutine objects also work with await inside async def.',
           label='Decision')
def _await_works(t):
    r = new_reader(t)
    r.feed_data(b'line\n')
    t.returns(await_in_async_def(r.readline()), b'line\n')


@register('CO-2', 'gather-and-wait_for',
           'The coroutine objects work with asyncio.gather() and '
           'asyncio.wait_for().', label='Decision')
def _gather(t):
    r1, r2 = new_reader(t), new_reader(t)

    @compat.coroutine
    def body():
        t.loop.call_soon(r1.feed_data, b'a\nrest')
        t.loop.call_soon(r2.feed_data, b'b\n')
        t.loop.call_soon(r1.feed_eof)
        lines = yield from asyncio.gather(r1.readline(), r2.readline())
        rest = yield from asyncio.wait_for(r1.read(), 5)
        return lines, rest
    t.returns(body(), ([b'a\n', b'b\n'], b'rest'))


@register('CO-5', 'running-loop-by-default',
           'StreamReader(limit=None, loop=None) and StreamReaderProtocol(...) '
           'made inside a running coroutine use the running loop.',
           label='Decision')
def _running_loop(t):
    @compat.coroutine
    def body():
        r = t.mod.StreamReader()
        t.mod.StreamReaderProtocol(r)
        t.loop.call_soon(r.feed_data, b'line\n')
        return (yield from r.readline())
    t.returns(body(), b'line\n')
