"""``loop=`` is validated (contract CO-7): a wrong object is a TypeError
that names its type, raised by the constructor, or by the coroutine of a
stream function as its first step, before any loop lookup or I/O."""

import asyncio
import socket

import pytest

import trollius_streams
from trollius_streams import (StreamReader, StreamReaderProtocol,
                              StreamWriter, compat)

MESSAGE = 'loop must be an event loop or None, not str'
WRONG = 'x'


class LoopDouble(object):
    """Not an AbstractEventLoop, but has the loop methods streams use."""

    def call_soon(self, callback, *args):
        raise AssertionError('not used here')

    def create_task(self, coro):
        raise AssertionError('not used here')


def test_constructors_reject_a_wrong_loop():
    """CO-7: StreamReader, StreamReaderProtocol and StreamWriter raise
    TypeError at once."""
    for make in (lambda: StreamReader(loop=WRONG),
                 lambda: StreamReaderProtocol(None, loop=WRONG),
                 lambda: StreamWriter(object(), None, None, WRONG)):
        with pytest.raises(TypeError) as info:
            make()
        assert str(info.value) == MESSAGE


def test_check_loop_accepts_loops_and_doubles(loop):
    """CO-7: stdlib loops, uvloop (the fixture runs both) and an object with
    call_soon and create_task are event loops; None, strings, numbers and
    plain objects are not."""
    assert compat.check_loop(loop) is loop
    double = LoopDouble()
    assert compat.check_loop(double) is double
    for wrong in ('x', 1, object(), None):
        with pytest.raises(TypeError) as info:
            compat.check_loop(wrong)
        assert type(wrong).__name__ in str(info.value)


def _functions():
    calls = [
        ('open_connection',
         lambda: trollius_streams.open_connection('127.0.0.1', 1, loop=WRONG)),
        ('start_server',
         lambda: trollius_streams.start_server(lambda r, w: None,
                                               '127.0.0.1', 0, loop=WRONG)),
    ]
    if hasattr(socket, 'AF_UNIX'):
        calls += [
            ('open_unix_connection',
             lambda: trollius_streams.open_unix_connection('/nowhere',
                                                           loop=WRONG)),
            ('start_unix_server',
             lambda: trollius_streams.start_unix_server(lambda r, w: None,
                                                        '/nowhere',
                                                        loop=WRONG)),
        ]
    return calls


@pytest.mark.parametrize('name, call', _functions(),
                         ids=[n for n, _ in _functions()])
def test_stream_functions_reject_a_wrong_loop(loop, run, name, call):
    """CO-7, CO-1: calling the function runs nothing; its coroutine raises
    the TypeError as its first step (not an AttributeError about
    create_connection from deep inside)."""
    coro = call()

    @trollius_streams.coroutine
    def main():
        try:
            yield from coro
        except TypeError as exc:
            return str(exc)

    assert run(main()) == MESSAGE


def test_get_event_loop_checks_an_explicit_loop():
    """CO-7, CO-5: compat.get_event_loop(loop) returns a loop given to it
    and rejects a wrong one."""
    lp = asyncio.new_event_loop()
    try:
        assert compat.get_event_loop(lp) is lp
    finally:
        lp.close()
    with pytest.raises(TypeError):
        compat.get_event_loop(WRONG)
