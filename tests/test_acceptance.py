"""The core issue's acceptance scenarios, written as 3.4-era generator tests.

They run through our own pytest plugin (trollius_streams.testing): each test
is a plain ``yield from`` generator, as a 3.4 test suite would have it.  The
plugin's ``trollius_loop`` fixture is overridden here by the suite's
``loop`` fixture, so every test runs on the stdlib loop and on uvloop, with
the suite's teardown checks (no pending task, no loop error, nothing left
open).
"""

import asyncio

import pytest

from trollius_streams import (StreamReader, compat, coroutine,
                              open_connection, start_server)

pytest_plugins = ['trollius_streams.testing']
pytestmark = pytest.mark.trollius(timeout=30)


@pytest.fixture
def trollius_loop(loop):
    return loop


@coroutine
def echo_then_rest(reader, writer):
    """A decorated generator callback: one line back, then the rest at EOF."""
    line = yield from reader.readline()
    writer.write(b'got:' + line)
    yield from writer.drain()
    rest = yield from reader.read()
    writer.write(b'rest:' + rest)
    writer.close()


def plain_readline(reader):
    """A plain, undecorated generator."""
    return (yield from reader.readline())


@coroutine
def serve(loop, callback):
    server = yield from start_server(callback, '127.0.0.1', 0, loop=loop)
    return server, server.sockets[0].getsockname()[1]


@coroutine
def shut(server, writer):
    writer.close()
    server.close()
    yield from asyncio.wait_for(server.wait_closed(), 10)


def test_generator_callback_plain_generator_and_tasks(trollius_loop):
    """PR-2, CO-2(1,4), FN-1, FN-2, PR-5: a server whose callback is a
    decorated generator runs; a plain undecorated generator can
    ``yield from reader.readline()``; ``loop.create_task(reader.read...)``
    and ``asyncio.Task(coro)`` work; half-close delivers the reply."""
    loop = trollius_loop
    server, port = yield from serve(loop, echo_then_rest)
    reader, writer = yield from open_connection('127.0.0.1', port, loop=loop)
    writer.write(b'hello\n')
    assert (yield from plain_readline(reader)) == b'got:hello\n'
    writer.write(b'abc')
    writer.write_eof()
    task = loop.create_task(reader.readexactly(5))
    assert (yield from task) == b'rest:'
    task = asyncio.Task(reader.readline(), loop=loop)
    assert (yield from task) == b'abc'
    assert reader.at_eof()
    yield from shut(server, writer)


def test_read_after_wait_for_timeout_gets_every_byte(trollius_loop):
    """HD-11, RD-12: after ``wait_for(reader.readexactly(n), t)`` times out,
    the next read works and returns every byte, in order."""
    loop = trollius_loop
    reader = StreamReader(loop=loop)
    reader.feed_data(b'ab')
    with pytest.raises(asyncio.TimeoutError):
        yield from asyncio.wait_for(reader.readexactly(5), 0.01)
    reader.feed_data(b'cdefg')
    assert (yield from reader.readexactly(5)) == b'abcde'
    assert (yield from reader.readexactly(2)) == b'fg'


def test_async_def_awaits_reads_and_drain(trollius_loop):
    """CO-2(2), Q-2: ``async def`` code awaits our reads, and drain()
    through compat.awaitable (drain() itself returns () or a Future)."""
    loop = trollius_loop

    async def client(port):
        reader, writer = await open_connection('127.0.0.1', port, loop=loop)
        writer.write(b'x\n')
        await compat.awaitable(writer.drain())
        line = await reader.readline()
        writer.write_eof()
        rest = await reader.read()
        writer.close()
        return line, rest

    server, port = yield from serve(loop, echo_then_rest)
    assert (yield from client(port)) == (b'got:x\n', b'rest:')
    server.close()
    yield from asyncio.wait_for(server.wait_closed(), 10)
