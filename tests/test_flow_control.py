"""Flow control under load, over real loopback sockets, on every loop.

Nothing here looks at the clock: the bounds are asserted on the reader's
and the transport's own state, recorded at every step.

* Read side (FC-R1..FC-R3): a fast writer and a slow reader with a small
  limit.  A wrapper around the reader's feed_data records the buffer size
  before and after each call: data is never fed while more than
  ``2 * limit`` bytes are buffered (the transport is paused first), so the
  buffer never exceeds ``2 * limit`` plus one receive; every byte arrives
  intact and in order.
* Write side (FC-W1, FC-W2, DR-2, DR-4): a writer that calls drain() after
  every write() never lets ``transport.get_write_buffer_size()`` pass the
  high-water mark plus one write.
"""

import asyncio
import hashlib
import os
import socket

import pytest

from trollius_streams import (compat, coroutine, open_connection,
                              start_server)

HAS_UNIX = hasattr(socket, 'AF_UNIX')
if HAS_UNIX:
    from trollius_streams import open_unix_connection, start_unix_server

needs_unix = pytest.mark.skipif(not HAS_UNIX, reason='no AF_UNIX')
FAMILIES = ['tcp', pytest.param('unix', marks=needs_unix)]

TOTAL = 1024 * 1024   # bytes per transfer


def payload(total=TOTAL):
    """Bytes that show any loss, duplication or reordering."""
    block = b''.join(b'%07d\n' % i for i in range(8192))   # 64 KiB
    data = block * (total // len(block) + 1)
    return data[:total]


class Endpoints(object):
    """start_server + open_connection on loopback, with small kernel
    buffers so that the transports really have to buffer and pause."""

    def __init__(self, loop, family, sock_dir):
        self.loop = loop
        self.family = family
        self.sock_dir = sock_dir
        self.server = None

    def _socket(self):
        if self.family == 'tcp':
            return socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        return socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)

    @coroutine
    def start(self, handler, **kwds):
        lsock = self._socket()
        # Accepted sockets inherit a small receive buffer.
        lsock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        if self.family == 'tcp':
            lsock.bind(('127.0.0.1', 0))
        else:
            lsock.bind(os.path.join(self.sock_dir, 'fc'))
        self.address = lsock.getsockname()
        lsock.listen(8)
        lsock.setblocking(False)
        create = start_server if self.family == 'tcp' else start_unix_server
        self.server = yield from create(handler, sock=lsock, loop=self.loop,
                                        **kwds)

    @coroutine
    def connect(self, **kwds):
        sock = self._socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 8192)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8192)
        sock.setblocking(False)
        try:
            yield from self.loop.sock_connect(sock, self.address)
        except BaseException:
            sock.close()
            raise
        opener = (open_connection if self.family == 'tcp'
                  else open_unix_connection)
        return (yield from opener(sock=sock, loop=self.loop, **kwds))

    def close(self):
        if self.server is not None:
            self.server.close()
            self.loop.run_until_complete(self.server.wait_closed())


@pytest.fixture
def endpoints(loop, sock_dir):
    made = []

    def make(family):
        ep = Endpoints(loop, family, sock_dir)
        made.append(ep)
        return ep
    yield make
    for ep in made:
        ep.close()


def record_feeds(reader):
    """Record (size before, size after, paused before, paused after) of
    every feed_data call."""
    records = []
    original = reader.feed_data

    def feed_data(data):
        before = len(reader._buffer)
        paused = reader._paused
        original(data)
        records.append((before, len(reader._buffer), paused, reader._paused))
    reader.feed_data = feed_data
    return records


LIMIT = 1024
READERS = {
    # name: (call, largest buffer allowed before a feed)
    'read-100': (lambda r: r.read(100), 2 * LIMIT),
    'readline': (lambda r: r.readline(), 2 * LIMIT),
    'readexactly-4-limits': (lambda r: r.readexactly(4 * LIMIT),
                             # FC-R3: waiting for more than 2*limit resumes
                             # the transport while up to n-1 are buffered.
                             4 * LIMIT - 1),
}


