"""A 3.4-era worker that stops through ``except Exception``: cancelling it
lands in the handler (CancelledError was an Exception until 3.7), and the
caller then reads the worker's result."""
import asyncio

loop = asyncio.get_event_loop()


@asyncio.coroutine
def worker(log):
    while True:
        try:
            yield from asyncio.sleep(1, loop=loop)
        except Exception as exc:
            log.append(type(exc).__name__)
            return 'stopped cleanly'


@asyncio.coroutine
def main():
    log = []
    task = asyncio.async(worker(log), loop=loop)
    yield from asyncio.sleep(0.01, loop=loop)
    task.cancel()
    try:
        result = yield from task
    except asyncio.CancelledError:
        result = 'cancellation escaped the worker'
    return result, log


print('%s %r' % loop.run_until_complete(main()))
loop.close()
