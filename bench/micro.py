#!/usr/bin/env python
"""Per-call cost (microseconds) of the hot stream calls, ours vs stdlib.

Each figure is the best of several repeats of a loop that calls the method N
times on data already buffered (so no call has to wait and no event loop
runs), minus the cost of the empty loop.  The loops are driven directly with
``send(None)``, the way a Task drives them.

    python bench/micro.py [--n 200000] [--repeat 5]

Rows:
  readline            ``yield from r.readline()`` / ``await r.readline()``, 40-byte lines
  readline that waits readline() on an empty buffer, feed_data() of one line,
                      the call resumed to its result (no event loop: stream code only)
  readexactly(4)      ``readexactly(4)`` on 104-byte frames (header) ...
  readexactly(100)    ... and the 100-byte payload
  read(65536)         ``read(65536)`` of 64 KiB
  drain               ``yield from w.drain()`` (ours returns ``()``) / ``await w.drain()``
  coroutine: call     calling a ``@trollius_streams.coroutine`` generator function
                      (creation only) vs a ``types.coroutine`` generator function
  coroutine: yield from   ``yield from f()`` of a coroutine that returns at once
  coroutine: Task step    ``obj.send(None)`` to completion, as a Task does
"""

from __future__ import print_function

import argparse
import asyncio
import os
import sys
import time
import types

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import trollius_streams as ts  # noqa: E402
from trollius_streams import compat  # noqa: E402
from trollius_streams._loops import new_loop  # noqa: E402

now = time.perf_counter


def drive(coro):
    try:
        coro.send(None)
    except StopIteration:
        return
    raise RuntimeError('benchmark loop suspended')


def best(fn, repeat):
    times = []
    for _ in range(repeat):
        times.append(fn())
    return min(times)


class FakeTransport(object):
    closing = False

    def is_closing(self):
        return self.closing

    def write(self, data):
        pass

    def get_extra_info(self, name, default=None):
        return default

    def pause_reading(self):
        pass

    def resume_reading(self):
        pass

    def close(self):
        self.closing = True


