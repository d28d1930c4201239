"""Creating and tearing down event loops: the one place that does it.

The pytest plugin (:mod:`trollius_streams.testing`), the conformance kit,
the project's own test fixtures and the benchmarks all need a fresh loop of
a given kind and, afterwards, a teardown that leaves nothing behind.  They
take both from here, so a fix to either (a uvloop quirk, an extra settling
step) reaches every user at once.

The teardown is deliberately a fixed sequence: let already scheduled
callbacks run, cancel and reap the tasks still pending, let transports that
were closed finish closing, shut down async generators, close the loop.  It
reports what it had to clean up (tasks still pending, ResourceWarnings from
closing the loop) instead of raising, and leaves the verdict to the caller.
"""

__all__ = ['LOOP_KINDS', 'LoopUnavailable', 'installed_kinds', 'new_loop',
           'settle', 'cancel_pending', 'close_loop', 'teardown', 'Teardown']

import asyncio
import gc
import warnings

from . import compat

#: The loop kinds the project knows how to create.
LOOP_KINDS = ('asyncio', 'uvloop')


class LoopUnavailable(ImportError):
    """The requested loop kind needs a package that is not installed.

    A subclass of ImportError, so ``except ImportError`` keeps working.
    """


def installed_kinds():
    """The loop kinds that can run here: 'asyncio', plus 'uvloop' if importable."""
    try:
        import uvloop  # noqa: F401
    except ImportError:
        return ['asyncio']
    return ['asyncio', 'uvloop']


def new_loop(kind='asyncio'):
    """Return a new, not yet current, event loop of ``kind``.

    ``kind`` is 'asyncio' (the stdlib default loop) or 'uvloop'.  Raises
    ValueError for any other kind and :class:`LoopUnavailable` when uvloop
    is asked for but cannot be imported.
    """
    if kind == 'asyncio':
        return asyncio.new_event_loop()
    if kind == 'uvloop':
        try:
            import uvloop
        except ImportError as exc:
            raise LoopUnavailable(
                'loop kind %r needs the uvloop package, which is not '
                'installed (pip install trollius_streams[uvloop]): %s'
                % (kind, exc))
        return uvloop.new_event_loop()
    raise ValueError('unknown loop kind %r (expected one of %s)'
                     % (kind, ', '.join(LOOP_KINDS)))


@compat.coroutine
def _one_iteration():
    yield


def settle(loop, iterations=3):
    """Run ``loop`` for ``iterations`` iterations.

    Lets callbacks that are already scheduled run: transports finishing a
    close, tasks one step away from done.
    """
    for _ in range(iterations):
        loop.run_until_complete(compat.awaitable(_one_iteration()))


def cancel_pending(loop, timeout=5.0):
    """Cancel every unfinished task of ``loop``, reap them, return them.

    Waits at most ``timeout`` seconds for the cancelled tasks to finish (a
    task that swallows its cancellation does not hang the caller).
    """
    pending = compat.all_tasks(loop)
    for task in pending:
        task.cancel()
    if pending:
        loop.run_until_complete(compat.awaitable(
            asyncio.wait(pending, timeout=timeout)))
        for task in pending:
            # Mark exceptions as retrieved: the caller reports the tasks.
            if task.done() and not task.cancelled():
                task.exception()
    return pending


def close_loop(loop):
    """Shut down async generators, close ``loop``; return ResourceWarnings.

    The texts of the ResourceWarnings emitted while closing (what was left
    open) are returned, not raised: raised inside uvloop 0.14's ``close()``
    a warning makes it loop forever.
    """
    try:
        loop.run_until_complete(loop.shutdown_asyncgens())
    finally:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter('always', ResourceWarning)
            loop.close()
    return [str(w.message) for w in caught
            if issubclass(w.category, ResourceWarning)]


class Teardown(object):
    """What :func:`teardown` had to clean up."""

    def __init__(self, pending, unclosed):
        #: Tasks that were still pending and got cancelled.
        self.pending = pending
        #: ResourceWarning texts emitted while closing the loop.
        self.unclosed = unclosed


def teardown(loop, settle_first=True, cancel_timeout=5.0, collect=False):
    """Settle, cancel what is pending, let closings finish, close the loop.

    ``settle_first`` lets already scheduled callbacks run before pending
    tasks are counted (a test fixture that wants every unfinished task
    reported passes False).  ``collect`` runs a cycle collection before the
    loop is closed, so objects that close transports when collected do so
    while the loop still runs.  Returns a :class:`Teardown`; the loop is
    closed even if a step raises.
    """
    pending = ()
    unclosed = []
    try:
        if settle_first:
            settle(loop)
        pending = cancel_pending(loop, cancel_timeout)
        settle(loop)
        if collect:
            gc.collect()
    finally:
        unclosed = close_loop(loop)
    return Teardown(pending, unclosed)
