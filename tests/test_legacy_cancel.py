"""Item l: ``cancelled_is_exception`` (``--cancelled-is-exception``) makes
asyncio.CancelledError an Exception subclass for the run, as on 3.4-3.7.

These tests show that asyncio's own cancellation paths behave the same
with the switch on, on both loops: wait_for timeouts and cancellation,
gather, shield, Task.cancel, asyncio.timeout (3.11+) and loop shutdown
(asyncio.run's cancel-everything, and the manual sequence).  Written with
``async def``, so that none of the legacy shims is involved but the switch.
"""

import asyncio

import pytest

from trollius_streams import compat, legacy

try:
    import uvloop
except ImportError:  # pragma: no cover - uvloop is installed in every env
    uvloop = None

LOOP_KINDS = ['asyncio'] + (['uvloop'] if uvloop else [])
NATIVE = compat.legacy_features().cancelled_is_exception


def _new_loop(kind):
    return uvloop.new_event_loop() if kind == 'uvloop' else \
        asyncio.DefaultEventLoopPolicy().new_event_loop()


@pytest.fixture(params=LOOP_KINDS)
def loop(request):
    """A fresh loop of each kind, run with the switch on."""
    errors = []
    with legacy.legacy_environment(cancelled_is_exception=True):
        assert issubclass(asyncio.CancelledError, Exception)
        lp = _new_loop(request.param)
        lp.set_exception_handler(lambda _, ctx: errors.append(ctx))
        try:
            yield lp
        finally:
            lp.close()
    assert issubclass(asyncio.CancelledError, Exception) is NATIVE
    assert errors == []


def test_switch_is_off_by_default():
    """Without the switch the class keeps its bases."""
    bases = asyncio.CancelledError.__bases__
    with legacy.legacy_environment():
        assert asyncio.CancelledError.__bases__ == bases
    assert asyncio.CancelledError.__bases__ == bases


def test_wait_for_timeout_and_cancel(loop):
    """wait_for: a timeout raises TimeoutError and cancels the inner task;
    cancelling the waiting task cancels the inner one too."""
    async def main():
        inner = loop.create_task(asyncio.sleep(10))
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(inner, 0.01)
        await asyncio.sleep(0)  # 3.6's wait_for does not wait for it
        assert inner.cancelled()
        inner2 = loop.create_task(asyncio.sleep(10))
        waiting = loop.create_task(asyncio.wait_for(inner2, 5))
        await asyncio.sleep(0.01)
        waiting.cancel()
        with pytest.raises(asyncio.CancelledError):
            await waiting
        assert waiting.cancelled()
        await asyncio.sleep(0)
        assert inner2.cancelled()
        return 'ok'
    assert loop.run_until_complete(main()) == 'ok'


def test_gather(loop):
    """gather: cancelling it cancels the children and raises
    CancelledError; with return_exceptions a cancelled child's
    CancelledError is in the results."""
    async def main():
        children = [loop.create_task(asyncio.sleep(10)) for _ in range(2)]
        outer = asyncio.gather(*children)
        await asyncio.sleep(0)
        outer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await outer
        assert all(c.cancelled() for c in children)
        child = loop.create_task(asyncio.sleep(10))
        done = loop.create_task(asyncio.sleep(0, 'x'))
        together = asyncio.gather(child, done, return_exceptions=True)
        await asyncio.sleep(0)
        child.cancel()
        results = await together
        assert isinstance(results[0], asyncio.CancelledError)
        assert results[1] == 'x'
        return 'ok'
    assert loop.run_until_complete(main()) == 'ok'


def test_shield(loop):
    """shield: cancelling the outer wait leaves the inner task running to
    its result."""
    async def main():
        inner = loop.create_task(asyncio.sleep(0.02, 'inner'))
        outer = asyncio.shield(inner)
        await asyncio.sleep(0)
        outer.cancel()
        with pytest.raises(asyncio.CancelledError):
            await outer
        assert await inner == 'inner'
        return 'ok'
    assert loop.run_until_complete(main()) == 'ok'


def test_task_cancel(loop):
    """Task.cancel: a task that lets CancelledError through ends cancelled;
    one that catches it with ``except Exception`` (the 3.4 idiom the
    switch exists for) ends with its result."""
    async def plain():
        await asyncio.sleep(10)

    async def legacy_style():
        try:
            await asyncio.sleep(10)
        except Exception as exc:
            return 'caught %s' % type(exc).__name__

    async def main():
        t1 = loop.create_task(plain())
        t2 = loop.create_task(legacy_style())
        await asyncio.sleep(0)
        t1.cancel()
        t2.cancel()
        with pytest.raises(asyncio.CancelledError):
            await t1
        assert t1.cancelled()
        assert await t2 == 'caught CancelledError'
        assert not t2.cancelled()
        return 'ok'
    assert loop.run_until_complete(main()) == 'ok'


@pytest.mark.skipif(not hasattr(asyncio, 'timeout'),
                    reason='asyncio.timeout is new in Python 3.11')
def test_asyncio_timeout(loop):
    """asyncio.timeout (3.11+) still turns its cancellation into
    TimeoutError."""
    async def main():
        with pytest.raises(TimeoutError):
            async with asyncio.timeout(0.01):
                await asyncio.sleep(10)
        return 'ok'
    assert loop.run_until_complete(main()) == 'ok'


def test_loop_shutdown(loop):
    """The shutdown sequence (cancel what is pending, gather it, shut down
    async generators) ends, for tasks that let cancellation through and
    for 3.4-style tasks that swallow it."""
    async def sleeper():
        await asyncio.sleep(10)

    async def swallower():
        try:
            await asyncio.sleep(10)
        except Exception:
            return 'swallowed'

    async def main():
        loop.create_task(sleeper())
        loop.create_task(swallower())
        await asyncio.sleep(0)

    loop.run_until_complete(main())
    pending = compat.all_tasks(loop)
    assert len(pending) == 2
    for task in pending:
        task.cancel()
    results = loop.run_until_complete(asyncio.wait_for(
        asyncio.gather(*pending, return_exceptions=True), 5))
    assert sorted(type(r).__name__ for r in results) == [
        'CancelledError', 'str']
    loop.run_until_complete(loop.shutdown_asyncgens())


@pytest.mark.skipif(not hasattr(asyncio, 'run'),
                    reason='asyncio.run is new in Python 3.7')
def test_asyncio_run_cancels_leftovers():
    """asyncio.run() with tasks left pending returns the main result: its
    cancel-everything shutdown works under the switch."""
    async def swallower(log):
        try:
            await asyncio.sleep(10)
        except Exception as exc:
            log.append(type(exc).__name__)

    async def main(log):
        asyncio.ensure_future(swallower(log))
        asyncio.ensure_future(asyncio.sleep(10))
        await asyncio.sleep(0)
        return 'main'

    log = []
    saved = asyncio.events._event_loop_policy
    try:
        with legacy.legacy_environment(cancelled_is_exception=True):
            assert asyncio.run(main(log)) == 'main'
    finally:
        asyncio.events._event_loop_policy = saved
    assert log == ['CancelledError']
