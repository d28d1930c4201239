"""asyncio.JoinableQueue (3.4.0-3.4.3) with workers and join()."""
import asyncio

loop = asyncio.get_event_loop()
queue = asyncio.JoinableQueue(loop=loop)
seen = []


@asyncio.coroutine
def worker():
    while True:
        item = yield from queue.get()
        seen.append(item * item)
        queue.task_done()


@asyncio.coroutine
def main():
    workers = [asyncio.async(worker(), loop=loop) for _ in range(2)]
    for i in range(5):
        yield from queue.put(i)
    yield from queue.join()
    for w in workers:
        w.cancel()
    yield from asyncio.wait(workers, loop=loop)


loop.run_until_complete(main())
print('squares:', sorted(seen))
loop.close()
