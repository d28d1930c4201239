"""Shared fixtures: a fresh event loop per test, on every loop flavour.

``loop`` is parametrized over the stdlib loop and, where uvloop is
installed, uvloop; each test gets a new loop, closed in teardown.  Errors the
loop reports (``call_exception_handler``: "Task exception was never
retrieved", "Unhandled exception in client_connected_cb", ...) fail the test
unless the test takes them from ``loop_errors`` (and empties it).
"""

import asyncio

import pytest

from trollius_streams import compat
from trollius_streams._loops import installed_kinds, new_loop, teardown

LOOP_KINDS = installed_kinds()


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
        # Every task still unfinished counts as left pending (no settling
        # first); the cycle collection runs while the loop is still open.
        done = teardown(lp, settle_first=False, collect=True)
    unclosed, pending = done.unclosed, done.pending
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
