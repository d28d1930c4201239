"""StreamReader: data fed as the very bytes object just consumed (SPEC RD-6, RD-10).

Regression tests for a hang found while benchmarking: readline() waiting on
an empty buffer skipped the search of a new head chunk when feed_data()
brought back the same object it had just consumed.  That happens with a
transport that reuses a bytes object and with CPython's cached one-byte
bytes (a peer sending bare ``b'\\n'`` keystrokes, received one at a time).
"""

import asyncio

import pytest

from trollius_streams import StreamReader, compat


def step(loop, n=2):
    for _ in range(n):
        loop.run_until_complete(asyncio.sleep(0))


@pytest.mark.parametrize('chunk', [b'\n', b'same object\n'],
                         ids=['cached-one-byte-newline', 'reused-line-object'])
def test_readline_wakes_on_same_object_again(loop, run, chunk):
    """RD-6, RD-10: a waiting readline() returns a line fed as the same
    bytes object as the line it returned before."""
    r = StreamReader(loop=loop)
    r.feed_data(chunk)
    assert run(r.readline()) == chunk
    task = compat.ensure_future(r.readline(), loop=loop)
    step(loop)
    assert not task.done() and r._waiter is not None   # waiting, buffer empty
    r.feed_data(chunk)
    assert run(task, timeout=5) == chunk


def test_readline_same_object_after_readexactly(loop, run):
    """RD-6, RD-10, RD-11: the same after readexactly() consumed the object."""
    r = StreamReader(loop=loop)
    r.feed_data(b'\n')
    assert run(r.readexactly(1)) == b'\n'
    task = compat.ensure_future(r.readline(), loop=loop)
    step(loop)
    assert not task.done()
    r.feed_data(b'\n')
    assert run(task, timeout=5) == b'\n'
