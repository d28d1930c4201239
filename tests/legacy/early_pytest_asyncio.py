"""A test module written for early pytest-asyncio (2015-2017): generator
tests under @pytest.mark.asyncio, the event_loop and unused_tcp_port
fixtures.  test_deliberately_failing must be reported as failed."""
import asyncio

import pytest


@asyncio.coroutine
def echo(reader, writer):
    data = yield from reader.readline()
    writer.write(data)
    yield from writer.drain()
    writer.close()


@pytest.mark.asyncio
@asyncio.coroutine
def test_sleep(event_loop):
    yield from asyncio.sleep(0.01, loop=event_loop)


@pytest.mark.asyncio
@asyncio.coroutine
def test_echo(event_loop, unused_tcp_port):
    server = yield from asyncio.start_server(
        echo, '127.0.0.1', unused_tcp_port, loop=event_loop)
    reader, writer = yield from asyncio.open_connection(
        '127.0.0.1', unused_tcp_port, loop=event_loop)
    writer.write(b'ping\n')
    assert (yield from reader.readline()) == b'ping\n'
    writer.close()
    server.close()
    yield from server.wait_closed()


@pytest.mark.asyncio
@asyncio.coroutine
def test_deliberately_failing(event_loop):
    yield from asyncio.sleep(0, loop=event_loop)
    assert 1 + 1 == 3, 'this test fails on purpose'


@asyncio.coroutine
def answer():
    yield from asyncio.sleep(0)
    return 42


def test_loop_used_directly(event_loop):
    assert event_loop.run_until_complete(answer()) == 42


class TestInAClass(object):

    @pytest.mark.asyncio
    @asyncio.coroutine
    def test_method(self, event_loop):
        value = yield from answer()
        assert value == 42