def main():
    p = argparse.ArgumentParser()
    p.add_argument('--n', type=int, default=200000)
    p.add_argument('--repeat', type=int, default=5)
    args = p.parse_args()
    n = args.n
    loop = new_loop('asyncio')
    line = b'x' * 39 + b'\n'
    frame = b'\x00\x00\x00\x64' + b'p' * 100
    big = b'b' * 65536

    # --- empty loops (subtracted) ---
    @types.coroutine
    def g_empty():
        for _ in range(n):
            pass
        return
        yield

    async def a_empty():
        for _ in range(n):
            pass

    def timed(make):
        def run():
            coro = make()
            t0 = now()
            drive(coro)
            return now() - t0
        return run

    base_g = best(timed(g_empty), args.repeat)
    base_a = best(timed(a_empty), args.repeat)

    rows = []

    def per_call(t, base, calls=1):
        return (t - base) / n / calls * 1e6

    # --- readline ---
    def ours_reader(data):
        r = ts.StreamReader(limit=2 ** 30, loop=loop)
        r.feed_data(data)
        return r

    def std_reader(data):
        r = asyncio.StreamReader(limit=2 ** 30, loop=loop)
        r.feed_data(data)
        return r

    def g_readline():
        r = ours_reader(line * n)

        @types.coroutine
        def body():
            readline = r.readline
            for _ in range(n):
                yield from readline()
        return body()

    def a_readline():
        r = std_reader(line * n)

        async def body():
            readline = r.readline
            for _ in range(n):
                await readline()
        return body()

    rows.append(('readline', per_call(best(timed(g_readline), args.repeat), base_g),
                 per_call(best(timed(a_readline), args.repeat), base_a)))

    # --- readline that has to wait (the request/response path) ---
    # One cycle: readline() finds nothing and suspends on its Future,
    # feed_data() brings one line and completes the Future, the read call
    # resumes and returns the line.  No event loop runs: the cycle is driven
    # by hand, so this is the stream code alone.
    m_wait = max(1, n // 4)
    msg = b'x' * 63 + b'\n'

    def wait_cycles(make_reader):
        def run():
            reader = make_reader()
            readline, feed = reader.readline, reader.feed_data
            t0 = now()
            for _ in range(m_wait):
                coro = readline()
                # iter() gives the generator of ours (and of 3.6's stdlib);
                # native coroutines are driven through __await__.
                it = (coro.__await__() if isinstance(coro, types.CoroutineType)
                      else iter(coro))
                it.send(None)
                feed(msg)
                try:
                    it.send(None)
                except StopIteration:
                    pass
                else:
                    raise RuntimeError('read call did not finish')
            return now() - t0
        return run

    ours_wait = wait_cycles(lambda: ts.StreamReader(loop=loop))
    std_wait = wait_cycles(lambda: asyncio.StreamReader(loop=loop))

    rows.append(('readline that waits: suspend + feed_data + resume',
                 best(ours_wait, args.repeat) / m_wait * 1e6,
                 best(std_wait, args.repeat) / m_wait * 1e6))

    # --- readexactly ---
    def g_frames():
        r = ours_reader(frame * n)

        @types.coroutine
        def body():
            rx = r.readexactly
            for _ in range(n):
                yield from rx(4)
                yield from rx(100)
        return body()

    def a_frames():
        r = std_reader(frame * n)

        async def body():
            rx = r.readexactly
            for _ in range(n):
                await rx(4)
                await rx(100)
        return body()

    rows.append(('readexactly(4)+(100), per call',
                 per_call(best(timed(g_frames), args.repeat), base_g, 2),
                 per_call(best(timed(a_frames), args.repeat), base_a, 2)))

    # --- read(65536) ---
    m = max(1, n // 100)

    def g_read():
        r = ours_reader(big * m)

        @types.coroutine
        def body():
            rd = r.read
            for _ in range(m):
                yield from rd(65536)
        return body()

    def a_read():
        r = std_reader(big * m)

        async def body():
            rd = r.read
            for _ in range(m):
                await rd(65536)
        return body()

    t_o = best(timed(g_read), args.repeat)
    t_s = best(timed(a_read), args.repeat)
    rows.append(('read(65536) (incl. 64 KiB copy)', t_o / m * 1e6, t_s / m * 1e6))

    # --- drain ---
    def g_drain():
        r = ts.StreamReader(loop=loop)
        proto = ts.StreamReaderProtocol(r, loop=loop)
        w = ts.StreamWriter(FakeTransport(), proto, r, loop)

        @types.coroutine
        def body():
            drain = w.drain
            for _ in range(n):
                yield from drain()
            w.close()
        return body()

    def a_drain():
        r = asyncio.StreamReader(loop=loop)
        proto = asyncio.StreamReaderProtocol(r, loop=loop)
        w = asyncio.StreamWriter(FakeTransport(), proto, r, loop)

        async def body():
            drain = w.drain
            for _ in range(n):
                await drain()
            w.close()   # 3.11+ stdlib writers warn when collected open
        return body()

    rows.append(('drain (nothing to wait for)',
                 per_call(best(timed(g_drain), args.repeat), base_g),
                 per_call(best(timed(a_drain), args.repeat), base_a)))

    # --- coroutine machinery ---
    @compat.coroutine
    def ours_ret(x):
        return x
        yield

    @types.coroutine
    def gen_ret(x):
        return x
        yield

    async def native_ret(x):
        return x

    def loop_call(f):
        def run():
            t0 = now()
            for _ in range(n):
                f(1).close()
            return now() - t0
        return run

    def empty_close():
        t0 = now()
        for _ in range(n):
            pass
        return now() - t0

    base_plain = best(empty_close, args.repeat)
    rows.append(('coroutine: call + close',
                 per_call(best(loop_call(ours_ret), args.repeat), base_plain),
                 per_call(best(loop_call(native_ret), args.repeat), base_plain)))
    rows.append(('  (types.coroutine generator floor)',
                 per_call(best(loop_call(gen_ret), args.repeat), base_plain), None))

    def g_yf():
        @types.coroutine
        def body():
            for _ in range(n):
                yield from ours_ret(1)
        return body()

    def g_yf_floor():
        @types.coroutine
        def body():
            for _ in range(n):
                yield from gen_ret(1)
        return body()

    def a_yf():
        async def body():
            for _ in range(n):
                await native_ret(1)
        return body()

    rows.append(('coroutine: yield from f() / await f()',
                 per_call(best(timed(g_yf), args.repeat), base_g),
                 per_call(best(timed(a_yf), args.repeat), base_a)))
    rows.append(('  (types.coroutine generator floor)',
                 per_call(best(timed(g_yf_floor), args.repeat), base_g), None))

    def task_step(f):
        def run():
            t0 = now()
            for _ in range(n):
                try:
                    f(1).send(None)
                except StopIteration:
                    pass
            return now() - t0
        return run

    rows.append(('coroutine: call + send(None) (Task step)',
                 per_call(best(task_step(ours_ret), args.repeat), base_plain),
                 per_call(best(task_step(native_ret), args.repeat), base_plain)))

    loop.close()
    print('# Python %s, n=%d, best of %d; microseconds per call'
          % (sys.version.split()[0], n, args.repeat))
    print('# coroutine objects are %s' % (
        'generators' if compat.CoroutineObject is None else
        'compat.CoroutineObject wrappers'))
    print('| call | ours (us) | stdlib / native (us) | ratio |')
    print('|---|---:|---:|---:|')
    for name, o, s in rows:
        if s is None:
            print('| %s | %.3f | | |' % (name, o))
        else:
            print('| %s | %.3f | %.3f | %.2fx |' % (name, o, s, s / o if o > 0 else 0))


if __name__ == '__main__':
    main()
