#!/usr/bin/env python
"""Benchmark: trollius_streams vs the running Python's asyncio streams vs raw Protocols.

Three implementations of the same workloads, over TCP loopback (or a UNIX
socket with --unix), on the stdlib event loop or uvloop (--loop uvloop):

* ``ours``   - trollius_streams in yield-from style (``yield from w.drain()``),
               each side driven by a Task;
* ``stdlib`` - asyncio streams written the idiomatic way for this Python
               (``async def``/``await``, no ``loop=`` argument);
* ``raw``    - hand-written asyncio.Protocol code: the practical ceiling;
* ``floor``  - (echo and conns only) the least stream code that still waits
               the way contract RD-8c requires every stream to: a Protocol that
               appends to a bytes buffer and wakes a Future, read by a native
               coroutine, no drain, no checks.  No conforming stream library
               can do less work per round trip, so floor/stdlib bounds what
               any of them can reach there.

Every measured run is a fresh process (earlier runs in one process change the
allocator state), and the implementations are alternated over several rounds.
Per workload the table gives the median value of each implementation and the
median and minimum over the rounds of ours/stdlib and ours/raw (per-round
ratios, so a slow round on a shared machine hits all three alike).

    python bench/bench.py                     # all workloads, 7 rounds
    python bench/bench.py --loop uvloop --unix -k lines -k echo --rounds 9
    python bench/bench.py --quick --rounds 1  # smoke run

Runs on CPython 3.6-3.13 (uvloop where installed).
"""

from __future__ import print_function

import argparse
import asyncio
import json
import os
import platform
import shutil
import statistics
import struct
import subprocess
import sys
import tempfile
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

import trollius_streams as ts  # noqa: E402
from trollius_streams._loops import new_loop  # noqa: E402

IMPLS = ('ours', 'stdlib', 'raw', 'floor')
#: Workloads with a ``floor`` implementation (see FloorStream).
FLOOR_WORKLOADS = ('echo', 'conns')
#: Issue 3's targets, ours / stdlib.
TARGETS = {'bulk': 2.0, 'lines': 2.5, 'frames_100': 2.0, 'frames_4k': 1.3,
           'echo': 1.2, 'conns': 1.0}
SPEED_WORKLOADS = ('bulk', 'lines', 'frames_100', 'frames_4k', 'echo', 'conns')
MEMORY_WORKLOADS = ('mem_readexactly', 'mem_slow_reader')
ALL_WORKLOADS = SPEED_WORKLOADS + MEMORY_WORKLOADS
UNITS = {'bulk': 'MB/s', 'lines': 'lines/s', 'frames_100': 'msg/s',
         'frames_4k': 'msg/s', 'echo': 'rt/s', 'conns': 'conn/s'}

FULL = dict(bulk_total=128 * 2 ** 20, lines=500000, frames_100=400000,
            frames_4k=60000, echo=20000, conns=400, conns_echoes=5,
            mem_n=64 * 2 ** 20, slow_total=16 * 2 ** 20)
QUICK = dict(bulk_total=16 * 2 ** 20, lines=60000, frames_100=50000,
             frames_4k=8000, echo=2000, conns=100, conns_echoes=5,
             mem_n=8 * 2 ** 20, slow_total=2 * 2 ** 20)

LIMIT = 2 ** 16          # the reader limit of both stream libraries
now = time.perf_counter


# --- Data -------------------------------------------------------------------

def lines_block(nlines):
    # ~40-byte lines, sent in blocks of 4096 lines (160 KiB writes).
    return b''.join(b'line %034d\n' % i for i in range(nlines))


def frames_block(size, count):
    payload = b'p' * size
    return (struct.pack('>I', size) + payload) * count


def chunked(total_items, per_block):
    """Split ``total_items`` into block counts of at most ``per_block``."""
    blocks = []
    while total_items > 0:
        blocks.append(min(per_block, total_items))
        total_items -= per_block
    return blocks


