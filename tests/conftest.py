"""Shared fixtures: a fresh event loop per test, on every loop flavour.

``loop`` is parametrized over the stdlib loop and, where uvloop is
installed, uvloop; each test gets a new loop, closed in teardown.  Errors the
loop reports (``call_exception_handler``: "Task exception was never
retrieved", "Unhandled exception in client_connected_cb", ...) fail the test
unless the test takes them from ``loop_errors`` (and empties it).
"""

import asyncio
import gc
import warnings

import pytest

from trollius_streams import compat

try:
    import uvloop
except ImportError:  # uvloop is optional; the stdlib loop always runs
    uvloop = None

LOOP_KINDS = ['asyncio'] + (['uvloop'] if uvloop is not None else [])


def new_loop(kind):
    if kind == 'uvloop':
        return uvloop.new_event_loop()
    return asyncio.new_event_loop()


@pytest.fixture
def loop_errors():
    """The contexts passed to the loop's exception handler during the test."""
    return []


@pytest.fixture(params=LOOP_KINDS)
def loop(request, loop_errors):
    """A fresh event loop (stdlib or uvloop), closed after the test."""
    lp = new_loop(request.param)
    lp.set_exception_handler(lambda _, ctx: loop_errors.append(ctx))
    # Tests pass the loop explicitly; nothing may depend on a global loop.
    asyncio.set_event_loop(None)
    try:
        yield lp
    finally:
        try:
            pending = compat.all_tasks(lp)
            for task in pending:
                task.cancel()
            if pending:
                lp.run_until_complete(asyncio.gather(
                    *pending, return_exceptions=True))
            lp.run_until_complete(lp.shutdown_asyncgens())
            # Let transports closed by the test finish closing.
            for _ in range(3):
                lp.run_until_complete(asyncio.sleep(0))
            gc.collect()
        finally:
            # Closing warns about what the test left open.  Record those
            # warnings instead of raising them: raised inside uvloop 0.14's
            # close() they make it loop forever (a failing test would hang
            # the run instead of failing).
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter('always', ResourceWarning)
                lp.close()
    unclosed = [str(w.message) for w in caught
                if issubclass(w.category, ResourceWarning)]
    assert not unclosed, 'test left resources open: %r' % (unclosed,)
    assert not pending, 'test left tasks pending: %r' % (pending,)
    assert not loop_errors, 'loop reported errors: %r' % (loop_errors,)


@pytest.fixture
def closing(loop):
    """``closing(obj)``: close ``obj`` (server, writer) after the test.

    A safety net for failing tests: closing twice is harmless, and what a
    failing test leaves open is then closed before the loop is.
    """
    objs = []
    yield objs.append
    for obj in reversed(objs):
        obj.close()


@pytest.fixture
def run(loop):
    """``run(coro)``: run a coroutine object or generator on ``loop``."""
    def run(coro, timeout=30):
        return loop.run_until_complete(
            asyncio.wait_for(compat.as_coroutine(coro), timeout))
    return run