@pytest.mark.parametrize('how', sorted(READERS))
@pytest.mark.parametrize('family', FAMILIES)
def test_fast_writer_slow_reader_bounded_buffer(loop, run, endpoints, family,
                                                how):
    """FC-R1, FC-R2, FC-R3, FC-R4, RD-6, HD-1: the server writes 1 MiB as
    fast as drain() lets it; the client reads it in small pieces with a
    limit of 1024.  No feed_data happens while the reader is paused or
    holds more than 2*limit bytes (readexactly(4*limit): 4*limit-1, FC-R3),
    so the buffer stays within that plus one receive; the reader paused
    and resumed; every byte arrives in order."""
    data = payload()
    call, bound = READERS[how]
    ep = endpoints(family)
    go = compat.create_future(loop)

    @coroutine
    def fast_writer(reader, writer):
        try:
            yield from go
            for i in range(0, len(data), 65536):
                writer.write(data[i:i + 65536])
                yield from writer.drain()
        finally:
            writer.close()

    @coroutine
    def main():
        yield from ep.start(fast_writer)
        reader, writer = yield from ep.connect(limit=LIMIT)
        try:
            records = record_feeds(reader)
            go.set_result(None)
            received = bytearray()
            while len(received) < len(data):
                chunk = yield from call(reader)
                assert chunk, 'EOF after %d bytes' % len(received)
                received += chunk
                # A slow reader: let the transport run between reads.
                yield from asyncio.sleep(0)
            assert (yield from reader.read()) == b''
        finally:
            writer.close()
        return records, bytes(received)

    records, received = run(main())
    assert received == data
    assert records, 'no data was fed'
    worst = max(r[0] for r in records)
    assert worst <= bound, (worst, bound)
    for before, after, paused_before, _ in records:
        assert after > before   # only non-empty data reaches the reader
        # A paused transport delivers nothing (FC-R1, FC-R4).
        assert not paused_before
    # The reader did pause reading (FC-R1) and data came again afterwards,
    # so it resumed (FC-R2/FC-R3); else the bound above proved nothing.
    paused_after = [r[3] for r in records]
    assert any(paused_after)
    assert paused_after.index(True) < len(records) - 1


@pytest.mark.parametrize('family', FAMILIES)
def test_read_all_under_load_small_limit(loop, run, endpoints, family):
    """RD-9 (n < 0), HD-1, FC-R3: read(-1) with limit 1 gets all of 1 MiB
    and the EOF (3.4.0 deadlocked once 2*limit bytes were buffered)."""
    data = payload()
    ep = endpoints(family)

    @coroutine
    def writer_then_close(reader, writer):
        try:
            writer.write(data)
            yield from writer.drain()
        finally:
            writer.close()

    @coroutine
    def main():
        yield from ep.start(writer_then_close)
        reader, writer = yield from ep.connect(limit=1)
        try:
            got = yield from reader.read()
            assert reader.at_eof()
        finally:
            writer.close()
        return got

    got = run(main())
    assert len(got) == len(data)
    assert got == data


@pytest.mark.parametrize('family', FAMILIES)
def test_draining_writer_bounds_transport_buffer(loop, run, endpoints,
                                                 family):
    """FC-W1, FC-W2, DR-2 step 4, DR-4, DR-5: with high-water 32 KiB and a
    slow reader, a client that calls drain() after each 16 KiB write never
    sees transport.get_write_buffer_size() above high-water + one write;
    drain() did wait (returned a Future) and every byte arrives intact."""
    data = payload()
    high, low, size = 32 * 1024, 8 * 1024, 16 * 1024
    ep = endpoints(family)
    digest = compat.create_future(loop)

    @coroutine
    def slow_reader(reader, writer):
        try:
            h = hashlib.sha256()
            n = 0
            while True:
                chunk = yield from reader.read(512)
                if not chunk:
                    break
                h.update(chunk)
                n += len(chunk)
                yield from asyncio.sleep(0)
            digest.set_result((n, h.hexdigest()))
        finally:
            writer.close()

    @coroutine
    def main():
        yield from ep.start(slow_reader, limit=1024)
        reader, writer = yield from ep.connect()
        sizes = []
        waits = 0
        try:
            writer.transport.set_write_buffer_limits(high=high, low=low)
            for i in range(0, len(data), size):
                writer.write(data[i:i + size])
                sizes.append(writer.transport.get_write_buffer_size())
                result = writer.drain()
                if result != ():
                    assert compat.isfuture(result)
                    waits += 1
                    yield from result
            writer.write_eof()
            got = yield from digest
        finally:
            writer.close()
        return sizes, waits, got

    sizes, waits, got = run(main())
    assert got == (len(data), hashlib.sha256(data).hexdigest())
    assert max(sizes) <= high + size, max(sizes)
    assert waits > 0, 'drain() never had to wait: the test proved nothing'
    assert max(sizes) > high   # it did reach the high-water mark