class Plan(object):
    """What the sender writes for one workload: a list of byte blocks."""

    def __init__(self, workload, cfg):
        self.workload = workload
        if workload == 'bulk':
            chunk = b'x' * 65536
            self.blocks = [chunk] * (cfg['bulk_total'] // 65536)
            self.count = cfg['bulk_total']
        elif workload == 'lines':
            full = lines_block(4096)
            self.blocks = [full if n == 4096 else full[:40 * n]
                           for n in chunked(cfg['lines'], 4096)]
            self.count = cfg['lines']
        elif workload in ('frames_100', 'frames_4k'):
            size = 100 if workload == 'frames_100' else 4096
            per = max(1, 2 ** 18 // (size + 4))
            full = frames_block(size, per)
            self.blocks = [full if n == per else full[:(size + 4) * n]
                           for n in chunked(cfg[workload], per)]
            self.count = cfg[workload]
            self.size = size
        elif workload in ('mem_readexactly', 'mem_slow_reader'):
            total = cfg['mem_n' if workload == 'mem_readexactly' else 'slow_total']
            chunk = b'm' * 65536
            self.blocks = [chunk] * (total // 65536)
            self.count = total


# --- Addresses ----------------------------------------------------------------

class Addr(object):
    def __init__(self, unix):
        self.unix = unix
        self.tmpdir = tempfile.mkdtemp(prefix='tsbench') if unix else None
        self.path = os.path.join(self.tmpdir, 's') if unix else None
        self.port = None

    def set_from(self, server):
        if not self.unix:
            self.port = server.sockets[0].getsockname()[1]

    def cleanup(self):
        if self.tmpdir:
            shutil.rmtree(self.tmpdir, ignore_errors=True)


# --- ours: trollius_streams, yield-from style ----------------------------------

@ts.coroutine
def ours_server(handler, loop, addr):
    if addr.unix:
        server = yield from ts.start_unix_server(handler, addr.path, loop=loop,
                                                 backlog=1024)
    else:
        server = yield from ts.start_server(handler, '127.0.0.1', 0, loop=loop,
                                            backlog=1024)
    addr.set_from(server)
    return server


@ts.coroutine
def ours_connect(loop, addr):
    if addr.unix:
        return (yield from ts.open_unix_connection(addr.path, loop=loop))
    return (yield from ts.open_connection('127.0.0.1', addr.port, loop=loop))


def ours_sender(plan):
    @ts.coroutine
    def handler(reader, writer):
        for block in plan.blocks:
            writer.write(block)
            yield from writer.drain()
        writer.close()
    return handler


@ts.coroutine
def ours_echo_handler(reader, writer):
    while True:
        line = yield from reader.readline()
        if not line:
            break
        writer.write(line)
        yield from writer.drain()
    writer.close()


@ts.coroutine
def ours_stream(loop, addr, workload, cfg):
    plan = Plan(workload, cfg) if workload not in ('echo', 'conns') else None
    if plan is not None:
        server = yield from ours_server(ours_sender(plan), loop, addr)
    else:
        server = yield from ours_server(ours_echo_handler, loop, addr)
    result = {}
    try:
        if workload == 'conns':
            result = yield from ours_conns(loop, addr, cfg)
            return result
        reader, writer = yield from ours_connect(loop, addr)
        t0 = now()
        if workload == 'bulk':
            n = 0
            read = reader.read
            while True:
                data = yield from read(65536)
                if not data:
                    break
                n += len(data)
            assert n == plan.count, n
            result['value'] = n / (now() - t0) / 1e6
        elif workload == 'lines':
            n = 0
            readline = reader.readline
            while True:
                line = yield from readline()
                if not line:
                    break
                n += 1
            assert n == plan.count, n
            result['value'] = n / (now() - t0)
        elif workload.startswith('frames'):
            readexactly = reader.readexactly
            unpack = struct.Struct('>I').unpack
            for _ in range(plan.count):
                header = yield from readexactly(4)
                payload = yield from readexactly(unpack(header)[0])
            assert len(payload) == plan.size
            result['value'] = plan.count / (now() - t0)
        elif workload == 'echo':
            msg = b'e' * 63 + b'\n'
            readline = reader.readline
            write = writer.write
            for _ in range(cfg['echo']):
                write(msg)
                yield from writer.drain()
                line = yield from readline()
            assert line == msg
            result['value'] = cfg['echo'] / (now() - t0)
        elif workload == 'mem_readexactly':
            tracemalloc.start()
            data = yield from reader.readexactly(plan.count)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert len(data) == plan.count
            del data
            result['value'] = peak / plan.count
        elif workload == 'mem_slow_reader':
            n = 0
            while True:
                data = yield from reader.read(4096)
                if not data:
                    break
                n += len(data)
                yield from asyncio.sleep(0)
            assert n == plan.count
            result['value'] = n
        writer.close()
    finally:
        server.close()
        yield from server.wait_closed()
    return result


@ts.coroutine
def ours_conns(loop, addr, cfg):
    msg = b'c' * 63 + b'\n'
    echoes = cfg['conns_echoes']

    @ts.coroutine
    def client():
        reader, writer = yield from ours_connect(loop, addr)
        for _ in range(echoes):
            writer.write(msg)
            yield from writer.drain()
            line = yield from reader.readline()
            assert line == msg
        writer.close()

    t0 = now()
    tasks = [loop.create_task(client()) for _ in range(cfg['conns'])]
    yield from asyncio.gather(*tasks)
    return {'value': cfg['conns'] / (now() - t0)}


# --- stdlib: asyncio streams, idiomatic async/await -----------------------------

async def std_server(handler, addr):
    if addr.unix:
        server = await asyncio.start_unix_server(handler, addr.path, backlog=1024)
    else:
        server = await asyncio.start_server(handler, '127.0.0.1', 0, backlog=1024)
    addr.set_from(server)
    return server


async def std_connect(addr):
    if addr.unix:
        return await asyncio.open_unix_connection(addr.path)
    return await asyncio.open_connection('127.0.0.1', addr.port)


def std_sender(plan):
    async def handler(reader, writer):
        for block in plan.blocks:
            writer.write(block)
            await writer.drain()
        writer.close()
    return handler


async def std_echo_handler(reader, writer):
    while True:
        line = await reader.readline()
        if not line:
            break
        writer.write(line)
        await writer.drain()
    writer.close()


async def std_stream(loop, addr, workload, cfg):
    plan = Plan(workload, cfg) if workload not in ('echo', 'conns') else None
    handler = std_sender(plan) if plan is not None else std_echo_handler
    server = await std_server(handler, addr)
    result = {}
    try:
        if workload == 'conns':
            return await std_conns(addr, cfg)
        reader, writer = await std_connect(addr)
        t0 = now()
        if workload == 'bulk':
            n = 0
            read = reader.read
            while True:
                data = await read(65536)
                if not data:
                    break
                n += len(data)
            assert n == plan.count, n
            result['value'] = n / (now() - t0) / 1e6
        elif workload == 'lines':
            n = 0
            readline = reader.readline
            while True:
                line = await readline()
                if not line:
                    break
                n += 1
            assert n == plan.count, n
            result['value'] = n / (now() - t0)
        elif workload.startswith('frames'):
            readexactly = reader.readexactly
            unpack = struct.Struct('>I').unpack
            for _ in range(plan.count):
                header = await readexactly(4)
                payload = await readexactly(unpack(header)[0])
            assert len(payload) == plan.size
            result['value'] = plan.count / (now() - t0)
        elif workload == 'echo':
            msg = b'e' * 63 + b'\n'
            readline = reader.readline
            write = writer.write
            for _ in range(cfg['echo']):
                write(msg)
                await writer.drain()
                line = await readline()
            assert line == msg
            result['value'] = cfg['echo'] / (now() - t0)
        elif workload == 'mem_readexactly':
            tracemalloc.start()
            data = await reader.readexactly(plan.count)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            assert len(data) == plan.count
            del data
            result['value'] = peak / plan.count
        elif workload == 'mem_slow_reader':
            n = 0
            while True:
                data = await reader.read(4096)
                if not data:
                    break
                n += len(data)
                await asyncio.sleep(0)
            assert n == plan.count
            result['value'] = n
        writer.close()
    finally:
        server.close()
        await server.wait_closed()
    return result


async def std_conns(addr, cfg):
    msg = b'c' * 63 + b'\n'
    echoes = cfg['conns_echoes']

    async def client():
        reader, writer = await std_connect(addr)
        for _ in range(echoes):
            writer.write(msg)
            await writer.drain()
            line = await reader.readline()
            assert line == msg
        writer.close()

    t0 = now()
    await asyncio.gather(*[client() for _ in range(cfg['conns'])])
    return {'value': cfg['conns'] / (now() - t0)}


# --- raw: hand-written Protocols (the ceiling) --------------------------------

class RawSender(asyncio.Protocol):
    def __init__(self, blocks):
        self.blocks = blocks
        self.paused = False

    def connection_made(self, transport):
        self.transport = transport
        self.it = iter(self.blocks)
        self.send()

    def send(self):
        write = self.transport.write
        for block in self.it:
            write(block)
            if self.paused:
                return
        self.transport.close()

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.send()


class RawReceiver(asyncio.Protocol):
    """Parses the stream the way the workload's reader does."""

    def __init__(self, workload, plan, done):
        self.workload = workload
        self.plan = plan
        self.done = done
        self.rest = b''
        self.count = 0
        self.chunks = []
        self.size = 0
        self.t0 = None

    def connection_made(self, transport):
        self.transport = transport
        self.t0 = now()
        if self.workload == 'mem_readexactly':
            tracemalloc.start()

    def data_received(self, data):
        w = self.workload
        if w == 'bulk':
            self.count += len(data)
        elif w == 'lines':
            if self.rest:
                data = self.rest + data
            find = data.find
            pos = 0
            n = 0
            while True:
                i = find(b'\n', pos) + 1
                if not i:
                    break
                data[pos:i]  # the line, as a reader would take it
                pos = i
                n += 1
            self.rest = data[pos:]
            self.count += n
        elif w.startswith('frames'):
            if self.rest:
                data = self.rest + data
            pos = 0
            end = len(data)
            n = 0
            unpack_from = struct.Struct('>I').unpack_from
            while end - pos >= 4:
                size = unpack_from(data, pos)[0]
                if end - pos - 4 < size:
                    break
                data[pos + 4:pos + 4 + size]  # the payload
                pos += 4 + size
                n += 1
            self.rest = data[pos:]
            self.count += n
            if self.count == self.plan.count and not self.done.done():
                self.done.set_result(self.plan.count / (now() - self.t0))
        elif w == 'mem_readexactly':
            self.chunks.append(data)
            self.size += len(data)
            if self.size >= self.plan.count and not self.done.done():
                result = b''.join(self.chunks)
                del self.chunks[:]
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                del result
                self.done.set_result(peak / self.plan.count)
        elif w == 'mem_slow_reader':
            self.count += len(data)

    def eof_received(self):
        dt = now() - self.t0
        w = self.workload
        if self.done.done():
            return
        if w == 'bulk':
            self.done.set_result(self.count / dt / 1e6)
        elif w == 'lines':
            self.done.set_result(self.count / dt)
        elif w == 'mem_slow_reader':
            self.done.set_result(self.count)


class RawEchoServer(asyncio.Protocol):
    def connection_made(self, transport):
        self.transport = transport
        self.rest = b''

    def data_received(self, data):
        if self.rest:
            data = self.rest + data
        i = data.rfind(b'\n') + 1
        if i:
            self.transport.write(data[:i])
        self.rest = data[i:]


class RawEchoClient(asyncio.Protocol):
    def __init__(self, msg, count, done):
        self.msg = msg
        self.left = count
        self.done = done
        self.rest = b''

    def connection_made(self, transport):
        self.transport = transport
        transport.write(self.msg)

    def data_received(self, data):
        if self.rest:
            data = self.rest + data
        i = data.find(b'\n') + 1
        if not i:
            self.rest = data
            return
        self.rest = data[i:]
        self.left -= 1
        if self.left:
            self.transport.write(self.msg)
        else:
            self.transport.close()
            self.done.set_result(None)


async def raw_stream(loop, addr, workload, cfg):
    if workload in ('echo', 'conns'):
        plan = None
        server_factory = RawEchoServer
    else:
        plan = Plan(workload, cfg)
        server_factory = lambda: RawSender(plan.blocks)  # noqa: E731
    if addr.unix:
        server = await loop.create_unix_server(server_factory, addr.path,
                                               backlog=1024)
    else:
        server = await loop.create_server(server_factory, '127.0.0.1', 0,
                                          backlog=1024)
    addr.set_from(server)

    def connect(factory):
        if addr.unix:
            return loop.create_unix_connection(factory, addr.path)
        return loop.create_connection(factory, '127.0.0.1', addr.port)

    try:
        if workload == 'echo':
            done = loop.create_future()
            msg = b'e' * 63 + b'\n'
            await connect(lambda: RawEchoClient(msg, cfg['echo'], done))
            t0 = now()   # the first request left in connection_made
            await done
            return {'value': cfg['echo'] / (now() - t0)}
        if workload == 'conns':
            msg = b'c' * 63 + b'\n'

            async def client():
                done = loop.create_future()
                await connect(lambda: RawEchoClient(msg, cfg['conns_echoes'], done))
                await done

            t0 = now()
            await asyncio.gather(*[client() for _ in range(cfg['conns'])])
            return {'value': cfg['conns'] / (now() - t0)}
        done = loop.create_future()
        transport, _ = await connect(lambda: RawReceiver(workload, plan, done))
        value = await done
        transport.close()
        return {'value': value}
    finally:
        server.close()
        await server.wait_closed()


# --- floor: the least stream-shaped code (echo and conns) ----------------------

class FloorStream(asyncio.Protocol):
    """Reader and writer in one, with nothing but what a stream must do.

    A read call that finds no line waits on a Future that data_received()
    completes, so the reading coroutine resumes one loop iteration after the
    data arrived, as contract RD-8c requires of every stream (raw Protocols answer
    inside data_received() and skip that iteration).  No limit, no flow
    control, no drain, no error handling: not a usable library, a bound.
    """

    def __init__(self, loop, handler=None):
        self.loop = loop
        self.handler = handler
        self.buf = b''
        self.waiter = None
        self.eof = False

    def connection_made(self, transport):
        self.transport = transport
        if self.handler is not None:
            self.loop.create_task(self.handler(self))

    def data_received(self, data):
        self.buf += data
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def eof_received(self):
        self.eof = True
        waiter = self.waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    async def readline(self):
        while True:
            buf = self.buf
            i = buf.find(b'\n') + 1
            if i:
                self.buf = buf[i:]
                return buf[:i]
            if self.eof:
                self.buf = b''
                return buf
            self.waiter = self.loop.create_future()
            await self.waiter
            self.waiter = None


async def floor_echo_handler(stream):
    while True:
        line = await stream.readline()
        if not line:
            break
        stream.transport.write(line)
    stream.transport.close()


async def floor_stream(loop, addr, workload, cfg):
    def serve():
        return FloorStream(loop, floor_echo_handler)

    if addr.unix:
        server = await loop.create_unix_server(serve, addr.path, backlog=1024)
    else:
        server = await loop.create_server(serve, '127.0.0.1', 0, backlog=1024)
    addr.set_from(server)

    async def connect():
        if addr.unix:
            _, stream = await loop.create_unix_connection(
                lambda: FloorStream(loop), addr.path)
        else:
            _, stream = await loop.create_connection(
                lambda: FloorStream(loop), '127.0.0.1', addr.port)
        return stream

    async def client(msg, count):
        stream = await connect()
        write = stream.transport.write
        for _ in range(count):
            write(msg)
            line = await stream.readline()
        assert line == msg
        stream.transport.close()

    try:
        if workload == 'echo':
            stream = await connect()
            msg = b'e' * 63 + b'\n'
            write = stream.transport.write
            readline = stream.readline
            t0 = now()
            for _ in range(cfg['echo']):
                write(msg)
                line = await readline()
            assert line == msg
            value = cfg['echo'] / (now() - t0)
            stream.transport.close()
            return {'value': value}
        msg = b'c' * 63 + b'\n'
        t0 = now()
        await asyncio.gather(*[client(msg, cfg['conns_echoes'])
                               for _ in range(cfg['conns'])])
        return {'value': cfg['conns'] / (now() - t0)}
    finally:
        server.close()
        await server.wait_closed()


# --- Slow-reader instrumentation ---------------------------------------------

def instrument_feed(reader_class, stats):
    """Record the unread bytes after each feed_data (and the largest receive)."""
    original = reader_class.feed_data

    def feed_data(self, data):
        original(self, data)
        stats['max_recv'] = max(stats['max_recv'], len(data))
        held = len(self._buffer)
        if held > stats['peak_held']:
            stats['peak_held'] = held
        # Bytes kept alive, counting an already-consumed prefix of the head
        # chunk that trollius_streams keeps until the chunk is used up.
        retained = (len(self._head) + self._outside_head if hasattr(self, '_head')
                    else held)
        if retained > stats['peak_retained']:
            stats['peak_retained'] = retained
    reader_class.feed_data = feed_data


# --- Worker -----------------------------------------------------------------

def settle_allocator():
    """Put the C allocator in the same, steady state for every implementation.

    glibc malloc serves a request at or above its mmap threshold (128 KiB at
    start) with a fresh mmap unless the top of the heap happens to have room,
    and the transports allocate a 256 KiB buffer for every recv().  Whether a
    run then pays mmap + mremap + munmap per receive depended on accidental
    heap layout: strace of one echo run showed 4000 of each for ours and raw
    and none for stdlib, which made stdlib's echo 2x faster than raw.
    Freeing one large mmapped block raises glibc's (dynamic) threshold above
    the recv size, the state a long-running process reaches anyway.
    """
    block = bytearray(2 ** 20)
    del block


def worker(args):
    cfg = QUICK if args.quick else FULL
    settle_allocator()
    loop = new_loop(args.loop)
    asyncio.set_event_loop(loop)
    addr = Addr(args.unix)
    stats = {'max_recv': 0, 'peak_held': 0, 'peak_retained': 0}
    if args.workload == 'mem_slow_reader' and args.impl in ('ours', 'stdlib'):
        instrument_feed(ts.StreamReader if args.impl == 'ours'
                        else asyncio.StreamReader, stats)
    try:
        if args.impl == 'ours':
            coro = ours_stream(loop, addr, args.workload, cfg)
            result = loop.run_until_complete(loop.create_task(coro))
        elif args.impl == 'stdlib':
            result = loop.run_until_complete(std_stream(loop, addr, args.workload, cfg))
        elif args.impl == 'raw':
            result = loop.run_until_complete(raw_stream(loop, addr, args.workload, cfg))
        else:
            result = loop.run_until_complete(floor_stream(loop, addr, args.workload, cfg))
        if args.workload == 'mem_slow_reader':
            result.update(stats)
            result['value'] = stats['peak_held']
    finally:
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
        addr.cleanup()
    print('RESULT ' + json.dumps(result))


# --- Parent -----------------------------------------------------------------

def run_one(args, impl, workload):
    cmd = [sys.executable, os.path.abspath(__file__), '--worker',
           '--impl', impl, '-k', workload, '--loop', args.loop]
    if args.quick:
        cmd.append('--quick')
    if args.unix:
        cmd.append('--unix')
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          timeout=args.timeout)
    out = proc.stdout.decode('utf-8', 'replace')
    for line in out.splitlines():
        if line.startswith('RESULT '):
            return json.loads(line[7:])
    raise RuntimeError('%s/%s failed (rc %s):\n%s\n%s' % (
        impl, workload, proc.returncode, out,
        proc.stderr.decode('utf-8', 'replace')))


def machine_info():
    cpu = platform.processor() or platform.machine()
    try:
        with open('/proc/cpuinfo') as f:
            for line in f:
                if line.startswith('model name'):
                    cpu = line.split(':', 1)[1].strip()
                    break
    except OSError:
        pass
    return '%s, %d cores, %s' % (cpu, os.cpu_count() or 0, platform.system())


def fmt(v):
    if v >= 1000:
        return '{:,.0f}'.format(v)
    return '%.2f' % v


def describe(args):
    loopname = args.loop
    if args.loop == 'uvloop':
        import uvloop
        loopname = 'uvloop %s' % uvloop.__version__
    return 'Python %s (%s), loop %s, %s, %s%s' % (
        platform.python_version(), platform.python_implementation(), loopname,
        'UNIX socket' if args.unix else 'TCP loopback', machine_info(),
        ', --quick' if args.quick else '')


def parent(args):
    workloads = args.workload or list(ALL_WORKLOADS)
    for w in workloads:
        if w not in ALL_WORKLOADS:
            sys.exit('unknown workload %r (choose from %s)' % (w, ', '.join(ALL_WORKLOADS)))
    print('# ' + describe(args))
    print('# rounds=%d, one fresh process per run, implementations alternated'
          % args.rounds)
    sys.stdout.flush()
    results = {}
    rows = []
    for w in workloads:
        impls = impls_for(w)
        values = {impl: [] for impl in impls}
        rounds = args.rounds if w in SPEED_WORKLOADS else 1
        for r in range(rounds):
            # Rotate the order every round and reverse it every other round,
            # so that no implementation always runs first or after another.
            k = r % len(impls)
            order = impls[k:] + impls[:k]
            if r % 2:
                order = order[::-1]
            for impl in order:
                values[impl].append(run_one(args, impl, w))
            if args.verbose:
                print('  %s round %d: %s' % (w, r, {i: round(values[i][-1]['value'], 2)
                                                    for i in impls}))
                sys.stdout.flush()
        results[w] = values
        rows.append(summarise(w, values))
        print(rows[-1])
        sys.stdout.flush()
    print()
    print(table(workloads, results, args))
    if args.json:
        with open(args.json, 'w') as f:
            json.dump({'setup': describe(args), 'rounds': args.rounds,
                       'results': results}, f, indent=1)


def impls_for(workload):
    if workload in FLOOR_WORKLOADS:
        return IMPLS
    return tuple(i for i in IMPLS if i != 'floor')


def ratios(values, a, b):
    """Per-round ratios a/b (the same round ran both, back to back)."""
    if a not in values or b not in values:
        return None
    return [x['value'] / y['value'] for x, y in zip(values[a], values[b])]


def med_min(rs):
    if rs is None:
        return 'n/a'
    return '%.2f (%.2f)' % (statistics.median(rs), min(rs))


def summarise(w, values):
    if w in SPEED_WORKLOADS:
        text = '%-16s ours/stdlib %s | ours/raw %s | raw/stdlib %s' % (
            w, med_min(ratios(values, 'ours', 'stdlib')),
            med_min(ratios(values, 'ours', 'raw')),
            med_min(ratios(values, 'raw', 'stdlib')))
        if 'floor' in values:
            text += ' | floor/stdlib %s' % med_min(ratios(values, 'floor', 'stdlib'))
        return text
    return '%-16s %s' % (w, ' | '.join(
        '%s %s' % (impl, cell) for impl, cell in memory_cells(w, values)))


def memory_cells(w, values):
    """[(implementation, readable figure)] for a memory workload."""
    cells = []
    for impl in values:
        x = values[impl][0]
        if w == 'mem_slow_reader':
            bound = 2 * LIMIT + x['max_recv']
            worst = max(x['peak_held'], x['peak_retained'])
            text = '%d unread, %d retained (bound %d: %s)' % (
                x['peak_held'], x['peak_retained'], bound,
                'ok' if worst <= bound else 'OVER')
        else:
            text = 'peak/n %.2f' % statistics.median(
                [r['value'] for r in values[impl]])
        cells.append((impl, text))
    return cells


def table(workloads, results, args):
    """The README table: medians, then per-round ratios as median (min).

    ``raw/stdlib`` and ``floor/stdlib`` are the ceilings: what hand-written
    Protocol code, and the least code a conforming stream can run (echo and
    conns), reach against stdlib streams in the same rounds.
    """
    lines = ['| workload | unit | ours | stdlib | raw | floor | target | '
             'ours/stdlib median (min) | raw/stdlib | floor/stdlib | '
             'ours/raw |',
             '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|']
    for w in workloads:
        values = results[w]
        med = {i: statistics.median([x['value'] for x in values[i]])
               for i in values}
        if w in SPEED_WORKLOADS:
            lines.append('| %s | %s | %s | %s | %s | %s | %.1f | %s | %s | %s | %s |' % (
                w, UNITS[w], fmt(med['ours']), fmt(med['stdlib']), fmt(med['raw']),
                fmt(med['floor']) if 'floor' in med else 'n/a', TARGETS[w],
                med_min(ratios(values, 'ours', 'stdlib')),
                med_min(ratios(values, 'raw', 'stdlib')),
                med_min(ratios(values, 'floor', 'stdlib')),
                med_min(ratios(values, 'ours', 'raw'))))
        elif w == 'mem_readexactly':
            lines.append('| mem_readexactly | peak / n | %.2f | %.2f | %.2f | n/a '
                         '| <= 1.2 | | | | |' % (med['ours'], med['stdlib'], med['raw']))
        elif w == 'mem_slow_reader':
            cells = dict(memory_cells(w, values))
            lines.append('| mem_slow_reader | peak bytes held | %s | %s | n/a | n/a '
                         '| <= 2*limit + recv | | | | |'
                         % (cells['ours'], cells['stdlib']))
    return '\n'.join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    p.add_argument('-k', '--workload', action='append',
                   help='workload to run (repeatable): %s' % ', '.join(ALL_WORKLOADS))
    p.add_argument('--rounds', type=int, default=7)
    p.add_argument('--quick', action='store_true', help='small sizes (smoke run)')
    p.add_argument('--loop', choices=('asyncio', 'uvloop'), default='asyncio')
    p.add_argument('--unix', action='store_true', help='UNIX socket instead of TCP')
    p.add_argument('--json', help='also write all raw results to this file')
    p.add_argument('--timeout', type=float, default=600)
    p.add_argument('-v', '--verbose', action='store_true')
    p.add_argument('--worker', action='store_true', help=argparse.SUPPRESS)
    p.add_argument('--impl', choices=IMPLS, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.worker:
        args.workload = args.workload[0]
        worker(args)
    else:
        parent(args)


if __name__ == '__main__':
    main()
