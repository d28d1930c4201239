"""A 3.4-era test module in generator style, run by trollius_streams.testing.

Run it with the plugin (automatic once trollius_streams is installed, since
the package registers a ``pytest11`` entry point; from a source checkout)::

    PYTHONPATH=. python -m pytest -p trollius_streams.testing \\
        examples/legacy_tests/test_legacy_sample.py

The repository's own test run does not collect it (tox.ini: testpaths =
tests); tests/test_testing.py runs it through pytester.
"""

import asyncio

import pytest

from trollius_streams import (StreamReader, coroutine, open_connection,
                              start_server)

# Every generator test in this module is a coroutine run on a fresh loop.
pytestmark = pytest.mark.trollius


@coroutine
def handle_echo(reader, writer):
    line = yield from reader.readline()
    writer.write(line.upper())
    yield from writer.drain()
    writer.close()


@pytest.fixture
@coroutine
def echo_port(trollius_loop, request):
    """A coroutine fixture: runs on the test's loop, returns the port."""
    server = yield from start_server(handle_echo, '127.0.0.1', 0,
                                     loop=trollius_loop)

    def close():
        server.close()
        trollius_loop.run_until_complete(server.wait_closed())
    request.addfinalizer(close)
    return server.sockets[0].getsockname()[1]


@pytest.fixture
def reader(trollius_loop):
    """An ordinary fixture next to the coroutine ones."""
    return StreamReader(loop=trollius_loop)


def test_readline(reader, trollius_loop):
    trollius_loop.call_soon(reader.feed_data, b'line1\nline2\n')
    assert (yield from reader.readline()) == b'line1\n'
    assert (yield from reader.readline()) == b'line2\n'


def test_sleep_and_future(trollius_loop):
    # Plain generator tests may yield from native coroutines too.
    yield from asyncio.sleep(0)
    fut = trollius_loop.create_future()
    trollius_loop.call_soon(fut.set_result, 42)
    assert (yield from fut) == 42


def test_echo_server(echo_port):
    reader, writer = yield from open_connection('127.0.0.1', echo_port)
    writer.write(b'hello\n')
    yield from writer.drain()
    assert (yield from reader.readline()) == b'HELLO\n'
    assert (yield from reader.read()) == b''
    writer.close()


@pytest.mark.parametrize('data', [b'a', b'bc', b'def'])
def test_parametrized(data, reader):
    reader.feed_data(data)
    reader.feed_eof()
    assert (yield from reader.read()) == data


def test_current_loop(trollius_loop):
    # The test's loop is the running loop and the current event loop.
    assert asyncio.get_event_loop() is trollius_loop
    reader = StreamReader()
    reader.feed_data(b'x\n')
    assert (yield from reader.readline()) == b'x\n'


def test_plain_function_in_marked_module(trollius_loop):
    # Not a generator: runs as usual, with the loop available.
    assert not trollius_loop.is_closed()


class TestInAClass(object):

    @pytest.fixture
    @coroutine
    def greeting(self, reader):
        """A coroutine fixture defined in the class."""
        reader.feed_data(b'hello\n')
        return (yield from reader.readline())

    def test_class_fixture(self, greeting):
        assert greeting == b'hello\n'
        yield from ()

    def test_method(self, reader):
        reader.feed_data(b'abc')
        reader.feed_eof()
        data = yield from reader.readexactly(3)
        assert data == b'abc'

    @coroutine
    def test_decorated_method(self, reader):
        reader.feed_eof()
        assert (yield from reader.read()) == b''


@coroutine
def test_decorated_only(trollius_loop):
    # Decorating with trollius_streams.coroutine opts in without the marker.
    yield from asyncio.sleep(0)
